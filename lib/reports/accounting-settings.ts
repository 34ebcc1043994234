/**
 * An estate's accounting settings (SPEC.md §10): the VAT rate of each fee code and the chart of
 * accounts the vouchers post to. Defaults follow the fee-type registry and the common Chinese
 * chart. A change is a new version effective from the business month it is made in: the months
 * before keep the rates they were reported with. docs/accounting.md lists the defaults.
 */
import { auditItem, type Ctx } from '../billing/context.js';
import { ValidationError } from '../errors.js';
import { ACCOUNTS, CHANNELS, type Channel, feeCodes, feeType, VAT_CATEGORIES } from '../fee-types/catalog.js';
import { key } from '../store/keys.js';
import { businessDate } from '../time.js';
import { type Month, monthOf } from './recognition.js';

/**
 * Income from a deposit kept after a failed inspection (SPEC.md §6). The registry may not name it
 * yet; until it does, these are its words and defaults. Compensation, not a sale: outside VAT.
 */
export const DEPOSIT_DEDUCTION = 'DEPOSIT_DEDUCTION';
const DEDUCTION_FALLBACK = {
  zh: '装修保证金扣除',
  en: 'Deposit deduction',
  vat: 'OUTSIDE_VAT',
  account: '6001',
};

/** Fee codes the settings know: the registry's and the deposit deduction. */
export function accountingFeeCodes(): string[] {
  const codes = [...feeCodes()];
  return codes.includes(DEPOSIT_DEDUCTION) ? codes : [...codes, DEPOSIT_DEDUCTION];
}

export function accountingFeeName(code: string): string {
  return feeType(code)?.zh ?? (code === DEPOSIT_DEDUCTION ? DEDUCTION_FALLBACK.zh : code);
}

/** The default chart: the registry's accounts plus advance receipts and output VAT. */
export const DEFAULT_ACCOUNT_NAMES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(ACCOUNTS).map(([code, a]) => [code, a.zh])),
  '2203': '预收账款',
  '2241': '其他应付款',
  '22210106': '应交税费-应交增值税(销项税额)',
};

export interface ChartOfAccounts {
  /** Where each channel's money lands (cash or bank). */
  channels: Record<string, string>;
  /** Revenue account of an income fee code; liability account of a deposit. */
  feeCodes: Record<string, string>;
  outputVat: string;
  advanceReceipts: string;
  /** Suspense account of money received and not yet applied (payment exceptions, 待处理款项). */
  unapplied: string;
  /** Names of the codes used (科目名称), defaults included. */
  names: Record<string, string>;
}

export interface AccountingSettings {
  /** Decimal strings in [0, 1); null: outside VAT. */
  vatRates: Record<string, string | null>;
  accounts: ChartOfAccounts;
}

export interface SettingsVersion extends AccountingSettings {
  estateId: string;
  /** The month the version applies from. */
  effectiveFrom: Month;
}

export function defaultSettings(): AccountingSettings {
  const vatRates: Record<string, string | null> = {};
  const fees: Record<string, string> = {};
  for (const code of accountingFeeCodes()) {
    const info = feeType(code) ?? (code === DEPOSIT_DEDUCTION ? DEDUCTION_FALLBACK : undefined);
    vatRates[code] = info ? VAT_CATEGORIES[info.vat as keyof typeof VAT_CATEGORIES].rate : null;
    fees[code] = info?.account ?? '6001';
  }
  return {
    vatRates,
    accounts: {
      channels: Object.fromEntries(CHANNELS.map((c: Channel) => [c, ACCOUNTS_OF_CHANNEL(c)])),
      feeCodes: fees,
      outputVat: '22210106',
      advanceReceipts: '2203',
      unapplied: '2241',
      names: { ...DEFAULT_ACCOUNT_NAMES },
    },
  };
}

function ACCOUNTS_OF_CHANNEL(c: Channel): string {
  return c === 'CASH' ? '1001' : '1002';
}

/** What PUT accepts: any part of the settings, merged into the current version. */
export interface SettingsChange {
  vatRates?: Record<string, string | null>;
  accounts?: Partial<ChartOfAccounts>;
}

const RATE_RE = /^0(\.\d{1,4})?$/;
const ACCOUNT_RE = /^\d{4,20}$/;

/** Validates a change against the fee codes and channels the service knows; every problem named. */
export function validateChange(change: SettingsChange, current: AccountingSettings): AccountingSettings {
  const problems: { field: string; code: string; message: string }[] = [];
  const codes = accountingFeeCodes();
  const vatRates = { ...current.vatRates };
  for (const [code, rate] of Object.entries(change.vatRates ?? {})) {
    const field = `vatRates.${code}`;
    if (!codes.includes(code))
      problems.push({ field, code: 'UNKNOWN_FEE_CODE', message: `no fee code ${code}` });
    else if (rate !== null && (typeof rate !== 'string' || !RATE_RE.test(rate)))
      problems.push({
        field,
        code: 'INVALID_RATE',
        message: 'a rate is a decimal string in [0, 1) with at most 4 places, e.g. "0.06", or null',
      });
    else vatRates[code] = rate;
  }
  const a = change.accounts ?? {};
  const names = { ...current.accounts.names, ...(a.names ?? {}) };
  const account = (field: string, value: unknown): string | undefined => {
    if (typeof value !== 'string' || !ACCOUNT_RE.test(value)) {
      problems.push({ field, code: 'INVALID_ACCOUNT', message: 'an account code is 4-20 digits' });
      return undefined;
    }
    if (!names[value])
      problems.push({
        field,
        code: 'ACCOUNT_NAME_MISSING',
        message: `name account ${value} in accounts.names`,
      });
    return value;
  };
  for (const [code, name] of Object.entries(a.names ?? {})) {
    if (!ACCOUNT_RE.test(code))
      problems.push({
        field: `accounts.names.${code}`,
        code: 'INVALID_ACCOUNT',
        message: 'an account code is 4-20 digits',
      });
    if (typeof name !== 'string' || name.trim() === '' || name.length > 60)
      problems.push({
        field: `accounts.names.${code}`,
        code: 'INVALID_NAME',
        message: 'a name of 1-60 characters',
      });
  }
  const channels = { ...current.accounts.channels };
  for (const [c, v] of Object.entries(a.channels ?? {})) {
    if (!(CHANNELS as readonly string[]).includes(c))
      problems.push({ field: `accounts.channels.${c}`, code: 'UNKNOWN_CHANNEL', message: `no channel ${c}` });
    else channels[c] = account(`accounts.channels.${c}`, v) ?? channels[c]!;
  }
  const fees = { ...current.accounts.feeCodes };
  for (const [c, v] of Object.entries(a.feeCodes ?? {})) {
    if (!codes.includes(c))
      problems.push({
        field: `accounts.feeCodes.${c}`,
        code: 'UNKNOWN_FEE_CODE',
        message: `no fee code ${c}`,
      });
    else fees[c] = account(`accounts.feeCodes.${c}`, v) ?? fees[c]!;
  }
  const outputVat =
    a.outputVat === undefined
      ? current.accounts.outputVat
      : (account('accounts.outputVat', a.outputVat) ?? '');
  const advanceReceipts =
    a.advanceReceipts === undefined
      ? current.accounts.advanceReceipts
      : (account('accounts.advanceReceipts', a.advanceReceipts) ?? '');
  const unapplied =
    a.unapplied === undefined
      ? current.accounts.unapplied
      : (account('accounts.unapplied', a.unapplied) ?? '');
  if (problems.length > 0) throw new ValidationError(problems);
  return { vatRates, accounts: { channels, feeCodes: fees, outputVat, advanceReceipts, unapplied, names } };
}

/** Fills what a stored version lacks (a fee code added to the registry after it) from the defaults. */
function withDefaults(stored: Partial<AccountingSettings>): AccountingSettings {
  const d = defaultSettings();
  return {
    vatRates: { ...d.vatRates, ...(stored.vatRates ?? {}) },
    accounts: {
      channels: { ...d.accounts.channels, ...(stored.accounts?.channels ?? {}) },
      feeCodes: { ...d.accounts.feeCodes, ...(stored.accounts?.feeCodes ?? {}) },
      outputVat: stored.accounts?.outputVat ?? d.accounts.outputVat,
      advanceReceipts: stored.accounts?.advanceReceipts ?? d.accounts.advanceReceipts,
      unapplied: stored.accounts?.unapplied ?? d.accounts.unapplied,
      names: { ...d.accounts.names, ...(stored.accounts?.names ?? {}) },
    },
  };
}

/** Every stored version of an estate's settings, oldest first, and which applies in a month. */
export class SettingsHistory {
  constructor(
    readonly estateId: string,
    private readonly versions: readonly SettingsVersion[],
  ) {}

  static async load(ctx: Pick<Ctx, 'db'>, estateId: string): Promise<SettingsHistory> {
    const items = await ctx.db.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': key.estate(estateId).PK, ':sk': 'ACCOUNTING#' },
    });
    const versions = items.map((i) => ({
      ...withDefaults(i as Partial<AccountingSettings>),
      estateId,
      effectiveFrom: String(i['effectiveFrom']),
    }));
    return new SettingsHistory(estateId, versions);
  }

  /** The version in effect in `month`; the defaults before the first change. */
  private defaults: SettingsVersion | undefined;

  at(month: Month): SettingsVersion {
    let best: SettingsVersion | undefined;
    for (const v of this.versions) if (v.effectiveFrom <= month) best = v;
    if (best) return best;
    // Asked once per ledger line and month: the defaults are built once per history.
    this.defaults ??= { ...defaultSettings(), estateId: this.estateId, effectiveFrom: '2000-01' };
    return this.defaults;
  }

  rate(feeCode: string, month: Month): string | null {
    return this.at(month).vatRates[feeCode] ?? null;
  }
}

/**
 * Merges a change into the settings in effect now and stores them as the version of the current
 * business month (a second change in the same month replaces that month's version), audited in the
 * same transaction.
 */
export async function changeSettings(
  ctx: Ctx,
  estateId: string,
  change: SettingsChange,
): Promise<SettingsVersion> {
  const at = ctx.now();
  const month = monthOf(businessDate(at));
  const history = await SettingsHistory.load(ctx, estateId);
  const before = history.at(month);
  const next = validateChange(change, before);
  await ctx.db.transact([
    {
      Put: {
        Item: {
          PK: key.estate(estateId).PK,
          SK: `ACCOUNTING#${month}`,
          type: 'ACCOUNTING_SETTINGS',
          estateId,
          effectiveFrom: month,
          ...next,
        },
      },
    },
    auditItem(ctx, at, {
      estateId,
      action: 'ACCOUNTING_SETTINGS_CHANGED',
      document: `${estateId}/accounting/${month}`,
      details: { change: change as Record<string, unknown> },
    }),
  ]);
  return { ...next, estateId, effectiveFrom: month };
}
