/**
 * The fee-type registry (lib/fee-types): every entry is wired to a calculator whose lines carry the
 * entry's name, the API schemas accept exactly the items the registry declares, the accounting
 * defaults agree with income or liability, and the module the pages bundle stays browser-only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import * as s from '../../lib/api/schemas.js';
import {
  CHANNEL_TYPES,
  CHANNELS,
  channelName,
  FEE_CODES,
  FEE_TYPES,
  type FeeTypeInfo,
  feeName,
  feeType,
  type ItemField,
  type ItemFields,
  isDeposit,
  VAT_CATEGORIES,
} from '../../lib/fee-types/catalog.js';
import { priceQuoteItem, withFeeTypes } from '../../lib/fee-types/pricing.js';
import { seedTariff } from '../../lib/tariffs/catalog.js';

const SAMPLE: Record<ItemField, unknown> = {
  unitType: 'HIGH_RISE',
  rentalKind: 'SHARED',
  area: '89.56',
  months: 12,
  spaces: 2,
  cards: 5,
  periods: 1,
  entryAt: '2025-03-01T08:00:00+08:00',
  exitAt: '2025-03-01T11:30:00+08:00',
};

const info = (code: string): FeeTypeInfo => feeType(code)!;
const sampleItem = (code: string, fields: ItemFields) => ({
  type: code,
  ...Object.fromEntries(
    Object.entries(fields)
      .filter(([, presence]) => presence === 'required')
      .map(([f]) => [f, SAMPLE[f as ItemField]]),
  ),
});

describe('fee types', () => {
  const tariff = { ...seedTariff('DEMO'), rates: { ...seedTariff('DEMO').rates, CARD_DEPOSIT: '20.00' } };

  it.each(FEE_CODES.filter((c) => info(c).quoteItem))(
    '%s is quoted by its calculator, under its name',
    (code) => {
      const lines = priceQuoteItem(sampleItem(code, info(code).quoteItem!), tariff);
      expect(lines[0]?.type).toBe(code);
      expect(lines[0]?.description.startsWith(`${feeName(code)} `), lines[0]?.description).toBe(true);
      expect(lines[0]!.amount).toBeGreaterThan(0n);
    },
  );

  it('names every line a calculator adds on its own (the card deposit beside the card fee)', () => {
    const lines = priceQuoteItem({ type: 'RENOVATION_CARDS', cards: 5 }, tariff);
    expect(lines.map((l) => [l.type, l.description.split(' ')[0]])).toEqual([
      ['RENOVATION_CARDS', feeName('RENOVATION_CARDS')],
      ['CARD_DEPOSIT', feeName('CARD_DEPOSIT')],
    ]);
  });

  it('the API accepts the items the registry declares, and no others', () => {
    for (const code of FEE_CODES) {
      const { quoteItem, invoiceItem } = info(code);
      expect(z.safeParse(s.quoteItem(), sampleItem(code, quoteItem ?? {})).success, `quote ${code}`).toBe(
        quoteItem !== undefined,
      );
      expect(
        z.safeParse(s.unitInvoiceItem(), sampleItem(code, invoiceItem ?? {})).success,
        `invoice ${code}`,
      ).toBe(invoiceItem !== undefined);
    }
    // A required field is required, an optional one is not, an undeclared one is refused.
    expect(z.safeParse(s.quoteItem(), { type: 'RENOVATION_CARDS' }).success).toBe(false);
    expect(z.safeParse(s.unitInvoiceItem(), { type: 'PARKING_SPACE_FEE' }).success).toBe(true);
    expect(z.safeParse(s.unitInvoiceItem(), { type: 'RENOVATION_WASTE', area: '1' }).success).toBe(false);
  });

  it('deposits are liabilities outside VAT; income lands in revenue with a VAT rate; opening arrears are a receivable', () => {
    for (const code of FEE_CODES) {
      const t = FEE_TYPES[code] as FeeTypeInfo;
      if (code === 'OPENING_ARREARS') {
        // A receivable brought in from the old books (SPEC.md §8): its income was recognised there.
        expect([t.nature, t.account, t.vat, t.invoiceRoute]).toEqual([
          'receivable',
          '1122',
          'OUTSIDE_VAT',
          false,
        ]);
      } else if (isDeposit(code)) {
        expect([t.account, t.vat], code).toEqual(['2241', 'OUTSIDE_VAT']);
      } else {
        expect(t.account, code).toBe('6001');
        expect(VAT_CATEGORIES[t.vat].rate, code).toMatch(/^0\.\d+$/);
      }
    }
    expect(FEE_CODES.filter(isDeposit)).toEqual(['RENOVATION_DEPOSIT', 'CARD_DEPOSIT']);
  });

  it('one word per thing: names are distinct, Chinese names are Chinese', () => {
    const zh = FEE_CODES.map((c) => feeName(c));
    expect(new Set(zh).size).toBe(zh.length);
    expect(new Set(FEE_CODES.map((c) => feeName(c, 'en'))).size).toBe(zh.length);
    for (const name of zh) expect(name).toMatch(/^[\u4e00-\u9fa5]+$/);
    const channels = CHANNELS.map((c) => channelName(c));
    expect(new Set(channels).size).toBe(channels.length);
    // A kiosk channel is 自助机 + its button's word, so the receipt and the button agree.
    for (const c of CHANNELS) {
      const t = CHANNEL_TYPES[c];
      if (t.place === 'kiosk') expect(t.zh).toBe(`自助机${t.button}`);
    }
    expect(feeName('NOT_A_CODE')).toBe('NOT_A_CODE');
    expect(channelName('toString')).toBe('toString');
  });

  it('refuses to register a fee code twice', async () => {
    await expect(
      withFeeTypes([{ code: 'PROPERTY_FEE', ...info('RENOVATION_CARDS'), pricing: {} }], async () => 'ran'),
    ).rejects.toThrow(/already exists/);
    expect(feeName('PROPERTY_FEE')).toBe('物业服务费');
  });
});

describe('one catalog of words', () => {
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'fee-types' ? [] : sources(path);
      return path.endsWith('.ts') ? [path] : [];
    });
  }

  it('no code outside the registry spells a fee or channel name itself', () => {
    const names = [...FEE_CODES.map((c) => feeName(c)), ...CHANNELS.map((c) => channelName(c))];
    const spelled = sources(join(process.cwd(), 'lib')).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return names.filter((n) => new RegExp(`['"\`]${n}['"\`]`).test(text)).map((n) => `${file}: ${n}`);
    });
    expect(spelled, 'use feeName / channelName from lib/fee-types').toEqual([]);
  });

  it('the registry the pages bundle pulls in nothing but itself, the tariff catalog and the period rule', async () => {
    const result = await build({
      entryPoints: ['lib/web/shared/format.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(Object.keys(result.metafile.inputs).sort()).toEqual([
      'lib/fee-types/catalog.ts',
      // The inclusive last day of a period: one rule for pages, CSV and the API (SPEC.md §5).
      'lib/period-text.ts',
      'lib/tariffs/catalog.ts',
      'lib/web/shared/format.ts',
    ]);
  });
});
