/**
 * The roster import worker's wiring (infra/constructs/import-worker.ts, docs/onboarding.md): the job
 * queue with its dead letters, the worker as the event source of both, a visibility timeout above
 * the worker's timeout, the onboarding function allowed only to send, and the worker's table grants
 * those its code reaches.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppStack } from '../../infra/appStack.js';
import { IMPORT_WORKER, TABLE_NEEDS } from '../../infra/constructs/table-access.js';
import { MAX_RECEIVES } from '../../lib/onboarding/worker-messages.js';
import { importGraph, tableUse } from './code-usage.js';
import { PROD_CONTEXT, resources, synthApp } from './synth.js';

let stack: AppStack;
let template: Template;
let json: Record<string, { Type: string; Properties: Record<string, unknown> }>;

beforeAll(() => {
  ({ stack, template } = synthApp({ context: { ...PROD_CONTEXT } }));
  json = template.toJSON().Resources;
});

const id = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as CfnFunction);

/** Every (action, resource) granted to a role, resources as JSON. */
function grants(roleId: string): { action: string; resource: string }[] {
  const out: { action: string; resource: string }[] = [];
  for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
    const roles = (policy.Properties!['Roles'] as { Ref: string }[]).map((r) => r.Ref);
    if (!roles.includes(roleId)) continue;
    for (const s of (policy.Properties!['PolicyDocument'] as { Statement: Record<string, unknown>[] })
      .Statement) {
      expect(s['Effect']).toBe('Allow');
      for (const a of ([] as string[]).concat(s['Action'] as string[]))
        for (const r of ([] as unknown[]).concat(s['Resource']))
          out.push({ action: a, resource: JSON.stringify(r) });
    }
  }
  return out;
}

describe('the import worker', () => {
  it('consumes the job queue and its dead letters, one message at a time, reporting item failures', () => {
    const worker = id(stack.imports.function.fn);
    for (const q of [stack.imports.queue, stack.imports.deadLetters]) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: worker },
        EventSourceArn: { 'Fn::GetAtt': [id(q), 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
    expect(resources(template, 'AWS::Lambda::EventSourceMapping')).toHaveLength(2);
  });

  it('retries a job MAX_RECEIVES times, never while a run may still be going, then dead-letters it', () => {
    const timeout = json[id(stack.imports.function.fn)]!.Properties['Timeout'] as number;
    const jobs = json[id(stack.imports.queue)]!.Properties;
    expect(jobs['RedrivePolicy']).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [id(stack.imports.deadLetters), 'Arn'] },
      maxReceiveCount: MAX_RECEIVES,
    });
    expect(jobs['VisibilityTimeout'] as number).toBeGreaterThanOrEqual(6 * timeout);
    expect(json[id(stack.imports.deadLetters)]!.Properties['VisibilityTimeout'] as number).toBeGreaterThan(
      timeout,
    );
    for (const q of [stack.imports.queue, stack.imports.deadLetters]) {
      expect(json[id(q)]!.Properties['SqsManagedSseEnabled'], q.node.path).toBe(true);
    }
    // Both queues refuse requests without TLS.
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        }),
      },
      2,
    );
  });

  it('lets the onboarding function send jobs and nothing else to the queues; the worker only consumes', () => {
    const onboarding = stack.functions.get('onboarding')!;
    const roleOf = (fnId: string) =>
      (json[fnId]!.Properties['Role'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const queueArn = JSON.stringify({ 'Fn::GetAtt': [id(stack.imports.queue), 'Arn'] });
    const dlqArn = JSON.stringify({ 'Fn::GetAtt': [id(stack.imports.deadLetters), 'Arn'] });
    const sqs = (g: { action: string; resource: string }[]) => g.filter((x) => x.action.startsWith('sqs:'));
    expect(sqs(grants(roleOf(id(onboarding.fn)))).sort((a, b) => a.action.localeCompare(b.action))).toEqual(
      ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].map((action) => ({
        action,
        resource: queueArn,
      })),
    );
    const worker = sqs(grants(roleOf(id(stack.imports.function.fn))));
    expect(new Set(worker.map((g) => g.resource))).toEqual(new Set([queueArn, dlqArn]));
    expect(worker.some((g) => g.action === 'sqs:SendMessage')).toBe(false);
    // No other function touches the queues.
    for (const [group, f] of stack.functions) {
      if (group === 'onboarding') continue;
      expect(sqs(grants(roleOf(id(f.fn)))), group).toEqual([]);
    }
  });

  it('gives the worker the table actions its code reaches, and no delete or batch write', () => {
    const roleId = (json[id(stack.imports.function.fn)]!.Properties['Role'] as { 'Fn::GetAtt': string[] })[
      'Fn::GetAtt'
    ][0]!;
    const actions = new Set(grants(roleId).map((g) => g.action));
    for (const a of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(actions.has(a), a).toBe(true);
    }
    for (const a of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Scan', 'dynamodb:*']) {
      expect(actions.has(a), a).toBe(false);
    }
    const used = tableUse(importGraph(['functions/import-worker.ts']));
    expect(used).toEqual({
      queriesTable: TABLE_NEEDS[IMPORT_WORKER].queriesTable,
      queriesIndexes: [...TABLE_NEEDS[IMPORT_WORKER].queriesIndexes].sort(),
      scansIndexes: [],
    });
  });
});
