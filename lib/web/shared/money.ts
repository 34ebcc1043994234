/**
 * Amounts on the page are the API's two-decimal strings. The only arithmetic the page does is a
 * plausibility check of what a cashier typed, in whole fen (bigint) — never a JS float. The change
 * shown to the payer is the API's `change`, not a local subtraction.
 */

const AMOUNT_RE = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

/** What a cashier typed ("3000", "3000.5", "３０００", "¥3,000.00") → "3000.50"-style, or undefined. */
export function normaliseAmount(input: string): string | undefined {
  const ascii = input
    .replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/\uff0e|。/g, '.')
    .replace(/[\s,,¥¥元]/g, '');
  if (!AMOUNT_RE.test(ascii)) return undefined;
  const [yuan, fen = ''] = ascii.split('.');
  return `${yuan}.${fen.padEnd(2, '0')}`;
}

export function toFen(amount: string): bigint {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (!m) throw new RangeError(`not a two-decimal amount: ${amount}`);
  const fen = BigInt(m[2]!) * 100n + BigInt(m[3]!);
  return m[1] ? -fen : fen;
}

/** How a cashier says it: 收您3000.00元,找您705.50元. */
export function changeSentence(r: { amount: string; tendered?: string; change?: string }): string {
  const tendered = r.tendered ?? r.amount;
  if (!r.change || toFen(r.change) === 0n) return `收您${tendered}元,金额正好,无需找零`;
  return `收您${tendered}元,找您${r.change}元`;
}

/** ¥2,294.50 for large print (grouping only; the digits are the API's). */
export function yuan(amount: string): string {
  const [int, dec] = amount.replace('-', '').split('.');
  const grouped = (int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount.startsWith('-') ? '-' : ''}¥${grouped}.${dec ?? '00'}`;
}
