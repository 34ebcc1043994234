/**
 * Watching and disturbing the store at the SDK layer, as the tests and benchmarks need: middleware
 * on a document client's stack (shared with the client it wraps), never a stand-in client.
 *
 * - `observeCalls` sees every command once, as Db sent it (document form, before marshalling and
 *   before the SDK's retries): round-trip counts, the writes of a flow.
 * - `injectFaults` runs inside the SDK's retry loop, on every attempt, where real faults arise:
 *   throwing in 'before' is a failure before DynamoDB saw the request, throwing in 'after' is an
 *   answer lost after DynamoDB acted on it.
 */
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { StoreOp } from '../../lib/store/db.js';

export type FaultInjector = (op: StoreOp, phase: 'before' | 'after') => void;

const OPS: Record<string, StoreOp> = {
  GetItem: 'get',
  Query: 'query',
  Scan: 'scan',
  PutItem: 'put',
  UpdateItem: 'update',
  TransactWriteItems: 'transact',
  BatchWriteItem: 'batch',
  BatchGetItem: 'get',
};

/** The DynamoDB action of a command name as the SDK gives it in the middleware context. */
export function actionOf(commandName: string | undefined): string {
  return (commandName ?? '').replace(/Command$/, '');
}

function opOf(commandName: string | undefined): StoreOp {
  const op = OPS[actionOf(commandName)];
  if (!op) throw new Error(`a store call Db does not make: ${commandName}`);
  return op;
}

let names = 0;

/** Calls `onCall` with every command sent through `doc`; returns a function that stops watching. */
export function observeCalls(
  doc: DynamoDBDocumentClient,
  onCall: (action: string, input: Record<string, unknown>) => void,
): () => void {
  const name = `observeCalls${++names}`;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      onCall(actionOf(context.commandName), args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', priority: 'high', name },
  );
  return () => {
    doc.middlewareStack.remove(name);
  };
}

/** Runs `inject` around every attempt of every command sent through `doc`. */
export function injectFaults(doc: DynamoDBDocumentClient, inject: FaultInjector): void {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const op = opOf(context.commandName);
      inject(op, 'before');
      const out = await next(args);
      inject(op, 'after');
      return out;
    },
    { step: 'finalizeRequest', priority: 'low', name: `injectFaults${++names}` },
  );
}

const COMMANDS = {
  GetItem: GetCommand,
  Query: QueryCommand,
  Scan: ScanCommand,
  PutItem: PutCommand,
  UpdateItem: UpdateCommand,
  TransactWriteItems: TransactWriteCommand,
  BatchWriteItem: BatchWriteCommand,
} as const;

/** The document command for an action and input that `observeCalls` saw: to replay it. */
export function commandFor(action: string, input: Record<string, unknown>) {
  const Command = COMMANDS[action as keyof typeof COMMANDS];
  if (!Command) throw new Error(`no document command for ${action}`);
  return new Command(input as never);
}

/**
 * Counts the store calls made through a document client (once per command, before the SDK's
 * retries) and their sequential depth: a call's depth is one more than the deepest call that had
 * finished when it started, so calls sent together with Promise.all count once and a call that
 * waited for another counts after it. Round-trip budgets (issue #16) are on that depth.
 */
export class StoreCallCounter {
  calls = 0;
  sequential = 0;
  actions: string[] = [];
  private finishedDepth = 0;

  watch(doc: DynamoDBDocumentClient): this {
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        this.calls++;
        this.actions.push(actionOf(context.commandName));
        const depth = this.finishedDepth + 1;
        this.sequential = Math.max(this.sequential, depth);
        try {
          return await next(args);
        } finally {
          this.finishedDepth = Math.max(this.finishedDepth, depth);
        }
      },
      { step: 'initialize', priority: 'high', name: `storeCallCounter${++names}` },
    );
    return this;
  }

  reset(): void {
    this.calls = 0;
    this.sequential = 0;
    this.actions = [];
    this.finishedDepth = 0;
  }
}

/**
 * Holds the first TransactWriteItems sent through `doc` until `release()`: whatever the request
 * read before it is then as stale as a test wants (another request commits in between). `arrived`
 * settles when that transaction is waiting; later transactions (a retry's) pass freely.
 */
export function holdFirstTransact(doc: DynamoDBDocumentClient): {
  arrived: Promise<void>;
  release: () => void;
} {
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((r) => {
    arrive = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  let held = false;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!held && actionOf(context.commandName) === 'TransactWriteItems') {
        held = true;
        arrive();
        await released;
      }
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: `holdFirstTransact${++names}` },
  );
  return { arrived, release };
}
