/**
 * docs/fee-types.md's recipe, proved: two fee types that exist only in this file (an income and a
 * deposit), registered for the test with `withFeeTypes`, flow through a quote, a unit invoice, its
 * payment, the ledger summary (income and deposits held) and the Chinese CSV, with the names of
 * their registry entries. Nothing in lib/ names them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../lib/billing/context.js';
import { creditInvoice } from '../../lib/billing/credit-notes.js';
import { createEstate, listTariffs, tariffOn } from '../../lib/billing/estates.js';
import { issueInvoice, type UnitInvoiceItem } from '../../lib/billing/invoices.js';
import { payInvoice } from '../../lib/billing/payments.js';
import type { Invoice, Unit } from '../../lib/billing/records.js';
import { createUnit } from '../../lib/billing/units.js';
import { ValidationError } from '../../lib/errors.js';
import { type FeeCode, feeName } from '../../lib/fee-types/catalog.js';
import { type AnyItem, type FeeTypeDefinition, withFeeTypes } from '../../lib/fee-types/pricing.js';
import { type FeeLine, ONE, pricedLine, tariffMoney, tariffRate } from '../../lib/fees/line.js';
import { type QuoteItem, quote } from '../../lib/fees/quote.js';
import { csvPart } from '../../lib/ledger/csv.js';
import { summarise } from '../../lib/ledger/summary.js';
import { presentSummary } from '../../lib/ledger/summary-present.js';
import { Dec, formatFen } from '../../lib/money.js';
import { seedTariff, type TariffRates, type TariffVersion } from '../../lib/tariffs/catalog.js';
import { validateTariffVersion } from '../../lib/tariffs/validate.js';
import { billingHarness, type Harness } from '../support/billing.js';

// ---- the fixture: two registry entries and their calculators --------------------------------

/** A fixture's figure in the tariff version (the compiled TariffRates type knows only built-in ones). */
const figure = (tariff: TariffVersion, code: string) =>
  (tariff.rates as unknown as Record<string, string>)[code]!;

/** 门禁卡工本费: cards × the tariff's rate (20 元 in the contract standard below). */
function accessCards(cards: unknown, tariff: TariffVersion): FeeLine[] {
  if (!Number.isInteger(cards) || (cards as number) < 1 || (cards as number) > 10) {
    throw ValidationError.of('cards', 'INVALID_NUMBER', 'cards must be a whole number from 1 to 10');
  }
  const rate = tariffRate(figure(tariff, 'ACCESS_CARD'));
  return [
    pricedLine({
      type: 'ACCESS_CARD' as FeeCode,
      description: `${feeName('ACCESS_CARD')} ${cards}张 × ${rate.text}元/张`,
      quantity: new Dec(cards as number),
      unit: '张',
      unitPrice: rate.value,
      months: null,
      tariff,
      formula: 'cards × fee',
      inputs: { cards: cards as number, fee: rate.text },
    }),
  ];
}

/** 钥匙押金: the tariff's amount per household, refundable. */
function keyDeposit(tariff: TariffVersion): FeeLine[] {
  const amount = tariffMoney(figure(tariff, 'KEY_DEPOSIT'), 'rates.KEY_DEPOSIT');
  return [
    pricedLine({
      type: 'KEY_DEPOSIT' as FeeCode,
      description: `${feeName('KEY_DEPOSIT')} ${amount.text}元/户(可退)`,
      quantity: ONE,
      unit: '户',
      unitPrice: amount.value,
      months: null,
      tariff,
      formula: 'households × deposit',
      inputs: { deposit: amount.text },
    }),
  ];
}

const FIXTURE: FeeTypeDefinition[] = [
  {
    code: 'ACCESS_CARD',
    zh: '门禁卡工本费',
    en: 'Access card fee',
    nature: 'income',
    account: '6001',
    vat: 'SERVICE',
    needs: ['unit'],
    tariff: { kind: 'rate', unit: '元/张', seed: '20' },
    quoteItem: { cards: 'required' },
    invoiceItem: { cards: 'required' },
    invoiceRoute: true,
    pricing: {
      quote: (item: AnyItem, tariff) => accessCards(item['cards'], tariff),
      unitInvoice: (item: AnyItem, _unit, tariff) => accessCards(item['cards'], tariff),
    },
  },
  {
    code: 'KEY_DEPOSIT',
    zh: '钥匙押金',
    en: 'Key deposit',
    nature: 'liability',
    account: '2241',
    vat: 'OUTSIDE_VAT',
    needs: ['unit'],
    tariff: { kind: 'money', unit: '元/户', seed: '200.00' },
    quoteItem: {},
    invoiceItem: {},
    invoiceRoute: true,
    pricing: {
      quote: (_item, tariff) => keyDeposit(tariff),
      unitInvoice: (_item, _unit, tariff) => keyDeposit(tariff),
    },
  },
];

// Items of fee types the compiled union does not know: the registry checks them at run time.
const item = (i: { type: string; [field: string]: unknown }) => i as unknown as QuoteItem & UnitInvoiceItem;

// ---- the flow ----------------------------------------------------------------------------------

const estateId = 'RECIPE';
let h: Harness;
let ctx: (role: 'admin' | 'cashier', iso: string) => Ctx;

beforeAll(async () => {
  h = await billingHarness();
  ctx = (role, iso) => {
    h.clock.set(iso);
    return h.ctx(role, { estates: [estateId] });
  };
});

describe('a fee type added in a test fixture', () => {
  it('is quoted, invoiced, paid, summarised and exported under its registry names', async () => {
    await withFeeTypes(FIXTURE, async () => {
      // The estate starts on the contract standard, which now holds the fixtures' figures too.
      await createEstate(ctx('admin', '2025-03-01T09:00:00+08:00'), { estateId, name: '配方小区' });
      const unit: Unit = await createUnit(ctx('admin', '2025-03-01T09:00:00+08:00'), estateId, {
        building: '1栋',
        room: '101',
        unitType: 'HIGH_RISE',
        area: '89.56',
        deliveryDate: '2025-02-15',
        ownerIds: ['o'],
      });
      // Quote.
      const tariff: TariffVersion = tariffOn(
        await listTariffs(ctx('cashier', '2025-03-10T09:00:00+08:00'), estateId),
        '2025-03-10',
      );
      const q = quote([item({ type: 'ACCESS_CARD', cards: 3 }), item({ type: 'KEY_DEPOSIT' })], tariff);
      expect(q.lines.map((l) => [l.type, formatFen(l.amount), l.description])).toEqual([
        ['ACCESS_CARD', '60.00', '门禁卡工本费 3张 × 20元/张'],
        ['KEY_DEPOSIT', '200.00', '钥匙押金 200元/户(可退)'],
      ]);

      // A new tariff version must give the new fee type its figure too.
      const { ACCESS_CARD: _dropped, ...rates } = tariff.rates as unknown as Record<string, unknown>;
      const later = {
        effectiveFrom: '2025-06-01',
        noticeDate: '2025-04-01',
        approvalRef: '2025年业主大会决议',
        rates: rates as unknown as TariffRates,
        tempParkingBands: tariff.tempParkingBands,
      };
      expect(() => validateTariffVersion(later, [tariff])).toThrow(
        expect.objectContaining({ problems: [expect.objectContaining({ field: 'rates.ACCESS_CARD' })] }),
      );

      // A bad field is named by its position, as for built-in fee types.
      await expect(
        issueInvoice(ctx('cashier', '2025-03-10T09:30:00+08:00'), {
          unitId: unit.unitId,
          items: [item({ type: 'ACCESS_CARD', cards: 0 })],
        }),
      ).rejects.toMatchObject({ problems: [{ field: 'items[0].cards', code: 'INVALID_NUMBER' }] });

      // Invoice and payment, with the property fee beside them.
      const inv: Invoice = await issueInvoice(ctx('cashier', '2025-03-10T10:00:00+08:00'), {
        unitId: unit.unitId,
        items: [
          { type: 'PROPERTY_FEE' },
          item({ type: 'ACCESS_CARD', cards: 3 }),
          item({ type: 'KEY_DEPOSIT' }),
        ],
      });
      expect(inv.lines.map((l) => l.type)).toEqual(['PROPERTY_FEE', 'ACCESS_CARD', 'KEY_DEPOSIT']);
      expect(formatFen(inv.total)).toBe('2194.50');
      await payInvoice(ctx('cashier', '2025-03-10T10:05:00+08:00'), inv.invoiceNo, {
        channel: 'CASH',
        amount: '2194.50',
      });

      // Ledger summary: the income counts in the totals, the deposit is held apart.
      const march = presentSummary(await summarise(h.db, { estateId, from: '2025-03-01', to: '2025-03-31' }));
      const card = march.byFeeCode.find((f) => f.feeCode === 'ACCESS_CARD');
      expect(card).toMatchObject({
        deposit: false,
        receivable: '60.00',
        received: '60.00',
        outstanding: '0.00',
      });
      expect(march.totals).toMatchObject({ receivable: '1994.50', received: '1994.50' });
      expect(march.byFeeCode.find((f) => f.feeCode === 'KEY_DEPOSIT')).toMatchObject({ deposit: true });
      expect(march.deposits.byFeeCode.find((d) => d.feeCode === 'KEY_DEPOSIT')).toMatchObject({
        received: '200.00',
        heldAtEnd: '200.00',
      });
      expect(march.deposits.heldAtEnd).toBe('200.00');
      // A credit note hands the deposit back: the next month starts with nothing held, which the
      // balance query gets right only if it knows the new deposit code.
      await creditInvoice(ctx('cashier', '2025-03-20T10:00:00+08:00'), inv.invoiceNo, '业主退房');
      const april = presentSummary(await summarise(h.db, { estateId, from: '2025-04-01', to: '2025-04-30' }));
      expect(april.deposits.byFeeCode.find((d) => d.feeCode === 'KEY_DEPOSIT')?.heldAtStart).toBe('0.00');

      // CSV in Chinese: the registry's names, for the fee codes and the channel.
      const csv = await csvPart(h.db, { estateId, from: '2025-03-10', to: '2025-03-10' }, { lang: 'zh' });
      const rows = csv.body.split('\r\n');
      expect(rows.filter((r) => r.includes(',门禁卡工本费,'))).toHaveLength(2); // issued, paid
      expect(
        rows.some((r) => r.includes(',收取押金,') && r.includes(',钥匙押金,') && r.includes(',200.00,现金,')),
      ).toBe(true);
      expect(csv.body).not.toMatch(/ACCESS_CARD|KEY_DEPOSIT/);
    });
  });

  it('is gone once the test that registered it ends', () => {
    const tariff = seedTariff('OTHER');
    expect(Object.keys(tariff.rates)).not.toContain('ACCESS_CARD');
    expect(() => quote([item({ type: 'ACCESS_CARD', cards: 1 })], tariff)).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ code: 'UNKNOWN_ITEM_TYPE' })] }),
    );
    expect(feeName('ACCESS_CARD')).toBe('ACCESS_CARD');
  });
});
