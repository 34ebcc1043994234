/** Builds the app as infra/app.ts does, from explicit context, with or without real bundling. */
import { readFileSync } from 'node:fs';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type AppStack, addStageStack } from '../../infra/appStack.js';
import type { AnyRoute } from '../../lib/api/route.js';

export interface SynthOptions {
  context?: Record<string, string>;
  routes?: readonly AnyRoute[];
  /** Run esbuild for every function (slow); otherwise bundling is skipped. */
  bundle?: boolean;
  outdir?: string;
  /** Adds constructs to the stack before it is synthesised. */
  extend?: (stack: Stack) => void;
}

/** cdk.json's context: the feature flags the CLI hands infra/app.ts, which a bare App lacks. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export const PROD_CONTEXT = { stage: 'prod', account: '123456789012', region: 'ap-east-1' } as const;

export function synthApp(opts: SynthOptions = {}): { app: App; stack: AppStack; template: Template } {
  const app = new App({
    context: {
      ...CDK_JSON_CONTEXT,
      ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...opts.context,
    },
    ...(opts.outdir ? { outdir: opts.outdir } : {}),
  });
  // The machine's CDK_DEFAULT_* must not leak into what a test sees.
  const stack = addStageStack(app, { context: (k) => app.node.tryGetContext(k), env: {} }, opts.routes);
  opts.extend?.(stack);
  return { app, stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };

export function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The one resource of a type (fails unless there is exactly one). */
export function only(template: Template, type: string): [string, Resource] {
  const found = resources(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

/**
 * A chain of resources that reach themselves through Ref, Fn::GetAtt, Fn::Sub or DependsOn anywhere
 * in their definition (CloudFormation refuses such a template); [] when there is none.
 */
export function dependencyCycle(resources: Record<string, unknown>): string[] {
  const ids = new Set(Object.keys(resources));
  const edges = new Map<string, Set<string>>();
  const add = (id: unknown, out: Set<string>) => {
    if (ids.has(String(id))) out.add(String(id));
  };
  const collect = (v: unknown, out: Set<string>): void => {
    if (Array.isArray(v)) for (const x of v) collect(x, out);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Ref') add(x, out);
        else if (k === 'Fn::GetAtt') add(Array.isArray(x) ? x[0] : String(x).split('.')[0], out);
        else if (k === 'DependsOn') for (const d of [x].flat()) add(d, out);
        else if (k === 'Fn::Sub') {
          const [body, vars] = Array.isArray(x) ? x : [x, undefined];
          for (const m of String(body).matchAll(/\$\{([^}.!]+)/g)) add(m[1], out);
          collect(vars, out);
        } else collect(x, out);
      }
    }
  };
  for (const [id, r] of Object.entries(resources)) {
    const out = new Set<string>();
    collect(r, out);
    edges.set(id, out);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] => {
    if (state.get(id) === 'done') return [];
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle.length) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return [];
  };
  for (const id of ids) {
    const cycle = visit(id);
    if (cycle.length) return cycle;
  }
  return [];
}
