/**
 * The error model of API.md: `{"error": {"code", "message", "details"}}`. Every domain error maps to
 * one status here. Anything unrecognised is a 500 with a generic message and no internals — and the
 * fuzz tests hold that no client input ever gets there.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';
// Named, not `z.core.$ZodError`: touching the `z.core` namespace object makes esbuild keep all of
// zod (every locale included, ~400 KB) in each Lambda bundle.
import { $ZodError } from 'zod/v4/core';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnavailableError,
  UnprocessableError,
  ValidationError,
} from '../errors.js';
import { TransactionCancelled } from '../store/db.js';

// zod/mini loads no locale (classic zod installs English on first use): without this every issue
// message would be a bare "Invalid input". Set at import, before dispatch parses anything.
z.config(en());

export class UnauthorizedError extends Error {
  constructor(message = 'a valid bearer token is required') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** A known path called with a method it does not have. */
export class MethodNotAllowedError extends Error {
  constructor(readonly allowed: string[]) {
    super(`method not allowed; use ${allowed.join(', ')}`);
    this.name = 'MethodNotAllowedError';
  }
}

export interface HttpError {
  status: number;
  headers?: Record<string, string>;
  body: { error: { code: string; message: string; details: unknown[] } };
}

function body(code: string, message: string, details: unknown[] = []): HttpError['body'] {
  return { error: { code, message, details } };
}

/** zod issues → field problems, with paths like `items[0].area`. */
/**
 * zod issues → the fields they concern. An unknown key is a problem of its own field (`q`, not the
 * query as a whole): one problem per key, named as the client wrote it.
 */
export function zodProblems(error: $ZodError, prefix = '', where: 'path' | 'query' | 'body' = 'body') {
  const join = (acc: string, p: PropertyKey) =>
    typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p);
  const what = where === 'query' ? 'query parameter' : where === 'path' ? 'path parameter' : 'field';
  return error.issues.flatMap((issue) => {
    const path = issue.path.reduce<string>(join, prefix);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({
        field: join(path, k),
        code: issue.code.toUpperCase(),
        message: `unknown ${what} ${k}`,
      }));
    }
    return [{ field: path || where, code: issue.code.toUpperCase(), message: issue.message }];
  });
}

export function toHttpError(e: unknown): HttpError {
  if (e instanceof ValidationError) {
    return { status: 400, body: body('INVALID_INPUT', e.message, e.problems) };
  }
  if (e instanceof $ZodError) {
    const problems = zodProblems(e);
    return {
      status: 400,
      body: body('INVALID_INPUT', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems),
    };
  }
  if (e instanceof UnauthorizedError) return { status: 401, body: body('UNAUTHORIZED', e.message) };
  if (e instanceof ForbiddenError) return { status: 403, body: body(e.code, e.message) };
  if (e instanceof NotFoundError) return { status: 404, body: body(e.code, e.message) };
  if (e instanceof MethodNotAllowedError) {
    return {
      status: 405,
      headers: { allow: e.allowed.join(', ') },
      body: body('METHOD_NOT_ALLOWED', e.message),
    };
  }
  if (e instanceof ConflictError) return { status: 409, body: body(e.code, e.message, e.details) };
  if (e instanceof UnprocessableError) return { status: 422, body: body(e.code, e.message, e.details) };
  if (e instanceof PayloadTooLargeError) return { status: 413, body: body('PAYLOAD_TOO_LARGE', e.message) };
  if (e instanceof TransactionCancelled) {
    // A condition no service mapped (e.g. an idempotency lock taken over by a retry): the state
    // changed under the request, nothing was written, and a retry will see the new state.
    return {
      status: 409,
      body: body(
        'CONCURRENT_CHANGE',
        'the data changed while this request ran; nothing was changed, please retry',
      ),
    };
  }
  if (e instanceof UnavailableError) {
    return {
      status: 503,
      headers: { 'retry-after': String(e.retryAfterSeconds) },
      body: body('STORE_UNAVAILABLE', e.message),
    };
  }
  return { status: 500, body: body('INTERNAL', 'something went wrong on our side; nothing was changed') };
}

/** Errors that are a stable answer to a request and may be replayed under its Idempotency-Key. */
export function isReplayableError(e: unknown): boolean {
  return (
    e instanceof ValidationError ||
    e instanceof NotFoundError ||
    e instanceof ConflictError ||
    e instanceof ForbiddenError ||
    e instanceof UnprocessableError
  );
}
