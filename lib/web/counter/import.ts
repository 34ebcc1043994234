/**
 * 房屋清单导入 (期初建账, SPEC.md §8) for admins: choose the roster file, check it (a dry run: the
 * report as a table, bad cells marked), import it (one Idempotency-Key per chosen file, so a retry
 * after a lost answer resumes the same import), watch it finish, download the roster. Everything
 * comes from the API's report; nothing is validated here.
 */
import { ApiProblem, sentenceFor } from '../shared/api.js';
import { fill, h } from '../shared/dom.js';

interface Problem {
  row: number;
  column: string;
  code: string;
  message: { zh: string; en: string };
  severity: 'error' | 'warning';
}
interface Report {
  importId: string;
  dryRun: boolean;
  state: 'RUNNING' | 'DONE' | 'FAILED';
  counts: { rows: number; created: number; updated: number; unchanged: number; invalid: number };
  progress?: { chunksDone: number; chunks: number };
  problems: Problem[];
}

export interface ImportScreen {
  root: HTMLElement;
  apiBaseUrl: string;
  token: () => string | undefined;
  estateId: () => string;
}

const ACTION_WORDS = { created: '新增', updated: '更新', unchanged: '不变', invalid: '有错误' } as const;

async function send(s: ImportScreen, method: 'GET' | 'POST', path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  const token = s.token();
  if (token) headers.set('authorization', `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(new URL(`${s.apiBaseUrl}${path}`, location.href), { ...init, method, headers });
  } catch {
    throw new ApiProblem(0, 'NETWORK');
  }
  return res;
}

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => undefined)) as
    | (T & { error?: { code?: string; details?: unknown[] } })
    | undefined;
  if (res.ok) return body as T;
  throw new ApiProblem(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.details ?? []);
}

export function openImportScreen(s: ImportScreen): void {
  let file: File | undefined;
  let key: string | undefined;
  const input = h('input', { id: 'roster-file', type: 'file', accept: '.xlsx,.csv' });
  const check = h('button', { id: 'roster-check', type: 'button', disabled: true }, '检查');
  const commit = h('button', { id: 'roster-commit', type: 'button', disabled: true }, '导入');
  const status = h('p', { id: 'roster-status', role: 'status', 'aria-live': 'polite' });
  const table = h('div', { id: 'roster-report' });
  const download = h(
    'button',
    { id: 'roster-download', type: 'button', class: 'secondary' },
    '下载房屋清单(Excel)',
  );

  const show = (r: Report) => {
    const c = r.counts;
    const counts = (['created', 'updated', 'unchanged', 'invalid'] as const)
      .map((k) => `${ACTION_WORDS[k]} ${c[k]}`)
      .join(',');
    status.textContent = `${r.dryRun ? '检查完成' : r.state === 'DONE' ? '导入完成' : '正在导入'}:共 ${c.rows} 行,${counts}。`;
    fill(
      table,
      r.problems.length === 0
        ? null
        : h(
            'table',
            { class: 'report', 'aria-label': '检查结果' },
            h('thead', {}, h('tr', {}, h('th', {}, '行'), h('th', {}, '列'), h('th', {}, '问题'))),
            h(
              'tbody',
              {},
              r.problems.map((p) =>
                h(
                  'tr',
                  { class: p.severity === 'error' ? 'bad' : 'warn' },
                  h('td', {}, p.row),
                  h('td', { class: 'cell' }, p.column),
                  h('td', {}, p.message.zh),
                ),
              ),
            ),
          ),
    );
  };

  const fail = (e: unknown) => {
    if (e instanceof ApiProblem && e.code === 'INVALID_ROSTER') {
      const report = e.details[0] as Report | undefined;
      if (report) show(report);
    }
    status.textContent = sentenceFor(e);
  };

  input.addEventListener('change', () => {
    file = input.files?.[0];
    // A new file is a new import: its own Idempotency-Key, kept for every retry of it.
    key = file ? crypto.randomUUID() : undefined;
    check.disabled = !file;
    commit.disabled = true;
    fill(table);
    status.textContent = file ? `已选择 ${file.name}` : '';
  });

  const type = (f: File) => (f.name.toLowerCase().endsWith('.csv') ? 'text/csv' : 'application/octet-stream');
  const upload = async (dryRun: boolean) => {
    const headers: Record<string, string> = { 'content-type': type(file!) };
    if (!dryRun) headers['idempotency-key'] = key!;
    const res = await send(s, 'POST', `/v1/estates/${encodeURIComponent(s.estateId())}/imports`, {
      body: file!,
      headers,
    });
    return json<Report>(res);
  };

  check.addEventListener('click', async () => {
    if (!file) return;
    check.disabled = true;
    status.textContent = '正在检查…';
    try {
      const path = `/v1/estates/${encodeURIComponent(s.estateId())}/imports?dryRun=true`;
      const res = await send(s, 'POST', path, { body: file, headers: { 'content-type': type(file) } });
      const r = await json<Report>(res);
      show(r);
      commit.disabled = r.counts.invalid > 0;
    } catch (e) {
      fail(e);
    } finally {
      check.disabled = false;
    }
  });

  commit.addEventListener('click', async () => {
    if (!file) return;
    commit.disabled = true;
    status.textContent = '正在导入…';
    try {
      let r = await upload(false);
      show(r);
      while (r.state === 'RUNNING') {
        await new Promise((ok) => setTimeout(ok, 1000));
        const res = await send(
          s,
          'GET',
          `/v1/estates/${encodeURIComponent(s.estateId())}/imports/${r.importId}`,
        );
        r = await json<Report>(res);
        show(r);
      }
    } catch (e) {
      fail(e);
      // The same key again: a retry resumes the same import.
      commit.disabled = false;
    }
  });

  download.addEventListener('click', async () => {
    try {
      const res = await send(s, 'GET', `/v1/estates/${encodeURIComponent(s.estateId())}/roster.xlsx`);
      if (!res.ok) await json(res);
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `roster-${s.estateId()}.xlsx` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      fail(e);
    }
  });

  fill(
    s.root,
    h(
      'section',
      { 'aria-labelledby': 'roster-title' },
      h('h2', { id: 'roster-title' }, '房屋清单导入(期初建账)'),
      h(
        'p',
        { class: 'muted hint' },
        '支持 Excel(.xlsx)和 CSV(UTF-8 或 GB18030)。第一行为列名:楼栋、单元、房号、类型、建筑面积、交付日期、已缴至、期初欠费、业主、电话、车位、车位类型、车位已缴至、车牌。先检查,无错误后再导入。',
      ),
      h(
        'div',
        { class: 'row' },
        h('label', { for: 'roster-file' }, '房屋清单文件'),
        input,
        check,
        commit,
        download,
      ),
      h(
        'p',
        { class: 'hint' },
        '从样例开始:',
        // Static files beside this page (infra/local/web.ts ROSTER_DOWNLOADS); same origin, no token.
        h(
          'a',
          { id: 'roster-sample', href: 'roster-sample.csv', download: '房屋清单样例.csv' },
          '下载样例清单(CSV)',
        ),
        ' ',
        h(
          'a',
          { id: 'roster-template', href: 'roster-template.xlsx', download: '房屋清单模板.xlsx' },
          '下载导入模板(Excel,含列名说明)',
        ),
      ),
      status,
      table,
    ),
  );
}
