/** Builds the app as infra/app.ts does, from explicit context, with or without real bundling. */
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

export const PROD_CONTEXT = { stage: 'prod', account: '123456789012', region: 'ap-east-1' } as const;

export function synthApp(opts: SynthOptions = {}): { app: App; stack: AppStack; template: Template } {
  const app = new App({
    context: { ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...opts.context },
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
