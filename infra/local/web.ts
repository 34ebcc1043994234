/**
 * The web front end for `npm start`: bundles the counter and the kiosk with esbuild (a few tens of
 * milliseconds) into a git-ignored folder and serves them at `/counter/` and `/kiosk/` from the
 * same local server as the API, so the pages call the API on their own origin (no CORS locally).
 * In AWS the same bundle goes to S3 behind CloudFront (infra/constructs/web.ts).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, buildSync } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB_SOURCE_DIR = join(ROOT, 'lib', 'web');
export const LOCAL_WEB_DIR = join(ROOT, '.local', 'web');

/** The two entry points; each becomes `/{app}/index.html`, `main.js` and `main.css`. */
export const WEB_APPS = ['counter', 'kiosk'] as const;

export interface WebConfigFile {
  apiBaseUrl: string;
  estateId?: string;
  terminalId?: string;
  [extra: string]: unknown;
}

function options(outDir: string, minify: boolean): BuildOptions {
  return {
    entryPoints: WEB_APPS.flatMap((app) => [
      { in: join(WEB_SOURCE_DIR, app, 'main.ts'), out: `${app}/main` },
      { in: join(WEB_SOURCE_DIR, app, 'main.css'), out: `${app}/main` },
    ]),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: ['chrome109', 'safari15', 'firefox115'],
    platform: 'browser',
    minify,
    sourcemap: minify ? false : 'linked',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  };
}

/**
 * The sample roster and the template the import screen offers for download, shipped beside the
 * counter page (so the CDK web deployment carries them too). test/fixtures/ holds the one checked-in
 * copy, written by test/support/roster-fixtures.ts and dry-run clean in the tests.
 */
export const ROSTER_DOWNLOADS = ['roster-sample.csv', 'roster-template.xlsx'] as const;
const rosterSource = (f: string) => join(ROOT, 'test', 'fixtures', f);

function copyPages(outDir: string, config: WebConfigFile): void {
  for (const app of WEB_APPS) {
    mkdirSync(join(outDir, app), { recursive: true });
    writeFileSync(
      join(outDir, app, 'index.html'),
      readFileSync(join(WEB_SOURCE_DIR, app, 'index.html'), 'utf8'),
    );
  }
  for (const f of ROSTER_DOWNLOADS) writeFileSync(join(outDir, 'counter', f), readFileSync(rosterSource(f)));
  writeFileSync(join(outDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** What the last build read, so that a start with nothing changed skips it. */
const STAMP_FILE = 'build-stamp.json';
interface Stamp {
  key: string;
  builtAt: number;
  inputs: string[];
}

function unchangedSince(outDir: string, key: string): boolean {
  try {
    const stamp = JSON.parse(readFileSync(join(outDir, STAMP_FILE), 'utf8')) as Stamp;
    if (stamp.key !== key) return false;
    const pages = [
      ...WEB_APPS.map((app) => join(WEB_SOURCE_DIR, app, 'index.html')),
      ...ROSTER_DOWNLOADS.map(rosterSource),
    ];
    const outputs = [
      ...WEB_APPS.flatMap((app) => ['index.html', 'main.js', 'main.css'].map((f) => join(outDir, app, f))),
      ...ROSTER_DOWNLOADS.map((f) => join(outDir, 'counter', f)),
    ];
    return (
      outputs.every((f) => existsSync(f)) &&
      [...stamp.inputs, ...pages].every((f) => statSync(f).mtimeMs < stamp.builtAt)
    );
  } catch {
    return false;
  }
}

/**
 * Bundles both pages into `outDir` with its `config.json` (empty apiBaseUrl = same origin), unless
 * nothing it reads has changed since the last build: npm start then spends no CPU on it.
 */
export async function buildWeb(
  outDir = LOCAL_WEB_DIR,
  opts: { config?: WebConfigFile; minify?: boolean } = {},
): Promise<{ outDir: string; ms: number; cached: boolean }> {
  const started = performance.now();
  const config = opts.config ?? { apiBaseUrl: '' };
  const minify = opts.minify ?? false;
  const key = JSON.stringify({ config, minify });
  if (unchangedSince(outDir, key))
    return { outDir, ms: Math.round(performance.now() - started), cached: true };
  // Taken before the build: a source saved while it runs is newer than the stamp, so it rebuilds.
  const builtAt = Date.now();
  const result = await build({ ...options(outDir, minify), metafile: true });
  copyPages(outDir, config);
  const inputs = Object.keys(result.metafile.inputs).map((f) => resolve(f));
  const stamp: Stamp = { key, builtAt, inputs };
  writeFileSync(join(outDir, STAMP_FILE), JSON.stringify(stamp));
  return { outDir, ms: Math.round(performance.now() - started), cached: false };
}

/** The same build, synchronous: CDK synthesis cannot await. */
export function buildWebSync(
  outDir: string,
  opts: { config?: WebConfigFile; minify?: boolean } = {},
): string {
  buildSync(options(outDir, opts.minify ?? true));
  copyPages(outDir, opts.config ?? { apiBaseUrl: '' });
  return outDir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // The pages load only their own script and style and talk only to the API named in config.json.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export type StaticAnswer = { status: number; headers: Record<string, string>; body: Buffer };

/**
 * A handler for createLocalServer's `staticHandler`: answers GET/HEAD under `/counter/`, `/kiosk/`
 * and `/config.json` from `dir`, and leaves every other request to the API (undefined).
 */
export function webStaticHandler(
  dir = LOCAL_WEB_DIR,
): (req: IncomingMessage) => Promise<StaticAnswer | undefined> {
  const root = resolve(dir);
  return async (req) => {
    const method = (req.method ?? 'GET').toUpperCase();
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return undefined;
    }
    const app = WEB_APPS.find((a) => path === `/${a}` || path.startsWith(`/${a}/`));
    if (!app && path !== '/config.json') return undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      return text(405, 'method not allowed', { allow: 'GET, HEAD' });
    }
    if (path === `/${app}`) return { status: 301, headers: { location: `/${app}/` }, body: Buffer.alloc(0) };
    const relative = path.endsWith('/') ? `${path}index.html` : path;
    const file = normalize(join(root, relative));
    // `..`, encoded or not, must not leave the folder.
    if (!file.startsWith(root + sep) || relative.includes('\0')) return text(404, 'not found');
    try {
      if (!(await stat(file)).isFile()) return text(404, 'not found');
      const body = await readFile(file);
      return {
        status: 200,
        headers: {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-cache',
          ...SECURITY_HEADERS,
        },
        body: method === 'HEAD' ? Buffer.alloc(0) : body,
      };
    } catch {
      return text(404, existsSync(root) ? 'not found' : 'the web pages are not built; run npm start');
    }
  };
}

function text(status: number, message: string, extra: Record<string, string> = {}): StaticAnswer {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
    body: Buffer.from(message),
  };
}
