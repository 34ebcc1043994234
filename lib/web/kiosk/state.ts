/**
 * What the kiosk holds while it runs: its configuration, its own device token (role `kiosk`, kept
 * in localStorage), and the signed-in owner's token (in memory only: the next person at the screen
 * is someone else). An admin token lives here only while the terminal settings are open.
 */
import { Api, type WebConfig } from '../shared/api.js';
import type { TokenClaims } from '../shared/claims.js';

export const DEVICE_TOKEN_KEY = 'kiosk.deviceToken';
export const TERMINAL_KEY = 'kiosk.terminalId';
export const IDLE_KEY = 'kiosk.idleSeconds';

/** Back to the start screen after this long without a touch or key (terminal settings change it). */
export const DEFAULT_IDLE_SECONDS = 90;
/** The receipt screen is read in a glance: it goes home sooner (never later than the general idle). */
export const RECEIPT_IDLE_SECONDS = 30;

export interface KioskState {
  config: WebConfig;
  deviceToken?: string | undefined;
  device?: TokenClaims | undefined;
  ownerToken?: string | undefined;
  owner?: TokenClaims | undefined;
  adminToken?: string | undefined;
  admin?: TokenClaims | undefined;
  deviceApi: Api;
  ownerApi: Api;
  adminApi: Api;
}

export const k: KioskState = {
  config: { apiBaseUrl: '' },
  deviceApi: new Api('', () => undefined),
  ownerApi: new Api('', () => undefined),
  adminApi: new Api('', () => undefined),
};

export function connect(config: WebConfig): void {
  k.config = config;
  k.deviceApi = new Api(config.apiBaseUrl, () => k.deviceToken);
  k.ownerApi = new Api(config.apiBaseUrl, () => k.ownerToken);
  k.adminApi = new Api(config.apiBaseUrl, () => k.adminToken);
}

export const estateId = (): string => k.config.estateId ?? k.device?.estates[0] ?? k.admin?.estates[0] ?? '';
export const terminalId = (): string => localStorage.getItem(TERMINAL_KEY) ?? k.config.terminalId ?? 'KIOSK';

export function idleSeconds(): number {
  const n = Number(localStorage.getItem(IDLE_KEY) ?? k.config.idleSeconds ?? DEFAULT_IDLE_SECONDS);
  return Number.isInteger(n) && n >= 15 && n <= 600 ? n : DEFAULT_IDLE_SECONDS;
}

/** Forgets the owner and any admin: called on 完成, 退出登录, 返回首页 and the idle timeout. */
export function forgetPeople(): void {
  k.ownerToken = undefined;
  k.owner = undefined;
  k.adminToken = undefined;
  k.admin = undefined;
}

/**
 * Screens reach one another through this table, filled in by main.ts, so that no screen module
 * imports another's (the home screen opens every other one).
 */
export const nav = {
  home: (): void => undefined,
  tariffs: (): Promise<void> => Promise.resolve(),
};
