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

/** A counter of store calls by action, for round-trip budgets. */
export function callCounter(doc: DynamoDBDocumentClient): {
  reset(): void;
  total(): number;
  byAction(): Record<string, number>;
  stop(): void;
} {
  let counts: Record<string, number> = {};
  const stop = observeCalls(doc, (action) => {
    counts[action] = (counts[action] ?? 0) + 1;
  });
  return {
    reset: () => {
      counts = {};
    },
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    byAction: () => ({ ...counts }),
    stop,
  };
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
 * Store calls and sequential round trips while `doc` serves one request at a time: a call that
 * starts while another is in flight shares its round trip (reads sent together cost one wait).
 */
export function roundTrips(doc: DynamoDBDocumentClient): {
  measure<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; calls: number; rounds: number; actions: string[] }>;
} {
  let inFlight = 0;
  let calls = 0;
  let rounds = 0;
  let actions: string[] = [];
  let measuring = false;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!measuring) return next(args);
      calls++;
      actions.push(actionOf(context.commandName));
      if (inFlight === 0) rounds++;
      inFlight++;
      try {
        return await next(args);
      } finally {
        inFlight--;
      }
    },
    { step: 'initialize', priority: 'high', name: `roundTrips${++names}` },
  );
  return {
    async measure(work) {
      calls = 0;
      rounds = 0;
      actions = [];
      measuring = true;
      try {
        const result = await work();
        return { result, calls, rounds, actions: [...actions] };
      } finally {
        measuring = false;
      }
    },
  };
}
