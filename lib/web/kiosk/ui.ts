/**
 * The kiosk's screen furniture: one screen at a time in `#screen`, one sentence of trouble in
 * `#problem` (with a real 重试 button whenever the sentence asks for one), Chinese-first headings
 * with English as small secondary text, and buttons sized for a finger.
 */
import { sentenceFor } from '../shared/api.js';
import { whileBusy } from '../shared/busy.js';
import { byId, type Child, fill, h } from '../shared/dom.js';

export const screen = (): HTMLElement => byId('screen');
export const current = (): string | undefined => screen().dataset['screen'];

let retryAction: (() => void) | undefined;

export function clearMessages(): void {
  byId('notice').textContent = '';
  byId('problem').hidden = true;
  byId('retry-row').hidden = true;
  retryAction = undefined;
}

/**
 * Shows what went wrong. With `retry`, a 重试 button under the sentence repeats the failed action
 * (a payment retried this way resends its Idempotency-Key, so it is never charged twice).
 */
export function complain(e: unknown, extra = '', retry?: () => void): void {
  clearMessages();
  const p = byId('problem');
  p.textContent = `${typeof e === 'string' ? e : sentenceFor(e)}${extra}`;
  p.hidden = false;
  if (retry) {
    retryAction = retry;
    byId('retry-row').hidden = false;
  }
}

/** Wires the 重试 button once (main.ts). */
export function wireRetry(): void {
  byId('retry').addEventListener('click', () => {
    const again = retryAction;
    clearMessages();
    again?.();
  });
}

export function show(name: string, ...children: (Child | Child[])[]): void {
  clearMessages();
  const main = screen();
  main.dataset['screen'] = name;
  delete main.dataset['order'];
  fill(main, ...children);
  byId('home').hidden = name === 'home' || name === 'admin-sign-in';
  main.querySelector<HTMLElement>('[autofocus]')?.focus();
  window.scrollTo(0, 0);
  document.dispatchEvent(new CustomEvent('kiosk:screen', { detail: name }));
}

/** A heading in Chinese with its English line beneath, small. */
export function title(zh: string, en: string, attrs: Record<string, string> = {}): HTMLElement {
  return h('h2', attrs, zh, h('span', { class: 'en', lang: 'en' }, en));
}

export function button(
  label: string,
  onTap: (b: HTMLButtonElement) => Promise<void> | void,
  attrs: Record<string, string> = {},
): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', () => void onTap(b));
  return b;
}

/** A busy button whose press also locks its siblings (one payment channel at a time). */
export function lockGroup(
  group: HTMLElement,
  b: HTMLButtonElement,
  label: string,
  work: () => Promise<void>,
): Promise<unknown> {
  const others = [...group.querySelectorAll('button')].filter((x) => x !== b);
  for (const o of others) o.disabled = true;
  return whileBusy(b, label, work).finally(() => {
    for (const o of others) o.disabled = false;
  });
}

/** A start-screen tile: the Chinese name large, its English small beneath; named by the Chinese. */
export function tile(zh: string, en: string, onTap: () => void, extra = ''): HTMLButtonElement {
  const b = h(
    'button',
    { type: 'button', class: `tile ${extra}`.trim(), 'aria-label': zh },
    h('span', {}, zh),
  );
  b.append(h('span', { class: 'en', lang: 'en' }, en));
  b.addEventListener('click', onTap);
  return b;
}
