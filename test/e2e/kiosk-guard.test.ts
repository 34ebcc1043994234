/**
 * The kiosk's guards, in headless Chromium at 1080×1920 against the local server: 终端设置 opens only
 * for a token the API confirms as this estate's admin; every 请点“重试” comes with a real 重试 that
 * repeats the failed action (a payment with the same Idempotency-Key); an idle screen goes home and
 * forgets the owner (90 s, 30 s on the receipt), on Chromium's fake clock; large type, touch-size
 * buttons and English as small secondary text.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../lib/billing/records.js';
import { MESSAGES, PAYMENT_RETRY_HINT } from '../../lib/web/shared/messages.js';
import { DEMO_OWNER } from '../support/api.js';
import { accessibleControls, horizontalOverflow, type WebHarness, webHarness } from './harness.js';
import { KIOSK, screenOf, setUpKiosk } from './kiosk-steps.js';

let w: WebHarness;
let units: Unit[];

beforeAll(async () => {
  w = await webHarness();
  units = await w.api.seedDemo();
  w.api.clock.set('2025-06-01T10:30:00+08:00');
}, 60_000);

afterAll(() => w?.close());

const NOT_ADMIN = '这不是本小区管理员的令牌,终端设置需要管理员权限。';
const alertText = (page: Page) => () => page.getByRole('alert').textContent();

/** Every control named, nothing wider than the portrait screen. */
async function checkScreen(page: Page, what: string): Promise<void> {
  expect((await accessibleControls(page)).unnamed, `${what}: unnamed controls`).toEqual([]);
  expect(await horizontalOverflow(page), `${what}: overflow`).toEqual({ scroll: 0, offenders: [] });
}

async function issueBill(key: string): Promise<string> {
  const issued = await w.api.call('POST', '/v1/invoices', {
    token: await w.api.token('cashier'),
    headers: { 'Idempotency-Key': key },
    body: { unitId: units[1]!.unitId, items: [{ type: 'PROPERTY_FEE' }] },
  });
  expect(issued.status, issued.text).toBe(201);
  return issued.json.invoiceNo as string;
}

async function ownerAtPayScreen(page: Page, invoiceNo: string): Promise<void> {
  await page.getByRole('button', { name: '缴纳物业账单' }).click();
  await page
    .getByLabel('业主登录码')
    .fill(await w.api.token('owner', { units: [units[1]!.unitId], sub: DEMO_OWNER }));
  await page.getByRole('button', { name: '登录' }).click();
  await expect.poll(screenOf(page)).toBe('owner-invoices');
  await page.getByRole('button', { name: new RegExp(`^缴纳账单 ${invoiceNo},`) }).click();
  await expect.poll(screenOf(page)).toBe('pay-invoice');
}

describe('kiosk guards', () => {
  it('终端设置 opens only for a token the API confirms as this estate’s admin', async () => {
    const page = await w.page(KIOSK);
    await page.goto(`${w.url}/kiosk/`);
    const screen = screenOf(page);
    // Not set up: the admin's door, and no settings on the page.
    await expect.poll(screen).toBe('admin-sign-in');
    expect(await page.locator('#device-token, #terminal-id').count()).toBe(0);
    await checkScreen(page, 'admin sign-in');
    await setUpKiosk(w, page, 'LOBBY-G1');

    await page.getByRole('button', { name: '终端设置' }).click();
    await expect.poll(screen).toBe('admin-sign-in');
    const tryToken = async (token: string) => {
      await page.getByLabel('管理员令牌').fill(token);
      await page.getByRole('button', { name: '验证管理员' }).click();
    };
    // A cashier's token: refused, the settings stay hidden.
    await tryToken(await w.api.token('cashier'));
    await expect.poll(alertText(page)).toBe(NOT_ADMIN);
    // An admin of another estate: the token decodes as admin, but the API answers 403.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await tryToken(await w.api.token('admin', { estates: ['OTHER'] }));
    await expect.poll(() => requests.filter((p) => p.endsWith('/renewals')).length).toBe(1);
    await expect.poll(alertText(page)).toBe(NOT_ADMIN);
    // A forged admin token (its signature changed): it reads as admin, the API answers 401.
    const real = await w.api.token('admin');
    const forged = `${real.slice(0, -4)}${real.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await tryToken(forged);
    await expect.poll(alertText(page)).toBe(MESSAGES['UNAUTHORIZED']);
    expect(await screen()).toBe('admin-sign-in');
    expect(await page.locator('#device-token, #terminal-id, #idle-seconds').count()).toBe(0);

    // The real admin: the settings, with the API base shown, and the idle timeout among them.
    await tryToken(real);
    await expect.poll(screen).toBe('setup');
    expect(await page.getByLabel('终端编号').inputValue()).toBe('LOBBY-G1');
    expect(await page.getByLabel(/无人操作返回首页/).inputValue()).toBe('90');
    expect(await page.locator('#api-base').textContent()).toBe(w.url);
    await checkScreen(page, 'settings');
    await page.getByRole('button', { name: '退出设置' }).click();
    await expect.poll(screen).toBe('home');
    // Leaving forgets the admin: the settings need the token again.
    await page.getByRole('button', { name: '终端设置' }).click();
    await expect.poll(screen).toBe('admin-sign-in');
    expect(await page.getByLabel('管理员令牌').inputValue()).toBe('');
    await page.context().close();
  });

  it('请点“重试” comes with 重试, which repeats the payment with the same Idempotency-Key', async () => {
    const page = await w.page(KIOSK);
    await setUpKiosk(w, page, 'LOBBY-G2');
    const invoiceNo = await issueBill('kiosk-guard-retry');
    await ownerAtPayScreen(page, invoiceNo);

    // The order is made, but its answer is lost on the way back (a gateway's 502).
    const keys: string[] = [];
    await page.route('**/v1/payment-orders', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      const made = await route.fetch();
      expect(made.status()).toBe(201);
      await route.fulfill({ status: 502, body: '' });
    });
    await page.getByRole('button', { name: '微信支付' }).click();
    await expect.poll(alertText(page)).toContain(PAYMENT_RETRY_HINT);
    const retry = page.getByRole('button', { name: '重试', exact: true });
    expect(await retry.isVisible()).toBe(true);
    await checkScreen(page, '重试');
    await page.unroute('**/v1/payment-orders');
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/v1/payment-orders')
        keys.push(r.headers()['idempotency-key'] ?? '');
    });
    await retry.click();
    await expect.poll(screenOf(page)).toBe('pay-order');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(await retry.isVisible()).toBe(false);

    // A lost fee policy: 重试 loads it again.
    await page.getByRole('button', { name: '返回首页' }).click();
    await page.route('**/tariffs', (route) => route.abort('connectionreset'));
    await page.getByRole('button', { name: '查看收费标准' }).click();
    await expect.poll(() => retry.isVisible()).toBe(true);
    await page.unroute('**/tariffs');
    await retry.click();
    await expect.poll(screenOf(page)).toBe('tariffs');
    await page.context().close();
  });

  it('an idle kiosk goes home and forgets the owner: 90 s, 30 s on the receipt; a touch restarts the clock', async () => {
    const page = await w.page(KIOSK);
    await page.clock.install();
    await setUpKiosk(w, page, 'LOBBY-G3');
    const screen = screenOf(page);
    const invoiceNo = await issueBill('kiosk-guard-idle');
    await ownerAtPayScreen(page, invoiceNo);

    // A touch after 60 s restarts the clock: 60 s more is still within 90 s of it.
    await page.clock.fastForward(60_000);
    await page.locator('#screen h2').click();
    await page.clock.fastForward(60_000);
    expect(await screen()).toBe('pay-invoice');

    // A QR code on screen, then nobody: the order is left (its polling stops) and the owner forgotten.
    await page.getByRole('button', { name: '微信支付' }).click();
    await expect.poll(screen).toBe('pay-order');
    const polls: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v1/payment-orders/')) polls.push(r.url());
    });
    await page.clock.fastForward(91_000);
    await expect.poll(screen).toBe('home');
    const after = polls.length;
    await page.clock.fastForward(10_000);
    expect(polls.length, 'polling after going home').toBe(after);
    await page.getByRole('button', { name: '缴纳物业账单' }).click();
    expect(await screen()).toBe('owner-sign-in');
    expect(await page.getByLabel('业主登录码').inputValue()).toBe('');

    // The receipt screen goes home after 30 s.
    await page.getByRole('button', { name: '返回首页' }).click();
    await ownerAtPayScreen(page, invoiceNo);
    await page.getByRole('button', { name: '微信支付' }).click();
    await expect.poll(screen).toBe('pay-order');
    const outTradeNo = await page.locator('#screen [data-field="outTradeNo"]').textContent();
    const paying = await w.api.call('POST', `${w.url}/local/sandbox/pay`, { body: { outTradeNo } });
    expect(paying.status, paying.text).toBe(200);
    await page.clock.fastForward(2_000);
    await expect.poll(screen).toBe('paid');
    await page.clock.fastForward(25_000);
    expect(await screen()).toBe('paid');
    await page.clock.fastForward(6_000);
    await expect.poll(screen).toBe('home');
    await page.context().close();
  });

  it('large type, touch-size buttons, Chinese first with English small beneath', async () => {
    const page = await w.page(KIOSK);
    await setUpKiosk(w, page, 'LOBBY-G4');
    const measure = () =>
      page.evaluate(() => {
        const px = (el: Element) => Number.parseFloat(getComputedStyle(el).fontSize);
        const visible = (el: Element) => (el as HTMLElement).offsetParent !== null;
        const buttons = [...document.querySelectorAll('button')].filter(visible);
        return {
          body: px(document.body),
          h2: [...document.querySelectorAll('#screen h2')].map(px),
          smallButtons: buttons
            .filter((b) => b.getBoundingClientRect().height < 64 || px(b) < 20)
            .map((b) => `${b.textContent} ${Math.round(b.getBoundingClientRect().height)}px`),
          tiles: [...document.querySelectorAll('.tile')].map((b) => b.getBoundingClientRect().height),
          // Each English line: smaller than its Chinese, and after it.
          english: [...document.querySelectorAll('#screen .en, .bar .en')].map((en) => ({
            smaller: px(en) < px(en.parentElement!) * 0.7,
            after: (en.parentElement!.textContent ?? '').indexOf(en.textContent ?? '') > 0,
          })),
        };
      });
    const home = await measure();
    expect(home.body).toBeGreaterThanOrEqual(30);
    expect(home.smallButtons).toEqual([]);
    expect(Math.min(...home.tiles)).toBeGreaterThanOrEqual(120);
    expect(home.english.length).toBeGreaterThanOrEqual(5);
    expect(home.english.every((e) => e.smaller && e.after)).toBe(true);
    for (const tile of ['临时停车缴费', '查看收费标准', '明码标价']) {
      await page.getByRole('button', { name: tile }).click();
      await expect.poll(screenOf(page)).not.toBe('home');
      const m = await measure();
      expect(m.h2.length, tile).toBeGreaterThan(0);
      expect(Math.min(...m.h2), tile).toBeGreaterThanOrEqual(40);
      expect(m.smallButtons, tile).toEqual([]);
      expect(m.english.length, tile).toBeGreaterThan(0);
      expect(
        m.english.every((e) => e.smaller && e.after),
        tile,
      ).toBe(true);
      await page.getByRole('button', { name: '返回首页' }).click();
      await expect.poll(screenOf(page)).toBe('home');
    }
    await page.context().close();
  });
});
