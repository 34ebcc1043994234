/**
 * The billing table, built from the one definition in lib/store/table.ts (keys, GSIs, TTL attribute)
 * that the local server and the tests also use.
 *
 * - On demand: an estate office's traffic is a few bursts a day; provisioned capacity would be paid
 *   for all night.
 * - Point-in-time recovery and deletion protection; retained when the stack is deleted, except on
 *   stages configured not to retain data.
 * - Encrypted with the AWS-managed key (aws/dynamodb), not a customer-managed one: key use is in
 *   CloudTrail either way, only this table's functions can read it (IAM), and a CMK would add a
 *   monthly key fee plus a key policy whose mistakes lock the data out, for no control we need
 *   (no cross-account access, no crypto-shredding: financial records are never destroyed).
 * - TTL on `expiresAt`, which only idempotency records carry.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../lib/store/table.js';

export type IndexName = (typeof TABLE_KEYS)['gsi1' | 'gsi2' | 'gsi3']['name'];
export const INDEX_NAMES: readonly IndexName[] = [
  TABLE_KEYS.gsi1.name,
  TABLE_KEYS.gsi2.name,
  TABLE_KEYS.gsi3.name,
];

export interface BillingTableProps {
  retainData: boolean;
}

export class BillingTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: BillingTableProps) {
    super(scope, id);
    const { partitionKey, sortKey, gsi1, gsi2, gsi3, ttlAttribute } = TABLE_KEYS;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: ttlAttribute,
    });
    for (const g of [gsi1, gsi2, gsi3]) {
      this.table.addGlobalSecondaryIndex({
        indexName: g.name,
        partitionKey: { name: g.partitionKey, type: AttributeType.STRING },
        sortKey: { name: g.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }

  indexArn(name: IndexName): string {
    return `${this.table.tableArn}/index/${name}`;
  }
}
