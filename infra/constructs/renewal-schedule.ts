/**
 * The daily renewal run (SPEC.md §4.1): EventBridge Scheduler invokes the scheduler function at
 * 02:00 Asia/Shanghai — the zone is the schedule's own, so the run never drifts with a UTC
 * offset, and 02:00 is after the business day has turned and before the office opens.
 *
 * Scheduler invokes Lambda asynchronously: its retry policy covers delivery, Lambda's async retries
 * cover a failed run (twice, within six hours). Retrying is safe because a period is billed at most
 * once; a run that still fails raises the function's error alarm, and a cashier can run an estate's
 * renewals on demand (POST /v1/estates/{estateId}/renewals).
 */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Effect, type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { GroupFunction } from './group-function.js';
import type { BillingTable } from './table.js';
import { SCHEDULER, TABLE_NEEDS } from './table-access.js';

/**
 * LambdaInvoke grants `function:*` too (every version and alias); the schedule invokes the
 * unqualified function, so the role gets exactly that ARN.
 */
class InvokeExactFunction extends LambdaInvoke {
  constructor(
    private readonly target: IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(target, props);
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [this.target.functionArn],
      }),
    );
  }
}

export const RENEWAL_TIME = { hour: '2', minute: '0', timeZone: TimeZone.ASIA_SHANGHAI } as const;

export class RenewalSchedule extends Construct {
  readonly function: GroupFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: { config: StageConfig; table: BillingTable }) {
    super(scope, id);
    this.function = new GroupFunction(this, 'Runner', {
      name: SCHEDULER,
      description: 'Daily renewal run: issues every renewal invoice due, in every estate',
      config: props.config,
      table: props.table,
      // An estate delivered on one day renews all its units on one day: thousands of invoices.
      timeout: Duration.minutes(15),
      memorySize: 1024,
    });
    this.function.bindTable(props.table, 'RW', TABLE_NEEDS[SCHEDULER]);
    this.function.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });

    const invoker = new Role(this, 'InvokeRole', {
      description: 'EventBridge Scheduler: invokes the renewal run',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    this.schedule = new Schedule(this, 'Daily', {
      description: 'Renewal invoices for every estate, daily at 02:00 Asia/Shanghai',
      schedule: ScheduleExpression.cron({ ...RENEWAL_TIME }),
      target: new InvokeExactFunction(this.function.fn, {
        role: invoker,
        input: ScheduleTargetInput.fromObject({ job: 'renewals' }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }
}
