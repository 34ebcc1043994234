/**
 * What a document prints about who wrote it and what became of it (SPEC.md §5 reprints). No I/O
 * and no store imports: the counter and kiosk pages print with the same rules.
 *
 * - Who: the display name recorded on the document (the `name` claim of the token that wrote it),
 *   else the `sub`. Money taken at a kiosk prints 自助终端 and the terminal, never the owner's or
 *   the kiosk account's login name.
 * - State: a receipt whose invoice was reversed by a credit note prints 已冲红 and the credit note.
 */
import { type Channel, KIOSK_CHANNELS } from '../fee-types/catalog.js';

export const KIOSK_LABEL = '自助终端';

export const RECEIPT_STATES = ['VALID', 'REVERSED'] as const;
export type ReceiptState = (typeof RECEIPT_STATES)[number];
export const RECEIPT_STATE_NAMES: Record<ReceiptState, string> = { VALID: '有效', REVERSED: '已冲红' };

export const isKioskChannel = (channel: string): boolean =>
  (KIOSK_CHANNELS as readonly string[]).includes(channel);

/**
 * The terminal a kiosk payment came in at, read from its reference. Kiosks write
 * `{terminalId}-{attempt}` (lib/web/kiosk: the 终端编号 set on the device, then the payment
 * attempt): the part before the last `-`. A reference without a dash is a provider's transaction
 * id (WeChat Pay and Alipay confirm kiosk money now) and names no terminal; the payment order does.
 */
export function terminalOf(reference: string | undefined): string | undefined {
  if (!reference) return undefined;
  const cut = reference.lastIndexOf('-');
  return cut > 0 ? reference.slice(0, cut) : undefined;
}

/** Who took the money, as a receipt prints it: the cashier's name, or 自助终端 and the terminal. */
export function cashierDisplay(r: {
  channel: Channel | string;
  cashier: string;
  cashierName?: string | undefined;
  terminalId?: string | undefined;
  reference?: string | undefined;
}): string {
  if (isKioskChannel(r.channel)) {
    const terminal = r.terminalId ?? terminalOf(r.reference);
    return terminal ? `${KIOSK_LABEL} ${terminal}` : KIOSK_LABEL;
  }
  return r.cashierName ?? r.cashier;
}

/** Who wrote any other document (invoice, credit note, refund): the name recorded, else the sub. */
export const actorDisplay = (sub: string, name: string | undefined): string => name ?? sub;
