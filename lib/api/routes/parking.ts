/** Routes of temporary parking (gates, kiosks, the counter) and space rentals: API.md `/v1/parking`. */
import * as z from 'zod/mini';
import type { Invoice } from '../../billing/records.js';
import type { StayPart } from '../../fees/temp-parking.js';
import { formatFen } from '../../money.js';
import {
  type ExitResult,
  getSession,
  listOpenSessions,
  type ParkingPayment,
  type ParkingSession,
  payParking,
  recordEntry,
  recordExit,
} from '../../parking/parking.js';
import { rentSpace } from '../../parking/parking-rentals.js';
import { quoteSession, type SessionQuote } from '../../parking/stay.js';
import { refuseSelfReportedKiosk } from '../../payments/provider.js';
import { formatInstant, parseInstant } from '../../time.js';
import { requireEstate } from '../auth.js';
import { presentInvoice, presentReceipt } from '../present.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { loadInScope, page } from './common.js';

const KIOSK_AND_COUNTER = ['kiosk', 'cashier'] as const;

const plate = once(() =>
  z
    .string()
    .check(
      z.maxLength(20),
      z.meta({ description: 'Chinese plate; spaces, dots and dashes are ignored', examples: ['粤B12345'] }),
    ),
);
/**
 * An instant that is also a real time (`+24:00` or 08:60 pass the pattern): refused at the schema,
 * before a payment takes its Idempotency-Key.
 */
const instant = once(() =>
  s.instant().check(
    z.refine((v) => {
      try {
        parseInstant(v, 'at');
        return true;
      } catch {
        return false;
      }
    }, 'is not a real time'),
  ),
);
const gateEvent = once(() =>
  z.strictObject({
    estateId: s.estateId(),
    plate: plate(),
    gateId: z
      .string()
      .check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, dashes or underscores')),
    at: instant(),
  }),
);
const sessionParams = once(() => z.strictObject({ sessionId: s.docId() }));
const exitReason = once(() => z.enum(['FREE_STAY', 'PAID', 'OWNED_SPACE', 'RENTAL', 'PAYMENT_DUE']));

const session = once(() =>
  z.object({
    sessionId: z.string(),
    estateId: z.string(),
    plate: z.string(),
    status: z.enum(['OPEN', 'CLOSED']),
    entryAt: z.string(),
    entryGateId: z.string(),
    tariffVersion: z.string(),
    currency: z.literal('CNY'),
    paid: s.signedMoney(),
    receipts: z.array(z.string()),
    exitBy: z.optional(z.string()),
    exitAt: z.optional(z.string()),
    exitGateId: z.optional(z.string()),
    fee: z.optional(s.signedMoney()),
    exitReason: z.optional(exitReason()),
  }),
);

export function presentSession(x: ParkingSession) {
  return {
    sessionId: x.sessionId,
    estateId: x.estateId,
    plate: x.plate,
    status: x.status,
    entryAt: x.entryAt,
    entryGateId: x.entryGateId,
    tariffVersion: x.tariffVersion,
    currency: 'CNY' as const,
    paid: formatFen(x.paidFen),
    receipts: x.receipts,
    ...(x.exitByMs !== undefined ? { exitBy: formatInstant(x.exitByMs) } : {}),
    ...(x.exitMs !== undefined ? { exitAt: formatInstant(x.exitMs) } : {}),
    ...(x.exitGateId !== undefined ? { exitGateId: x.exitGateId } : {}),
    ...(x.feeFen !== undefined ? { fee: formatFen(x.feeFen) } : {}),
    ...(x.exitReason !== undefined ? { exitReason: x.exitReason } : {}),
  };
}

const exitResponse = once(() =>
  z.object({
    allowed: z.boolean(),
    sessionId: z.nullable(z.string()),
    currency: z.literal('CNY'),
    amountDue: s.signedMoney(),
    reason: exitReason(),
    durationMinutes: z.optional(z.int()),
    fee: s.signedMoney(),
    paid: s.signedMoney(),
  }),
);

function presentExit(r: ExitResult) {
  return {
    allowed: r.allowed,
    sessionId: r.sessionId ?? null,
    currency: 'CNY' as const,
    amountDue: formatFen(r.amountDue),
    reason: r.reason,
    ...(r.minutes !== undefined ? { durationMinutes: r.minutes } : {}),
    fee: formatFen(r.fee),
    paid: formatFen(r.paid),
  };
}

const quoteResponse = once(() =>
  z.object({
    sessionId: z.string(),
    estateId: z.string(),
    plate: z.string(),
    entryAt: z.string(),
    at: z.string(),
    durationMinutes: z.int(),
    duration: z.string(),
    fullDays: z.int(),
    band: z.nullable(z.object({ upToMinutes: z.int(), amount: s.signedMoney() })),
    tariffVersion: z.string(),
    currency: z.literal('CNY'),
    fee: s.signedMoney(),
    paid: s.signedMoney(),
    amountDue: s.signedMoney(),
    exitAllowed: z.boolean(),
    reason: exitReason(),
    exitBy: z.optional(z.string()),
    parts: z.optional(
      z.array(
        z.object({
          from: z.string(),
          to: z.string(),
          durationMinutes: z.int(),
          freeBy: z.nullable(z.literal('RENTAL')),
          fullDays: z.int(),
          band: z.nullable(z.object({ upToMinutes: z.int(), amount: s.signedMoney() })),
          fee: s.signedMoney(),
        }),
      ),
    ),
  }),
);

function presentPart(p: StayPart) {
  const c = p.charge;
  return {
    from: formatInstant(p.fromMs),
    to: formatInstant(p.toMs),
    durationMinutes: p.minutes,
    freeBy: p.covered ? ('RENTAL' as const) : null,
    fullDays: c?.fullDays ?? 0,
    band: c && c.bandUpTo > 0 ? { upToMinutes: c.bandUpTo, amount: formatFen(c.bandAmount) } : null,
    fee: formatFen(c?.amount ?? 0n),
  };
}

function presentQuote(q: SessionQuote) {
  const { session: x, assessment: a } = q;
  const charge = a.charge;
  return {
    sessionId: x.sessionId,
    estateId: x.estateId,
    plate: x.plate,
    entryAt: x.entryAt,
    at: formatInstant(q.atMs),
    durationMinutes: a.minutes,
    duration: `${Math.floor(a.minutes / 60)}小时${a.minutes % 60}分钟`,
    fullDays: charge?.fullDays ?? 0,
    band:
      charge && charge.bandUpTo > 0
        ? { upToMinutes: charge.bandUpTo, amount: formatFen(charge.bandAmount) }
        : null,
    tariffVersion: x.tariffVersion,
    currency: 'CNY' as const,
    fee: formatFen(a.fee),
    paid: formatFen(a.paid),
    amountDue: formatFen(a.amountDue),
    exitAllowed: a.allowed,
    reason: a.reason,
    ...(x.exitByMs !== undefined ? { exitBy: formatInstant(x.exitByMs) } : {}),
    // A stay cut by a rental: each part with its own band (fullDays and band above are then 0 and null).
    ...(a.parts ? { parts: a.parts.map(presentPart) } : {}),
  };
}

const paymentResponse = once(() => z.extend(s.receipt(), { exitBy: z.string() }));

function presentPayment(p: ParkingPayment) {
  return { ...presentReceipt(p.receipt), exitBy: formatInstant(p.exitByMs) };
}

const sessionInScope = (
  actor: Parameters<typeof loadInScope>[0],
  ctx: Parameters<typeof getSession>[0],
  id: string,
) => loadInScope(actor, `parking session ${id}`, () => getSession(ctx, id));

export const parkingRoutes = [
  route({
    method: 'POST',
    path: '/v1/parking/entries',
    operationId: 'recordParkingEntry',
    summary: 'A gate reports a vehicle entering; a plate already inside gets its open session back',
    group: 'parking',
    access: 'RW',
    roles: ['gate'],
    schemas: () => ({
      body: gateEvent(),
      response: z.extend(session(), { alreadyInside: z.boolean() }),
    }),
    status: 201,
    async handler({ body, actor, ctx }) {
      requireEstate(actor, body.estateId);
      const r = await recordEntry(ctx, body);
      return { ...presentSession(r.session), alreadyInside: r.alreadyInside };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/parking/exits',
    operationId: 'recordParkingExit',
    summary: 'A gate reports a vehicle leaving: allowed, or the amount still due',
    group: 'parking',
    access: 'RW',
    roles: ['gate'],
    schemas: () => ({
      body: gateEvent(),
      response: exitResponse(),
    }),
    status: 200,
    async handler({ body, actor, ctx }) {
      requireEstate(actor, body.estateId);
      return presentExit(await recordExit(ctx, body));
    },
  }),
  route({
    method: 'GET',
    path: '/v1/parking/sessions',
    operationId: 'listParkingSessions',
    summary: 'Open parking sessions of an estate, or of one plate',
    group: 'parking',
    access: 'RO',
    roles: KIOSK_AND_COUNTER,
    schemas: () => ({
      query: z.strictObject({
        estateId: s.estateId(),
        plate: z.optional(plate()),
        limit: s.limit(),
        cursor: s.cursor(),
      }),
      response: page(session()),
    }),
    status: 200,
    async handler({ query, actor, ctx }) {
      requireEstate(actor, query.estateId);
      const list = await listOpenSessions(ctx, query.estateId, {
        limit: query.limit,
        ...(query.plate !== undefined ? { plate: query.plate } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return {
        items: list.items.map(presentSession),
        ...(list.nextCursor ? { nextCursor: list.nextCursor } : {}),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/parking/sessions/{sessionId}/quote',
    operationId: 'quoteParkingSession',
    summary: 'What leaving at `at` (default now) costs: fee so far, band, duration, amount due',
    group: 'parking',
    access: 'RO',
    roles: KIOSK_AND_COUNTER,
    schemas: () => ({
      params: sessionParams(),
      query: z.strictObject({ at: z.optional(instant()) }),
      response: quoteResponse(),
    }),
    status: 200,
    async handler({ params, query, actor, ctx }) {
      const x = await sessionInScope(actor, ctx, params.sessionId);
      return presentQuote(await quoteSession(ctx, x, query.at));
    },
  }),
  route({
    method: 'POST',
    path: '/v1/parking/sessions/{sessionId}/payments',
    operationId: 'payParkingSession',
    summary:
      'Pay the amount due at `at` (default now) at the counter; returns the receipt and the exit deadline',
    group: 'parking',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      params: sessionParams(),
      body: z.strictObject({
        channel: s.channel(),
        amount: s.money(),
        tendered: z.optional(s.money()),
        at: z.optional(instant()),
        reference: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
      }),
      response: paymentResponse(),
    }),
    status: 201,
    idempotent: true,
    readsDuringLock: true,
    async handler({ params, body, actor, ctx, idem }) {
      refuseSelfReportedKiosk(body.channel);
      const session = await sessionInScope(actor, ctx, params.sessionId);
      return presentPayment(
        await payParking(ctx, params.sessionId, body, idem<ParkingPayment>(presentPayment), session),
      );
    },
  }),
  route({
    method: 'POST',
    path: '/v1/parking/rentals',
    operationId: 'rentParkingSpace',
    summary: 'Rent a shared or smart underground space for whole months: an invoice billed to the vehicle',
    group: 'parking',
    access: 'RW',
    roles: ['cashier'],
    schemas: () => ({
      body: z.strictObject({
        estateId: s.estateId(),
        plate: plate(),
        rentalKind: s.rentalKind(),
        startDate: s.date(),
        months: s.count(120),
      }),
      response: s.invoice(),
    }),
    status: 201,
    // A double click or a lost answer at the counter must not bill the plate a second rental.
    idempotent: true,
    async handler({ body, actor, ctx, idem }) {
      requireEstate(actor, body.estateId);
      return presentInvoice(await rentSpace(ctx, body, idem<Invoice>(presentInvoice)));
    },
  }),
];
