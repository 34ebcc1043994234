// Issue 17 items 10 and 11, the pure rules: where a display name comes from (the `name` claim, kept
// tidy; `npm run token --name`), who a receipt says took the money (自助终端 and the terminal for
// kiosk channels), and the one rule that turns a half-open period into the last day people read.
import { describe, expect, it } from 'vitest';
import { parseTokenArgs } from '../../infra/local/token-args.js';
import { actorFromClaims } from '../../lib/api/auth.js';
import { cashierDisplay, terminalOf } from '../../lib/billing/printed.js';
import { lastDay, periodText } from '../../lib/period-text.js';

const claims = (extra: Record<string, unknown>) => ({
  sub: 'wang01',
  'cognito:groups': ['cashier'],
  'custom:estates': 'DEMO',
  ...extra,
});

describe('display names', () => {
  it('come from the name claim, trimmed, without control characters, at most 50 characters', () => {
    expect(actorFromClaims(claims({ name: ' 王小红\n' }), ['cashier']).name).toBe('王小红');
    expect(actorFromClaims(claims({ name: '王'.repeat(60) }), ['cashier']).name).toBe('王'.repeat(50));
    expect(actorFromClaims(claims({}), ['cashier']).name).toBeUndefined();
    expect(actorFromClaims(claims({ name: '   ' }), ['cashier']).name).toBeUndefined();
    expect(actorFromClaims(claims({ name: 42 }), ['cashier']).name).toBeUndefined();
  });

  it('npm run token --name puts one in the token; an empty or overlong name is refused', () => {
    const ok = parseTokenArgs(['--role', 'cashier', '--estate', 'DEMO', '--name', ' 王小红 ']);
    expect('spec' in ok && ok.spec.name).toBe('王小红');
    const empty = parseTokenArgs(['--role', 'cashier', '--estate', 'DEMO', '--name', ' ']);
    expect('error' in empty && empty.error).toMatch(/--name/);
    const long = parseTokenArgs(['--role', 'cashier', '--estate', 'DEMO', '--name', 'x'.repeat(51)]);
    expect('error' in long && long.error).toMatch(/--name/);
  });

  it('a receipt names the cashier, or 自助终端 and the terminal for kiosk money', () => {
    expect(cashierDisplay({ channel: 'CASH', cashier: 'wang01', cashierName: '王小红' })).toBe('王小红');
    expect(cashierDisplay({ channel: 'TRANSFER', cashier: 'wang01' })).toBe('wang01');
    const kiosk = { channel: 'KIOSK_WECHAT', cashier: 'owner-demo', cashierName: '业主' };
    expect(cashierDisplay({ ...kiosk, terminalId: 'LOBBY-07' })).toBe('自助终端 LOBBY-07');
    // A receipt written before terminals were recorded: read from its reference.
    expect(cashierDisplay({ ...kiosk, reference: 'LOBBY-07-1a2b3c4d' })).toBe('自助终端 LOBBY-07');
    expect(cashierDisplay({ ...kiosk })).toBe('自助终端');
    expect(terminalOf('K1-ab')).toBe('K1');
    // A provider's transaction id (kiosk money is provider-confirmed) names no terminal.
    expect(terminalOf('4200001234567890')).toBeUndefined();
    expect(cashierDisplay({ ...kiosk, reference: '4200001234567890' })).toBe('自助终端');
    expect(terminalOf('-x')).toBeUndefined();
    expect(terminalOf(undefined)).toBeUndefined();
  });
});

describe('periods people read', () => {
  it('end on the inclusive last day: the day before the exclusive end', () => {
    expect(periodText({ start: '2026-06-01', end: '2027-06-01' })).toBe('2026-06-01 至 2027-05-31');
    expect(lastDay('2024-03-01')).toBe('2024-02-29');
    expect(lastDay('2025-03-01')).toBe('2025-02-28');
    expect(lastDay('2026-01-01')).toBe('2025-12-31');
    expect(periodText(undefined)).toBe('');
  });
});
