/**
 * Domain errors. Each maps to exactly one HTTP status in lib/api/errors.ts; nothing here knows
 * about HTTP. A client can provoke every one of them except `UnavailableError` and plain `Error`,
 * which is why only those two may ever become a 5xx.
 */

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/** Bad input: a 400 naming every offending field. Thrown before anything is written. */
export class ValidationError extends Error {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[] | FieldProblem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'ValidationError';
    this.problems = list;
  }
  static of(field: string, code: string, message: string): ValidationError {
    return new ValidationError({ field, code, message });
  }
  get field(): string {
    return this.problems[0]?.field ?? '';
  }
  get code(): string {
    return this.problems[0]?.code ?? 'INVALID';
  }
}

/** Something the client named does not exist (or must not be revealed to exist). */
export class NotFoundError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** A business rule refuses the request in the current state: already paid, already billed, in progress. */
export class ConflictError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Valid input that the rules refuse outright (not a state conflict): 422 on the wire. */
export class UnprocessableError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** What the client needs to fix it (a refused roster's report). */
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'UnprocessableError';
  }
}

/** The body is larger than the route accepts (413); the message says how to split it. */
export class PayloadTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadTooLargeError';
  }
}

/** The caller's role or scope does not allow this. */
export class ForbiddenError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** The store could not be reached or refused under load; nothing was written (or the retry is safe). */
export class UnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}
