// Annual prepaid periods anchored on the delivery date (SPEC.md §4.1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billingStateOf, periodsAfter } from '../../lib/billing/unit-billing.js';
import {
  annualPeriod,
  dueDate,
  paidThroughFrom,
  periodIndexOn,
  registeredSpaceBillFrom,
  renewalIssueFrom,
  spacesBilledIn,
} from '../../lib/fees/periods.js';
import { addDays, inPeriod } from '../../lib/time.js';

describe('annualPeriod', () => {
  it('a 2024-02-29 delivery gives periods starting 2025-02-28, 2026-02-28, 2027-02-28, 2028-02-29', () => {
    const periods = [0, 1, 2, 3, 4].map((k) => annualPeriod('2024-02-29', k));
    expect(periods).toEqual([
      { start: '2024-02-29', end: '2025-02-28' },
      { start: '2025-02-28', end: '2026-02-28' },
      { start: '2026-02-28', end: '2027-02-28' },
      { start: '2027-02-28', end: '2028-02-29' },
      { start: '2028-02-29', end: '2029-02-28' },
    ]);
  });

  it('an ordinary delivery date repeats every year', () => {
    expect(annualPeriod('2023-06-15', 0)).toEqual({ start: '2023-06-15', end: '2024-06-15' });
    expect(annualPeriod('2023-06-15', 2)).toEqual({ start: '2025-06-15', end: '2026-06-15' });
  });

  it('refuses a negative or fractional index', () => {
    expect(() => annualPeriod('2024-02-29', -1)).toThrow(RangeError);
    expect(() => annualPeriod('2024-02-29', 0.5)).toThrow(RangeError);
  });
});

describe('periodIndexOn', () => {
  it.each([
    ['2024-02-28', -1],
    ['2024-02-29', 0],
    ['2025-02-27', 0],
    ['2025-02-28', 1],
    ['2026-02-27', 1],
    ['2026-02-28', 2],
    ['2028-02-28', 3],
    ['2028-02-29', 4],
    ['2034-03-01', 10],
  ])('2024-02-29 delivery, on %s → period %i', (date, k) => {
    expect(periodIndexOn('2024-02-29', date)).toBe(k);
  });

  it('for any delivery and later date, the period found contains the date and is the only one', () => {
    const day = fc.integer({ min: 0, max: 365 * 60 }).map((n) => addDays('1995-01-01', n));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 365 * 30 }), (delivery, offset) => {
        const date = addDays(delivery, offset);
        const k = periodIndexOn(delivery, date);
        expect(inPeriod(date, annualPeriod(delivery, k))).toBe(true);
        if (k > 0) expect(inPeriod(date, annualPeriod(delivery, k - 1))).toBe(false);
        expect(inPeriod(date, annualPeriod(delivery, k + 1))).toBe(false);
        // consecutive periods touch: no day is unbilled, none billed twice
        expect(annualPeriod(delivery, k).end).toBe(annualPeriod(delivery, k + 1).start);
      }),
      { numRuns: 300 },
    );
  });
});

describe('renewal: issued one month before, due when the next period starts', () => {
  it.each([
    ['2026-02-28', '2026-01-28'],
    ['2028-02-29', '2028-01-29'],
    ['2025-03-31', '2025-02-28'],
    ['2024-03-31', '2024-02-29'],
    ['2025-01-15', '2024-12-15'],
  ])('the invoice for a period starting %s is issued from %s', (start, issueFrom) => {
    expect(renewalIssueFrom(start)).toBe(issueFrom);
  });

  it('is due on the paid period’s end, i.e. the next period’s start', () => {
    const next = annualPeriod('2024-02-29', 2);
    expect(dueDate(next, renewalIssueFrom(next.start))).toBe('2026-02-28');
    expect(dueDate(next, '2026-02-27')).toBe('2026-02-28');
    expect(dueDate(next, '2026-02-28')).toBe('2026-02-28');
  });

  it('a period billed after it started (late move-in) is due on the day it is issued', () => {
    expect(dueDate(annualPeriod('2024-02-29', 0), '2025-06-01')).toBe('2025-06-01');
    expect(dueDate({ start: '2025-02-28', end: '2026-02-28' }, '2025-03-01')).toBe('2025-03-01');
  });
});

describe('a space’s start (SPEC.md §4.1)', () => {
  const unit = { deliveryDate: '2024-02-29' };
  it.each([
    // registered on, paid period starts → billed from
    ['2024-01-10', [], '2024-02-29'],
    ['2024-02-29', [], '2024-02-29'],
    ['2025-06-01', [], '2025-02-28'],
    ['2025-06-01', ['2024-02-29'], '2025-02-28'],
    ['2025-06-01', ['2024-02-29', '2025-02-28'], '2026-02-28'],
    ['2028-02-29', ['2028-02-29'], '2029-02-28'],
  ])('registered on %s with %j paid: billed from %s', (today, paid, from) => {
    expect(registeredSpaceBillFrom(unit, new Set(paid), today)).toBe(from);
  });

  it('is always a period start, never after the period following the one it was registered in', () => {
    const day = fc.integer({ min: 0, max: 365 * 40 }).map((n) => addDays('1995-01-01', n));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 365 * 20 }), fc.boolean(), (delivery, offset, paid) => {
        const today = addDays(delivery, offset);
        const k = periodIndexOn(delivery, today);
        const here = annualPeriod(delivery, k);
        const from = registeredSpaceBillFrom(
          { deliveryDate: delivery },
          new Set(paid ? [here.start] : []),
          today,
        );
        expect(from).toBe(paid ? here.end : here.start);
      }),
      { numRuns: 200 },
    );
  });

  it('a period bills the spaces whose start is on or before its own; an older space without one from delivery', () => {
    const spaces = [{ billFrom: '2025-02-28' }, {}, { billFrom: '2026-03-01' }];
    expect(spacesBilledIn(spaces, unit, annualPeriod('2024-02-29', 0))).toBe(1);
    expect(spacesBilledIn(spaces, unit, annualPeriod('2024-02-29', 1))).toBe(2);
    // Starting inside a period (an imported space's paid-through), it waits for the next: no pro-rating.
    expect(spacesBilledIn(spaces, unit, annualPeriod('2024-02-29', 2))).toBe(2);
    expect(spacesBilledIn(spaces, unit, annualPeriod('2024-02-29', 3))).toBe(3);
    expect(spacesBilledIn([], unit, annualPeriod('2024-02-29', 3))).toBe(0);
  });
});

describe('a unit’s billing state from its live periods', () => {
  const unit = { deliveryDate: '2024-02-29' } as Parameters<typeof billingStateOf>[0];
  const P = (k: number) => annualPeriod('2024-02-29', k).start;

  it('paid through the end of the contiguous paid run; due for renewal unless the next period is billed', () => {
    expect(billingStateOf(unit, new Map())).toEqual({});
    expect(billingStateOf(unit, new Map([[P(1), 'PAID']]))).toEqual({});
    const one = new Map([[P(0), 'PAID' as const]]);
    expect(billingStateOf(unit, one)).toEqual({ paidThrough: P(1), renewalFrom: renewalIssueFrom(P(1)) });
    expect(
      billingStateOf(unit, periodsAfter(one, [{ type: 'PROPERTY_FEE', period: { start: P(1) } }], 'issued')),
    ).toEqual({
      paidThrough: P(1),
    });
    const gap = new Map([
      [P(0), 'PAID' as const],
      [P(1), 'OPEN' as const],
      [P(2), 'PAID' as const],
    ]);
    expect(billingStateOf(unit, gap)).toEqual({ paidThrough: P(1) });
    const filled = periodsAfter(gap, [{ type: 'PROPERTY_FEE', period: { start: P(1) } }], 'paid');
    expect(billingStateOf(unit, filled)).toEqual({ paidThrough: P(3), renewalFrom: renewalIssueFrom(P(3)) });
    // A space line never counts towards paid-through.
    expect(periodsAfter(gap, [{ type: 'PARKING_SPACE_FEE', period: { start: P(1) } }], 'paid')).toEqual(gap);
  });

  it('for any set of paid periods, paid-through is the end of the last period of the run from the anchor', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 12 }), (paid) => {
        const starts = new Set(paid.flatMap((p, k) => (p ? [P(k)] : [])));
        const run = paid.indexOf(false) === -1 ? paid.length : paid.indexOf(false);
        expect(paidThroughFrom(unit, starts)).toBe(run === 0 ? undefined : P(run));
      }),
    );
  });
});
