/** Asserts that `fn` throws a ValidationError whose first problem names `field` with `code`. */
import { expect } from 'vitest';
import { type FieldProblem, ValidationError } from '../../lib/errors.js';

export function validationProblems(fn: () => unknown): FieldProblem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.problems;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

export function expectValidation(fn: () => unknown, field: string, code: string): FieldProblem[] {
  const problems = validationProblems(fn);
  expect(problems[0]).toMatchObject({ field, code });
  expect(problems[0]?.message).toBeTruthy();
  return problems;
}
