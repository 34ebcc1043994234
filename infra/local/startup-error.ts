/** A start-up failure the user can fix: printed as one line (what is wrong, how to fix it), no stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}
