/** `npm run token -- --role cashier --estate DEMO`: a token the local server accepts (usage: --help). */
import { signDevToken } from './dev-auth.js';
import { parseTokenArgs, TOKEN_USAGE } from './token-args.js';

const args = parseTokenArgs(process.argv.slice(2));
if (args.help) {
  console.log(TOKEN_USAGE);
  process.exit(0);
}
if ('error' in args) {
  console.error(`npm run token: ${args.error}\n\n${TOKEN_USAGE}`);
  process.exit(2);
}
try {
  console.log(await signDevToken(args.spec));
} catch (e) {
  console.error(`npm run token: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
