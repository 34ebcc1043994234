/** Routes of units and their parking spaces. */
import * as z from 'zod/mini';
import { openInvoices } from '../../billing/invoices.js';
import { createUnit, getUnit, listSpaces, registerSpace } from '../../billing/units.js';
import { claimOwner } from '../../store/keys.js';
import { loadInScope, requireEstate } from '../auth.js';
import { presentUnit } from '../present.js';
import { once, route } from '../route.js';
import * as s from '../schemas.js';
import { estateParams, STAFF } from './common.js';
import { presentUnitArrears, unitArrearsSchema } from './unit-arrears.js';

const unitParams = once(() => z.strictObject({ unitId: s.docId() }));

const space = once(() =>
  z.object({
    unitId: z.string(),
    estateId: z.string(),
    spaceNo: z.string(),
    kind: z.enum(['OWNED', 'USE_RIGHT']),
    plates: z.array(z.string()),
    /** First day the space is billed (SPEC.md §4.1): never for time before it. */
    billFrom: s.date(),
  }),
);
/** A unit as the API shows it; the unit-search route lists the same shape without spaces and invoices. */
export const unitSchema = once(() =>
  z.object({
    unitId: z.string(),
    estateId: z.string(),
    building: z.string(),
    room: z.string(),
    unitType: s.unitType(),
    area: z.string(),
    deliveryDate: s.date(),
    ownerIds: z.array(z.string()),
    occupantName: z.optional(z.string()),
    paidThrough: z.nullable(s.date()),
    createdAt: z.string(),
    entrance: z.optional(z.string()),
    ownerName: z.optional(z.string()),
    phone: z.optional(z.string()),
    billingAnchor: z.optional(s.date()),
    openingArrears: z.optional(s.money()),
    spaces: z.optional(z.array(space())),
    openInvoices: z.optional(z.array(s.invoice())),
    arrears: z.optional(unitArrearsSchema),
  }),
);

export const unitRoutes = [
  route({
    method: 'POST',
    path: '/v1/estates/{estateId}/units',
    operationId: 'createUnit',
    summary: 'Create a unit',
    group: 'billing',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      params: estateParams(),
      body: z.strictObject({
        building: s.text(20),
        room: s.text(20),
        unitType: s.unitType(),
        area: s.area(),
        deliveryDate: s.date(),
        ownerIds: z.array(s.text(128)).check(z.maxLength(20)),
        occupantName: z.optional(s.text(50)),
      }),
      response: unitSchema(),
    }),
    status: 201,
    async handler({ params, body, actor, ctx }) {
      requireEstate(actor, params.estateId);
      return presentUnit(await createUnit(ctx, params.estateId, body));
    },
  }),
  route({
    method: 'GET',
    path: '/v1/units/{unitId}',
    operationId: 'getUnit',
    summary: 'A unit with its paid-through date, spaces and open invoices',
    group: 'billing',
    access: 'RO',
    roles: [...STAFF, 'owner'],
    schemas: () => ({
      params: unitParams(),
      response: unitSchema(),
    }),
    status: 200,
    async handler({ params, actor, ctx }) {
      const u = await loadInScope(actor, `unit ${params.unitId}`, () => getUnit(ctx, params.unitId));
      const [spaces, open] = await Promise.all([
        listSpaces(ctx, u.unitId),
        openInvoices(ctx, claimOwner.unit(u.unitId)),
      ]);
      // Arrears show where people look (counter, kiosk): what is due by today and unpaid.
      return { ...presentUnit(u, { spaces, openInvoices: open }), arrears: presentUnitArrears(u, open, ctx) };
    },
  }),
  route({
    method: 'POST',
    path: '/v1/units/{unitId}/spaces',
    operationId: 'registerSpace',
    summary: 'Register an owned or use-right parking space with its plates',
    group: 'billing',
    access: 'RW',
    roles: ['admin'],
    schemas: () => ({
      params: unitParams(),
      body: z.strictObject({
        spaceNo: z.string().check(z.regex(/^[A-Za-z0-9-]{1,20}$/, 'must be 1-20 letters, digits or dashes')),
        kind: z.enum(['OWNED', 'USE_RIGHT']),
        plates: z.array(z.string().check(z.maxLength(20))).check(z.maxLength(5)),
      }),
      response: space(),
    }),
    status: 201,
    async handler({ params, body, actor, ctx }) {
      await loadInScope(actor, `unit ${params.unitId}`, () => getUnit(ctx, params.unitId));
      return registerSpace(ctx, params.unitId, body);
    },
  }),
];
