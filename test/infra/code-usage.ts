/**
 * What table operations a piece of code can reach, read from the source: the modules it imports
 * (statically, transitively, within the repository) and the DynamoDB calls those modules contain.
 * Module granularity over-approximates — a module that queries an index counts even if the route
 * at hand never calls that function — which is the right direction for checking grants.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

const IMPORT_RE =
  /(?:^|[\n;])\s*(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]*?\s*from\s*)?'(\.{1,2}\/[^']+)'/g;

/** Every repository module reachable from `entries` through value imports (type-only ones do not run). */
export function importGraph(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const stack = entries.map((e) => path.resolve(ROOT, e));
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      if (m[1]) continue;
      const target = path.resolve(path.dirname(file), m[2]!).replace(/\.js$/, '.ts');
      stack.push(target);
    }
  }
  return [...seen].sort();
}

export interface TableUse {
  queriesTable: boolean;
  queriesIndexes: string[];
  scansIndexes: string[];
}

function indexOf(expr: string, file: string): string {
  const m = /gsi(\d)/i.exec(expr);
  if (!m) throw new Error(`${file}: cannot tell which index "IndexName: ${expr}" names`);
  return `GSI${m[1]}`;
}

/** The query and scan targets named by the given modules. */
export function tableUse(files: readonly string[]): TableUse {
  const queriesIndexes = new Set<string>();
  const scansIndexes = new Set<string>();
  let queriesTable = false;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // A query call's argument object up to its end: does it name an index?
    for (const m of text.matchAll(/\.(?:query|queryAll)(?:<[^>]*>)?\(\s*\{/g)) {
      const body = text.slice(m.index, text.indexOf('})', m.index) + 2);
      const index = /IndexName:\s*([^,\n}]+)/.exec(body);
      if (index) queriesIndexes.add(indexOf(index[1]!, file));
      else queriesTable = true;
    }
    for (const m of text.matchAll(/\.scan(?:<[^>]*>)?\(\s*\{/g)) {
      const body = text.slice(m.index, text.indexOf('})', m.index) + 2);
      const index = /IndexName:\s*([^,\n}]+)/.exec(body);
      if (!index) throw new Error(`${file}: a Scan of the whole table`);
      scansIndexes.add(indexOf(index[1]!, file));
    }
    if (/\.doc\.send\(|new (?:Query|Scan)Command\(/.test(text) && !file.includes(path.join('lib', 'store'))) {
      throw new Error(`${file}: a raw store call bypasses Db; this check cannot see its target`);
    }
  }
  return { queriesTable, queriesIndexes: [...queriesIndexes].sort(), scansIndexes: [...scansIndexes].sort() };
}

/** The route modules of lib/api/routes/ and the groups their exported route lists belong to. */
export async function routeModulesByGroup(): Promise<Map<string, string[]>> {
  const dir = path.join(ROOT, 'lib', 'api', 'routes');
  const byGroup = new Map<string, string[]>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const file = path.join(dir, name);
    const mod = (await import(file)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (!Array.isArray(value)) continue;
      for (const r of value as { group?: unknown; path?: unknown }[]) {
        if (typeof r?.group !== 'string' || typeof r?.path !== 'string') continue;
        const files = byGroup.get(r.group) ?? [];
        if (!files.includes(file)) files.push(file);
        byGroup.set(r.group, files);
      }
    }
  }
  return byGroup;
}
