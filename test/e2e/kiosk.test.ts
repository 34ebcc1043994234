/**
 * The self-service kiosk in headless Chromium at 1080×1920 against the local server: the device is
 * set up with its kiosk token, an owner signs in, taps 微信支付 twice (one order), scans the QR
 * code (the sandbox's pay page, opened in a second tab as a phone would) and sees the receipt once
 * the provider has confirmed; a driver types a plate on the on-screen keyboard, pays the parking
 * fee through Alipay and sees the exit deadline; the fee policy and the price board (reached from
 * the start screen) are on screen. test/e2e/kiosk-guard.test.ts covers the admin's door to the
 * settings, 重试, the idle timeout and the type sizes.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../lib/billing/records.js';
import { DEMO_OWNER } from '../support/api.js';
import { importNeighbours } from '../support/entrances.js';
import {
  accessibleControls,
  horizontalOverflow,
  RAW_CODE,
  receiptCount,
  type WebHarness,
  webHarness,
} from './harness.js';
import { KIOSK, setUpKiosk } from './kiosk-steps.js';

const TERMINAL = 'LOBBY-07';

let w: WebHarness;
let units: Unit[];
let page: Page;
const paymentPosts: { path: string; key: string | undefined }[] = [];

beforeAll(async () => {
  w = await webHarness();
  units = await w.api.seedDemo();
  w.api.clock.set('2025-06-01T10:30:00+08:00');
  page = await w.page(KIOSK);
  page.on('request', (req) => {
    const path = new URL(req.url()).pathname;
    if (req.method() === 'POST' && (path.endsWith('/payments') || path === '/v1/payment-orders'))
      paymentPosts.push({ path, key: req.headers()['idempotency-key'] });
  });
}, 60_000);

afterAll(() => w?.close());

/** Every control named, nothing wider than the 1080-pixel portrait screen. */
async function checkScreen(what: string): Promise<void> {
  const a11y = await accessibleControls(page);
  expect(a11y.controls.length, `${what}: controls found`).toBeGreaterThan(0);
  expect(a11y.unnamed, `${what}: controls without an accessible name`).toEqual([]);
  const overflow = await horizontalOverflow(page);
  expect(overflow, `${what}: horizontal overflow at 1080×1920`).toEqual({ scroll: 0, offenders: [] });
  expect(await page.locator('body').textContent(), `${what}: raw error code on screen`).not.toMatch(RAW_CODE);
}

const screen = () => page.locator('#screen').getAttribute('data-screen');
const field = (name: string) => page.locator(`#screen [data-field="${name}"]`).first().textContent();

describe('kiosk', () => {
  it('is set up by an admin and shows the fee policy and the price board', async () => {
    await setUpKiosk(w, page, TERMINAL);
    await checkScreen('home');
    await w.shot(page, 'kiosk-1-home');

    await page.getByRole('button', { name: '查看收费标准' }).click();
    await expect.poll(screen).toBe('tariffs');
    const policy = await page.locator('#screen').textContent();
    for (const expected of [
      '高层',
      '1.8 元/㎡/月',
      '双拼排屋',
      '2.5 元/㎡/月',
      '2小时以内',
      '免费',
      '超过2小时,4小时以内',
      '2.00 元/次',
      '超过8小时,24小时以内',
      '30 元/个/月',
      '1000.00 元/户',
    ]) {
      expect(policy).toContain(expected);
    }
    await checkScreen('tariffs');
    await w.shot(page, 'kiosk-2-tariffs');
    await page.getByRole('button', { name: '返回首页' }).click();
    await expect.poll(screen).toBe('home');

    // 明码标价 (issue 22): the price board, each rate with its unit of measure, the contract basis.
    await page.getByRole('button', { name: '明码标价' }).click();
    await expect.poll(screen).toBe('price-board');
    const board = await page.locator('#screen').textContent();
    for (const expected of ['物业服务费(高层)', '元/㎡/月', '车位租用费', '商品房预(销)售合同'])
      expect(board).toContain(expected);
    await checkScreen('price-board');
    await w.shot(page, 'kiosk-2b-price-board');
    await page.getByRole('button', { name: '返回首页' }).click();
    await expect.poll(screen).toBe('home');
  });

  it('an owner pays an invoice by scanning the QR code; a double tap on 微信支付 makes one order', async () => {
    const cashier = await w.api.token('cashier');
    const issued = await w.api.call('POST', '/v1/invoices', {
      token: cashier,
      headers: { 'Idempotency-Key': 'kiosk-double-tap-issue' },
      body: { unitId: units[0]!.unitId, items: [{ type: 'PROPERTY_FEE' }, { type: 'PARKING_SPACE_FEE' }] },
    });
    expect(issued.status, issued.text).toBe(201);
    const invoiceNo = issued.json.invoiceNo as string;
    const before = await receiptCount(w.api, 2025);

    await page.getByRole('button', { name: '缴纳物业账单' }).click();
    await expect.poll(screen).toBe('owner-sign-in');
    await checkScreen('owner sign-in');
    await page
      .getByLabel('业主登录码')
      .fill(await w.api.token('owner', { units: [units[0]!.unitId], sub: DEMO_OWNER }));
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(screen).toBe('owner-invoices');
    await checkScreen('owner invoices');
    await w.shot(page, 'kiosk-3-my-bills');

    await page.getByRole('button', { name: `缴纳账单 ${invoiceNo},金额 2294.50 元` }).click();
    await expect.poll(screen).toBe('pay-invoice');
    expect(await field('amount')).toBe('¥2,294.50');
    await checkScreen('pay invoice');
    await w.shot(page, 'kiosk-4-pay-bill');
    const posted = paymentPosts.length;
    await page.getByRole('button', { name: '微信支付' }).dblclick();
    await expect.poll(screen).toBe('pay-order');
    expect(paymentPosts.length - posted, 'order requests sent').toBe(1);
    expect(await field('amount')).toBe('¥2,294.50');
    expect(await field('countdown')).toMatch(/^1[45]:\d\d$/);
    expect(await page.locator('#screen .qr svg').count()).toBe(1);
    await checkScreen('pay order');
    await w.shot(page, 'kiosk-5a-qr-code');
    // Nothing is paid until the provider says so.
    expect(await receiptCount(w.api, 2025)).toBe(before);
    // The owner's phone: the QR code's link is the sandbox's pay page.
    const phone = await w.page({ width: 390, height: 844 });
    await phone.goto((await page.locator('#screen [data-field="codeUrl"]').getAttribute('href'))!);
    expect(await phone.locator('#amount').textContent()).toBe('2294.50');
    await phone.getByRole('button', { name: '确认支付' }).click();
    await expect.poll(() => phone.locator('#state').textContent()).toBe('已支付');
    await phone.close();
    await expect.poll(screen, { timeout: 20_000 }).toBe('paid');
    const receiptNo = (await field('receiptNo'))!;
    // What the receipt prints: the estate by name, the flat, 自助终端 and this terminal, never the login.
    expect(await field('estateName')).toBe('示范花园');
    expect(await field('address')).toBe('1栋 1801');
    expect(await field('cashier')).toBe(`自助终端 ${TERMINAL}`);
    expect(await field('state')).toBe('有效');
    expect(await page.locator('#screen').textContent()).not.toContain(DEMO_OWNER);
    await checkScreen('paid');
    await w.shot(page, 'kiosk-5-bill-paid');

    expect(await receiptCount(w.api, 2025)).toBe(before + 1);
    const inv = await w.api.call('GET', `/v1/invoices/${invoiceNo}`, { token: cashier });
    expect(inv.json).toMatchObject({ status: 'PAID', receiptNo });
    const receipt = await w.api.call('GET', `/v1/receipts/${receiptNo}`, { token: cashier });
    expect(receipt.json).toMatchObject({ channel: 'KIOSK_WECHAT', amount: '2294.50', cashier: DEMO_OWNER });
    // The reference is the provider's transaction id; the order names the terminal.
    expect(receipt.json.reference).toMatch(/^4200\d+$/);
    expect(receipt.json).toMatchObject({ cashierName: `自助终端 ${TERMINAL}`, terminalId: TERMINAL });
    await page.getByRole('button', { name: '完成' }).click();
    await expect.poll(screen).toBe('home');
  });

  it('a driver types the plate, pays 2.00 for 2h30 and is told to leave by 10:45', async () => {
    w.api.clock.set('2025-06-01T08:00:00+08:00');
    const gate = await w.api.token('gate');
    const entry = await w.api.call('POST', '/v1/parking/entries', {
      token: gate,
      body: { estateId: 'DEMO', plate: '粤B88888', gateId: 'G1', at: '2025-06-01T08:00:00+08:00' },
    });
    expect(entry.status, entry.text).toBe(201);
    w.api.clock.set('2025-06-01T10:30:00+08:00');
    const before = await receiptCount(w.api, 2025);

    await page.getByRole('button', { name: '临时停车缴费' }).click();
    await expect.poll(screen).toBe('parking');
    await checkScreen('plate keyboard');

    // A plate that is not inside: a polite sentence, not a code.
    await page.getByLabel('车牌号').fill('粤B00000');
    await page.getByRole('button', { name: '查询停车费' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('没有找到车牌 粤B00000 的在场停车记录,请核对车牌号。');
    await page.getByLabel('车牌号').fill('ABC');
    await page.getByRole('button', { name: '查询停车费' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('车牌号不正确,请输入如 粤B12345 的车牌(新能源车为8位)。');
    await checkScreen('plate error');
    await w.shot(page, 'kiosk-6-plate-error');

    // The on-screen keyboard: a kiosk has no Chinese input method.
    await page.getByRole('button', { name: '清空车牌' }).click();
    for (const k of ['粤', 'B', '8', '8', '8', '8', '8'])
      await page.getByRole('button', { name: k, exact: true }).click();
    expect(await page.getByLabel('车牌号').inputValue()).toBe('粤B88888');
    await page.getByRole('button', { name: '查询停车费' }).click();
    await expect.poll(screen).toBe('parking-quote');
    expect(await field('plate')).toBe('粤B88888');
    expect(await field('duration')).toBe('2小时30分钟');
    expect(await field('amount')).toBe('¥2.00');
    expect(await field('band')).toBe('4小时以内档 2.00 元');
    await checkScreen('parking quote');
    await w.shot(page, 'kiosk-7-parking-quote');

    const posted = paymentPosts.length;
    await page.getByRole('button', { name: '支付宝' }).dblclick();
    await expect.poll(screen).toBe('pay-order');
    expect(paymentPosts.length - posted, 'order requests sent').toBe(1);
    const outTradeNo = (await field('outTradeNo'))!;
    const sandboxPay = await w.api.call('POST', `${w.url}/local/sandbox/pay`, { body: { outTradeNo } });
    expect(sandboxPay.status, sandboxPay.text).toBe(200);
    await expect.poll(screen, { timeout: 20_000 }).toBe('paid');
    expect(await field('exitBy')).toBe('10:45');
    expect(await field('plate')).toBe('粤B88888');
    expect(await field('cashier')).toBe(`自助终端 ${TERMINAL}`);
    expect(await field('estateName')).toBe('示范花园');
    await checkScreen('parking paid');
    await w.shot(page, 'kiosk-8-parking-paid');

    expect(await receiptCount(w.api, 2025)).toBe(before + 1);
    const sessions = await w.api.call('GET', '/v1/parking/sessions', {
      token: await w.api.token('kiosk'),
      query: { estateId: 'DEMO', plate: '粤B88888' },
    });
    expect(sessions.json.items).toHaveLength(1);
    expect(sessions.json.items[0]).toMatchObject({ paid: '2.00' });
    expect(Date.parse(sessions.json.items[0].exitBy)).toBe(Date.parse('2025-06-01T10:45:00+08:00'));
    expect(sessions.json.items[0].receipts).toHaveLength(1);

    // Asking again after paying: nothing due, and the deadline repeated.
    await page.getByRole('button', { name: '完成' }).click();
    await page.getByRole('button', { name: '临时停车缴费' }).click();
    await page.getByLabel('车牌号').fill('粤B88888');
    await page.getByRole('button', { name: '查询停车费' }).click();
    await expect.poll(screen).toBe('parking-quote');
    expect(await page.locator('.exit-note').textContent()).toBe('已缴费,请在 10:45 前离场。');
    expect(await page.locator('#screen .channels').count()).toBe(0);
  });

  it('a stale quote is priced again, not charged at the old figure', async () => {
    w.api.clock.set('2025-06-01T08:00:00+08:00');
    const entry = await w.api.call('POST', '/v1/parking/entries', {
      token: await w.api.token('gate'),
      body: { estateId: 'DEMO', plate: '粤B77777', gateId: 'G1', at: '2025-06-01T08:00:00+08:00' },
    });
    expect(entry.status, entry.text).toBe(201);
    w.api.clock.set('2025-06-01T10:30:00+08:00');
    const before = await receiptCount(w.api, 2025);
    await page.getByRole('button', { name: '返回首页' }).click();
    await page.getByRole('button', { name: '临时停车缴费' }).click();
    await page.getByLabel('车牌号').fill('粤B77777');
    await page.getByRole('button', { name: '查询停车费' }).click();
    await expect.poll(screen).toBe('parking-quote');
    expect(await field('amount')).toBe('¥2.00');

    // The driver walks away and comes back two hours later: the stay is now in the 5.00 band.
    w.api.clock.set('2025-06-01T12:31:00+08:00');
    await page.getByRole('button', { name: '微信支付' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('停车费已按当前时间重新计算,请确认金额后再支付。');
    expect(await screen()).toBe('parking-quote');
    expect(await field('amount')).toBe('¥5.00');
    expect(await receiptCount(w.api, 2025)).toBe(before);

    await page.getByRole('button', { name: '微信支付' }).click();
    await expect.poll(screen).toBe('pay-order');
    expect(await field('amount')).toBe('¥5.00');
    const paying = await w.api.call('POST', `${w.url}/local/sandbox/pay`, {
      body: { outTradeNo: await field('outTradeNo') },
    });
    expect(paying.status, paying.text).toBe(200);
    await expect.poll(screen, { timeout: 20_000 }).toBe('paid');
    expect(await field('exitBy')).toBe('12:46');
    expect(await receiptCount(w.api, 2025)).toBe(before + 1);
  });

  it('an owner of two flats that differ only in their entrance (单元) tells them apart, and so does the receipt', async () => {
    const { one, two } = await importNeighbours(w.api.ctx('admin'), 'DEMO');
    const cashier = await w.api.token('cashier');
    const issued = await w.api.call('POST', '/v1/invoices', {
      token: cashier,
      headers: { 'Idempotency-Key': 'kiosk-entrance-issue' },
      body: { unitId: two, items: [{ type: 'PROPERTY_FEE' }] },
    });
    expect(issued.status, issued.text).toBe(201);
    await page.getByRole('button', { name: '完成' }).click();
    await expect.poll(screen).toBe('home');
    await page.getByRole('button', { name: '缴纳物业账单' }).click();
    await page
      .getByLabel('业主登录码')
      .fill(await w.api.token('owner', { units: [one, two], sub: 'owner-3-1201' }));
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(screen).toBe('owner-invoices');
    expect(await page.locator('#screen section.card h3').allTextContents()).toEqual([
      '3栋 1单元 1201',
      '3栋 2单元 1201',
    ]);
    await page
      .getByRole('button', { name: `缴纳账单 ${issued.json.invoiceNo},金额 ${issued.json.total} 元` })
      .click();
    await page.getByRole('button', { name: '微信支付' }).click();
    await expect.poll(screen).toBe('pay-order');
    const paying = await w.api.call('POST', `${w.url}/local/sandbox/pay`, {
      body: { outTradeNo: await field('outTradeNo') },
    });
    expect(paying.status, paying.text).toBe(200);
    await expect.poll(screen, { timeout: 20_000 }).toBe('paid');
    expect(await field('address')).toBe('3栋 2单元 1201');
  });
});
