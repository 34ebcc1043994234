/**
 * The idle timeout: after `idleSeconds()` without a touch or a key (RECEIPT_IDLE_SECONDS on the
 * receipt screen, read at a glance), the kiosk goes back to the start screen and forgets the owner
 * (and any admin). A QR payment still pending is left through its own 取消支付 button, the same
 * path as an owner who cancels: polling stops and the service closes the order at the provider
 * when it expires, so nothing is charged after the kiosk has moved on.
 */

import { forgetPeople, idleSeconds, nav, RECEIPT_IDLE_SECONDS } from './state.js';
import { current, screen } from './ui.js';

let timer: ReturnType<typeof setTimeout> | undefined;

function limitMs(): number {
  const general = idleSeconds();
  return (current() === 'paid' ? Math.min(RECEIPT_IDLE_SECONDS, general) : general) * 1000;
}

function timeout(): void {
  timer = undefined;
  screen().querySelector<HTMLButtonElement>('[data-action="cancel-order"]')?.click();
  forgetPeople();
  nav.home();
}

/** Starts the clock again (every touch, key and new screen). The start screen itself never times out. */
export function resetIdle(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (current() === 'home') return;
  timer = setTimeout(timeout, limitMs());
}

export function watchIdle(): void {
  for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, resetIdle, { passive: true });
  document.addEventListener('kiosk:screen', resetIdle);
}
