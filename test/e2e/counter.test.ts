/**
 * The counter console in headless Chromium against the local server: a cashier finds a unit,
 * issues the move-in invoice, takes 3000.00 in cash for 2294.50 and hears the change as cashiers
 * say it, prints an A5 receipt with the 大写 amount, voids a renewal with a reason — and a double
 * tap on 确认收款 takes the money once, and a lost answer to 开票 is retried without a second invoice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../lib/billing/records.js';
import {
  ARTIFACTS,
  accessibleControls,
  horizontalOverflow,
  RAW_CODE,
  receiptCount,
  type WebHarness,
  webHarness,
} from './harness.js';

const COUNTER = { width: 1366, height: 768 };
const CASHIER = 'cashier-wang';
/** The `name` claim: receipts print the cashier's name, not the login. */
const CASHIER_NAME = '王小红';

let w: WebHarness;
let units: Unit[];
let cashierToken: string;

beforeAll(async () => {
  w = await webHarness();
  units = await w.api.seedDemo();
  w.api.clock.set('2025-06-01T10:00:00+08:00');
  cashierToken = await w.api.token('cashier', { sub: CASHIER, name: CASHIER_NAME });
}, 60_000);

afterAll(() => w?.close());

async function signedIn(token = cashierToken): Promise<Page> {
  const page = await w.page(COUNTER);
  await page.goto(`${w.url}/counter/`);
  await page.getByLabel('登录令牌').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('#desk').waitFor({ state: 'visible' });
  return page;
}

async function find(page: Page, building: string, room: string): Promise<void> {
  await page.getByLabel('楼栋').fill(building);
  await page.getByLabel('房号').fill(room);
  await page.getByRole('button', { name: '查找' }).click();
}

/** Every control named, nothing wider than the 1366×768 desk screen. */
async function checkScreen(page: Page, what: string): Promise<void> {
  const a11y = await accessibleControls(page);
  expect(a11y.controls.length, `${what}: controls found`).toBeGreaterThan(0);
  expect(a11y.unnamed, `${what}: controls without an accessible name`).toEqual([]);
  const overflow = await horizontalOverflow(page);
  expect(overflow, `${what}: horizontal overflow at 1366×768`).toEqual({ scroll: 0, offenders: [] });
}

describe('counter console', () => {
  it('move-in: finds 1栋 1801, issues 2294.50, takes 3000.00 cash → 找您705.50元, prints an A5 receipt', async () => {
    const page = await signedIn();
    await checkScreen(page, 'desk');
    await find(page, '1栋', '1801');
    await expect.poll(() => page.locator('[data-field="paidThrough"]').textContent()).toBe('尚未缴费');
    await checkScreen(page, 'unit');
    await page.getByRole('button', { name: '开具入住账单' }).click();

    // The move-in bills the first year of property fee and of the owned space: 1934.50 + 360.00.
    const total = page.locator('#pay [data-field="total"]');
    await expect.poll(() => total.textContent()).toBe('2294.50');
    await page.getByLabel('实收现金(元)').fill('3000');
    await checkScreen(page, 'pay');
    await w.shot(page, 'counter-1-pay');
    await page.getByRole('button', { name: '确认收款' }).click();

    await expect.poll(() => page.locator('#change').textContent()).toBe('收您3000.00元,找您705.50元');
    const receipt = page.getByRole('article', { name: '收据' });
    await receipt.waitFor({ state: 'visible' });
    expect(await receipt.locator('[data-field="amountInWords"]').textContent()).toBe(
      '人民币贰仟贰佰玖拾肆元伍角整',
    );
    expect(await receipt.locator('[data-field="cashier"]').textContent()).toBe(CASHIER_NAME);
    expect(await receipt.locator('[data-field="estateName"]').textContent()).toBe('示范花园');
    expect(await receipt.locator('[data-field="address"]').textContent()).toBe('1栋 1801');
    expect(await receipt.locator('[data-field="state"]').textContent()).toBe('有效');
    expect(await receipt.locator('[data-field="channel"]').textContent()).toBe('现金');
    const receiptNo = (await receipt.locator('[data-field="receiptNo"]').textContent())!;
    expect(receiptNo).toMatch(/^DEMO-R2025-\d{6}$/);
    const text = (await receipt.textContent())!;
    // Each line carries its calculation: the description and the exact amount before its one rounding.
    expect(text).toContain('物业服务费 高层 89.56㎡ × 1.8元/㎡/月 × 12月');
    expect(text).toContain('精确值 1934.496 元,四舍五入到分为 1934.50 元');
    expect(text).toContain('期间 2025-06-01 至 2026-05-31');
    expect(text).toContain('车位物业服务费');
    // The unit now shows the last day its payment covers.
    await expect.poll(() => page.locator('[data-field="paidThrough"]').textContent()).toBe('2026-05-31');
    await checkScreen(page, 'receipt');
    await w.shot(page, 'counter-2-paid');

    // The print stylesheet: A5 paper (148 × 210 mm ≈ 559 × 794 CSS px), the receipt alone.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 559, height: 794 });
    await w.shot(page, 'counter-3-receipt-a5');
    expect(await page.locator('#find').isVisible()).toBe(false);
    expect(await receipt.isVisible()).toBe(true);
    const pdf = await page.pdf({ preferCSSPageSize: true });
    writeFileSync(join(ARTIFACTS, 'counter-receipt.pdf'), pdf as unknown as Uint8Array);
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(box, 'the PDF names its page size').not.toBeNull();
    // A5 is 148 × 210 mm = 419.5 × 595.3 pt.
    expect(Math.abs(Number(box![1]) - 419.5)).toBeLessThan(2);
    expect(Math.abs(Number(box![2]) - 595.3)).toBeLessThan(2);
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize(COUNTER);

    // The API agrees with the screen.
    const r = await w.api.call('GET', `/v1/receipts/${receiptNo}`, { token: cashierToken });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      amount: '2294.50',
      tendered: '3000.00',
      change: '705.50',
      channel: 'CASH',
      cashier: CASHIER,
      cashierName: CASHIER_NAME,
      estateName: '示范花园',
    });
    await page.context().close();
  });

  it('renewal: issues the next year and voids it with a reason', async () => {
    const page = await signedIn();
    await find(page, '1栋', '1801');
    await page.getByRole('button', { name: '开具续费账单' }).click();
    const total = page.locator('#pay [data-field="total"]');
    await expect.poll(() => total.textContent()).toBe('2294.50');
    const invoiceNo = (await page.locator('#invoice-list tbody tr').first().getAttribute('data-invoice'))!;
    await page.getByRole('button', { name: `作废 ${invoiceNo}` }).click();
    await page.getByLabel('作废原因').fill('业主要求改为转账后重新开具');
    await checkScreen(page, 'void');
    await page.getByRole('button', { name: '确认作废' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe(`账单 ${invoiceNo} 已作废。`);
    await expect.poll(() => page.locator('#invoice-list').textContent()).toBe('这套房屋没有待缴账单。');
    await w.shot(page, 'counter-4-voided');

    const inv = await w.api.call('GET', `/v1/invoices/${invoiceNo}`, { token: cashierToken });
    expect(inv.json).toMatchObject({ status: 'VOID', voidReason: '业主要求改为转账后重新开具' });
    await page.context().close();
  });

  it('cannot be signed into before it is ready: 登录 waits for the API address and its handler', async () => {
    const page = await w.page(COUNTER);
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    // config.json held back, as on a slow line: the page is loaded but not yet wired.
    await page.route('**/config.json', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${w.url}/counter/`);
    await page.getByLabel('登录令牌').fill(cashierToken);
    const button = page.getByRole('button', { name: '登录' });
    expect(await button.isDisabled()).toBe(true);
    release();
    await button.click();
    await page.locator('#desk').waitFor({ state: 'visible' });
    await page.context().close();
  });

  it('says what went wrong in plain Chinese, never a raw code', async () => {
    const page = await w.page(COUNTER);
    await page.goto(`${w.url}/counter/`);
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    await checkScreen(page, 'sign-in');
    const problem = page.getByRole('alert');

    // A token the server did not sign: the API answers 401.
    const [head, , sig] = cashierToken.split('.');
    const forged = `${head}.${Buffer.from(JSON.stringify({ sub: 'x', 'cognito:groups': ['cashier'], 'custom:estates': 'DEMO' })).toString('base64url')}.${sig}`;
    await page.getByLabel('登录令牌').fill(forged);
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => problem.textContent()).toBe('登录已失效或登录码无效,请重新登录。');

    await page.getByLabel('登录令牌').fill(cashierToken);
    await page.getByRole('button', { name: '登录' }).click();
    await find(page, '1栋', '9999');
    await expect.poll(() => problem.textContent()).toBe('没有找到 1栋 9999 的房屋,请核对楼栋和房号。');
    await find(page, '', '1801');
    await expect.poll(() => problem.textContent()).toBe('请同时填写楼栋和房号。');

    // 商业街 12 has no parking space; asking for the space fee anyway is the API's NO_SPACES.
    await find(page, '商业街', '12');
    await page.locator('#unit').waitFor({ state: 'visible' });
    await page.getByLabel('车位物业服务费').evaluate((box: HTMLInputElement) => {
      box.disabled = false;
      box.checked = true;
    });
    await page.getByRole('button', { name: '开具入住账单' }).click();
    await expect
      .poll(() => problem.textContent())
      .toBe('这套房屋没有登记自有或使用权车位,请不要勾选车位服务费。');

    await page.getByLabel('车位物业服务费').uncheck();
    await page.getByRole('button', { name: '开具入住账单' }).click();
    await page.locator('#pay').waitFor({ state: 'visible' });
    await page.getByLabel('实收现金(元)').fill('100');
    await page.getByRole('button', { name: '确认收款' }).click();
    await expect.poll(() => problem.textContent()).toBe('实收金额少于应收金额,请核对后重新输入。');
    await page.getByLabel('实收现金(元)').fill('12,3.4.5');
    await page.getByRole('button', { name: '确认收款' }).click();
    await expect.poll(() => problem.textContent()).toBe('金额格式不正确,请输入如 3000 或 3000.00 的金额。');
    await w.shot(page, 'counter-5-error');

    const shown = await page.locator('body').textContent();
    expect(shown).not.toMatch(RAW_CODE);
    expect(shown).not.toContain('明天');
    await page.context().close();
  });

  it('a double tap on 确认收款 takes the money once', async () => {
    const before = await receiptCount(w.api, 2025);
    const page = await signedIn();
    const posts: { key: string | undefined }[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && /\/payments$/.test(new URL(req.url()).pathname)) {
        posts.push({ key: req.headers()['idempotency-key'] });
      }
    });
    await find(page, '5栋', '201');
    await page.getByRole('button', { name: '开具入住账单' }).click();
    const total = page.locator('#pay [data-field="total"]');
    await expect.poll(() => total.textContent()).toBe('2921.83');
    await page.getByLabel('实收现金(元)').fill('3000.00');
    const pay = page.getByRole('button', { name: '确认收款' });
    // Two taps in the same instant, then a third through the DOM for good measure.
    await pay.dblclick();
    await page.locator('#pay-button').evaluate((b: HTMLButtonElement) => b.click());
    await expect.poll(() => page.locator('#change').textContent()).toBe('收您3000.00元,找您78.17元');
    expect(posts.length, 'payment requests sent').toBe(1);
    expect(posts[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await receiptCount(w.api, 2025)).toBe(before + 1);
    expect(units[1]!.building).toBe('5栋');
    const unit = await w.api.call('GET', `/v1/units/${units[1]!.unitId}`, { token: cashierToken });
    expect(unit.json).toMatchObject({ paidThrough: '2026-06-01', openInvoices: [] });
    await page.context().close();
  });

  it('开票 whose answer is lost is retried under the same key and issues one invoice', async () => {
    const page = await signedIn();
    const keys: (string | undefined)[] = [];
    // The first issue reaches the server and commits, but its answer never reaches the page.
    await page.route(/\/v1\/invoices$/, async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (keys.length === 1) {
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await find(page, '2栋', '1206');
    await page.getByRole('button', { name: '开具入住账单' }).click();
    const retry = page.getByRole('button', { name: '重试开具' });
    await retry.waitFor({ state: 'visible' });
    expect(await page.locator('#issue-property').isDisabled()).toBe(true);
    await retry.click();
    await page.locator('#pay').waitFor({ state: 'visible' });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    const listed = await w.api.call('GET', `/v1/units/${units[4]!.unitId}/invoices`, { token: cashierToken });
    expect(units[4]!.room).toBe('1206');
    expect(listed.json.items).toHaveLength(1);
    await expect
      .poll(() => page.locator('#pay [data-field="total"]').textContent())
      .toBe(listed.json.items[0].total);
    // Issued: the form is live again and the next 开票 would be a new invoice under a new key.
    expect(await page.locator('#issue-property').isDisabled()).toBe(false);
    await page.context().close();
  });
  it('a new search, found or not, leaves nothing live on the previous flat', async () => {
    const page = await signedIn();
    await find(page, '9栋', 'A');
    const pay = page.getByRole('button', { name: '确认收款' });
    await page.getByRole('button', { name: '开具入住账单' }).click();
    await pay.waitFor({ state: 'visible' });
    // The dialog names the flat beside the amount.
    expect(await page.locator('#pay [data-field="payUnit"]').textContent()).toContain('9栋 A');
    await page.getByLabel('实收现金(元)').fill('5000');

    // The next search finds nothing: the previous flat's panel, bills and pay dialog are gone.
    await find(page, '9栋', '9999');
    await expect.poll(() => page.locator('#problem').textContent()).toContain('没有找到');
    expect(await pay.isVisible()).toBe(false);
    expect(await page.locator('#unit').isVisible()).toBe(false);
    expect(await page.locator('#invoices').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: /^收款 / }).count()).toBe(0);
    // Enter in the search form only searches again; no payment was sent.
    await page.getByLabel('房号').press('Enter');
    const paid = await w.api.call('GET', `/v1/units/${units.find((u) => u.room === 'A')!.unitId}/invoices`, {
      token: cashierToken,
      query: { status: 'PAID' },
    });
    expect(paid.json.items).toEqual([]);
    await page.context().close();
  });
  it('日结 / 交班: the day per channel beside a credit note, the drawer counted short and recorded', async () => {
    const zhao = await w.api.token('cashier', { sub: 'cashier-zhao' });
    const unitId = units.find((u) => u.room === '12')!.unitId;
    const call = (method: string, path: string, body: unknown) =>
      w.api.call(method, path, { token: zhao, body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    // Two invoices for the shop: one paid in cash, one by transfer and then reversed (红冲).
    const first = await call('POST', '/v1/invoices', {
      unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 1 }],
    });
    expect(first.status, first.text).toBe(201);
    expect(
      (
        await call('POST', `/v1/invoices/${first.json.invoiceId}/payments`, {
          channel: 'CASH',
          amount: first.json.total,
        })
      ).status,
    ).toBe(201);
    const second = await call('POST', '/v1/invoices', {
      unitId,
      items: [{ type: 'PROPERTY_FEE', periods: 1 }],
    });
    expect(second.status, second.text).toBe(201);
    const transfer = { channel: 'TRANSFER', amount: second.json.total, reference: 'BANK-0601' };
    expect((await call('POST', `/v1/invoices/${second.json.invoiceId}/payments`, transfer)).status).toBe(201);
    expect(
      (await call('POST', `/v1/invoices/${second.json.invoiceId}/credit-notes`, { reason: '重复开票' }))
        .status,
    ).toBe(201);

    const page = await signedIn(zhao);
    await page.keyboard.press('F9');
    await page.getByLabel('日期', { exact: true }).fill('2025-06-01');
    await page.getByRole('button', { name: '查看当日' }).click();
    const figures = page.locator('#cashup-figures');
    await expect.poll(() => page.locator('[data-field="cashExpected"]').textContent()).toBe(first.json.total);
    const text = (await figures.textContent())!;
    expect(text).toContain(`收款 · 现金1${first.json.total}`);
    expect(text).toContain(`收款 · 银行转账1${second.json.total}`);
    expect(text).toContain(`红冲(不涉及现金)1${second.json.total}`);

    // Counted 100.00 less than expected: recorded as 短款 100.00 and listed on the slip.
    const counted = (BigInt(first.json.total.replace('.', '')) - 10000n).toString().replace(/(\d\d)$/, '.$1');
    await page.getByLabel('实点现金(元)').fill(counted);
    await page.getByRole('button', { name: '记录交班' }).click();
    await expect.poll(() => page.locator('[data-field="drawerCount"]').count()).toBe(1);
    expect(await page.locator('[data-field="drawerCount"]').textContent()).toContain('短款 100.00 元');
    const day = await w.api.call('GET', '/v1/reports/cashup', {
      token: zhao,
      query: { estateId: 'DEMO', date: '2025-06-01' },
    });
    expect(day.json.counts.map((k: { difference: string }) => k.difference)).toEqual(['-100.00']);
    await checkScreen(page, 'cashup');
    await w.shot(page, 'counter-3-cashup');
    await page.context().close();
  });
});
