/**
 * What every desk screen of the counter (停车缴费, 车位租赁, 装修, 已缴账单/红冲) gets from main.ts,
 * and the one shape they give back: main.ts closes every screen when the open flat is forgotten,
 * so nothing typed on one screen can land on another flat or another car.
 */
import type { Api } from '../shared/api.js';
import { byId } from '../shared/dom.js';
import type { Invoice, Unit } from '../shared/types.js';

export interface DeskDeps {
  api: Api;
  /** The estate picked on the find form. */
  estate: () => string;
  say: (text: string) => void;
  complain: (e: unknown, extra?: string) => void;
  clearMessages: () => void;
  /** The flat open on the desk, if any. */
  unit: () => Unit | undefined;
  /** Re-reads the open flat (its paid-through date and open bills) after a change. */
  refreshUnit: () => Promise<void>;
  /** The counter's pay dialog (cash with change, cheque, transfer) for an invoice. */
  openPay: (inv: Invoice) => void;
}

export interface DeskScreen {
  /** The section's id: Esc closes the screen whose section is showing. */
  readonly section: string;
  open(): void | Promise<void>;
  /** Hides the screen and forgets what it held (the attempt, the case, the session). */
  close(): void;
}

/** Today in Asia/Shanghai, the business day the API uses. */
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

export function input(id: string): HTMLInputElement {
  return byId<HTMLInputElement>(id);
}

/** A form's submit runs `work` once at a time (whileBusy is applied by the caller's button). */
export function onSubmit(formId: string, work: () => void): void {
  byId<HTMLFormElement>(formId).addEventListener('submit', (e) => {
    e.preventDefault();
    work();
  });
}

/** The words for the reference a channel needs, or undefined for cash. */
export const REFERENCE_NAMES: Record<string, string> = {
  CHEQUE: '支票号',
  TRANSFER: '转账流水号',
};
