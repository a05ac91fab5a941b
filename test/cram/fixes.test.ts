// The fix catalogue (src/kernel/fixes.ts): every fix names a site and the
// invariant it mends, names are unique, and each CRAM fix is used at a site.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { FIXES } from '../../src/kernel/fixes.ts';

test('fix names are unique and each fix says what it mends', (t) => {
  t.is(new Set(FIXES.map((f) => f.name)).size, FIXES.length);
  for (const f of FIXES) {
    t.regex(f.mends, /^(INV|LIVE)-/, f.name);
    t.true(f.site.length > 0 && f.description.length > 0, f.name);
  }
});

// Every fix of the catalogue must be switched on by hasFix at a kernel-model site (a
// catalogue entry with no site would be a fix that changes nothing). The catalogue files
// themselves do not count as sites.
test('each fix of the catalogue is switched on by hasFix at a site in the kernel model sources', (t) => {
  const files = ['src/kernel', 'src/cram', 'src/cxl']
    .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => `${d}/${f}`))
    .filter((p) => p !== 'src/kernel/fixes.ts');
  const src = files.map((p) => readFileSync(p, 'utf8')).join('\n');
  for (const f of FIXES) t.true(src.includes(`hasFix(`) && src.includes(`'${f.name}'`), f.name);
});
