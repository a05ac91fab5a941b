// Conformance on the fixed model (all fixes on): the driver config's whole
// reachable space conforms to the machines. Two edges make that so, each
// a kernel path the machines lacked, not a weakening:
//  - folio HOTUNPLUG_MIGRATE cram -> offline: offline_pages migrates the P
//    folio off and offlines its block in ONE model step (memory_hotplug.ts
//    offlinePages; mm/memory_hotplug.c offline_pages -> do_migrate_range);
//  - backpressure CRAM_UNREGISTER_CLEAR_BACKPRESSURE: with fix
//    cram-unregister-clears-backpressure, cram_unregister_private_node stops
//    kswapd and clears migration_blocked / boost in one call.
// The edges are exactly those: other one-step offlines stay refused, and the
// fused reset leaves the pressure alone.
import test from 'ava';
import { resolveSystem } from '../../src/cli/systems.ts';
import { explore } from '../../src/explore/explorer.ts';
import { buildRelation, pairKey } from '../../models/machine_graph.ts';
import { folioSpec } from '../../models/folio.machine.ts';
import { backpressureSpec } from '../../models/backpressure.machine.ts';

test('driver, all fixes: BFS with conformance completes with no violation', (t) => {
  const { sys } = resolveSystem({ system: 'kernel', config: 'driver', fixes: ['all'], mutant: null });
  // 45,109 states on session 8's model (the kernel's hopeless-node rule: kswapd no longer runs again on a node it gave up on)
  const r = explore(sys, { strategy: 'bfs', maxStates: 700_000, tty: false });
  t.deepEqual(r.violations.map((v) => `${v.property}@${v.trace.length}`), []);
  t.true(r.complete);
  t.true(r.states > 40_000);
});

test('folio: hot-unplug migration takes cram (and an unmapped swap-cache folio on P) -> offline only; a deferred or isolated P folio is not offlined in one step', (t) => {
  const rel = buildRelation(folioSpec);
  t.true(rel.allowed.has(pairKey('cram', 'offline')));
  // MBT on large: offline_pages migrates a folio kswapd(P) left in the swap cache (async swap)
  t.true(rel.allowed.has(pairKey('swapcache', 'offline')));
  for (const from of ['cram_deferred', 'cram_scrubbed', 'cram_isolated', 'cram_migrating', 'dram', 'dram_writable']) {
    t.false(rel.allowed.has(pairKey(from, 'offline')), from);
  }
});

test('backpressure: the fixed unregister resets blocked, boost and kswapd together, pressure untouched', (t) => {
  const rel = buildRelation(backpressureSpec);
  const s = (blocked: string, boost: string, kswapd: string, pressure: string) => `blocked=${blocked},boost=${boost},kswapd=${kswapd},pressure=${pressure}`;
  t.true(rel.allowed.has(pairKey(s('blocked', 'none', 'sleeping', 'max'), s('open', 'none', 'none', 'max'))));
  t.true(rel.allowed.has(pairKey(s('blocked', 'full', 'woken', 'max'), s('open', 'none', 'none', 'max'))));
  // the reset does not also change the pressure, nor wake kswapd
  t.false(rel.allowed.has(pairKey(s('blocked', 'full', 'woken', 'max'), s('open', 'none', 'none', 'zero'))));
  t.false(rel.allowed.has(pairKey(s('blocked', 'full', 'sleeping', 'max'), s('open', 'none', 'woken', 'max'))));
});
