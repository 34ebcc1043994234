/**
 * The arguments of `npm run token` (API.md "Local server"), checked before anything is signed: a
 * token that names a lower-case estate or an owner without a unit would be accepted and then match
 * nothing, which is worse than a refusal.
 */
import { parseArgs } from 'node:util';
import { ROLES } from '../../lib/billing/context.js';
import type { TokenSpec } from './dev-auth.js';

// The scheduler is the renewal job's own identity (IAM in AWS), not a person's group.
const STAFF = ROLES.filter((r) => r !== 'owner' && r !== 'scheduler');

export const TOKEN_USAGE = `usage: npm run token -- --role ROLE [--role ROLE …] [--estate ESTATE …] [--unit UNIT …] [--sub NAME]

Prints a bearer token that the local server (npm start) accepts, valid for 12 hours.

  --role ROLE      ${[...STAFF, 'owner'].join(', ')}; may repeat
  --estate ESTATE  estate id (2-12 upper-case letters or digits, e.g. DEMO) the staff roles
                   act in; may repeat or be comma-separated; \`*\` (every estate) for admin only
  --unit UNIT      unit id (e.g. DEMO-U0001) the owner role acts for; required with --role owner
  --sub NAME       the user's id (default: <role>-dev)
  --name TEXT      the display name printed on documents (the \`name\` claim; default: none, the sub)
  --help           this text

examples:
  npm run token -- --role cashier --estate DEMO
  npm run token -- --role owner --unit DEMO-U0001
  npm run token -- --role cashier --estate DEMO --role owner --unit DEMO-U0002`;

const ESTATE_ID = /^[A-Z0-9]{2,12}$/;
const UNIT_ID = /^[A-Z0-9]+(?:-[A-Z0-9]+)+$/;

export type TokenArgs = { help: true } | { help: false; spec: TokenSpec } | { help: false; error: string };

function split(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
}

export function parseTokenArgs(argv: string[]): TokenArgs {
  let values: {
    role?: string[];
    estate?: string[];
    unit?: string[];
    sub?: string;
    name?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        role: { type: 'string', multiple: true },
        estate: { type: 'string', multiple: true },
        unit: { type: 'string', multiple: true },
        sub: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    return { help: false, error: e instanceof Error ? e.message : String(e) };
  }
  if (values.help) return { help: true };

  const roles = [...new Set(split(values.role))];
  const estates = [...new Set(split(values.estate))];
  const units = [...new Set(split(values.unit))];
  const fail = (error: string): TokenArgs => ({ help: false, error });
  if (roles.length === 0) return fail('--role is required');
  const unknown = roles.find((r) => !(STAFF as readonly string[]).includes(r) && r !== 'owner');
  if (unknown !== undefined) return fail(`--role ${unknown} is not a role`);
  const staff = roles.filter((r) => r !== 'owner');
  const owner = roles.includes('owner');

  for (const estate of estates) {
    if (estate === '*' && roles.includes('admin')) continue;
    if (!ESTATE_ID.test(estate)) {
      return fail(`--estate ${estate} is not an estate id: 2-12 upper-case letters or digits, e.g. DEMO`);
    }
  }
  if (staff.length > 0 && estates.length === 0) return fail(`--role ${staff[0]} needs --estate`);
  if (estates.length > 0 && staff.length === 0)
    return fail('--estate scopes staff roles; the owner role takes --unit');
  for (const unit of units) {
    if (!UNIT_ID.test(unit)) return fail(`--unit ${unit} is not a unit id: upper-case, e.g. DEMO-U0001`);
  }
  if (owner && units.length === 0) return fail('--role owner needs --unit');
  if (!owner && units.length > 0) return fail('--unit scopes the owner role: add --role owner');
  if (values.sub !== undefined && !/^\S{1,128}$/.test(values.sub)) {
    return fail('--sub must be 1-128 characters without spaces');
  }
  if (values.name !== undefined && (values.name.trim() === '' || [...values.name].length > 50)) {
    return fail('--name must be 1-50 characters');
  }
  return {
    help: false,
    spec: {
      role: roles,
      // Per-role scopes (API.md): estates for the staff roles; an owner's estate is its unit's prefix.
      estates,
      units,
      ...(values.sub !== undefined ? { sub: values.sub } : {}),
      ...(values.name !== undefined ? { name: values.name.trim() } : {}),
    },
  };
}
