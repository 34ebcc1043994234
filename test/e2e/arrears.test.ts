/**
 * Issue 20, arrears where people look, in headless Chromium against the local server: the counter's
 * unit panel shows the overdue amount in red above the issue form and takes the oldest overdue bill
 * to 收款 first; the kiosk tells the owner 您有欠费 with the amount and offers the overdue bill
 * before the new one.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueInvoice } from '../../lib/billing/invoices.js';
import type { Invoice, Unit } from '../../lib/billing/records.js';
import { createUnit } from '../../lib/billing/units.js';
import { DEMO_OWNER } from '../support/api.js';
import { accessibleControls, horizontalOverflow, type WebHarness, webHarness } from './harness.js';
import { setUpKiosk } from './kiosk-steps.js';

let w: WebHarness;
let unit: Unit;
let overdue: Invoice;
let fresh: Invoice;

beforeAll(async () => {
  w = await webHarness();
  await w.api.seedDemo();
  const at = (iso: string, role: 'admin' | 'cashier') => {
    w.api.clock.set(iso);
    return w.api.ctx(role);
  };
  unit = await createUnit(at('2025-02-01T09:00:00+08:00', 'admin'), 'DEMO', {
    building: '8栋',
    room: '808',
    unitType: 'HIGH_RISE',
    area: '89.56',
    deliveryDate: '2025-07-01',
    ownerIds: [DEMO_OWNER],
  });
  // Due when issued (2025-03-01): 92 days overdue on 2025-06-01.
  overdue = await issueInvoice(at('2025-03-01T10:00:00+08:00', 'cashier'), {
    unitId: unit.unitId,
    items: [{ type: 'RENOVATION_WASTE' }],
  });
  // Issued ahead: due 2025-07-01, a new bill, not arrears.
  fresh = await issueInvoice(at('2025-06-01T09:00:00+08:00', 'cashier'), {
    unitId: unit.unitId,
    items: [{ type: 'PROPERTY_FEE' }],
  });
  w.api.clock.set('2025-06-01T10:00:00+08:00');
}, 60_000);

afterAll(() => w?.close());

async function named(page: Page, what: string) {
  const a11y = await accessibleControls(page);
  expect(a11y.unnamed, `${what}: controls without an accessible name`).toEqual([]);
}

describe('arrears on screen', () => {
  it('counter: 欠费 in red above the issue form, overdue bill listed first, 先收欠费 opens its payment', async () => {
    const page = await w.page({ width: 1366, height: 768 });
    await page.goto(`${w.url}/counter/`);
    await page.getByLabel('登录令牌').fill(await w.api.token('cashier'));
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#desk').waitFor({ state: 'visible' });
    await page.getByLabel('楼栋').fill('8栋');
    await page.getByLabel('房号').fill('808');
    await page.getByRole('button', { name: '查找' }).click();
    const banner = page.locator('#unit-arrears');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.locator('[data-field="arrears"]').textContent()).toBe('447.80');
    expect(await banner.textContent()).toContain('已逾期 92 天');
    // Red, and above the form that issues new bills.
    expect(await banner.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(176, 0, 32)');
    const [bannerY, formY] = await Promise.all([
      banner.evaluate((el) => el.getBoundingClientRect().top),
      page.locator('#issue-form').evaluate((el) => el.getBoundingClientRect().top),
    ]);
    expect(bannerY).toBeLessThan(formY);
    const rows = page.locator('#invoice-list tr[data-invoice]');
    expect(
      await rows.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-invoice'), r.className])),
    ).toEqual([
      [overdue.invoiceNo, 'overdue'],
      [fresh.invoiceNo, ''],
    ]);
    await named(page, 'counter unit');
    expect(await horizontalOverflow(page)).toEqual({ scroll: 0, offenders: [] });
    await w.shot(page, 'arrears-counter');
    await page.getByRole('button', { name: `先收欠费 ${overdue.invoiceNo}` }).click();
    await expect.poll(() => page.locator('#pay [data-field="total"]').textContent()).toBe('447.80');
  });

  it('kiosk: 您有欠费 with the amount, the overdue bill first, 先缴欠费 pays it before the new one', async () => {
    const page = await w.page({ width: 1080, height: 1920 });
    const screen = () => page.locator('#screen').getAttribute('data-screen');
    await setUpKiosk(w, page, 'LOBBY-20');
    await page.getByRole('button', { name: '缴纳物业账单' }).click();
    await page
      .getByLabel('业主登录码')
      .fill(await w.api.token('owner', { units: [unit.unitId], sub: DEMO_OWNER }));
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(screen).toBe('owner-invoices');
    const alert = page.locator('#screen .arrears');
    expect(await alert.textContent()).toContain('您有欠费 ¥447.80');
    const bills = page.locator('#screen ul.bills > li');
    expect(await bills.count()).toBe(2);
    expect(await bills.nth(0).getAttribute('class')).toBe('overdue');
    expect(await bills.nth(0).textContent()).toContain(overdue.invoiceNo);
    expect(await bills.nth(1).textContent()).toContain(fresh.invoiceNo);
    await named(page, 'kiosk bills');
    expect(await horizontalOverflow(page)).toEqual({ scroll: 0, offenders: [] });
    await w.shot(page, 'arrears-kiosk');
    await page.getByRole('button', { name: '先缴欠费 ¥447.80' }).click();
    await expect.poll(screen).toBe('pay-invoice');
    expect(await page.locator('#screen [data-field="amount"]').first().textContent()).toBe('¥447.80');
  });
});
