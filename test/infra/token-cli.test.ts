// `npm run token` as a shell runs it: usage on --help (exit 0), usage and exit 2 for a mistake (no
// stack trace), and otherwise a token the local server's verifier accepts with the asked claims.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyDevToken } from '../../infra/local/dev-auth.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function token(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/token.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'development' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run token', () => {
  it('prints the usage and exits 0 on --help', () => {
    const r = token('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run token -- --role ROLE/);
    expect(r.stderr).toBe('');
  });

  it('prints what is wrong and the usage, exit 2 and no stack trace, for a missing or unknown argument', () => {
    for (const args of [[], ['--role', 'owner'], ['--role', 'cashier', '--estate', 'demo'], ['--bogus']]) {
      const r = token(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^npm run token: .+\n\nusage: npm run token/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  }, 60_000);

  it('signs a token with one role per --role, estates for the staff roles and units for the owner', async () => {
    const r = token(
      '--role',
      'cashier',
      '--estate',
      'DEMO',
      '--role',
      'owner',
      '--unit',
      'DEMO-U0002',
      '--sub',
      'li',
    );
    expect(r.code, r.stderr).toBe(0);
    const claims = await verifyDevToken(r.stdout.trim());
    expect(claims).toMatchObject({
      sub: 'li',
      'cognito:groups': ['cashier', 'owner'],
      'custom:estates': 'DEMO',
      'custom:units': 'DEMO-U0002',
    });
  });
});
