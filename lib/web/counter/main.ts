/**
 * The counter console (收费台): a cashier signs in, finds a unit by building and room, issues the
 * move-in or renewal invoice, takes the money (cash with change, cheque, transfer), voids with a
 * reason and prints the receipt. Every action goes through the HTTP API; nothing is computed here
 * that the API does not say.
 */

import { addressOf } from '../../address.js';
import { CHANNEL_TYPES, COUNTER_CHANNELS } from '../../fee-types/catalog.js';
import { Api, ApiProblem, loadConfig, sentenceFor } from '../shared/api.js';
import { overdueFirst } from '../shared/arrears.js';
import { PaymentAttempt } from '../shared/attempt.js';
import { whileBusy } from '../shared/busy.js';
import { expired, readClaims, type TokenClaims } from '../shared/claims.js';
import { byId, fill, h } from '../shared/dom.js';
import { feeName, UNIT_TYPE_NAMES } from '../shared/format.js';
import { ISSUE_RETRY_HINT, MESSAGES } from '../shared/messages.js';
import type { Invoice, Page, Unit } from '../shared/types.js';
import { markOverdue, renderArrears } from './arrears.js';
import { openBillsTable } from './bills.js';
import { type CashupScreen, cashupScreen } from './cashup.js';
import type { DeskScreen } from './desk.js';
import { openImportScreen } from './import.js';
import { showIssueWarning } from './issue-warning.js';
import { wireDeskJobs } from './jobs.js';
import { type PayDesk, payDesk } from './pay.js';
import { unitFacts } from './unit-panel.js';

const TOKEN_KEY = 'counter.token';
const HEADER_BUTTONS = ['parking-open', 'rental-open', 'lookup-open', 'cashup-open', 'arrears-open'];

let api: Api;
let apiBaseUrl = '';
let token: string | undefined;
let claims: TokenClaims | undefined;
let unit: Unit | undefined;
/** The invoice being issued: one Idempotency-Key per intended invoice, kept until it is issued or refused. */
let issuing: PaymentAttempt<Invoice> | undefined;
let desk: PayDesk | undefined;
let cashup: CashupScreen | undefined;
/** The desk jobs (停车, 租赁, 装修, 红冲): forgetUnit closes every one of them. */
let screens: DeskScreen[] = [];
let refreshJobs: (() => Promise<void>) | undefined;

const el = {
  who: () => byId('who'),
  signOut: () => byId<HTMLButtonElement>('sign-out'),
  notice: () => byId('notice'),
  problem: () => byId('problem'),
  signIn: () => byId('sign-in'),
  desk: () => byId('desk'),
  estate: () => byId<HTMLSelectElement>('estate'),
};

function say(text: string): void {
  el.problem().hidden = true;
  el.notice().textContent = text;
}

function complain(e: unknown, extra = ''): void {
  el.notice().textContent = '';
  const p = el.problem();
  p.textContent = `${typeof e === 'string' ? e : sentenceFor(e)}${extra}`;
  p.hidden = false;
  if (e instanceof ApiProblem && e.status === 401) signOut(false);
}

function clearMessages(): void {
  el.notice().textContent = '';
  el.problem().hidden = true;
}

// ---- sign-in ----------------------------------------------------------------------------------

function acceptToken(raw: string): TokenClaims | string {
  const c = readClaims(raw);
  if (!c) return '这个登录令牌无法识别,请重新复制完整的令牌后再试。';
  if (expired(c)) return MESSAGES['UNAUTHORIZED']!;
  // An admin signs in to the roster import (期初建账, ./import.ts).
  if (!c.roles.includes('cashier') && !c.roles.includes('admin'))
    return '这个令牌不是收费员账号,请使用收费员的登录令牌。';
  if (c.estates.length === 0) return MESSAGES['OUTSIDE_ESTATE']!;
  return c;
}

async function signIn(raw: string): Promise<void> {
  const c = acceptToken(raw);
  if (typeof c === 'string') return complain(c);
  token = raw.trim();
  claims = c;
  try {
    // Proves the API accepts the token before the desk opens.
    await api.call<Page<Unit>>('GET', `/v1/estates/${encodeURIComponent(c.estates[0]!)}/units`, {
      query: { limit: '1' },
    });
  } catch (e) {
    token = undefined;
    claims = undefined;
    return complain(e);
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  showDesk();
}

function signOut(clear = true): void {
  token = undefined;
  claims = undefined;
  unit = undefined;
  issuing = undefined;
  desk?.forget();
  sessionStorage.removeItem(TOKEN_KEY);
  el.desk().hidden = true;
  byId('import-page').hidden = true;
  el.signIn().hidden = false;
  el.who().hidden = true;
  el.signOut().hidden = true;
  for (const id of HEADER_BUTTONS) byId(id).hidden = true;
  for (const s of screens) s.close();
  byId<HTMLTextAreaElement>('token').value = '';
  if (clear) clearMessages();
}

function showDesk(): void {
  if (!claims!.roles.includes('cashier')) {
    showImport();
    return;
  }
  el.signIn().hidden = true;
  el.desk().hidden = false;
  el.who().hidden = false;
  el.who().textContent = `收费员:${claims!.sub}`;
  el.signOut().hidden = false;
  for (const id of HEADER_BUTTONS) byId(id).hidden = false;
  fill(
    el.estate(),
    claims!.estates.map((e) => h('option', { value: e }, e)),
  );
  for (const id of ['unit', 'invoices', 'pay', 'void', 'receipt', 'cashup']) byId(id).hidden = true;
  fill(byId('results'));
  byId<HTMLInputElement>('building').focus();
}

function showImport(): void {
  el.signIn().hidden = true;
  el.who().hidden = false;
  el.who().textContent = `管理员:${claims!.sub}`;
  el.signOut().hidden = false;
  const root = byId('import-page');
  root.hidden = false;
  openImportScreen({ root, apiBaseUrl, token: () => token, estateId: () => claims!.estates[0]! });
}

// ---- finding a unit ---------------------------------------------------------------------------

/**
 * A new search forgets the open unit before anything else, found or not: its panel, its bills and
 * every dialog close, so no action can land on the flat of the previous search.
 */
function forgetUnit(): void {
  unit = undefined;
  desk?.forget();
  issuing = undefined;
  freezeIssueForm(false);
  for (const id of ['unit', 'invoices', 'pay', 'void', 'receipt', 'cashup']) byId(id).hidden = true;
  for (const s of screens) s.close();
  fill(byId('invoice-list'));
  fill(byId('unit-facts'));
}

async function findUnits(): Promise<void> {
  clearMessages();
  forgetUnit();
  const building = byId<HTMLInputElement>('building').value.trim();
  const room = byId<HTMLInputElement>('room').value.trim();
  if (room && !building) return complain(MESSAGES['BUILDING_REQUIRED']!);
  const estateId = el.estate().value;
  const results = byId('results');
  try {
    const page = await api.call<Page<Unit>>('GET', `/v1/estates/${encodeURIComponent(estateId)}/units`, {
      query: { building, room },
    });
    if (page.items.length === 0) {
      fill(results);
      return complain(
        `没有找到${building ? ` ${building}` : ''}${room ? ` ${room}` : ''} 的房屋,请核对楼栋和房号。`,
      );
    }
    if (page.items.length === 1) {
      fill(results);
      await openUnit(page.items[0]!.unitId);
      return;
    }
    fill(
      results,
      page.items.map((u) => {
        const label = `${addressOf(u)} · ${UNIT_TYPE_NAMES[u.unitType as keyof typeof UNIT_TYPE_NAMES] ?? u.unitType} ${u.area}㎡`;
        const b = h('button', { type: 'button', class: 'secondary' }, label);
        b.addEventListener('click', () => void whileBusy(b, '正在打开…', () => openUnit(u.unitId)));
        return h('li', {}, b);
      }),
    );
    if (page.nextCursor) results.append(h('li', { class: 'muted' }, '结果较多,请填写房号缩小范围。'));
  } catch (e) {
    complain(e);
  }
}

async function openUnit(unitId: string): Promise<void> {
  // Another unit is another invoice; the same unit reopened keeps an unsettled issue to retry.
  if (unit?.unitId !== unitId) {
    issuing = undefined;
    freezeIssueForm(false);
  }
  try {
    unit = await api.call<Unit>('GET', `/v1/units/${encodeURIComponent(unitId)}`);
  } catch (e) {
    return complain(e);
  }
  renderUnit();
}

async function refreshUnit(): Promise<void> {
  if (!unit) return;
  try {
    unit = await api.call<Unit>('GET', `/v1/units/${encodeURIComponent(unit.unitId)}`);
    renderUnit();
    await refreshJobs?.();
  } catch (e) {
    complain(e);
  }
}

function renderUnit(): void {
  const u = unit!;
  byId('unit').hidden = false;
  byId('invoices').hidden = false;
  const spaces = u.spaces ?? [];
  fill(byId('unit-facts'), ...unitFacts(u));
  const space = byId<HTMLInputElement>('issue-space');
  space.disabled = spaces.length === 0;
  space.checked = spaces.length > 0;
  byId('issue-button').textContent = u.paidThrough ? '开具续费账单' : '开具入住账单';
  if (issuing?.pendingRetry) freezeIssueForm(true);
  showIssueWarning(u);
  renderArrears(byId('unit-arrears'), u, openPay);

  const { overdue, rest } = overdueFirst(u);
  const open = [...overdue, ...rest];
  const list = byId('invoice-list');
  if (open.length === 0) {
    fill(list, h('p', { class: 'muted' }, '这套房屋没有待缴账单。'));
    return;
  }
  fill(list, openBillsTable(open, { pay: openPay, void: openVoid }));
  markOverdue(list, u);
}

// ---- issuing ----------------------------------------------------------------------------------

async function issue(): Promise<void> {
  clearMessages();
  if (!unit) return;
  const property = byId<HTMLInputElement>('issue-property').checked;
  const space = byId<HTMLInputElement>('issue-space').checked;
  const periodsText = byId<HTMLSelectElement>('periods').value;
  const periods = periodsText ? { periods: Number(periodsText) } : {};
  const items: unknown[] = [];
  if (property) items.push({ type: 'PROPERTY_FEE', ...periods });
  // Without its own periods, the space fee follows the property fee's periods.
  if (space) items.push({ type: 'PARKING_SPACE_FEE', ...(property ? {} : periods) });
  if (items.length === 0) return complain(MESSAGES['NO_ITEMS']!);
  issuing ??= new PaymentAttempt<Invoice>((key, rawBody) =>
    api.call<Invoice>('POST', '/v1/invoices', { rawBody, idempotencyKey: key }),
  );
  let inv: Invoice;
  try {
    inv = await issuing.submit({ unitId: unit.unitId, items });
  } catch (e) {
    if (e instanceof ApiProblem && e.outcomeUnknown) {
      // The retry resends the same key and body: the server replays the invoice if it was issued.
      freezeIssueForm(true);
      return complain(e, ISSUE_RETRY_HINT);
    }
    return complain(e);
  }
  // Issued: the next click is a new invoice (for the next period), under a new key.
  issuing = undefined;
  freezeIssueForm(false);
  say(`已开具账单 ${inv.invoiceNo},金额 ${inv.total} 元。`);
  await refreshUnit();
  openPay(inv);
}

/** While an issue's outcome is unknown its choices are fixed: the retry sends what was first sent. */
function freezeIssueForm(frozen: boolean): void {
  for (const c of byId('issue-form').querySelectorAll<HTMLInputElement | HTMLSelectElement>(
    'input, select',
  )) {
    c.disabled = frozen;
  }
  byId('issue-button').textContent = frozen
    ? '重试开具'
    : unit?.paidThrough
      ? '开具续费账单'
      : '开具入住账单';
}

const openPay = (inv: Invoice) => desk?.openPay(inv);
const openVoid = (inv: Invoice) => desk?.openVoid(inv);

// ---- wiring -----------------------------------------------------------------------------------

function onSubmit(formId: string, buttonId: string, label: string, work: () => Promise<void>): void {
  byId<HTMLFormElement>(formId).addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(byId<HTMLButtonElement>(buttonId), label, work);
  });
}

async function main(): Promise<void> {
  // Names and channels from the registry, the words of the receipt and the CSV.
  for (const el of document.querySelectorAll<HTMLElement>('[data-fee]'))
    el.textContent = feeName(el.dataset['fee']!);
  byId<HTMLSelectElement>('channel').replaceChildren(
    ...COUNTER_CHANNELS.map((c) => h('option', { value: c }, CHANNEL_TYPES[c].zh)),
  );
  const config = await loadConfig();
  api = new Api(config.apiBaseUrl, () => token);
  apiBaseUrl = config.apiBaseUrl;
  onSubmit('sign-in-form', 'sign-in-button', '正在登录…', () =>
    signIn(byId<HTMLTextAreaElement>('token').value),
  );
  byId<HTMLButtonElement>('sign-in-button').disabled = false;
  onSubmit('find-form', 'find-button', '正在查找…', findUnits);
  onSubmit('issue-form', 'issue-button', '正在开具…', issue);
  byId('sign-out').addEventListener('click', () => signOut());
  desk = payDesk({
    api,
    estate: () => el.estate().value,
    say,
    complain,
    clearMessages,
    unit: () => unit,
    refreshUnit,
  });
  cashup = cashupScreen({ api, estate: () => el.estate().value, say, complain });
  const openCashup = () => {
    if (!claims || el.desk().hidden) return;
    forgetUnit();
    void cashup?.open();
  };
  byId('cashup-open').addEventListener('click', openCashup);
  ({ screens, refresh: refreshJobs } = wireDeskJobs({
    deps: {
      api,
      estate: () => el.estate().value,
      say,
      complain,
      clearMessages,
      unit: () => unit,
      refreshUnit,
      openPay,
    },
    signedIn: () => !!claims && !el.desk().hidden,
    forgetUnit,
    openCashup,
    unit: () => unit,
  }));

  const saved = sessionStorage.getItem(TOKEN_KEY);
  const c = saved ? acceptToken(saved) : undefined;
  if (saved && c && typeof c !== 'string') {
    token = saved;
    claims = c;
    showDesk();
  }
  document.body.dataset['ready'] = 'true';
}

void main();
