// FINDING free-folio-after-lru-removal (mm/swap.c: __folio_put): v4 runs the
// free_folio hook (folio_managed_on_free) before page_cache_release, so a folio
// cxl_compression_flush_cb defers keeps PG_lru (SEMANTICS 4.2) and kswapd(P)
// isolates and swaps out the freed folio. Config 'dontneed': MADV_DONTNEED of
// the demoted page frees it on P.
import test from 'ava';
import { resolveSystem } from '../../src/cli/systems.ts';
import { explore } from '../../src/explore/explorer.ts';
import { FIXES } from '../../src/kernel/fixes.ts';

const OTHERS = FIXES.map((f) => f.name).filter((n) => n !== 'free-folio-after-lru-removal');

test('FINDING: a deferred (freed) P folio still on the LRU is reclaimed by kswapd(P): INV-FLUSH-BIT, and conformance sees cram_deferred -> swapcache', (t) => {
  const plain = resolveSystem({ system: 'kernel', config: 'dontneed', fixes: OTHERS, mutant: null, conformance: false }).sys;
  const r = explore(plain, { strategy: 'bfs', maxStates: 100_000, tty: false });
  t.is(r.violations[0]?.property, 'INV-FLUSH-BIT');
  const { sys } = resolveSystem({ system: 'kernel', config: 'dontneed', fixes: OTHERS, mutant: null });
  const c = explore(sys, { strategy: 'bfs', maxStates: 100_000, tty: false });
  t.is(c.violations[0]?.property, 'CONFORMANCE-folio');
  t.regex(c.violations[0]?.message ?? '', /cram_deferred -> swapcache/);
});

test('fixed: with free-folio-after-lru-removal no invariant fails (bounded) and the deferred folio never reaches swapcache', (t) => {
  const all = [...OTHERS, 'free-folio-after-lru-removal'];
  const plain = resolveSystem({ system: 'kernel', config: 'dontneed', fixes: all, mutant: null, conformance: false }).sys;
  const r = explore(plain, { strategy: 'bfs', maxStates: 200_000, tty: false });
  t.deepEqual(r.violations.map((v) => v.property), []);
  const { sys } = resolveSystem({ system: 'kernel', config: 'dontneed', fixes: all, mutant: null });
  const c = explore(sys, { strategy: 'bfs', maxStates: 200_000, tty: false });
  t.notRegex(c.violations[0]?.message ?? '', /cram_deferred -> swapcache/);
});
