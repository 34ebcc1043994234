/**
 * The load bench's store reference (load.bench.ts): the store calls one request of a flow made,
 * replayed straight to DynamoDB Local as often as the API was called. Replayed verbatim, a write
 * would fail its condition from the second time on (the invoice is already paid), and DynamoDB
 * Local answers a cancelled transaction 1.5 to 2 times faster than one that writes: the reference
 * would be the rate of refusals, not of the work the API had done. So each replay writes what the
 * request wrote, under keys of its own (the partition key gets a suffix), without conditions and
 * into a table of its own (same schema and indexes, so the bench's audit of the real table sees
 * nothing of it), and reads what it read. Dropping condition checks makes the reference a little faster than the
 * real work, never slower: the ratio errs against the API.
 */
import { randomBytes } from 'node:crypto';

/** One store call as the document client received it. */
export interface Command {
  action: string;
  input: Record<string, unknown>;
}

type Item = Record<string, unknown>;

/** The names (#n) and values (:v) still referred to once the condition is gone. */
function withoutCondition(op: Item): Item {
  const { ConditionExpression: _, ExpressionAttributeNames, ExpressionAttributeValues, ...rest } = op;
  const text = ['UpdateExpression', 'ProjectionExpression']
    .map((k) => (typeof rest[k] === 'string' ? (rest[k] as string) : ''))
    .join(' ');
  const used = new Set(text.match(/[#:][A-Za-z0-9_]+/g));
  const keep = (m: unknown) => {
    if (!m) return undefined;
    const kept = Object.entries(m as Item).filter(([k]) => used.has(k));
    return kept.length ? Object.fromEntries(kept) : undefined;
  };
  const names = keep(ExpressionAttributeNames);
  const values = keep(ExpressionAttributeValues);
  return {
    ...rest,
    ...(names ? { ExpressionAttributeNames: names } : {}),
    ...(values ? { ExpressionAttributeValues: values } : {}),
  };
}

const rekey = (k: Item, suffix: string): Item => ({ ...k, PK: `${String(k['PK'])}~${suffix}` });

/** A write moved to `table` under `suffix`, its condition dropped; undefined for a bare check. */
function rewrite(kind: string, op: Item, suffix: string, table: string): Item | undefined {
  if (kind === 'ConditionCheck') return undefined;
  const bare: Item = { ...withoutCondition(op), TableName: table };
  if (kind === 'Put') return { ...bare, Item: rekey(bare['Item'] as Item, suffix) };
  return { ...bare, Key: rekey(bare['Key'] as Item, suffix) };
}

const WRITES: Record<string, string> = { PutItem: 'Put', UpdateItem: 'Update', DeleteItem: 'Delete' };

/** The commands to send for the `n`th replay of a recorded request, its writes going to `table`. */
export function replayOf(commands: readonly Command[], n: number, table: string): Command[] {
  const suffix = `replay${n}`;
  return commands.map(({ action, input }) => {
    if (action === 'TransactWriteItems') {
      const items = (input['TransactItems'] as Item[]).flatMap((t) => {
        const [[kind, op]] = Object.entries(t) as [[string, Item]];
        const out = rewrite(kind, op, suffix, table);
        return out ? [{ [kind]: out }] : [];
      });
      // A fresh token, or DynamoDB would answer from its idempotency cache without writing.
      return {
        action,
        input: { ...input, TransactItems: items, ClientRequestToken: randomBytes(16).toString('hex') },
      };
    }
    const kind = WRITES[action];
    if (kind) return { action, input: rewrite(kind, input, suffix, table)! };
    if (action === 'BatchWriteItem') {
      const tables = input['RequestItems'] as Record<string, Item[]>;
      const moved = Object.fromEntries(
        Object.values(tables).map((reqs) => [
          table,
          reqs.map((r) =>
            r['PutRequest']
              ? { PutRequest: { Item: rekey((r['PutRequest'] as Item)['Item'] as Item, suffix) } }
              : { DeleteRequest: { Key: rekey((r['DeleteRequest'] as Item)['Key'] as Item, suffix) } },
          ),
        ]),
      );
      return { action, input: { ...input, RequestItems: moved } };
    }
    return { action, input };
  });
}
