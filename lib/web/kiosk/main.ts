/**
 * The self-service kiosk (自助缴费机): a touch screen in the lobby or at the car park exit. Owners
 * sign in and pay their own invoices; anyone enters a plate and pays the temporary-parking fee,
 * then sees the time by which the car must leave. The fee policy and the price board are one tap
 * away. Terminal settings need an admin's token (settings.ts); an idle screen goes home (idle.ts).
 *
 * Screens: owner.ts (bills), parking.ts, checkout.ts (wallets, QR, receipt), tariffs.ts.
 */
import { loadConfig } from '../shared/api.js';
import { expired, readClaims } from '../shared/claims.js';
import { byId, h } from '../shared/dom.js';
import { watchIdle } from './idle.js';
import { ownerSignIn } from './owner.js';
import { parking } from './parking.js';
import { adminSignIn } from './settings.js';
import { connect, DEVICE_TOKEN_KEY, forgetPeople, k, nav } from './state.js';
import { priceBoard, tariffs } from './tariffs.js';
import { button, show, tile, wireRetry } from './ui.js';

function home(): void {
  forgetPeople();
  if (!k.deviceToken) {
    adminSignIn();
    return;
  }
  show(
    'home',
    h('p', { class: 'welcome' }, '请选择业务', h('span', { class: 'en', lang: 'en' }, 'Please choose')),
    h(
      'nav',
      { class: 'tiles', 'aria-label': '请选择业务' },
      tile('缴纳物业账单', 'Pay my property bills', () => ownerSignIn()),
      tile('临时停车缴费', 'Pay for parking', () => parking()),
      tile('查看收费标准', 'Fee policy', () => void tariffs(), 'secondary'),
      tile('明码标价', 'Price board', () => void priceBoard(), 'secondary'),
    ),
    h(
      'p',
      { class: 'setup-link' },
      button('终端设置', () => adminSignIn(), { class: 'link' }),
    ),
  );
}

async function main(): Promise<void> {
  connect(await loadConfig());
  nav.home = home;
  nav.tariffs = tariffs;
  byId('home').addEventListener('click', () => home());
  wireRetry();
  watchIdle();
  const saved = localStorage.getItem(DEVICE_TOKEN_KEY);
  const c = saved ? readClaims(saved) : undefined;
  if (saved && c && !expired(c) && c.roles.includes('kiosk')) {
    k.deviceToken = saved;
    k.device = c;
  }
  home();
  document.body.dataset['ready'] = 'true';
}

void main();
