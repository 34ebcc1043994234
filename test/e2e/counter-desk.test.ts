/**
 * A day at the counter, desk job by desk job, driven through the keyboard where a cashier would:
 * F3 停车缴费 with cash and change, F4 车位租赁 paid through the pay dialog, F6 装修 from registration
 * to the deposit refund (a failed re-inspection with a deduction on the way), F7 红冲 with its
 * required reason, and a transfer the page refuses without its 转账流水号. One browser for the file.
 */
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFen } from '../../lib/web/shared/money.js';
import { type WebHarness, webHarness } from './harness.js';

const COUNTER = { width: 1366, height: 768 };

let w: WebHarness;
let cashierToken: string;

beforeAll(async () => {
  w = await webHarness();
  await w.api.seedDemo();
  w.api.clock.set('2025-06-01T10:30:00+08:00');
  cashierToken = await w.api.token('cashier', { sub: 'cashier-li' });
}, 60_000);

afterAll(() => w?.close());

const fen = (amount: string) => toFen(amount);
const yuan = (f: bigint) => `${f / 100n}.${String(f % 100n).padStart(2, '0')}`;

async function signedIn(): Promise<Page> {
  const page = await w.page(COUNTER);
  await page.goto(`${w.url}/counter/`);
  await page.getByLabel('登录令牌').fill(cashierToken);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('#desk').waitFor({ state: 'visible' });
  return page;
}

/** F2, building, Tab, room, Enter: the cashier never leaves the keys. */
async function findByKeys(page: Page, building: string, room: string): Promise<void> {
  await page.keyboard.press('F2');
  await page.keyboard.type(building);
  await page.keyboard.press('Tab');
  await page.keyboard.type(room);
  await page.keyboard.press('Enter');
  await page.locator('#unit').waitFor({ state: 'visible' });
}

/** The idempotency keys the page sent on requests to paths ending with `suffix`. */
function keysSent(page: Page, suffix: string): (string | undefined)[] {
  const keys: (string | undefined)[] = [];
  page.on('request', (r: Request) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith(suffix))
      keys.push(r.headers()['idempotency-key']);
  });
  return keys;
}

const text = (page: Page, selector: string) => () => page.locator(selector).textContent();
/** Answers can take seconds while other suites bundle and synthesise on the same two cores. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });

describe('counter desk jobs', () => {
  it('parking (F3): a typed plate is normalised, cash with change, the exit deadline', async () => {
    const gate = await w.api.token('gate');
    const entry = await w.api.call('POST', '/v1/parking/entries', {
      token: gate,
      body: { estateId: 'DEMO', plate: '粤B88888', gateId: 'G1', at: '2025-06-01T08:00:00+08:00' },
    });
    expect(entry.status, entry.text).toBe(201);
    const quote = await w.api.call('GET', `/v1/parking/sessions/${entry.json.sessionId}/quote`, {
      token: cashierToken,
    });
    const due: string = quote.json.amountDue;
    expect(fen(due)).toBeGreaterThan(0n);

    const page = await signedIn();
    const keys = keysSent(page, '/payments');
    await page.keyboard.press('F3');
    // Lower case, full-width digits and a space: the page reads it as the gate stored it.
    await page.keyboard.type('粤b ８8888');
    await page.keyboard.press('Enter');
    await poll(text(page, '#parking-quote [data-field="parkingDue"]')).toBe(due);
    expect(await page.locator('#parking-plate').inputValue()).toBe('粤B88888');
    await page.keyboard.type('50');
    await page.keyboard.press('Enter');
    await poll(text(page, '[data-field="parkingChange"]')).toBe(
      `收您50.00元,找您${yuan(fen('50.00') - fen(due))}元`,
    );
    // 15 minutes after the payment recorded at 10:30.
    expect(await page.locator('[data-field="exitBy"]').textContent()).toBe('请在 10:45 前离场');
    await w.shot(page, 'counter-desk-parking');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);

    const sessions = await w.api.call('GET', '/v1/parking/sessions', {
      token: cashierToken,
      query: { estateId: 'DEMO', plate: '粤B88888' },
    });
    expect(sessions.json.items[0]).toMatchObject({ paid: due, exitBy: '2025-06-01T10:45:00+08:00' });
    await page.context().close();
  });

  it('rental (F4): the invoice for a plate is paid through the pay dialog', async () => {
    const quote = await w.api.call('POST', '/v1/quotes', {
      token: cashierToken,
      body: {
        estateId: 'DEMO',
        on: '2025-06-01',
        items: [{ type: 'PARKING_RENTAL', rentalKind: 'SHARED', months: 3 }],
      },
    });
    expect(quote.status, quote.text).toBe(200);
    const page = await signedIn();
    await page.keyboard.press('F4');
    await page.keyboard.type('粤A12345');
    await page.getByLabel('车位类型').selectOption('SHARED');
    await page.getByLabel('起租日').fill('2025-06-01');
    await page.getByLabel('月数').fill('3');
    await page.keyboard.press('Enter');

    await poll(text(page, '#pay [data-field="total"]')).toBe(quote.json.total);
    expect(await page.locator('[data-field="payUnit"]').textContent()).toBe('车辆 粤A12345');
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('tendered');
    await page.keyboard.type(quote.json.total);
    await page.keyboard.press('Enter');
    await poll(text(page, '#change')).toBe(`收您${quote.json.total}元,金额正好,无需找零`);
    await w.shot(page, 'counter-desk-rental');

    const receiptNo = (await page.locator('[data-field="receiptNo"]').textContent())!;
    const r = await w.api.call('GET', `/v1/receipts/${receiptNo}`, { token: cashierToken });
    expect(r.json).toMatchObject({ plate: '粤A12345', amount: quote.json.total, channel: 'CASH' });
    await page.context().close();
  });

  it('renovation (F6): register, pay, acceptance, a failed re-inspection with a deduction, a pass, the refund', async () => {
    w.api.clock.set('2025-06-01T10:30:00+08:00');
    const page = await signedIn();
    const reinspectionKeys = keysSent(page, '/reinspection');
    const refundKeys = keysSent(page, '/refund');
    await findByKeys(page, '5栋', '201');
    await page.keyboard.press('F6');
    await page.locator('#renovation').waitFor({ state: 'visible' });
    await poll(text(page, '#reno-case')).toBe('这套房屋没有装修登记。');
    await page.getByLabel('出入证张数').fill('2');
    await page.keyboard.press('Enter');

    // The registration invoice goes straight to the pay dialog.
    const total = (await page.locator('#pay [data-field="total"]').textContent({ timeout: 20_000 }))!;
    await poll(text(page, '[data-field="renoState"]')).toBe('已登记,待缴费');
    await page.keyboard.type(total);
    await page.keyboard.press('Enter');
    await poll(text(page, '[data-field="renoState"]')).toBe('押金已收,装修中');
    await page.keyboard.press('Escape'); // closes the pay dialog and its receipt
    expect(await page.locator('#pay').isHidden()).toBe(true);

    await page.getByLabel('验收日').fill('2025-06-01');
    await page.getByLabel('验收备注').focus();
    await page.keyboard.type('竣工验收合格');
    await page.keyboard.press('Enter');
    await poll(text(page, '[data-field="renoState"]')).toBe('竣工验收合格,待复查');
    expect(await page.locator('[data-field="reinspectionDue"]').textContent()).toBe('2025-08-01');

    await page.getByLabel('复查日').fill('2025-06-01');
    await page.getByLabel('复查结果').selectOption('false');
    await page.getByLabel('扣款金额(元)').focus();
    await page.keyboard.type('200');
    await page.keyboard.press('Tab');
    await page.keyboard.type('墙体开槽未恢复');
    await page.keyboard.press('Tab');
    await page.keyboard.type('PHOTO-0601');
    await page.keyboard.press('Enter');
    await poll(text(page, '[data-field="renoState"]')).toBe('复查不合格,待再次复查');
    expect(await page.locator('[data-field="deposit"]').textContent()).toContain('已扣 200.00 元');
    await w.shot(page, 'counter-desk-renovation-deduction');

    w.api.clock.set('2025-06-02T10:00:00+08:00');
    await page.getByLabel('复查日').fill('2025-06-02');
    await page.getByLabel('复查结果').selectOption('true');
    await page.getByLabel('扣款金额(元)').press('Enter');
    await poll(text(page, '[data-field="renoState"]')).toBe('复查合格,待退押金');

    await page.getByRole('button', { name: '退还押金' }).focus();
    await page.keyboard.press('Enter');
    await poll(text(page, '[data-field="renoState"]')).toBe('押金已退还');
    await w.shot(page, 'counter-desk-renovation-refunded');

    const unit = (
      await w.api.call('GET', '/v1/estates/DEMO/units', {
        token: cashierToken,
        query: { building: '5栋', room: '201' },
      })
    ).json.items[0];
    const invoices = await w.api.call('GET', `/v1/units/${unit.unitId}/invoices`, { token: cashierToken });
    const reg = invoices.json.items.find((i: { lines: { type: string }[] }) =>
      i.lines.some((l) => l.type === 'RENOVATION_DEPOSIT'),
    );
    const c = (await w.api.call('GET', `/v1/renovations/RN-${reg.invoiceNo}`, { token: cashierToken })).json;
    expect(c).toMatchObject({ state: 'REFUNDED', deposit: { deducted: '200.00' } });
    // Held less the deduction, card deposits returned: what the notice said went back.
    const back = fen(c.deposit.renovationDeposit) - 200_00n + fen(c.deposit.cardDeposit);
    expect(c.deposit.refunded).toBe(yuan(back));
    expect(await page.locator('#notice').textContent()).toContain(`押金已退还 ${yuan(back)} 元`);
    // Money moved twice by deduction and once by refund: each under its own key.
    expect(reinspectionKeys).toHaveLength(2);
    expect(new Set(reinspectionKeys).size).toBe(2);
    expect(refundKeys).toHaveLength(1);
    expect(refundKeys[0]).toBeTruthy();
    await page.context().close();
  });

  it('红冲 (F7): a paid bill is reversed only with a reason', async () => {
    w.api.clock.set('2025-06-01T10:30:00+08:00');
    const page = await signedIn();
    const keys = keysSent(page, '/credit-notes');
    await findByKeys(page, '1栋', '1801');
    await page.getByRole('button', { name: '开具入住账单' }).click();
    const total = (await page.locator('#pay [data-field="total"]').textContent({ timeout: 20_000 }))!;
    await page.keyboard.type(total);
    await page.keyboard.press('Enter');
    const receiptNo = (await page.locator('[data-field="receiptNo"]').textContent({ timeout: 20_000 }))!;

    await page.keyboard.press('F7');
    const row = page.locator('#paid-list tbody tr');
    await poll(() => row.count()).toBe(1);
    const invoiceNo = (await row.first().getAttribute('data-invoice'))!;
    // The first 红冲 button has the focus: Enter opens the reason form.
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `红冲 ${invoiceNo}`,
    );
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('credit-reason');
    await page.keyboard.press('Enter');
    await poll(text(page, '#problem')).toBe('请填写红冲原因。');
    expect(keys).toHaveLength(0);
    await page.keyboard.type('业主重复缴费,原路退回');
    await page.keyboard.press('Enter');
    await poll(text(page, '#notice')).toMatch(new RegExp(`^账单 ${invoiceNo} 已红冲,红冲凭证号 \\S+。$`));
    const creditNoteNo = /红冲凭证号 (\S+)。/.exec((await page.locator('#notice').textContent())!)![1]!;
    await poll(text(page, '#paid-list')).toBe('这套房屋没有已缴账单。');
    await w.shot(page, 'counter-desk-credit-note');

    expect(keys).toHaveLength(1);
    const inv = await w.api.call('GET', `/v1/invoices/${invoiceNo}`, { token: cashierToken });
    expect(inv.json).toMatchObject({ status: 'CREDITED', creditNoteNo, receiptNo });
    // The reason is stored with the credit note (and its audit record).
    const reasons = (await w.api.scan()).filter((item) =>
      JSON.stringify(item).includes('业主重复缴费,原路退回'),
    );
    expect(reasons.length).toBeGreaterThan(0);

    // Nothing can land on the wrong flat: a new search closes the flat's screens, F3 closes the flat.
    await page.keyboard.press('F6');
    await page.locator('#renovation').waitFor({ state: 'visible' });
    await findByKeys(page, '5栋', '201');
    expect(await page.locator('#paid').isHidden()).toBe(true);
    expect(await page.locator('#renovation').isHidden()).toBe(true);
    await page.keyboard.press('F3');
    expect(await page.locator('#unit').isHidden()).toBe(true);
    expect(await page.locator('#parking').isVisible()).toBe(true);
    await page.context().close();
  });

  it('transfer needs its 转账流水号; the issue form warns before billing a year other than the one due', async () => {
    const page = await signedIn();
    const keys = keysSent(page, '/payments');
    await findByKeys(page, '9栋', 'A');
    await page.getByRole('button', { name: '开具入住账单' }).click();
    await page.locator('#pay [data-field="total"]').waitFor();
    // With the year due already on an open bill, another 开票 would bill the year after it.
    await poll(text(page, '#issue-warning')).toContain('不是应缴的年度');

    await page.getByLabel('付款方式').selectOption('TRANSFER');
    await page.locator('#reference').press('Enter');
    await poll(text(page, '#problem')).toBe('请填写转账流水号。');
    expect(keys).toHaveLength(0);
    await w.shot(page, 'counter-desk-transfer-refused');

    // Esc cancels the dialog; nothing was taken.
    await page.keyboard.press('Escape');
    expect(await page.locator('#pay').isHidden()).toBe(true);
    const invoiceNo = (await page.locator('#invoice-list tbody tr').first().getAttribute('data-invoice'))!;
    const open = await w.api.call('GET', `/v1/invoices/${invoiceNo}`, { token: cashierToken });
    expect(open.json.status).toBe('OPEN');

    await page.getByRole('button', { name: `收款 ${invoiceNo}` }).click();
    await page.getByLabel('付款方式').selectOption('TRANSFER');
    await page.locator('#reference').fill('CMB20250601-0042');
    await page.keyboard.press('Enter');
    const receiptNo = (await page.locator('[data-field="receiptNo"]').textContent({ timeout: 20_000 }))!;
    const r = await w.api.call('GET', `/v1/receipts/${receiptNo}`, { token: cashierToken });
    expect(r.json).toMatchObject({ channel: 'TRANSFER', reference: 'CMB20250601-0042' });
    expect(keys).toHaveLength(1);
    await page.context().close();
  });
});
