/**
 * One sample request per route of ROUTES (lib/api/routes.ts), shared by the authorization matrix
 * (authz.test.ts) and the fuzz test (fuzz.test.ts), and the fixtures they point at.
 *
 * ADDING A ROUTE? Add an entry to `SAMPLES` under its operationId:
 *   - `scope`: how the handler scopes it: 'estate' (staff of the estate; owners of the estate),
 *     'unit' (staff of the unit's estate; owners of that unit only), or 'public' (no token);
 *   - `sample(f, role)`: a request that passes validation (zod) with ids from `f`, the fixture of
 *     the place being tested. In scope it may fail later (400/404/409 are fine and cheaper than
 *     succeeding); outside scope it must reach the scope check, so it has to be schema-valid.
 * If the route needs a document the fixtures lack (a new kind of case or session), create one per
 * place in `seedFixtures` and add its id to `Fixture`.
 */

import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { AnyRoute } from '../../lib/api/route.js';
import type { Role } from '../../lib/billing/context.js';
import { newExceptionItem, newOrderItem } from '../../lib/payments/store.js';
import { SEED_RATES } from '../../lib/tariffs/catalog.js';
import { type ApiHarness, type ApiResponse, DEMO_OWNER } from '../support/api.js';

/** Where a request points, seen from tokens scoped to estate DEMO (and, for the owner, unit `own`). */
export type Place = 'own' | 'neighbour' | 'other';

export interface Fixture {
  estateId: string;
  unitId: string;
  /** An open property-fee invoice of the unit. */
  invoiceId: string;
  /** A paid invoice of the unit and its receipt. */
  paidInvoiceId: string;
  receiptNo: string;
  /** A credit note reversing an earlier invoice of the unit (its period then billed and paid again). */
  creditNoteNo: string;
  /** The deposit refund of an earlier, finished renovation of the unit. */
  refundNo: string;
  /** A renovation case of the unit (its invoice unpaid). */
  caseId: string;
  /** An open temporary-parking session in the estate. */
  sessionId: string;
  /** A committed roster import of the estate. */
  importId: string;
  /** A paid payment order for the unit's open invoice, and an open payment exception of the estate. */
  orderId: string;
  exceptionId: string;
  /** A stored reconciliation of an empty WeChat statement. */
  reconciliationId: string;
}

export interface Sample {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** A file upload (rawBody routes): sent as is with its content type. */
  file?: { bytes: string; type: string };
}

export interface Expectation {
  scope: 'public' | 'estate' | 'unit';
  /** A public route's answer to its sample (default 200): a provider notification no provider signed is refused. */
  publicStatus?: number;
  sample: (f: Fixture, role: Role) => Sample;
}

const highRiseQuote = { type: 'PROPERTY_FEE', unitType: 'HIGH_RISE', area: '89.56', months: 12 };
const tariffVersion = {
  effectiveFrom: '2026-03-15',
  noticeDate: '2026-03-01',
  approvalRef: '2026年第1次业主大会决议',
  rates: { ...SEED_RATES, PROPERTY_FEE: { ...SEED_RATES.PROPERTY_FEE, HIGH_RISE: '2.0' } },
  tempParkingBands: [
    { upToMinutes: 120, amount: '0.00' },
    { upToMinutes: 240, amount: '2.00' },
    { upToMinutes: 480, amount: '5.00' },
    { upToMinutes: 1440, amount: '10.00' },
  ],
};
const kioskChannel = (role: Role) => (role === 'owner' || role === 'kiosk' ? 'KIOSK_WECHAT' : 'CASH');
const gateEvent = (f: Fixture) => ({
  estateId: f.estateId,
  plate: 'not a plate',
  gateId: 'G1',
  at: '2026-03-01T08:00:00+08:00',
});

/**
 * The in-scope answers below are cheap refusals after the scope check (notice too short, amount
 * not the total, already exists, a date before delivery), so the matrix writes almost nothing.
 */
/** A report's JSON, `.csv` and `.xlsx` routes (lib/api/report-formats.ts `withFormats`) share a sample. */
function formats(operationId: string, sample: Expectation['sample']): Record<string, Expectation> {
  return Object.fromEntries(
    ['', 'Csv', 'Xlsx'].map((suffix) => [`${operationId}${suffix}`, { scope: 'estate', sample }]),
  );
}

export const SAMPLES: Record<string, Expectation> = {
  health: { scope: 'public', sample: () => ({}) },
  openapi: { scope: 'public', sample: () => ({}) },
  createQuote: {
    scope: 'estate',
    sample: (f) => ({ body: { estateId: f.estateId, items: [highRiseQuote] } }),
  },
  createEstate: { scope: 'estate', sample: (f) => ({ body: { estateId: f.estateId, name: '示范花园' } }) },
  listTariffs: { scope: 'estate', sample: (f) => ({ params: { estateId: f.estateId } }) },
  addTariff: { scope: 'estate', sample: (f) => ({ params: { estateId: f.estateId }, body: tariffVersion }) },
  putCalendar: {
    scope: 'estate',
    sample: (f) => ({
      params: { estateId: f.estateId, year: '2030' },
      body: { holidays: ['2031-01-01'], workdays: [] },
    }),
  },
  createUnit: {
    scope: 'estate',
    sample: (f) => ({
      params: { estateId: f.estateId },
      body: {
        building: '1栋',
        room: '1801',
        unitType: 'HIGH_RISE',
        area: '89.56',
        deliveryDate: '2025-06-01',
        ownerIds: ['o'],
      },
    }),
  },
  searchUnits: {
    scope: 'estate',
    sample: (f) => ({
      params: { estateId: f.estateId },
      query: { building: '1栋', room: '1801', limit: '5' },
    }),
  },
  getUnit: { scope: 'unit', sample: (f) => ({ params: { unitId: f.unitId } }) },
  registerSpace: {
    scope: 'unit',
    sample: (f) => ({
      params: { unitId: f.unitId },
      body: { spaceNo: 'B1-018', kind: 'OWNED', plates: ['粤B12345'] },
    }),
  },
  issueInvoice: {
    scope: 'unit',
    sample: (f) => ({
      body: { unitId: f.unitId, items: [{ type: 'PROPERTY_FEE' }, { type: 'PROPERTY_FEE', periods: 2 }] },
    }),
  },
  getInvoice: { scope: 'unit', sample: (f) => ({ params: { invoiceId: f.invoiceId } }) },
  listUnitInvoices: {
    scope: 'unit',
    sample: (f) => ({ params: { unitId: f.unitId }, query: { status: 'OPEN', limit: '10' } }),
  },
  voidInvoice: {
    scope: 'unit',
    sample: (f) => ({ params: { invoiceId: f.paidInvoiceId }, body: { reason: '录入错误' } }),
  },
  payInvoice: {
    scope: 'unit',
    sample: (f, role) => ({
      params: { invoiceId: f.invoiceId },
      body: {
        channel: kioskChannel(role),
        amount: '0.01',
        ...(role === 'owner' ? { reference: 'WX-1' } : { tendered: '100.00' }),
      },
    }),
  },
  creditInvoice: {
    scope: 'unit',
    sample: (f) => ({ params: { invoiceId: f.invoiceId }, body: { reason: '业主退房' } }),
  },
  getReceipt: { scope: 'unit', sample: (f) => ({ params: { receiptNo: f.receiptNo } }) },
  listReceipts: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, date: '2026-03-01', limit: '5' } }),
  },
  getCreditNote: { scope: 'unit', sample: (f) => ({ params: { creditNoteNo: f.creditNoteNo } }) },
  getDepositRefund: { scope: 'unit', sample: (f) => ({ params: { refundNo: f.refundNo } }) },
  runRenewals: {
    scope: 'estate',
    sample: (f) => ({ params: { estateId: f.estateId }, body: { asOf: '2099-01-01' } }),
  },

  recordParkingEntry: { scope: 'estate', sample: (f) => ({ body: gateEvent(f) }) },
  recordParkingExit: { scope: 'estate', sample: (f) => ({ body: gateEvent(f) }) },
  listParkingSessions: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, plate: '粤A12345', limit: '5' } }),
  },
  quoteParkingSession: {
    scope: 'estate',
    sample: (f) => ({ params: { sessionId: f.sessionId }, query: { at: '2026-03-01T09:00:00+08:00' } }),
  },
  payParkingSession: {
    scope: 'estate',
    sample: (f, role) => ({
      params: { sessionId: f.sessionId },
      body: {
        channel: kioskChannel(role),
        amount: '999.99',
        at: '2026-03-01T09:00:00+08:00',
        reference: 'WX-2',
      },
    }),
  },
  rentParkingSpace: {
    scope: 'estate',
    sample: (f) => ({
      body: {
        estateId: f.estateId,
        plate: 'not a plate',
        rentalKind: 'SHARED',
        startDate: '2026-03-01',
        months: 3,
      },
    }),
  },

  registerRenovation: {
    scope: 'unit',
    sample: (f) => ({ body: { unitId: f.unitId, cards: 5, date: '2000-01-01' } }),
  },
  getRenovation: { scope: 'unit', sample: (f) => ({ params: { caseId: f.caseId } }) },
  extendRenovation: {
    scope: 'unit',
    sample: (f) => ({ params: { caseId: f.caseId }, body: { until: '2000-01-01', reason: '工期延误' } }),
  },
  recordRenovationAcceptance: {
    scope: 'unit',
    sample: (f) => ({
      params: { caseId: f.caseId },
      body: { date: '2000-01-01', passed: true, notes: '验收' },
    }),
  },
  recordRenovationReinspection: {
    scope: 'unit',
    sample: (f) => ({
      params: { caseId: f.caseId },
      body: {
        date: '2000-01-01',
        passed: false,
        deductions: [{ amount: '100.00', reason: '墙面损坏', evidenceRef: 'IMG-1' }],
      },
    }),
  },
  refundRenovationDeposit: {
    scope: 'unit',
    sample: (f) => ({ params: { caseId: f.caseId }, body: { channel: 'CASH' } }),
  },
  listDueRenovations: {
    scope: 'estate',
    sample: (f) => ({
      params: { estateId: f.estateId },
      query: { due: 'REFUND', asOf: '2026-03-01', limit: '5' },
    }),
  },

  createPaymentOrder: {
    scope: 'unit',
    sample: (f) => ({ body: { invoiceId: f.invoiceId, provider: 'WECHAT' } }),
  },
  getPaymentOrder: { scope: 'unit', sample: (f) => ({ params: { orderId: f.orderId } }) },
  notifyWechatPay: {
    scope: 'public',
    publicStatus: 400, // no merchant account in this harness: refused before any signature is read
    sample: (f) => ({ query: { estateId: f.estateId }, body: { id: 'EV-1', resource: {} } }),
  },
  notifyAlipay: {
    scope: 'public',
    sample: (f) => ({ query: { estateId: f.estateId }, body: { out_trade_no: 'x' } }),
  },
  listPaymentExceptions: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, status: 'OPEN', limit: '5' } }),
  },
  resolvePaymentException: {
    scope: 'estate',
    sample: (f) => ({
      params: { id: f.exceptionId },
      body: { action: 'APPLY', invoiceId: f.paidInvoiceId, reason: '转缴' },
    }),
  },
  createReconciliation: {
    scope: 'estate',
    sample: (f) => ({
      params: { estateId: f.estateId },
      query: { provider: 'WECHAT', date: '2026-03-01' },
      file: { bytes: '交易时间,商户订单号\r\n', type: 'text/csv' },
    }),
  },
  getReconciliation: {
    scope: 'estate',
    sample: (f) => ({ params: { estateId: f.estateId, id: f.reconciliationId } }),
  },

  listLedger: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, from: '2026-03-01', to: '2026-03-01', limit: '5' } }),
  },
  exportLedgerCsv: {
    scope: 'estate',
    sample: (f) => ({
      query: { estateId: f.estateId, from: '2026-03-01', to: '2026-03-01', lang: 'zh', limit: '5' },
    }),
  },
  ...formats('ledgerSummary', (f) => ({
    query: { estateId: f.estateId, from: '2026-01-01', to: '2026-03-01' },
  })),
  exportLedgerXlsx: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, from: '2026-03-01', to: '2026-03-01', limit: '5' } }),
  },
  ...Object.fromEntries(
    ['cashup', 'cashupCsv', 'cashupXlsx'].map((op) => [
      op,
      {
        scope: 'estate',
        sample: (f: Fixture) => ({ query: { estateId: f.estateId, date: '2026-03-01' } }),
      } satisfies Expectation,
    ]),
  ),
  // A count for a day not begun yet: refused after the scope check, nothing written.
  recordDrawerCount: {
    scope: 'estate',
    sample: (f) => ({ params: { estateId: f.estateId }, body: { date: '2026-12-31', counted: '0.00' } }),
  },
  getAccountingSettings: { scope: 'estate', sample: (f) => ({ params: { estateId: f.estateId } }) },
  putAccountingSettings: {
    scope: 'estate',
    // An unknown fee code: refused after the scope check, nothing written.
    sample: (f) => ({ params: { estateId: f.estateId }, body: { vatRates: { NO_SUCH_FEE: '0.06' } } }),
  },
  priceBoard: { scope: 'estate', sample: (f) => ({ params: { estateId: f.estateId } }) },
  ...formats('revenueReport', (f) => ({ query: { estateId: f.estateId, month: '2026-03' } })),
  ...formats('monthVouchers', (f) => ({ query: { estateId: f.estateId, month: '2026-03' } })),
  ...formats('quarterlyDisclosure', (f) => ({ query: { estateId: f.estateId, quarter: '2026Q1' } })),
  importRoster: {
    scope: 'estate',
    sample: (f) => ({
      params: { estateId: f.estateId },
      query: { dryRun: 'true' },
      file: {
        bytes: '楼栋,房号,类型,建筑面积,交付日期\r\n5栋,501,高层,89.56,2020-01-01\r\n',
        type: 'text/csv',
      },
    }),
  },
  getImport: {
    scope: 'estate',
    sample: (f) => ({ params: { estateId: f.estateId, importId: f.importId } }),
  },
  getRoster: { scope: 'estate', sample: (f) => ({ params: { estateId: f.estateId } }) },
  getRosterCsv: { scope: 'estate', sample: (f) => ({ params: { estateId: f.estateId } }) },
  getRosterXlsx: { scope: 'estate', sample: (f) => ({ params: { estateId: f.estateId } }) },
  renewalLog: {
    scope: 'estate',
    sample: (f) => ({ params: { estateId: f.estateId }, query: { date: '2026-03-01' } }),
  },
  arrearsReport: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, asOf: '2026-03-01', limit: '5' } }),
  },
  arrearsReportCsv: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, asOf: '2026-03-01' } }),
  },
  arrearsReportXlsx: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, asOf: '2026-03-01' } }),
  },
  batchDunningNotices: {
    scope: 'estate',
    sample: (f) => ({ query: { estateId: f.estateId, asOf: '2026-03-01', minAmount: '100.00', limit: '5' } }),
  },
  dunningNotice: {
    scope: 'unit',
    sample: (f) => ({ params: { unitId: f.unitId } }),
  },
};

/** Fails with instructions when a route has no sample (so a new route cannot skip the matrix). */
export function sampleFor(route: AnyRoute): Expectation {
  const e = SAMPLES[route.operationId];
  if (!e) {
    throw new Error(
      `route ${route.method} ${route.path} (operationId "${route.operationId}") has no entry in SAMPLES ` +
        '(test/api/samples.ts). Add one: its scope (estate | unit | public) and a schema-valid sample request ' +
        'built from the fixture ids; the authorization matrix and the fuzz test then cover it.',
    );
  }
  return e;
}

/** The path of a route with its parameters filled in (URL-encoded). */
export function pathOf(route: AnyRoute, params: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`sample for ${route.operationId} lacks path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** Sends a sample as `token`'s holder; money-moving routes get a fresh Idempotency-Key. */
export function send(h: ApiHarness, route: AnyRoute, s: Sample, token?: string): Promise<ApiResponse> {
  return h.call(route.method, pathOf(route, s.params), {
    ...(token ? { token } : {}),
    ...(s.query ? { query: s.query } : {}),
    ...(s.body !== undefined ? { body: s.body } : {}),
    ...(s.file ? { raw: s.file.bytes } : {}),
    ...(route.rawBody && !s.file && s.body !== undefined ? { raw: JSON.stringify(s.body) } : {}),
    headers: {
      ...(route.idempotent ? { 'Idempotency-Key': randomUUID() } : {}),
      ...(s.file ? { 'content-type': s.file.type } : {}),
    },
  });
}

export interface World {
  fixtures: Record<Place, Fixture>;
  /** Tokens scoped to estate DEMO; the owner's to unit `own`. */
  tokens: Record<Role, string>;
}

async function ok(res: Promise<ApiResponse>, status: number, what: string): Promise<ApiResponse> {
  const r = await res;
  expect(r.status, `${what}: ${r.text}`).toBe(status);
  return r;
}

/** Estate DEMO (npm start's demo) and estate OTHER, each with a unit's invoices, receipt, renovation and parking session. */
export async function seedFixtures(h: ApiHarness, roles: readonly Role[]): Promise<World> {
  // After every demo unit's delivery, so a renovation can be registered today.
  h.clock.set('2026-03-01T10:00:00+08:00');
  const demoUnits = await h.seedDemo();
  const otherAdmin = await h.token('admin', { estates: ['OTHER'] });
  await ok(
    h.call('POST', '/v1/estates', { token: otherAdmin, body: { estateId: 'OTHER', name: '别的小区' } }),
    201,
    'estate OTHER',
  );
  const otherUnit = await ok(
    h.call('POST', '/v1/estates/OTHER/units', {
      token: otherAdmin,
      body: {
        building: '1栋',
        room: '1801',
        unitType: 'HIGH_RISE',
        area: '89.56',
        deliveryDate: '2025-06-01',
        ownerIds: ['o2'],
      },
    }),
    201,
    'unit in OTHER',
  );

  const place = async (estateId: string, unitId: string, sessionId: string): Promise<Fixture> => {
    const cashier = await h.token('cashier', { estates: [estateId] });
    const post = (path: string, body: unknown, what: string, status = 201) =>
      ok(
        h.call('POST', path, { token: cashier, headers: { 'Idempotency-Key': randomUUID() }, body }),
        status,
        `${what} of ${unitId}`,
      );
    const issuePaid = async () => {
      const inv = await post('/v1/invoices', { unitId, items: [{ type: 'PROPERTY_FEE' }] }, 'invoice');
      const paid = await post(
        `/v1/invoices/${inv.json.invoiceId}/payments`,
        { channel: 'CASH', amount: inv.json.total },
        'payment',
      );
      return { invoiceId: inv.json.invoiceId as string, receiptNo: paid.json.receiptNo as string };
    };
    // An invoice paid, reversed by a credit note, its period billed and paid again.
    const credited = await issuePaid();
    const note = await post(
      `/v1/invoices/${credited.invoiceId}/credit-notes`,
      { reason: '红冲' },
      'credit note',
    );
    const paid = await issuePaid();
    // A renovation of last year, finished and its deposit refunded (back-dated paper records).
    const old = await post('/v1/renovations', { unitId, cards: 1, date: '2025-07-01' }, 'old renovation');
    await post(
      `/v1/invoices/${old.json.invoice.invoiceId}/payments`,
      { channel: 'CASH', amount: old.json.invoice.total },
      'old renovation payment',
    );
    const oldCase = `/v1/renovations/${old.json.caseId}`;
    await post(`${oldCase}/acceptance`, { date: '2025-08-01', passed: true }, 'acceptance', 200);
    await post(`${oldCase}/reinspection`, { date: '2025-10-09', passed: true }, 'reinspection', 200);
    const refund = await post(`${oldCase}/refund`, { channel: 'CASH' }, 'refund');
    const open = await ok(
      h.call('POST', '/v1/invoices', {
        token: cashier,
        headers: { 'Idempotency-Key': randomUUID() },
        body: { unitId, items: [{ type: 'PROPERTY_FEE', periods: 1 }] },
      }),
      201,
      `open invoice for ${unitId}`,
    );
    const renovation = await ok(
      h.call('POST', '/v1/renovations', { token: cashier, body: { unitId, cards: 2 } }),
      201,
      `renovation of ${unitId}`,
    );
    const imported = await ok(
      h.call('POST', `/v1/estates/${estateId}/imports`, {
        token: await h.token('admin', { estates: [estateId] }),
        raw: '楼栋,房号,类型,建筑面积,交付日期\r\n导入栋,101,高层,89.56,2020-01-01\r\n',
        headers: { 'content-type': 'text/csv', 'Idempotency-Key': randomUUID() },
      }),
      201,
      `roster import in ${estateId}`,
    );
    // Payment orders and exceptions come from a provider (none in this harness): stored as one would have left them.
    const orderId = `${estateId}SAMPLE${unitId.replace(/[^0-9A-Za-z]/g, '')}`.slice(0, 32);
    const exceptionId = `WECHAT-42${orderId.length}${unitId.replace(/[^0-9]/g, '')}`;
    await h.db.transact([
      newOrderItem({
        orderId,
        outTradeNo: orderId,
        estateId,
        provider: 'WECHAT',
        invoiceId: open.json.invoiceId,
        unitId,
        amount: 100n,
        codeUrl: 'weixin://wxpay/bizpayurl?pr=SAMPLE',
        status: 'CLOSED',
        createdAtMs: h.clock.now,
        validUntilMs: h.clock.now,
        createdBy: 'someone-else',
        createdRole: 'owner',
      }),
      newExceptionItem({
        exceptionId,
        estateId,
        provider: 'WECHAT',
        outTradeNo: orderId,
        amount: 100n,
        providerTransactionId: exceptionId.slice(7),
        reason: 'AMOUNT_MISMATCH',
        status: 'OPEN',
        createdAtMs: h.clock.now,
      }),
    ]);
    const reconciled = await ok(
      h.call('POST', `/v1/estates/${estateId}/reconciliations`, {
        token: await h.token('accountant', { estates: [estateId] }),
        query: { provider: 'WECHAT', date: '2026-03-01' },
        raw: '交易时间,微信订单号,商户订单号,交易状态,订单金额\r\n',
        headers: { 'content-type': 'text/csv' },
      }),
      201,
      `reconciliation in ${estateId}`,
    );
    return {
      estateId,
      unitId,
      invoiceId: open.json.invoiceId,
      paidInvoiceId: paid.invoiceId,
      receiptNo: paid.receiptNo,
      creditNoteNo: note.json.creditNoteNo,
      refundNo: refund.json.refundNo,
      caseId: renovation.json.caseId,
      sessionId,
      importId: imported.json.importId,
      orderId,
      exceptionId,
      reconciliationId: reconciled.json.reconciliationId,
    };
  };
  const session = async (estateId: string) => {
    const gate = await h.token('gate', { estates: [estateId] });
    const r = await ok(
      h.call('POST', '/v1/parking/entries', {
        token: gate,
        body: { estateId, plate: '粤A12345', gateId: 'G1', at: '2026-03-01T08:00:00+08:00' },
      }),
      201,
      `parking entry in ${estateId}`,
    );
    return r.json.sessionId as string;
  };
  const demoSession = await session('DEMO');
  const fixtures: Record<Place, Fixture> = {
    own: await place('DEMO', demoUnits[0]!.unitId, demoSession),
    neighbour: await place('DEMO', demoUnits[1]!.unitId, demoSession),
    other: await place('OTHER', otherUnit.json.unitId, await session('OTHER')),
  };
  const tokens = Object.fromEntries(
    await Promise.all(
      roles.map(async (role) => [
        role,
        await h.token(role, role === 'owner' ? { sub: DEMO_OWNER, units: [fixtures.own.unitId] } : {}),
      ]),
    ),
  ) as Record<Role, string>;
  return { fixtures, tokens };
}
