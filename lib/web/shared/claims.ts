/**
 * What a bearer token says about its holder, read for display and navigation only (which estate,
 * which units, who is signed in). The API verifies every token; nothing here is trusted for access.
 */

export interface TokenClaims {
  sub: string;
  roles: string[];
  estates: string[];
  units: string[];
  /** Expiry, epoch seconds. */
  exp?: number;
}

const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.map(String)
    : typeof v === 'string'
      ? v
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];

export function readClaims(token: string): TokenClaims | undefined {
  const part = token.trim().split('.')[1];
  if (!part) return undefined;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const p = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    if (typeof p['sub'] !== 'string') return undefined;
    return {
      sub: p['sub'],
      roles: list(p['cognito:groups']),
      estates: list(p['custom:estates']),
      units: list(p['custom:units']),
      ...(typeof p['exp'] === 'number' ? { exp: p['exp'] } : {}),
    };
  } catch {
    return undefined;
  }
}

/** True once the token's own expiry has passed (the API would answer 401). */
export function expired(c: TokenClaims, nowMs = Date.now()): boolean {
  return c.exp !== undefined && c.exp * 1000 <= nowMs;
}
