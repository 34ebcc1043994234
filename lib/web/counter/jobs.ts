/**
 * The desk jobs wired to their buttons and keys (moved out of main.ts): 停车缴费 (F3) and 车位租赁
 * (F4) stand alone, so opening one forgets the open flat; 装修 (F6) and 已缴账单 / 红冲 (F7) work on
 * the open flat. F8 查单/补打 and F10 欠费/催缴 stand alone too. F2 goes back to 楼栋, F9 opens 日结;
 * Esc closes the innermost dialog.
 */
import { byId } from '../shared/dom.js';
import type { Unit } from '../shared/types.js';
import { arrearsScreen } from './arrears-report.js';
import { creditScreen } from './credit.js';
import type { DeskDeps, DeskScreen } from './desk.js';
import { showIssueWarning } from './issue-warning.js';
import { bindDeskKeys, closes } from './keys.js';
import { lookupScreen } from './lookup.js';
import { parkingScreen } from './parking.js';
import { renovationScreen } from './renovation.js';
import { rentalScreen } from './rental.js';

export function wireDeskJobs(o: {
  deps: DeskDeps;
  signedIn: () => boolean;
  forgetUnit: () => void;
  openCashup: () => void;
  unit: () => Unit | undefined;
}): { screens: DeskScreen[]; refresh: () => Promise<void> } {
  const parking = parkingScreen(o.deps);
  const rental = rentalScreen(o.deps);
  const renovation = renovationScreen(o.deps);
  const credit = creditScreen(o.deps);
  const lookup = lookupScreen(o.deps);
  const arrears = arrearsScreen(o.deps);
  const screens: DeskScreen[] = [parking, rental, renovation, credit, lookup, arrears];
  const standalone = (s: DeskScreen) => () => {
    if (!o.signedIn()) return;
    o.forgetUnit();
    void s.open();
  };
  const ofUnit = (s: DeskScreen) => () => {
    if (o.signedIn()) void s.open();
  };
  const shortcuts: Record<string, () => void> = {
    F2: () => {
      if (o.signedIn()) byId<HTMLInputElement>('building').select();
    },
    F3: standalone(parking),
    F4: standalone(rental),
    F6: ofUnit(renovation),
    F7: ofUnit(credit),
    F8: standalone(lookup),
    F9: o.openCashup,
    F10: standalone(arrears),
  };
  byId('parking-open').addEventListener('click', shortcuts['F3']!);
  byId('rental-open').addEventListener('click', shortcuts['F4']!);
  byId('renovation-open').addEventListener('click', shortcuts['F6']!);
  byId('paid-open').addEventListener('click', shortcuts['F7']!);
  byId('lookup-open').addEventListener('click', shortcuts['F8']!);
  byId('arrears-open').addEventListener('click', shortcuts['F10']!);
  byId('lookup-cancel').addEventListener('click', () => lookup.close());
  byId('arrears-cancel').addEventListener('click', () => arrears.close());
  for (const id of ['periods', 'issue-property'])
    byId(id).addEventListener('change', () => showIssueWarning(o.unit()));
  const section = (id: string) => () => byId(id);
  bindDeskKeys({
    active: o.signedIn,
    shortcuts,
    escape: [
      closes(section('credit-form'), () => byId('credit-cancel').click()),
      closes(section('void'), () => byId('void-cancel').click()),
      closes(section('pay'), () => byId(byId('pay-close').hidden ? 'pay-cancel' : 'pay-close').click()),
      ...screens.map((s) => closes(section(s.section), () => s.close())),
      closes(section('cashup'), () => {
        byId('cashup').hidden = true;
      }),
    ],
    idle: () => {
      o.forgetUnit();
      byId<HTMLInputElement>('building').value = '';
      byId<HTMLInputElement>('room').value = '';
      byId<HTMLInputElement>('building').focus();
    },
  });
  return { screens, refresh: () => renovation.refresh() };
}
