// `npm run token`'s arguments (API.md "Local server"): every refusal names what is wrong, and the
// claims follow the per-role scopes (estates for staff roles, units for the owner role).
import { describe, expect, it } from 'vitest';
import { parseTokenArgs } from '../../infra/local/token-args.js';

const spec = (...argv: string[]) => {
  const got = parseTokenArgs(argv);
  if (!('spec' in got))
    throw new Error(`expected a token spec for ${argv.join(' ')}: ${JSON.stringify(got)}`);
  return got.spec;
};
const error = (...argv: string[]) => {
  const got = parseTokenArgs(argv);
  if (!('error' in got)) throw new Error(`expected a refusal for ${argv.join(' ')}: ${JSON.stringify(got)}`);
  return got.error;
};

describe('npm run token arguments', () => {
  it('asks for help with --help or -h, whatever else is given', () => {
    expect(parseTokenArgs(['--help'])).toEqual({ help: true });
    expect(parseTokenArgs(['-h', '--role', 'cashier'])).toEqual({ help: true });
  });

  it('scopes a staff role to its estates', () => {
    expect(spec('--role', 'cashier', '--estate', 'DEMO', '--estate', 'E2,E3')).toEqual({
      role: ['cashier'],
      estates: ['DEMO', 'E2', 'E3'],
      units: [],
    });
    expect(spec('--role', 'admin', '--estate', '*', '--sub', 'ops-1')).toMatchObject({
      estates: ['*'],
      sub: 'ops-1',
    });
  });

  it('scopes the owner role to units only (their estate is the unit id prefix, read by the server)', () => {
    expect(spec('--role', 'owner', '--unit', 'DEMO-U0001')).toEqual({
      role: ['owner'],
      estates: [],
      units: ['DEMO-U0001'],
    });
  });

  it('keeps the staff scope to --estate when a token carries both a staff role and the owner role', () => {
    expect(spec('--role', 'cashier', '--estate', 'A1', '--role', 'owner', '--unit', 'B2-U0007')).toEqual({
      role: ['cashier', 'owner'],
      estates: ['A1'],
      units: ['B2-U0007'],
    });
  });

  it('refuses what would sign a token that can do nothing', () => {
    expect(error()).toBe('--role is required');
    expect(error('--role', 'owner')).toBe('--role owner needs --unit');
    expect(error('--role', 'cashier')).toBe('--role cashier needs --estate');
    expect(error('--role', 'cashier', '--estate', 'demo')).toMatch(/^--estate demo is not an estate id/);
    expect(error('--role', 'cashier', '--estate', 'D')).toMatch(/^--estate D is not an estate id/);
    expect(error('--role', 'cashier', '--estate', 'ABCDEFGHIJKLM')).toMatch(/is not an estate id/);
    expect(error('--role', 'cashier', '--estate', '*')).toMatch(/^--estate \* is not an estate id/);
    expect(error('--role', 'owner', '--unit', 'demo-u0001')).toMatch(/^--unit demo-u0001 is not a unit id/);
    expect(error('--role', 'cashier', '--estate', 'DEMO', '--unit', 'DEMO-U0001')).toMatch(
      /add --role owner/,
    );
    expect(error('--role', 'owner', '--estate', 'DEMO', '--unit', 'DEMO-U0001')).toMatch(
      /--estate scopes staff roles/,
    );
    expect(error('--role', 'janitor', '--estate', 'DEMO')).toBe('--role janitor is not a role');
    expect(error('--role', 'scheduler', '--estate', 'DEMO')).toBe('--role scheduler is not a role');
  });

  it('refuses unknown options, positionals and options without their value', () => {
    expect(error('--role', 'cashier', '--estate', 'DEMO', '--estates', 'X')).toMatch(
      /Unknown option '--estates'/,
    );
    expect(error('cashier')).toMatch(/positional/);
    expect(error('--role')).toMatch(/argument missing/);
  });
});
