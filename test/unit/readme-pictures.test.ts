/**
 * The README shows the counter and the kiosk before anyone installs them: every picture it links
 * exists under docs/pictures/ and stays small, and every picture `npm run pictures` writes
 * (test/e2e/pictures.ts) is linked, so none goes stale unseen.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PICTURE_MAX_BYTES, PICTURE_OF } from '../e2e/pictures.js';

const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
const linked = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]*\ssrc="([^"]+)"/g)].map(
  (m) => (m[1] ?? m[2])!,
);

describe('README pictures', () => {
  it('links pictures, each of which exists and is under 250 KB', () => {
    expect(linked.length).toBeGreaterThanOrEqual(Object.keys(PICTURE_OF).length);
    for (const link of linked) {
      const path = join(process.cwd(), link);
      expect(existsSync(path), `${link} linked from README.md`).toBe(true);
      expect(statSync(path).size, `${link} size`).toBeLessThanOrEqual(PICTURE_MAX_BYTES);
      // A PNG, not a pointer or a placeholder.
      expect(readFileSync(path).subarray(1, 4).toString('latin1'), link).toBe('PNG');
    }
  });

  it('links every picture npm run pictures writes', () => {
    for (const picture of Object.values(PICTURE_OF)) expect(linked).toContain(`docs/pictures/${picture}.png`);
  });
});
