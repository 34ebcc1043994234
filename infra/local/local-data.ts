/**
 * Where `npm start` keeps DynamoDB Local's data (`LOCAL_DATA_DIR`, default `.local/data`), and the
 * lock that keeps a second server off the same directory: two JVMs on one SQLite file corrupt it.
 */
import { mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StartupError } from './startup-error.js';

/** The file DynamoDB Local writes under `-dbPath` with `-sharedDb`. */
export const DB_FILE = 'shared-local-instance.db';
const LOCK_FILE = 'npm-start.lock';

export function dataDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(root, env['LOCAL_DATA_DIR'] || join('.local', 'data'));
}

/** Creates the directory and proves it writable, or says how to choose another. */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new StartupError(
      `LOCAL_DATA_DIR ${dir} cannot be written (${code}): set LOCAL_DATA_DIR to a directory you can write, ` +
        'e.g. LOCAL_DATA_DIR=$HOME/.property-billing npm start',
    );
  }
}

function holder(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive, owned by another user; ESRCH: gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A recycled pid is someone else's process: on Linux, check that it still runs this server.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start.ts');
  } catch {
    return true;
  }
}

/**
 * Takes the directory's lock (a file holding our pid) and returns its release. A lock whose pid is
 * gone (the server was killed) is stale and taken over.
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (holder(pid)) {
      throw new StartupError(
        `LOCAL_DATA_DIR ${dir} is in use by another npm start (pid ${pid}): stop that one, ` +
          'or give this one its own directory, e.g. LOCAL_DATA_DIR=.local/data2 PORT=3001 npm start',
      );
    }
    rmSync(file, { force: true });
  }
  throw new StartupError(`could not lock ${file}: another npm start is starting on it; try again`);
}

/** `--fresh`: removes the data file (only ours; anything else in the directory stays). */
export function removeData(dir: string): string {
  const file = join(dir, DB_FILE);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return `nothing to remove in ${dir}`;
  }
  rmSync(file);
  return `removed ${file} (${Math.ceil(size / 1024)} KB)`;
}
