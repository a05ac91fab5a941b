// The staged migrate_pages_batch's passes (src/kernel/migrate_batch.ts) against v4's
// NR_MAX_MIGRATE_PAGES_RETRY = 10 (mm/migrate.c: migrate_pages -> migrate_pages_batch(...,
// NR_MAX_MIGRATE_PAGES_RETRY) for kswapd's MIGRATE_ASYNC demotion). The model runs v4's 10 passes.
// On `gupfork` (a read-only pin on a page kswapd demotes: folio_migrate_mapping's refcount check
// fails while the pin is held) the retry is reached up to the tenth pass, and with the pass number
// (THR_MB_PASS bits 0-3) projected away nr_pass 1 (the old model), 2 and 10 reach the same states:
// a move that fails with -EAGAIN changes nothing but the pass (the folio stays unmapped with its
// dst), so a later pass starts where the first move attempt started, and the pin can be dropped
// before that first attempt as well. (`gup` measures the same: 22,611 projected states for
// nr_pass 1, 2 and 10.) A batch of two folios with a failed move, or an unmap
// -EAGAIN (its dst allocated and given back), is where a later pass can differ
// (test/kernel/migrate-retry.test.ts).
import test from 'ava';
import { explore } from '../../src/explore/explorer.ts';
import type { System } from '../../src/explore/system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { kernelSystem } from '../../models/kernel.system.ts';

function projectedStates(passes: number): { seen: Set<string>; maxPass: number } {
  const sys = kernelSystem({ ...configByName('gupfork', { fixes: FIXES.map((f) => f.name) }), migratePasses: passes });
  const m = sys.machine;
  const off = m.L.THR_MB_PASS.off;
  const T = m.g.threads.length;
  const seen = new Set<string>();
  let maxPass = 0;
  const recorder: System = {
    ...sys,
    checkTransition: undefined,
    properties: [{
      id: 'RECORD',
      source: 'test',
      check(state: Uint32Array): null {
        const w = new Uint16Array(state.buffer, state.byteOffset, state.length * 2).slice();
        for (let t = 0; t < T; t++) {
          maxPass = Math.max(maxPass, w[off + t]! & 0xf);
          w[off + t] = w[off + t]! & ~0xf;
        }
        seen.add(Buffer.from(w.buffer).toString('base64'));
        return null;
      },
    }],
  };
  const r = explore(recorder, {});
  if (!r.complete) throw new Error('exploration did not complete');
  return { seen, maxPass };
}

test('gupfork: every pass of v4\'s 10 is run, and with the pass projected away 1, 2 and 10 passes reach the same states', (t) => {
  const one = projectedStates(1);
  const two = projectedStates(2);
  const ten = projectedStates(10);
  t.is(one.maxPass, 0);
  t.is(ten.maxPass, 9, 'the tenth pass is reached');
  t.true(one.seen.size > 5000);
  t.is(two.seen.size, one.seen.size);
  t.is(ten.seen.size, one.seen.size);
  for (const s of ten.seen) if (!one.seen.has(s)) t.fail('a state reached only with retries');
});
