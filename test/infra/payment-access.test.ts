/**
 * Issue 21 in the cloud: the merchant-secret shells per estate and provider, the functions that may
 * read them (and only under the prefix), and the notifications' own function whose writes are
 * limited to the partitions settling a payment writes.
 */
import { Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppStack } from '../../infra/appStack.js';
import { loadStageConfig } from '../../infra/config.js';
import { SECRET_SHELL } from '../../infra/constructs/payment-access.js';
import { NOTIFY_WRITE_PARTITIONS } from '../../infra/constructs/table-access.js';
import { ROUTES } from '../../lib/api/routes.js';
import { PROD_CONTEXT, resources, synthApp } from './synth.js';

let prod: { stack: AppStack; template: Template };
let plain: { stack: AppStack; template: Template };

beforeAll(() => {
  prod = synthApp({ context: { ...PROD_CONTEXT, paymentEstates: 'DEMO,E2' } });
  plain = synthApp({ context: { stage: 'dev' } });
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The statements of one function's role, by the function's route group or 'scheduler'. */
function statements(s: { stack: AppStack; template: Template }, name: string): Statement[] {
  const fn = name === 'scheduler' ? s.stack.renewals.function : s.stack.functions.get(name as 'payments')!;
  const fnId = s.stack.getLogicalId(fn.fn.node.defaultChild as CfnFunction);
  const roleId = s.template.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0] as string;
  return resources(s.template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!['Roles'] as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties!['PolicyDocument'] as { Statement: Statement[] }).Statement);
}
const actions = (st: Statement) => ([] as string[]).concat(st.Action);

describe('merchant secrets', () => {
  it('makes one shell per estate and provider named {prefix}/{estate}/{provider}, retained in production', () => {
    const secrets = resources(prod.template, 'AWS::SecretsManager::Secret');
    expect(secrets.map(([, r]) => r.Properties!['Name']).sort()).toEqual([
      'property-billing/prod/payments/DEMO/alipay',
      'property-billing/prod/payments/DEMO/wechat',
      'property-billing/prod/payments/E2/alipay',
      'property-billing/prod/payments/E2/wechat',
    ]);
    for (const [, r] of secrets) {
      expect(JSON.parse(r.Properties!['SecretString'] as string)).toEqual(SECRET_SHELL);
      expect(r.DeletionPolicy).toBe('Retain');
    }
    // Default: no estates named, no shells (estate ids are the operator's, docs/deploy.md).
    expect(resources(plain.template, 'AWS::SecretsManager::Secret')).toEqual([]);
  });

  it('refuses an estate id that is not one (named at synth)', () => {
    const load = (paymentEstates: unknown) =>
      loadStageConfig({ context: (k) => ({ stage: 'dev', paymentEstates })[k], env: {} });
    expect(load(['DEMO', 'E2']).payments.estates).toEqual(['DEMO', 'E2']);
    expect(load(' DEMO , E2 ').payments.estates).toEqual(['DEMO', 'E2']);
    expect(() => load('demo')).toThrow(/payments\.estates/);
  });

  it('lets exactly the provider-calling functions read them, under the prefix only', () => {
    const arn = 'arn:aws:secretsmanager:ap-east-1:123456789012:secret:property-billing/prod/payments/*';
    for (const name of ['payments', 'payments-notify', 'scheduler']) {
      const sm = statements(prod, name).filter((st) =>
        actions(st).some((a) => a.startsWith('secretsmanager:')),
      );
      expect(sm, name).toEqual([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: arn }]);
    }
    for (const name of [...prod.stack.functions.keys()].filter((g) => !g.startsWith('payments'))) {
      expect(
        statements(prod, name).some((st) => actions(st).some((a) => a.startsWith('secretsmanager:'))),
        name,
      ).toBe(false);
    }
  });

  it('passes cdk-nag with the shells present', () => {
    const report = new AwsSolutionsChecks().validateScope(prod.stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(Validations).toBeDefined();
  });
});

describe('the notifications’ own function', () => {
  it('serves the two notify routes and nothing else', () => {
    expect(
      ROUTES.filter((r) => r.group === 'payments-notify')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual(['POST /v1/payment-notify/alipay', 'POST /v1/payment-notify/wechat']);
    expect(
      ROUTES.filter((r) => r.roles === 'public' && r.method === 'POST').every(
        (r) => r.group === 'payments-notify',
      ),
    ).toBe(true);
  });

  it('writes only to the partitions settling a payment writes; no other function is so limited', () => {
    const writes = statements(prod, 'payments-notify').filter((st) =>
      actions(st).includes('dynamodb:PutItem'),
    );
    expect(writes).toHaveLength(1);
    expect(writes[0]!.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': NOTIFY_WRITE_PARTITIONS.map((p) => `${p}*`) },
    });
    // Not the idempotency records, credit notes, refunds, renovation cases, guards or imports.
    for (const p of [
      'IDEMP#',
      'CREDIT#',
      'REFUND#',
      'RENOVATION#',
      'PAYGUARD#',
      'PAYREFUND#',
      'IMPORTCHUNK#',
    ])
      expect(NOTIFY_WRITE_PARTITIONS as readonly string[]).not.toContain(p);
    const payments = statements(prod, 'payments').filter((st) => actions(st).includes('dynamodb:PutItem'));
    expect(payments[0]!.Condition).toBeUndefined();
  });
});
