// Proves the harness: the shared DynamoDB Local answers, and behaves like DynamoDB where the store
// relies on it (cancelled transactions report why, per item; nothing of a cancelled one is written).
import {
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableFromInput, freshTableName, testDynamoClient } from '../support/dynamo.js';

describe('DynamoDB Local harness', () => {
  let client: DynamoDBClient;
  let table: string;

  beforeAll(async () => {
    client = testDynamoClient();
    table = await freshTableName('harness');
    await createTableFromInput(client, {
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  afterAll(async () => {
    await client?.send(new DeleteTableCommand({ TableName: table }));
    client?.destroy();
  });

  it('round-trips an item through PutItem and GetItem', async () => {
    const item = {
      pk: { S: 'INVOICE#2026-000001' },
      amountFen: { N: '1234500' },
      payer: { S: '3栋2单元1101' },
      lines: { L: [{ M: { fee: { S: 'property' }, amountFen: { N: '1234500' } } }] },
    };
    await client.send(new PutItemCommand({ TableName: table, Item: item }));

    const got = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: item.pk }, ConsistentRead: true }),
    );

    expect(got.Item).toEqual(item);
  });

  describe('TransactWriteItems with a ConditionCheck', () => {
    const transaction = (minimumBalance: number): TransactWriteItemsCommandInput => ({
      TransactItems: [
        {
          ConditionCheck: {
            TableName: table,
            Key: { pk: { S: 'ACCOUNT#1' } },
            ConditionExpression: 'balanceFen >= :min',
            ExpressionAttributeValues: { ':min': { N: String(minimumBalance) } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        { Put: { TableName: table, Item: { pk: { S: `PAYMENT#${minimumBalance}` } } } },
      ],
    });

    beforeAll(async () => {
      await client.send(
        new PutItemCommand({ TableName: table, Item: { pk: { S: 'ACCOUNT#1' }, balanceFen: { N: '500' } } }),
      );
    });

    it('is cancelled with a ConditionalCheckFailed reason for the failing item, and writes nothing', async () => {
      const error = await client.send(new TransactWriteItemsCommand(transaction(501))).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(TransactionCanceledException);
      const reasons = (error as TransactionCanceledException).CancellationReasons;
      expect(reasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None']);
      expect(reasons?.[0]?.Item).toEqual({ pk: { S: 'ACCOUNT#1' }, balanceFen: { N: '500' } });
      const put = await client.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'PAYMENT#501' } }, ConsistentRead: true }),
      );
      expect(put.Item).toBeUndefined();
    });

    it('commits the same transaction when the condition holds', async () => {
      await client.send(new TransactWriteItemsCommand(transaction(500)));

      const put = await client.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'PAYMENT#500' } }, ConsistentRead: true }),
      );
      expect(put.Item).toEqual({ pk: { S: 'PAYMENT#500' } });
    });
  });
});
