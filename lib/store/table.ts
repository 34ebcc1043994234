/**
 * The one table definition, used by the CDK stack, the local server and the tests. Keys are generic
 * (PK/SK plus two sparse GSIs); which entity lives under which key is documented in keys.ts.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Invoices and receipts by unit (or by vehicle for rentals and parking), newest first. */
  gsi1: { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  /** Sparse: units whose renewal invoice may be issued, by estate and issue-from date; open parking sessions by plate. */
  gsi2: { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  /**
   * Every receipt of an estate by business date, newest first (finding receipts to reprint). Not in
   * GSI2: that index stays sparse, since the renewal run scans it (billing/estates-list.ts), and a
   * receipt stays for ever.
   */
  gsi3: { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  /** Only idempotency records carry it: they may expire, financial items never do. */
  ttlAttribute: 'expiresAt',
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, gsi1, gsi2, gsi3 } = TABLE_KEYS;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      partitionKey,
      sortKey,
      gsi1.partitionKey,
      gsi1.sortKey,
      gsi2.partitionKey,
      gsi2.sortKey,
      gsi3.partitionKey,
      gsi3.sortKey,
    ].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [gsi1, gsi2, gsi3].map((g) => ({
      IndexName: g.name,
      KeySchema: [
        { AttributeName: g.partitionKey, KeyType: 'HASH' },
        { AttributeName: g.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
