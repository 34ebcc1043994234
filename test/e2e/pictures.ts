/**
 * The README's pictures (docs/pictures/): which screenshot of the browser tests becomes which
 * picture. `npm run pictures` runs those tests with PICTURES=1, and the harness's `shot` then also
 * writes the named screens here, viewport-sized and scaled to at most PICTURE_MAX_HEIGHT pixels
 * high so each PNG stays small. test/unit/readme-pictures.test.ts checks the README links them all.
 */
import { join } from 'node:path';

export const PICTURES_DIR = join(process.cwd(), 'docs', 'pictures');
/** A 1080×1920 kiosk becomes 540×960; the 1366×768 counter is kept as it is. */
export const PICTURE_MAX_HEIGHT = 960;
export const PICTURE_MAX_BYTES = 250 * 1024;

/** Screenshot name (test-artifacts/e2e/NAME.png) → picture (docs/pictures/PICTURE.png). */
export const PICTURE_OF: Readonly<Record<string, string>> = {
  // The counter as it is on main: the unit panel after a payment, the pay dialog, the parking desk, cash-up.
  'counter-2-paid': 'counter-unit',
  'counter-1-pay': 'counter-pay',
  'counter-desk-parking': 'counter-parking',
  'counter-3-cashup': 'counter-cashup',
  'counter-lookup-reversed': 'counter-lookup',
  'counter-arrears-report': 'counter-arrears',
  'counter-renovation-cases': 'counter-renovation',
  // The kiosk.
  'kiosk-1-home': 'kiosk-start',
  'kiosk-3-my-bills': 'kiosk-bills',
  'kiosk-5a-qr-code': 'kiosk-qr-payment',
  'kiosk-5-bill-paid': 'kiosk-receipt',
  'kiosk-2b-price-board': 'kiosk-price-board',
};

export const picturesWanted = (): boolean => process.env['PICTURES'] === '1';
