/**
 * Alarms to one SNS topic (subscribe an address with -c alarmEmail=… or in the console).
 * Thresholds are low on purpose: the contract says a client can never cause a 5xx, so one is a
 * defect; a throttled cashier is a cashier who cannot take a payment.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import type { BillingApi } from './http-api.js';
import type { BillingTable } from './table.js';

/** The operations the code issues (Db and the renewal index scan). */
export const TABLE_OPERATIONS: Operation[] = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.SCAN,
];

export interface OperationsAlarmsProps {
  config: StageConfig;
  api: BillingApi;
  table: BillingTable;
  functions: ReadonlyMap<string, IFunction>;
  /** The daily renewal run: it must be invoked at least once a day. */
  renewalRunner: IFunction;
}

export class OperationsAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    // Not KMS-encrypted: notifications carry alarm and metric names, no customer data, and CloudWatch
    // cannot publish to a topic under the aws/sns key (it would need a customer-managed key).
    this.topic = new Topic(this, 'Topic', {
      displayName: `Property billing ${props.config.stage} alarms`,
      enforceSSL: true,
    });
    if (props.config.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.config.alarmEmail));

    const five = Duration.minutes(5);
    const add = (
      name: string,
      description: string,
      metric: IMetric,
      threshold: number,
      treatMissing = TreatMissingData.NOT_BREACHING,
    ) => {
      const alarm = new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: treatMissing,
      });
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarm.addOkAction(new SnsAction(this.topic));
      this.alarms.push(alarm);
      return alarm;
    };

    add(
      'Api5xx',
      'The API answered 5xx: a defect or the store unavailable',
      props.api.api.metricServerError({ period: five, statistic: 'Sum' }),
      1,
    );
    add(
      'ApiThrottled',
      'The API refused requests with 429 (stage throttling)',
      props.api.throttledRequests.with({ period: five, statistic: 'Sum' }),
      5,
    );
    for (const [name, fn] of props.functions) {
      add(
        `FunctionErrors-${name}`,
        `The ${name} function failed (error or timeout)`,
        fn.metricErrors({ period: five, statistic: 'Sum' }),
        1,
      );
    }
    add(
      'TableSystemErrors',
      'DynamoDB answered 500 to the billing table',
      props.table.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: five }),
      1,
    );
    add(
      'TableThrottled',
      'DynamoDB throttled requests to the billing table (on-demand limits or a hot partition)',
      props.table.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: five }),
      1,
    );
    // Absence is the failure here: a run that never happens raises no error.
    const missed = new Alarm(this, 'RenewalRunMissed', {
      alarmDescription: 'The daily renewal run was not invoked for two days',
      metric: props.renewalRunner.metricInvocations({ period: Duration.days(1), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
    missed.addAlarmAction(new SnsAction(this.topic));
    missed.addOkAction(new SnsAction(this.topic));
    this.alarms.push(missed);
  }
}
