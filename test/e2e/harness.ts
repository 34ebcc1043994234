/**
 * End-to-end harness: the API harness of test/support/api.ts plus a second local server on the
 * same table, clock and signing key that also serves the freshly built pages (as `npm start`
 * does), and Debian's headless Chromium driven by playwright-core.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox.js';
import { generateSandboxKeys } from '../../infra/local/sandbox-keys.js';
import { chainHandlers, startSandbox } from '../../infra/local/sandbox-start.js';
import { createLocalServer } from '../../infra/local/server.js';
import { buildWeb, webStaticHandler } from '../../infra/local/web.js';
import { type ApiHarness, apiHarness } from '../support/api.js';
import { PICTURE_MAX_HEIGHT, PICTURE_OF, PICTURES_DIR, picturesWanted } from './pictures.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'e2e');

/** CI installs Chromium in .ci/run; a machine without it fails loudly instead of skipping. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the end-to-end tests drive Debian's chromium. ` +
        'Install it with `apt-get install -y chromium` (as root; .ci/run does this on CI), ' +
        'or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
}

/** Receipts are gapless per estate and year: counting them is probing numbers until one is missing. */
export async function receiptCount(api: ApiHarness, year: number, estateId = 'DEMO'): Promise<number> {
  const token = await api.token('accountant');
  let n = 0;
  for (;;) {
    const r = await api.call('GET', `/v1/receipts/${estateId}-R${year}-${String(n + 1).padStart(6, '0')}`, {
      token,
    });
    if (r.status === 404) return n;
    expect(r.status, r.text).toBe(200);
    n++;
  }
}

export interface WebHarness {
  api: ApiHarness;
  /** The server with the pages (same table, clock and keys as `api`). */
  url: string;
  browser: Browser;
  page(viewport: { width: number; height: number }): Promise<Page>;
  shot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function webHarness(): Promise<WebHarness> {
  requireChromium();
  const api = await apiHarness();
  const outDir = mkdtempSync(join(tmpdir(), 'web-e2e-'));
  await buildWeb(outDir);
  // The sandbox payment provider on the same server, as npm start runs it (the kiosk's QR links to it).
  let sandbox: Sandbox | undefined;
  const server: Server = createLocalServer(
    { db: api.db, now: () => api.clock.now },
    {
      signingKey: api.signingKey,
      staticHandler: chainHandlers((req) => sandbox!.handle(req), webStaticHandler(outDir)),
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sandbox = startSandbox(generateSandboxKeys(), url, () => api.clock.now);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    api,
    url,
    browser,
    async page(viewport) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      const page = await context.newPage();
      // A click that waits on the API can take seconds while the suite bundles and synthesises on
      // the same two cores; 20 s keeps a slow answer from reading as a broken page.
      page.setDefaultTimeout(20_000);
      return page;
    },
    async shot(page, name) {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      const picture = PICTURE_OF[name];
      if (picture && picturesWanted()) await writePicture(page, join(PICTURES_DIR, `${picture}.png`));
      return path;
    },
    async close() {
      await browser.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** The viewport as a picture for the README, scaled down to PICTURE_MAX_HEIGHT (Chromium scales the capture). */
async function writePicture(page: Page, path: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  const scale = Math.min(1, PICTURE_MAX_HEIGHT / height);
  // The clip is in document coordinates: the part of the page now on screen.
  const [x, y] = await page.evaluate(() => [window.scrollX, window.scrollY]);
  const cdp = await page.context().newCDPSession(page);
  try {
    const { data } = (await cdp.send('Page.captureScreenshot', {
      format: 'png',
      clip: { x: x!, y: y!, width, height, scale },
    })) as { data: string };
    mkdirSync(PICTURES_DIR, { recursive: true });
    writeFileSync(path, Buffer.from(data, 'base64'));
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

const CONTROL_ROLES = new Set([
  'button',
  'textbox',
  'combobox',
  'checkbox',
  'radio',
  'spinbutton',
  'searchbox',
  'slider',
  'switch',
  'link',
  'menuitem',
  'tab',
  'listbox',
]);

/**
 * The controls on screen as Chromium's accessibility tree names them (what a screen reader
 * announces), and those without a name.
 */
export async function accessibleControls(page: Page): Promise<{ controls: string[]; unnamed: string[] }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: {
        ignored: boolean;
        role?: { value: string };
        name?: { value: string };
        backendDOMNodeId?: number;
      }[];
    };
    const controls = nodes.filter((n) => !n.ignored && CONTROL_ROLES.has(n.role?.value ?? ''));
    return {
      controls: controls.map((n) => `${n.role!.value} "${n.name?.value ?? ''}"`),
      unnamed: controls
        .filter((n) => !(n.name?.value ?? '').trim())
        .map((n) => `${n.role!.value}#${n.backendDOMNodeId}`),
    };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** How far the page or any visible element reaches past the viewport's right edge (0 = no horizontal scroll). */
export async function horizontalOverflow(page: Page): Promise<{ scroll: number; offenders: string[] }> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const offenders: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right > width + 0.5 || r.left < -0.5) {
        offenders.push(
          `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className} right=${Math.round(r.right)}`,
        );
      }
    }
    return {
      scroll: Math.max(doc.scrollWidth, document.body.scrollWidth) - width,
      offenders: offenders.slice(0, 5),
    };
  });
}

/** Text on screen that looks like a raw API error code (CHANNEL_NOT_ALLOWED) instead of a sentence. */
export const RAW_CODE = /\b[A-Z]{2,}(?:_[A-Z]+)+\b/;
