/**
 * Issue #23, the rest of a whole day at the counter, driven by the keyboard where a cashier would:
 * F8 查单/补打 (a reversed receipt by its number with 已冲红 and the credit note, the credit note
 * itself, the receipts of a day, of a flat and of a plate, the A5 reprint), F10 欠费/催缴 (the
 * arrears table with its totals, Space ticks a flat, Enter prints its 催缴通知单), and F6 装修 with
 * every case of the flat. Each checks the wrong-flat rule: a new search, failed or not, closes the
 * open flat and its actions. Screenshots `counter-lookup-*.png`, `counter-arrears-*.png`,
 * `counter-renovation-cases.png`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueInvoice } from '../../lib/billing/invoices.js';
import type { Invoice, Unit } from '../../lib/billing/records.js';
import { createUnit } from '../../lib/billing/units.js';
import { DEMO_OWNER } from '../support/api.js';
import { importNeighbours } from '../support/entrances.js';
import { accessibleControls, type WebHarness, webHarness } from './harness.js';

const COUNTER = { width: 1366, height: 768 };

let w: WebHarness;
let cashierToken: string;
let overdueUnit: Unit;
let overdue: Invoice;

beforeAll(async () => {
  w = await webHarness();
  await w.api.seedDemo();
  const at = (iso: string, role: 'admin' | 'cashier') => {
    w.api.clock.set(iso);
    return w.api.ctx(role);
  };
  overdueUnit = await createUnit(at('2025-02-01T09:00:00+08:00', 'admin'), 'DEMO', {
    building: '8栋',
    room: '808',
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2025-07-01',
    ownerIds: [DEMO_OWNER],
  });
  // Due when issued (2025-03-01): 92 days overdue on 2025-06-01.
  overdue = await issueInvoice(at('2025-03-01T10:00:00+08:00', 'cashier'), {
    unitId: overdueUnit.unitId,
    items: [{ type: 'RENOVATION_WASTE' }],
  });
  w.api.clock.set('2025-06-01T10:30:00+08:00');
  cashierToken = await w.api.token('cashier', { sub: 'cashier-li', name: '李收费员' });
}, 60_000);

afterAll(() => w?.close());

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });
const text = (page: Page, selector: string) => () => page.locator(selector).textContent();
let keys = 0;

async function signedIn(): Promise<Page> {
  const page = await w.page(COUNTER);
  await page.goto(`${w.url}/counter/`);
  await page.getByLabel('登录令牌').fill(cashierToken);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('#desk').waitFor({ state: 'visible' });
  // window.print opens no dialog in a test: count the calls instead.
  await page.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => {
      (window as unknown as { printed: number }).printed++;
    };
  });
  return page;
}
const printed = (page: Page) => () => page.evaluate(() => (window as unknown as { printed: number }).printed);

async function findByKeys(page: Page, building: string, room: string): Promise<void> {
  await page.keyboard.press('F2');
  await page.keyboard.type(building);
  await page.keyboard.press('Tab');
  await page.keyboard.type(room);
  await page.keyboard.press('Enter');
  await page.locator('#unit').waitFor({ state: 'visible' });
}

/** The wrong-flat rule: no flat on the desk, none of its actions reachable. */
async function noFlatOpen(page: Page): Promise<void> {
  for (const id of ['#unit', '#invoices', '#pay', '#void', '#renovation', '#paid'])
    expect(await page.locator(id).isHidden(), id).toBe(true);
  expect(await page.locator('#renovation-open').isVisible()).toBe(false);
  expect(await page.locator('#paid-open').isVisible()).toBe(false);
}

async function unitOf(building: string, room: string): Promise<string> {
  const r = await w.api.call('GET', '/v1/estates/DEMO/units', {
    token: cashierToken,
    query: { building, room },
  });
  return r.json.items[0].unitId;
}

async function paid(
  unitId: string,
): Promise<{ invoice: { invoiceId: string; invoiceNo: string }; receiptNo: string }> {
  const inv = await w.api.call('POST', '/v1/invoices', {
    token: cashierToken,
    headers: { 'idempotency-key': `lookup-${++keys}` },
    body: { unitId, items: [{ type: 'PROPERTY_FEE', periods: 1 }] },
  });
  expect(inv.status, inv.text).toBe(201);
  const r = await w.api.call('POST', `/v1/invoices/${inv.json.invoiceId}/payments`, {
    token: cashierToken,
    headers: { 'idempotency-key': `lookup-${++keys}` },
    body: { channel: 'TRANSFER', amount: inv.json.total, reference: `TR-${keys}` },
  });
  expect(r.status, r.text).toBe(201);
  return { invoice: inv.json, receiptNo: r.json.receiptNo };
}

describe('the rest of the counter day', () => {
  it('lookup (F8): a reversed receipt by number shows 已冲红 and its credit note, prints on A5; day, flat and plate lists', async () => {
    const unitId = await unitOf('1栋', '1801');
    const { invoice, receiptNo } = await paid(unitId);
    const credit = await w.api.call('POST', `/v1/invoices/${invoice.invoiceId}/credit-notes`, {
      token: cashierToken,
      headers: { 'idempotency-key': `lookup-${++keys}` },
      body: { reason: '重复收费' },
    });
    expect(credit.status, credit.text).toBe(201);
    const creditNoteNo: string = credit.json.creditNoteNo;
    // A rental paid for a plate: the plate's receipts.
    const rental = await w.api.call('POST', '/v1/parking/rentals', {
      token: cashierToken,
      headers: { 'idempotency-key': `lookup-${++keys}` },
      body: { estateId: 'DEMO', plate: '粤B66666', rentalKind: 'SHARED', startDate: '2025-06-01', months: 1 },
    });
    expect(rental.status, rental.text).toBe(201);
    const rentalPaid = await w.api.call('POST', `/v1/invoices/${rental.json.invoiceId}/payments`, {
      token: cashierToken,
      headers: { 'idempotency-key': `lookup-${++keys}` },
      body: { channel: 'CASH', amount: rental.json.total, tendered: rental.json.total },
    });
    expect(rentalPaid.status, rentalPaid.text).toBe(201);

    const page = await signedIn();
    expect(await page.locator('#lookup-open').textContent()).toBe('查单 / 补打 (F8)');
    await findByKeys(page, '1栋', '1801');
    await page.keyboard.press('F8');
    await page.locator('#lookup').waitFor({ state: 'visible' });
    await noFlatOpen(page);

    // A typo first: refused with a sentence, still no flat.
    await page.keyboard.type('不是单号');
    await page.keyboard.press('Enter');
    await poll(text(page, '#problem')).toContain('请输入单据号');
    await noFlatOpen(page);

    await page.keyboard.press('F8');
    await page.keyboard.type(receiptNo.toLowerCase());
    await page.keyboard.press('Enter');
    await poll(text(page, '#doc [data-field="receiptNo"]')).toBe(receiptNo);
    expect(await page.locator('#doc [data-field="state"]').textContent()).toBe(
      `已冲红(红冲凭证 ${creditNoteNo})`,
    );
    expect(await page.locator('#doc [data-field="estateName"]').textContent()).not.toBe('');
    expect(await page.locator('#doc [data-field="address"]').textContent()).toBe('1栋 1801');
    expect(await page.locator('#doc [data-field="cashier"]').textContent()).toBe('李收费员');
    expect(await page.locator('#doc [data-field="amountInWords"]').textContent()).toMatch(/^人民币.+元/);
    expect(await page.locator('#doc').textContent()).toMatch(/期间 2025-06-01 至 2026-05-31/);
    await w.shot(page, 'counter-lookup-reversed');
    // 补打 has the focus: Enter prints; the print stylesheet shows the document alone.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('doc-print');
    await page.keyboard.press('Enter');
    await poll(printed(page)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 559, height: 794 });
    expect(await page.locator('#lookup').isVisible()).toBe(false);
    expect(await page.locator('#doc').isVisible()).toBe(true);
    await w.shot(page, 'counter-lookup-reprint-a5');
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize(COUNTER);

    // The credit note by its number.
    await page.keyboard.press('F8');
    await page.keyboard.type(creditNoteNo);
    await page.keyboard.press('Enter');
    await poll(text(page, '#doc [data-field="docNo"]')).toBe(creditNoteNo);
    expect(await page.locator('#doc').textContent()).toContain('红冲凭证');
    expect(await page.locator('#doc').textContent()).toContain('重复收费');

    // The day's receipts: the first 查看 has the focus, Enter opens it.
    await page.keyboard.press('F8');
    await page.keyboard.type('2025-06-01');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#lookup-results tr[data-receipt]').count()).toBe(2);
    expect(await page.locator('#doc').isHidden()).toBe(true);
    await w.shot(page, 'counter-lookup-day');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#doc').isVisible()).toBe(true);

    // A flat's receipts, then a plate's.
    await page.keyboard.press('F8');
    await page.keyboard.type('1栋 1801');
    await page.keyboard.press('Enter');
    await poll(() =>
      page
        .locator('#lookup-results tr[data-receipt]')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-receipt'))),
    ).toEqual([receiptNo]);
    expect(await page.locator('#lookup-results').textContent()).toContain(`已冲红(${creditNoteNo})`);
    await page.keyboard.press('F8');
    await page.keyboard.type('粤b 66666');
    await page.keyboard.press('Enter');
    await poll(() =>
      page
        .locator('#lookup-results tr[data-receipt]')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-receipt'))),
    ).toEqual([rentalPaid.json.receiptNo]);
    expect(await page.locator('#lookup-results').textContent()).toContain('车辆 粤B66666');
    expect((await accessibleControls(page)).unnamed).toEqual([]);

    // Esc closes the screen; a second Esc is back at 楼栋.
    await page.keyboard.press('Escape');
    expect(await page.locator('#lookup').isHidden()).toBe(true);
    await noFlatOpen(page);
    await page.context().close();
  });

  it('a high-rise with entrances (单元): search results, the flat, the lookup and the reprint tell 3栋 1单元 1201 from 3栋 2单元 1201', async () => {
    w.api.clock.set('2025-06-01T11:00:00+08:00');
    const { one } = await importNeighbours(w.api.ctx('admin'), 'DEMO');
    await paid(one);
    const page = await signedIn();

    // 楼栋 and 房号 find both flats: each button names its entrance.
    await page.keyboard.press('F2');
    await page.keyboard.type('3栋');
    await page.keyboard.press('Tab');
    await page.keyboard.type('1201');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#results button').allTextContents()).toEqual([
      expect.stringMatching(/^3栋 1单元 1201 · /),
      expect.stringMatching(/^3栋 2单元 1201 · /),
    ]);
    await page.locator('#results button', { hasText: '3栋 2单元 1201' }).click();
    await page.locator('#unit').waitFor({ state: 'visible' });
    expect(await page.locator('#unit-facts').textContent()).toContain('房屋3栋 2单元 1201');
    // The pay dialog says whose money it is, and the receipt prints the same address.
    await page.getByRole('button', { name: '开具入住账单' }).click();
    await poll(text(page, '#pay [data-field="payUnit"]')).toBe('3栋 2单元 1201');
    await page
      .getByLabel('实收现金(元)')
      .fill((await page.locator('#pay [data-field="total"]').textContent())!);
    await page.getByRole('button', { name: '确认收款' }).click();
    const printedReceipt = page.getByRole('article', { name: '收据' });
    await printedReceipt.waitFor({ state: 'visible' });
    expect(await printedReceipt.locator('[data-field="address"]').textContent()).toBe('3栋 2单元 1201');
    const receiptNo = (await printedReceipt.locator('[data-field="receiptNo"]').textContent())!;

    // 查单 by flat: without the entrance it names both instead of picking one.
    await page.keyboard.press('F8');
    await page.keyboard.type('3栋 1201');
    await page.keyboard.press('Enter');
    await poll(text(page, '#problem')).toContain('3栋 1单元 1201、3栋 2单元 1201');
    expect(await page.locator('#lookup-results tr[data-receipt]').count()).toBe(0);
    await page.keyboard.press('F8');
    await page.keyboard.type('3栋 2单元 1201');
    await page.keyboard.press('Enter');
    await poll(() =>
      page
        .locator('#lookup-results tr[data-receipt]')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-receipt'))),
    ).toEqual([receiptNo]);
    expect(await page.locator('#lookup-results tr[data-receipt] td').nth(2).textContent()).toBe(
      '3栋 2单元 1201',
    );
    await page.keyboard.press('Enter');
    await poll(text(page, '#doc [data-field="receiptNo"]')).toBe(receiptNo);
    expect(await page.locator('#doc [data-field="address"]').textContent()).toBe('3栋 2单元 1201');
    await page.context().close();
  });

  it('arrears (F10): the report with ageing and totals; Space ticks a flat, Enter prints its 催缴通知单', async () => {
    const page = await signedIn();
    expect(await page.locator('#arrears-open').textContent()).toBe('欠费 / 催缴 (F10)');
    await findByKeys(page, '1栋', '1801');
    await page.keyboard.press('F10');
    await page.locator('#arrears-report').waitFor({ state: 'visible' });
    await noFlatOpen(page);
    // Empty: the server's business date.
    expect(await page.locator('#arrears-asof').inputValue()).toBe('');
    await page.keyboard.press('Enter');
    const row = page.locator(`#arrears-table tr[data-unit="${overdueUnit.unitId}"]`);
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(1, 6)).toEqual(['8栋 808', expect.any(String), '447.80', '2025-03-01', '92']);
    // 92 days: the 91-180 bucket.
    expect(cells[8]).toBe('447.80');
    const report = await w.api.call('GET', '/v1/reports/arrears', {
      token: cashierToken,
      query: { estateId: 'DEMO', asOf: '2025-06-01' },
    });
    const totals = await page.locator('[data-field="arrearsTotals"] td').allTextContents();
    expect(totals.slice(0, 4)).toEqual([
      '合计',
      `${report.json.totals.units} 户`,
      '',
      report.json.totals.overdue,
    ]);
    expect(await page.locator('#arrears-caption').textContent()).toBe(
      `截至 2025-06-01:${report.json.totals.units} 户欠费,合计 ${report.json.totals.overdue} 元`,
    );
    await w.shot(page, 'counter-arrears-report');

    // Nothing ticked: refused with a sentence, nothing printed.
    await poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe(
      'checkbox',
    );
    await page.keyboard.press('Enter');
    await poll(text(page, '#problem')).toContain('请先勾选');
    expect(await printed(page)()).toBe(0);
    // The focus is on the first (most overdue) flat; tick ours and print.
    await page.locator(`#arrears-table input[value="${overdueUnit.unitId}"]`).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await poll(printed(page)).toBe(1);
    const notice = page.locator(`#dunning-print .dunning-notice[data-unit="${overdueUnit.unitId}"]`);
    expect(await notice.locator('[data-field="dunningAddress"]').textContent()).toBe('8栋 808');
    expect(await notice.textContent()).toContain(overdue.invoiceNo);
    expect(await notice.locator('[data-field="dunningWords"]').textContent()).toMatch(/^人民币.+/);
    expect(await page.locator('#dunning-print .dunning-notice').count()).toBe(1);
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 559, height: 794 });
    expect(await page.locator('#arrears-report').isVisible()).toBe(false);
    expect(await notice.isVisible()).toBe(true);
    await w.shot(page, 'counter-arrears-dunning-a5');
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize(COUNTER);

    // A new search (F2) closes the report and its notices.
    await findByKeys(page, '1栋', '1801');
    expect(await page.locator('#arrears-report').isHidden()).toBe(true);
    expect(await page.locator('#dunning-print').isHidden()).toBe(true);
    await page.context().close();
  });

  it('renovation (F6): every case of the flat with its state; Enter on an older one shows it', async () => {
    const unitId = await unitOf('9栋', 'A');
    const first = await w.api.call('POST', '/v1/renovations', {
      token: cashierToken,
      body: { unitId, cards: 1, date: '2025-05-20' },
    });
    expect(first.status, first.text).toBe(201);
    const voided = await w.api.call('POST', `/v1/invoices/${first.json.invoice.invoiceId}/void`, {
      token: cashierToken,
      body: { reason: '登记有误' },
    });
    expect(voided.status, voided.text).toBe(200);
    const second = await w.api.call('POST', '/v1/renovations', {
      token: cashierToken,
      body: { unitId, cards: 2 },
    });
    expect(second.status, second.text).toBe(201);

    const page = await signedIn();
    await findByKeys(page, '9栋', 'A');
    await page.keyboard.press('F6');
    const list = page.locator('#reno-cases button[data-case]');
    await poll(() => list.count()).toBe(2);
    expect(await list.allTextContents()).toEqual([
      expect.stringContaining('已登记,待缴费'),
      expect.stringContaining('已取消'),
    ]);
    // The newest is shown and chosen; registering again is not offered while it is live.
    expect(await list.nth(0).getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('[data-field="renoState"]').textContent()).toBe('已登记,待缴费');
    expect(await page.locator('#reno-register-form').isHidden()).toBe(true);
    await list.nth(1).focus();
    await page.keyboard.press('Enter');
    await poll(text(page, '[data-field="renoState"]')).toBe('已取消');
    expect(await list.nth(1).getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#reno-case').textContent()).toContain(first.json.invoice.invoiceNo);
    // A cancelled case has no action; still no second live case.
    for (const id of ['#reno-accept-form', '#reno-reinspect-form', '#reno-extend-form', '#reno-refund-form'])
      expect(await page.locator(id).isHidden(), id).toBe(true);
    expect(await page.locator('#reno-register-form').isHidden()).toBe(true);
    await w.shot(page, 'counter-renovation-cases');

    // A failed search forgets the flat and its cases.
    await page.keyboard.press('F2');
    await page.keyboard.type('9栋');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Z999');
    await page.keyboard.press('Enter');
    await poll(text(page, '#problem')).toContain('没有找到');
    await noFlatOpen(page);
    expect(await page.locator('#reno-cases').textContent()).toBe('');
    await page.context().close();
  });
});
