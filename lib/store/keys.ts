/**
 * The single-table design. Every entity, its key, and the access pattern the key serves.
 *
 * | entity                 | PK                          | SK                                   | serves                                        |
 * |------------------------|-----------------------------|--------------------------------------|-----------------------------------------------|
 * | estate                 | ESTATE#{e}                  | META                                 | get estate                                    |
 * | tariff version         | ESTATE#{e}                  | TARIFF#{effectiveFrom}               | versions of an estate (query, newest first)   |
 * | holiday calendar       | ESTATE#{e}                  | CALENDAR#{year}                      | working days of an estate (query)             |
 * | number series counter  | ESTATE#{e}                  | SEQ#{series}#{year}                  | gapless numbers (conditional update in the    |
 * |                        |                             |                                      | transaction that writes the document)         |
 * | unit-number guard      | ESTATE#{e}                  | UNITNO#{building}#[{entrance}#]{room}| one unit per building, entrance and room;     |
 * |                        |                             |                                      | holds address, owner name and phone tail for  |
 * |                        |                             |                                      | the unit search                               |
 * | roster import          | ESTATE#{e}                  | IMPORT#{importId}                    | an import's state, counts and row actions     |
 * | import chunk marker    | IMPORTCHUNK#{importId}      | {chunk}                              | a chunk committed once (resume, progress)     |
 * | opening-arrears marker | UNIT#{u}                    | OPENING#ARREARS                      | one opening-arrears invoice per unit          |
 * | space-number guard     | ESTATE#{e}                  | SPACENO#{spaceNo}                    | one registration per space                    |
 * | unit                   | UNIT#{u}                    | META                                 | get unit; GSI2 (sparse): renewal due by estate|
 * |                        |                             |                                      | billing state under a version lock            |
 * | space                  | UNIT#{u}                    | SPACE#{spaceNo}                      | a unit's spaces (query), each with billFrom   |
 * | billing claim          | UNIT#{u} / VEHICLE#{e}#{p}  | CLAIM#{feeCode}#{periodStart}        | a period has at most one live invoice line    |
 * | invoice (lines inside) | INVOICE#{invoiceNo}         | META                                 | get invoice; GSI1: invoices of a unit/vehicle |
 * | receipt (= payment)    | RECEIPT#{receiptNo}         | META                                 | get receipt; GSI1: receipts of a unit or of a |
 * |                        |                             |                                      | plate; GSI3: receipts of an estate, by date   |
 * | credit note            | CREDIT#{creditNoteNo}       | META                                 | get credit note                               |
 * | ledger entry           | LEDGER#{e}                  | {businessDate}#{at}#{doc}#{kind}#{n} | ledger by estate and date range, time order   |
 * | audit record           | AUDIT#{e}#{businessDate}    | {at}#{random}                        | who did what on a day                         |
 * | idempotency record     | IDEMP#{actor}#{key}         | META                                 | replay / refuse a retried request (TTL)       |
 * | parking session        | PARKING#{sessionId}         | META                                 | get session; GSI2 (sparse, only while open):  |
 * |                        |                             |                                      | open sessions of an estate by plate           |
 * | vehicle-inside guard   | ESTATE#{e}                  | INSIDE#{plate}                       | at most one open session per plate; set       |
 * |                        |                             |                                      | INSIDE/LEFT by entry and exit, never deleted  |
 * | free-plate marker      | ESTATE#{e}                  | FREEPLATE#{plate}#SPACE#{spaceNo}    | a registered plate parks free (gate lookup)   |
 * | rental lock            | VEHICLE#{e}#{p}             | RENTALS                              | a plate's rentals never overlap (version lock)|
 * | renovation case        | RENOVATION#{caseId}         | META                                 | get case (version lock); GSI2 (sparse, while  |
 * |                        |                             |                                      | a re-inspection or refund is due): due list   |
 * | current renovation     | UNIT#{u}                    | RENOVATION#CURRENT                   | one live case per unit (points at the case)   |
 * | deposit refund         | REFUND#{refundNo}           | META                                 | get refund                                    |
 * | drawer count (交班)     | CASHUP#{e}#{businessDate}   | {cashier}#{at}                       | a day's counts, per cashier (query; append)   |
 * | payment order          | PAYORDER#{outTradeNo}       | META                                 | get order (a notification names it); GSI2     |
 * |                        |                             |                                      | (sparse, while PENDING): by estate and expiry |
 * | pending-order guard    | PAYGUARD#{bill}#{provider}  | META                                 | one pending order per bill and provider       |
 * | payment exception      | PAYEXC#{provider}-{txnId}   | META                                 | one per provider transaction; GSI2: by estate |
 * |                        |                             |                                      | and status (lib/payments/store.ts)            |
 *
 * Further entities (parking sessions, rentals, renovation cases and deposits) add their rows here.
 * Invoice lines live inside the invoice item: an invoice is read and written whole, atomically,
 * and stays far below the 400 KB item limit (at most MAX_INVOICE_LINES lines).
 */

export const META = 'META';

export const key = {
  estate: (estateId: string) => ({ PK: `ESTATE#${estateId}`, SK: META }),
  tariff: (estateId: string, effectiveFrom: string) => ({
    PK: `ESTATE#${estateId}`,
    SK: `TARIFF#${effectiveFrom}`,
  }),
  calendar: (estateId: string, year: number) => ({ PK: `ESTATE#${estateId}`, SK: `CALENDAR#${year}` }),
  counter: (estateId: string, series: string, year: number | string) => ({
    PK: `ESTATE#${estateId}`,
    SK: `SEQ#${series}#${year}`,
  }),
  /** The entrance (单元) of a high-rise address is part of the key when given (SPEC.md §8). */
  unitNoGuard: (estateId: string, building: string, room: string, entrance?: string) => ({
    PK: `ESTATE#${estateId}`,
    SK: `UNITNO#${building}#${entrance ? `${entrance}#` : ''}${room}`,
  }),
  spaceNoGuard: (estateId: string, spaceNo: string) => ({
    PK: `ESTATE#${estateId}`,
    SK: `SPACENO#${spaceNo}`,
  }),
  unit: (unitId: string) => ({ PK: `UNIT#${unitId}`, SK: META }),
  space: (unitId: string, spaceNo: string) => ({ PK: `UNIT#${unitId}`, SK: `SPACE#${spaceNo}` }),
  claim: (owner: string, feeCode: string, periodStart: string) => ({
    PK: owner,
    SK: `CLAIM#${feeCode}#${periodStart}`,
  }),
  invoice: (invoiceNo: string) => ({ PK: `INVOICE#${invoiceNo}`, SK: META }),
  receipt: (receiptNo: string) => ({ PK: `RECEIPT#${receiptNo}`, SK: META }),
  creditNote: (creditNoteNo: string) => ({ PK: `CREDIT#${creditNoteNo}`, SK: META }),
  idempotency: (actor: string, idemKey: string) => ({ PK: `IDEMP#${actor}#${idemKey}`, SK: META }),
  parkingSession: (sessionId: string) => ({ PK: `PARKING#${sessionId}`, SK: META }),
  insideGuard: (estateId: string, plate: string) => ({ PK: `ESTATE#${estateId}`, SK: `INSIDE#${plate}` }),
  rentalLock: (estateId: string, plate: string) => ({ PK: `VEHICLE#${estateId}#${plate}`, SK: 'RENTALS' }),
  renovation: (caseId: string) => ({ PK: `RENOVATION#${caseId}`, SK: META }),
  currentRenovation: (unitId: string) => ({ PK: `UNIT#${unitId}`, SK: 'RENOVATION#CURRENT' }),
  depositRefund: (refundNo: string) => ({ PK: `REFUND#${refundNo}`, SK: META }),
  drawerCount: (estateId: string, date: string, cashier: string, at: string) => ({
    PK: `CASHUP#${estateId}#${date}`,
    SK: `${cashier}#${at}`,
  }),
  rosterImport: (estateId: string, importId: string) => ({
    PK: `ESTATE#${estateId}`,
    SK: `IMPORT#${importId}`,
  }),
  /** One per committed chunk of an import: its conditional put makes a retried chunk a no-op. */
  importChunk: (importId: string, chunk: number) => ({
    PK: `IMPORTCHUNK#${importId}`,
    SK: String(chunk).padStart(5, '0'),
  }),
  /** The unit's one opening-arrears invoice (SPEC.md §8): a second import cannot issue another. */
  openingArrears: (unitId: string) => ({ PK: `UNIT#${unitId}`, SK: 'OPENING#ARREARS' }),
} as const;

export const drawerCountPk = (estateId: string, date: string) => `CASHUP#${estateId}#${date}`;

/** The partition that owns a billing claim: a unit, or a vehicle in an estate for rentals. */
export const claimOwner = {
  unit: (unitId: string) => `UNIT#${unitId}`,
  vehicle: (estateId: string, plate: string) => `VEHICLE#${estateId}#${plate}`,
};

/** Prefix of a plate's free-plate markers (the trailing `#` keeps 粤B12345 apart from 粤B123456). */
export const freePlatePrefix = (plate: string) => `FREEPLATE#${plate}#`;

export const gsi1 = {
  /** Invoices of one billed party, by issue time. */
  invoicesOf: (billedTo: string) => `${billedTo}#INVOICES`,
  /** Receipts of one party (a unit, or a plate in an estate), sort key `receiptSortKey`. */
  receiptsOf: (party: string) => `${party}#RECEIPTS`,
};

export const gsi2 = {
  renewalDue: (estateId: string) => `ESTATE#${estateId}#RENEWAL`,
  openSessions: (estateId: string) => `ESTATE#${estateId}#PARKING_OPEN`,
  /** Renovation cases with a re-inspection or a refund due, by due date. */
  renovationDue: (estateId: string) => `ESTATE#${estateId}#RENOVATION_DUE`,
};

export const gsi3 = {
  /** Every receipt of an estate, sort key `receiptSortKey`: a day's receipts are one key prefix. */
  receipts: (estateId: string) => `ESTATE#${estateId}#RECEIPTS`,
};

/**
 * Where a receipt sorts in both of its lists: `{businessDate}#{epochMs}#{receiptNo}`. A day is a
 * `begins_with` on the date; newest first is the index read backwards.
 */
export const receiptSortKey = (businessDate: string, atMs: number, receiptNo: string) =>
  `${businessDate}#${String(atMs).padStart(13, '0')}#${receiptNo}`;

export const ledgerPk = (estateId: string) => `LEDGER#${estateId}`;
export const auditPk = (estateId: string, businessDate: string) => `AUDIT#${estateId}#${businessDate}`;

/** The index attributes a receipt gets (store/items.ts `receiptItem`, and the backfill of older receipts). */
export function receiptIndexKeys(r: {
  receiptNo: string;
  estateId: string;
  unitId?: string | undefined;
  plate?: string | undefined;
  paidAt: string;
  businessDate: string;
}): Record<string, string> {
  const sk = receiptSortKey(r.businessDate, Date.parse(r.paidAt), r.receiptNo);
  const party = r.unitId
    ? claimOwner.unit(r.unitId)
    : r.plate
      ? claimOwner.vehicle(r.estateId, r.plate)
      : undefined;
  return {
    ...(party ? { GSI1PK: gsi1.receiptsOf(party), GSI1SK: sk } : {}),
    GSI3PK: gsi3.receipts(r.estateId),
    GSI3SK: sk,
  };
}

/** Document number series. */
export const SERIES = {
  invoice: 'INV',
  receipt: 'RCP',
  creditNote: 'CRN',
  depositRefund: 'REF',
  unit: 'UNIT',
} as const;
export type Series = (typeof SERIES)[keyof typeof SERIES];

/**
 * Printed numbers: invoices `{estate}-{YYYY}-{NNNNNN}` (SPEC.md §5); the other series carry a letter
 * so that a receipt number can never be mistaken for an invoice number.
 */
export function documentNumber(series: Series, estateId: string, year: number, n: number): string {
  const seq = String(n).padStart(6, '0');
  switch (series) {
    case SERIES.invoice:
      return `${estateId}-${year}-${seq}`;
    case SERIES.receipt:
      return `${estateId}-R${year}-${seq}`;
    case SERIES.creditNote:
      return `${estateId}-C${year}-${seq}`;
    case SERIES.depositRefund:
      return `${estateId}-T${year}-${seq}`;
    default:
      return `${estateId}-U${String(n).padStart(4, '0')}`;
  }
}
