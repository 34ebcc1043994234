/** `npm run token -- --role cashier --estate DEMO [--unit U] [--sub NAME]`: a token the local server accepts. */
import { parseArgs } from 'node:util';
import { ROLES } from '../../lib/billing/context.js';
import { signDevToken } from './dev-auth.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    estate: { type: 'string', multiple: true },
    unit: { type: 'string', multiple: true },
    sub: { type: 'string' },
  },
});

if (!values.role || !(ROLES as readonly string[]).includes(values.role) || !values.estate?.length) {
  console.error(
    `usage: npm run token -- --role <${ROLES.join('|')}> --estate DEMO [--unit UNIT] [--sub NAME]`,
  );
  process.exit(2);
}
try {
  console.log(
    await signDevToken({
      role: values.role,
      estates: values.estate.flatMap((e) => e.split(',')),
      units: (values.unit ?? []).flatMap((u) => u.split(',')),
      ...(values.sub ? { sub: values.sub } : {}),
    }),
  );
} catch (e) {
  console.error(`npm run token: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
