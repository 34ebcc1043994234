/**
 * The roster import screen (期初建账) in headless Chromium: an admin signs in to the counter page,
 * checks a file with bad rows (the report as a table, the bad cells marked), checks and imports a
 * good one, and downloads the roster.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8Csv, ZH_HEADER } from '../support/roster-files.js';
import { SAMPLE_ROWS } from '../support/roster-fixtures.js';
import { accessibleControls, type WebHarness, webHarness } from './harness.js';

let w: WebHarness;
let adminToken: string;

beforeAll(async () => {
  w = await webHarness();
  await w.api.seedDemo();
  w.api.clock.set('2026-05-20T10:00:00+08:00');
  adminToken = await w.api.token('admin', { sub: 'admin-li' });
}, 60_000);

afterAll(() => w?.close());

const row = (room: string, type = '高层') => [
  '8栋',
  '',
  room,
  type,
  '89.56',
  '2015-06-01',
  '2026-05-31',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
];

describe('roster import screen', () => {
  it('checks a file, marks the bad cells, imports a good one and downloads the roster', async () => {
    const page = await w.page({ width: 1366, height: 768 });
    await page.goto(`${w.url}/counter/`);
    await page.getByLabel('登录令牌').fill(adminToken);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#import-page').waitFor({ state: 'visible' });
    expect((await accessibleControls(page)).unnamed).toEqual([]);

    const bad = Buffer.from(utf8Csv([[...ZH_HEADER], row('801'), row('802', '别墅')]));
    await page.setInputFiles('#roster-file', { name: 'roster.csv', mimeType: 'text/csv', buffer: bad });
    await page.getByRole('button', { name: '检查' }).click();
    await expect.poll(() => page.locator('#roster-status').textContent()).toContain('有错误 1');
    expect(await page.locator('#roster-report tr.bad td.cell').allTextContents()).toEqual(['类型']);
    expect(await page.locator('#roster-report tr.bad').textContent()).toContain('3');
    expect(await page.getByRole('button', { name: '导入' }).isDisabled()).toBe(true);

    const good = Buffer.from(utf8Csv([[...ZH_HEADER], row('801'), row('802')]));
    await page.setInputFiles('#roster-file', { name: 'roster2.csv', mimeType: 'text/csv', buffer: good });
    await page.getByRole('button', { name: '检查' }).click();
    await expect.poll(() => page.locator('#roster-status').textContent()).toContain('新增 2');
    await page.getByRole('button', { name: '导入' }).click();
    await expect.poll(() => page.locator('#roster-status').textContent()).toContain('导入完成');
    const found = await w.api.call('GET', '/v1/estates/DEMO/units', {
      token: await w.api.token('cashier'),
      query: { building: '8栋' },
    });
    expect(found.json.items.map((u: { room: string }) => u.room)).toEqual(['801', '802']);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '下载房屋清单(Excel)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('roster-DEMO.xlsx');
  });

  it('offers the sample roster and the template; both download and dry-run clean', async () => {
    const page = await w.page({ width: 1366, height: 768 });
    await page.goto(`${w.url}/counter/`);
    await page.getByLabel('登录令牌').fill(adminToken);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#import-page').waitFor({ state: 'visible' });
    const links = [
      { name: '下载样例清单(CSV)', file: '房屋清单样例.csv', type: 'text/csv', rows: SAMPLE_ROWS.length },
      {
        name: '下载导入模板(Excel,含列名说明)',
        file: '房屋清单模板.xlsx',
        type: 'application/octet-stream',
        rows: 0,
      },
    ];
    for (const l of links) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: l.name }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(l.file);
      const bytes = new Uint8Array(readFileSync(await download.path()));
      const check = await w.api.call('POST', '/v1/estates/DEMO/imports', {
        token: adminToken,
        raw: bytes,
        headers: { 'content-type': l.type },
        query: { dryRun: 'true' },
      });
      expect(check.status, check.text).toBe(200);
      expect(check.json.counts.invalid, check.text).toBe(0);
      // The sample's rows all check; the template is its header rows only (the 说明 sheet explains them).
      expect(check.json.counts.rows).toBe(l.rows);
      expect(check.json.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
    }
  });
});
