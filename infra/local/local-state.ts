/**
 * The git-ignored `.local/` folder (dev signing key, tokens.env, DynamoDB Local's data) and the
 * guard every dev-only tool runs first. No dependencies: npm start imports this before it spawns
 * DynamoDB Local, and anything heavier would delay the JVM.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOCAL_STATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.local');

export function refuseInProduction(what: string): void {
  if (process.env['NODE_ENV'] === 'production') {
    throw new Error(`${what} is development-only and refuses to run with NODE_ENV=production`);
  }
}
