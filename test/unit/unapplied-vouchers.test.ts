/**
 * Unapplied money (payment exceptions) in the accountant's month: posted Dr bank / Cr the suspense
 * account when received, reversed when applied or refunded. An APPLY's receipt and the reversal
 * together debit the bank once; a REFUND leaves nothing in bank or suspense; revenue is the
 * receipt's alone.
 */
import { describe, expect, it } from 'vitest';
import type { LedgerKind } from '../../lib/billing/context.js';
import type { LedgerEntry } from '../../lib/ledger/query.js';
import { defaultSettings, SettingsHistory, validateChange } from '../../lib/reports/accounting-settings.js';
import { revenueFlows } from '../../lib/reports/revenue.js';
import { monthVouchers, type VoucherLine } from '../../lib/reports/vouchers.js';

let seq = 0;
function entry(
  kind: LedgerKind,
  date: string,
  fields: Partial<LedgerEntry> & { feeCode: string; amount: bigint },
) {
  seq++;
  return {
    sk: `${date}#${String(seq).padStart(8, '0')}#${kind}`,
    kind,
    businessDate: date,
    at: `${date}T10:00:00+08:00`,
    documentNo: `DOC${seq}`,
    actor: 'system',
    ...fields,
  } as LedgerEntry;
}

function vouchers(entries: LedgerEntry[], accounts = defaultSettings().accounts): VoucherLine[] {
  const settings = new SettingsHistory('EST', []);
  return monthVouchers({
    month: '2026-07',
    entries,
    flows: revenueFlows(entries, settings),
    accounts,
    auxiliary: () => '',
  });
}
const balance = (lines: VoucherLine[], account: string) =>
  lines.filter((l) => l.accountCode === account).reduce((a, l) => a + l.debit - l.credit, 0n);

describe('unapplied money in the vouchers', () => {
  const received = entry('PAYMENT_UNAPPLIED', '2026-07-03', {
    documentNo: 'WECHAT-4200001',
    channel: 'KIOSK_WECHAT',
    feeCode: 'TEMP_PARKING',
    amount: 1500n,
  });

  it('posts Dr bank / Cr 2241 其他应付款 while the exception is open, each voucher balanced', () => {
    const v = vouchers([received]);
    expect(v.map((l) => [l.accountCode, l.accountName, l.debit, l.credit])).toEqual([
      ['1002', expect.any(String), 1500n, 0n],
      ['2241', '其他应付款', 0n, 1500n],
    ]);
  });

  it('APPLY: the receipt’s voucher and the reversal debit the bank once; 2241 is cleared; revenue is the receipt’s', () => {
    const receipt = entry('PAYMENT_RECEIVED', '2026-07-05', {
      receiptNo: 'R1',
      documentNo: 'R1',
      invoiceNo: 'I1',
      channel: 'KIOSK_WECHAT',
      feeCode: 'TEMP_PARKING',
      amount: 1500n,
    });
    const reversal = entry('PAYMENT_UNAPPLIED', '2026-07-05', {
      documentNo: 'WECHAT-4200001/R',
      receiptNo: 'R1',
      channel: 'KIOSK_WECHAT',
      feeCode: 'TEMP_PARKING',
      amount: -1500n,
    });
    const v = vouchers([received, receipt, reversal]);
    expect(balance(v, '1002')).toBe(1500n);
    expect(balance(v, '2241')).toBe(0n);
    expect(v.reduce((a, l) => a + l.debit - l.credit, 0n)).toBe(0n);
  });

  it('REFUND: nothing stays in the bank or in 2241', () => {
    const refund = entry('PAYMENT_UNAPPLIED', '2026-07-06', {
      documentNo: 'WECHAT-4200001/R',
      channel: 'KIOSK_WECHAT',
      feeCode: 'TEMP_PARKING',
      amount: -1500n,
    });
    const v = vouchers([received, refund]);
    expect(balance(v, '1002')).toBe(0n);
    expect(balance(v, '2241')).toBe(0n);
  });

  it('the suspense account is part of the chart an estate may change', () => {
    const changed = validateChange(
      { accounts: { unapplied: '224101', names: { '224101': '其他应付款-待处理款项' } } },
      defaultSettings(),
    );
    const v = vouchers([received], changed.accounts);
    expect(v[1]).toMatchObject({ accountCode: '224101', accountName: '其他应付款-待处理款项' });
  });
});
