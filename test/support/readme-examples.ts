/**
 * The README's shell examples, run as written: every ```sh block that begins with
 * `source .local/tokens.env` is one bash script; each command followed by a `# → …` line must
 * print what that line says. The expectation is JSON where `…` stands for any value, `, ...` for
 * more fields, and an array matches its first elements.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Example {
  command: string;
  expected?: string;
}

const SOURCE_LINE = 'source .local/tokens.env';
const MARK = '<<<readme-example>>>';

/** The runnable blocks of a README, each as its commands in order. */
export function readmeExamples(readmePath: string): Example[][] {
  const text = readFileSync(readmePath, 'utf8');
  const blocks = [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks.filter((b) => b.startsWith(SOURCE_LINE)).map(commandsOf);
}

function commandsOf(block: string): Example[] {
  const examples: Example[] = [];
  let pending = '';
  for (const line of block.split('\n')) {
    if (pending) {
      pending += `\n${line}`;
      if (!line.endsWith('\\')) {
        examples.push({ command: pending });
        pending = '';
      }
      continue;
    }
    const expected = /^# → (.*)$/.exec(line)?.[1];
    if (expected !== undefined) {
      const last = examples.at(-1);
      if (!last || last.expected !== undefined) throw new Error(`"# → ${expected}" follows no command`);
      last.expected = expected;
    } else if (line.trim() === '' || line.trimStart().startsWith('#')) {
      // Prose for the reader.
    } else if (line.endsWith('\\')) {
      pending = line;
    } else {
      examples.push({ command: line });
    }
  }
  if (pending) throw new Error(`unfinished command: ${pending}`);
  return examples;
}

/** Runs one block in one bash (its variables carry from command to command); the output of each. */
export function runExamples(examples: Example[], tokensFile: string): string[] {
  const script = [
    'set -euo pipefail',
    ...examples.flatMap((e) => [
      e.command.replace(SOURCE_LINE, `source '${tokensFile}'`),
      `printf '\\n%s\\n' '${MARK}'`,
    ]),
  ].join('\n');
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0)
    throw new Error(`the README's examples failed (exit ${r.status}): ${r.stderr}\n${r.stdout}`);
  const outputs = r.stdout.split(`\n${MARK}\n`).map((o) => o.trim());
  return outputs.slice(0, examples.length);
}

const ANY = '\u0000any';

/** Parses a `# →` line into a pattern: `"…"` becomes a wildcard, `, ...` / `...` closes the object. */
export function expectation(line: string): unknown {
  const json = line
    .replaceAll('"…"', JSON.stringify(ANY))
    .replace(/,\s*\.\.\.\s*([}\]])/g, '$1')
    .replace(/\{\s*\.\.\.\s*\}/g, '{}');
  return JSON.parse(json);
}

/** Where `actual` differs from the pattern, or undefined when it matches. */
export function mismatch(pattern: unknown, actual: unknown, path = '$'): string | undefined {
  if (pattern === ANY) return actual === undefined || actual === '' ? `${path} is missing` : undefined;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return `${path} is not an array`;
    if (actual.length < pattern.length)
      return `${path} has ${actual.length} items, expected ≥ ${pattern.length}`;
    for (const [i, p] of pattern.entries()) {
      const m = mismatch(p, actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (actual === null || typeof actual !== 'object') return `${path} is not an object`;
    for (const [k, p] of Object.entries(pattern)) {
      const m = mismatch(p, (actual as Record<string, unknown>)[k], `${path}.${k}`);
      if (m) return m;
    }
    return undefined;
  }
  return pattern === actual
    ? undefined
    : `${path} is ${JSON.stringify(actual)}, expected ${JSON.stringify(pattern)}`;
}
