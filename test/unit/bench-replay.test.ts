/**
 * The load bench's store reference (test/bench/replay.ts): a replayed request must write what the
 * recorded one wrote and succeed doing it, or the reference measures refusals instead of work.
 */
import { describe, expect, it } from 'vitest';
import { replayOf } from '../bench/replay.js';

const paid = {
  action: 'TransactWriteItems',
  input: {
    ClientRequestToken: 'recorded',
    TransactItems: [
      {
        Update: {
          TableName: 'live',
          Key: { PK: 'INVOICE#I1', SK: 'META' },
          UpdateExpression: 'SET #state = :paid, #version = :version',
          ConditionExpression: '#state = :open AND #v = :v',
          ExpressionAttributeNames: { '#state': 'state', '#v': 'version', '#version': 'version' },
          ExpressionAttributeValues: { ':paid': 'PAID', ':open': 'OPEN', ':v': 3, ':version': 4 },
        },
      },
      {
        Put: {
          TableName: 'live',
          Item: { PK: 'RECEIPT#R1', SK: 'META', amount: 44780n },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { ConditionCheck: { TableName: 'live', Key: { PK: 'UNIT#U1', SK: 'META' }, ConditionExpression: 'x' } },
    ],
  },
};
const read = { action: 'GetItem', input: { TableName: 'live', Key: { PK: 'INVOICE#I1', SK: 'META' } } };

describe('a replayed request', () => {
  const [get, tx] = replayOf([read, paid], 7, 'replay');
  const items = (tx!.input['TransactItems'] as Record<string, Record<string, unknown>>[]).map(
    (t) => Object.values(t)[0]!,
  );

  it('reads what the request read, where it read it', () => {
    expect(get).toEqual(read);
  });

  it('writes every item the request wrote, under a key of its own, in the replay table', () => {
    expect(items.map((i) => [i['TableName'], i['Key'] ?? (i['Item'] as { PK: string; SK: string })])).toEqual(
      [
        ['replay', { PK: 'INVOICE#I1~replay7', SK: 'META' }],
        ['replay', { PK: 'RECEIPT#R1~replay7', SK: 'META', amount: 44780n }],
      ],
    );
    expect(replayOf([paid], 8, 'replay')[0]!.input).not.toEqual(tx!.input);
  });

  it('drops conditions and the placeholders only they used, so it cannot be refused', () => {
    expect(items[0]).toEqual({
      TableName: 'replay',
      Key: { PK: 'INVOICE#I1~replay7', SK: 'META' },
      UpdateExpression: 'SET #state = :paid, #version = :version',
      ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
      ExpressionAttributeValues: { ':paid': 'PAID', ':version': 4 },
    });
    expect(items[1]).not.toHaveProperty('ConditionExpression');
  });

  it('sends a fresh client token, or DynamoDB would answer from its idempotency cache', () => {
    expect(tx!.input['ClientRequestToken']).not.toBe('recorded');
  });
});
