/**
 * `npm run openapi`: writes the OpenAPI document of the route table (`openApi()` in routes.ts) to
 * lib/api/openapi.generated.json, the file `GET /openapi.json` serves. The document is built from
 * every route's schemas; serving a committed copy keeps the meta Lambda from bundling every route.
 * test/api/openapi-file.test.ts fails while the committed file differs from the route table.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApi } from './routes.js';

const file = fileURLToPath(new URL('./openapi.generated.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(openApi(), null, 2)}\n`);
// In Biome's JSON style, so that `npm run lint` passes on the committed file.
const biome = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));
execFileSync(biome, ['format', '--write', file], { stdio: 'ignore' });
console.log(`wrote ${file}`);
