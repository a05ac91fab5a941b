// The fix catalogue (src/kernel/fixes.ts): every fix names a site and the
// invariant it mends, names are unique, and each CRAM fix is used at a site.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { CRAM_FIXES, FIXES } from '../../src/kernel/fixes.ts';

test('fix names are unique and each fix says what it mends', (t) => {
  t.is(new Set(FIXES.map((f) => f.name)).size, FIXES.length);
  for (const f of FIXES) {
    t.regex(f.mends, /^INV-/, f.name);
    t.true(f.site.length > 0 && f.description.length > 0, f.name);
  }
});

test('each CRAM fix is switched on by hasFix at a site in the CRAM / driver sources', (t) => {
  const src = ['src/cram/cram.ts', 'src/cram/pressure.ts', 'src/cxl/compression.ts', 'src/cxl/region_sysram.ts']
    .map((p) => readFileSync(p, 'utf8'))
    .join('\n');
  for (const f of CRAM_FIXES) t.true(src.includes(`'${f.name}'`), f.name);
});
