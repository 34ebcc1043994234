/**
 * 终端设置 behind an admin's token. The settings (the kiosk's device token, its terminal id, the idle
 * timeout; the API base is shown, set at deployment) open only after someone enters or scans a
 * token that the API itself confirms as an admin of this estate: the page asks an admin-only,
 * cheap endpoint (`GET /v1/estates/{estateId}/renewals`, one day's renewal log) and opens the
 * settings on 200. The page holds no secret and trusts nothing it decodes; the admin token is kept
 * in memory only while the settings are open.
 */
import { ApiProblem } from '../shared/api.js';
import { whileBusy } from '../shared/busy.js';
import { expired, readClaims } from '../shared/claims.js';
import { h } from '../shared/dom.js';
import {
  DEFAULT_IDLE_SECONDS,
  DEVICE_TOKEN_KEY,
  estateId,
  forgetPeople,
  IDLE_KEY,
  idleSeconds,
  k,
  nav,
  TERMINAL_KEY,
  terminalId,
} from './state.js';
import { button, complain, show, title } from './ui.js';

const NOT_ADMIN = '这不是本小区管理员的令牌,终端设置需要管理员权限。';

/** The admin's door to the settings; also the first screen of a kiosk not yet set up. */
export function adminSignIn(): void {
  forgetPeople();
  const field = h('textarea', {
    id: 'admin-token',
    rows: 4,
    autocomplete: 'off',
    spellcheck: 'false',
    autofocus: true,
  });
  const go = h('button', { type: 'submit', class: 'wide' }, '验证管理员');
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: 'admin-token' }, '管理员令牌'),
    field,
    h('p', { class: 'muted small' }, '请管理员扫描或粘贴管理员令牌;本地开发即 npm start 输出中 admin 一行。'),
    go,
  );
  const verify = async (): Promise<void> => {
    const raw = field.value.trim();
    const c = readClaims(raw);
    if (!c?.roles.includes('admin')) return complain(NOT_ADMIN);
    if (expired(c)) return complain('管理员令牌已过期,请重新获取。');
    k.adminToken = raw;
    k.admin = c;
    try {
      // The API decides: only an admin of this estate reads its renewal log.
      await k.adminApi.call('GET', `/v1/estates/${encodeURIComponent(estateId())}/renewals`);
    } catch (e) {
      forgetPeople();
      if (e instanceof ApiProblem && e.status === 403) return complain(NOT_ADMIN);
      const unknown = e instanceof ApiProblem && e.outcomeUnknown;
      return complain(e, '', unknown ? () => void whileBusy(go, '正在验证…', verify) : undefined);
    }
    settings();
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(go, '正在验证…', verify);
  });
  const configured = Boolean(k.deviceToken);
  show(
    'admin-sign-in',
    title(configured ? '终端设置' : '本机尚未设置', configured ? 'Terminal settings' : 'Not set up yet'),
    h('p', {}, configured ? '终端设置仅限管理员。' : '请管理员完成终端设置后使用。'),
    form,
    configured
      ? h(
          'p',
          {},
          button('返回首页', () => nav.home(), { class: 'secondary' }),
        )
      : null,
  );
}

function settings(): void {
  if (!k.admin) {
    adminSignIn();
    return;
  }
  const tokenField = h('textarea', { id: 'device-token', rows: 4, autocomplete: 'off', spellcheck: 'false' });
  tokenField.value = k.deviceToken ?? '';
  const terminal = h('input', { id: 'terminal-id', autocomplete: 'off', maxlength: 20, value: terminalId() });
  const idle = h('input', {
    id: 'idle-seconds',
    type: 'number',
    min: 15,
    max: 600,
    step: 1,
    value: String(idleSeconds()),
  });
  const save = h('button', { type: 'submit', class: 'wide' }, '保存设置');
  const form = h(
    'form',
    { class: 'stack' },
    h('label', { for: 'api-base' }, '接口地址'),
    h('output', { id: 'api-base', class: 'small' }, k.config.apiBaseUrl || location.origin),
    h('p', { class: 'muted small' }, '接口地址由部署配置(config.json)决定,页面只允许连接这一地址。'),
    h('label', { for: 'device-token' }, '终端令牌'),
    tokenField,
    h('label', { for: 'terminal-id' }, '终端编号'),
    terminal,
    h('label', { for: 'idle-seconds' }, `无人操作返回首页(秒,15–600,默认 ${DEFAULT_IDLE_SECONDS})`),
    idle,
    h('p', { class: 'muted small' }, '本地开发:终端令牌即 npm start 输出中 kiosk 一行的令牌。'),
    save,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(save, '正在保存…', async () => {
      const raw = tokenField.value.trim();
      const c = readClaims(raw);
      if (!c || expired(c) || !c.roles.includes('kiosk'))
        return complain('这不是有效的自助机终端令牌,请向管理员索取。');
      const t = terminal.value.trim();
      if (!/^[A-Za-z0-9_-]{1,20}$/.test(t)) return complain('终端编号只能包含字母、数字、横线和下划线。');
      const secs = Number(idle.value);
      if (!Number.isInteger(secs) || secs < 15 || secs > 600)
        return complain('无人操作返回首页的秒数须为 15 到 600 之间的整数。');
      const before = { token: k.deviceToken, device: k.device };
      k.deviceToken = raw;
      k.device = c;
      try {
        await k.deviceApi.call('GET', `/v1/estates/${encodeURIComponent(estateId())}/tariffs`);
      } catch (err) {
        k.deviceToken = before.token;
        k.device = before.device;
        return complain(err);
      }
      localStorage.setItem(DEVICE_TOKEN_KEY, raw);
      localStorage.setItem(TERMINAL_KEY, t);
      localStorage.setItem(IDLE_KEY, String(secs));
      nav.home();
    });
  });
  show(
    'setup',
    title('终端设置', 'Terminal settings'),
    form,
    h(
      'p',
      {},
      button('退出设置', () => nav.home(), { class: 'secondary' }),
    ),
  );
}
