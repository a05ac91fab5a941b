// The boot state (init: memblock_free_all, build_all_zonelists, node_dev_init, memory_tier_init).
import test from 'ava';
import { boot } from '../../src/kernel/boot.ts';
import { BLOCK_ABSENT, BLOCK_ONLINE, N_CPU, N_MEMORY, N_ONLINE, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../src/kernel/defs.ts';
import { zoneId } from '../../src/kernel/geometry.ts';
import { buildMachine } from '../../src/kernel/kernel.ts';
import { PG_reserved } from '../../src/kernel/layout.ts';
import { exampleConfig, D0, D1, P } from '../helpers/machines.ts';

test('boot is deterministic: two boots of one machine are byte-equal', (t) => {
  const m = buildMachine(exampleConfig());
  t.deepEqual(boot(m).s, boot(m).s);
});

test('boot: DRAM online in the buddy, private blocks absent and reserved, node states, globals', (t) => {
  const k = boot(buildMachine(exampleConfig({ cpuset: true })));
  const L = k.L;
  t.is(k.get(L.NODE_STATES, D0), N_ONLINE | N_MEMORY | N_CPU);
  t.is(k.get(L.NODE_STATES, D1), N_ONLINE | N_MEMORY | N_CPU);
  t.is(k.get(L.NODE_STATES, P), 0); // no memory, no CPUs at boot
  k.g.blocks.forEach((b, i) => {
    t.is(k.get(L.BLOCK_STATE, i), b.node === P ? BLOCK_ABSENT : BLOCK_ONLINE);
    if (b.node === P) t.true(k.has(L.PG_FLAGS, b.firstPfn, PG_reserved));
  });
  for (const z of [zoneId(D0, ZONE_NORMAL), zoneId(D0, ZONE_DMA32), zoneId(D1, ZONE_NORMAL)]) {
    t.is(k.get(L.ZONE_PRESENT, z), 8);
    t.is(k.get(L.ZONE_MANAGED, z), 8);
    t.is(k.get(L.ZONE_FREE, z), 8);
  }
  t.is(k.get(L.ZONE_MANAGED, zoneId(P, ZONE_MOVABLE)), 0);
  t.is(k.get(L.G_NP_INITIALIZED), 1);
  t.is(k.get(L.G_CPUSET_ENABLED), 1);
  t.is(k.get(L.G_DEMOTION_ENABLED), 1);
  t.is(k.get(L.MM_LIVE, 0), 1);
  t.is(k.get(L.NODE_KSWAPD, D0), 1);
  t.is(k.get(L.NODE_KSWAPD, P), 0);
  for (let tid = 0; tid < k.g.threads.length; tid++) t.is(k.get(L.THR_OP, tid), 0);
  // Zonelists exist for every node, including the absent P (memoryless shape).
  t.not(k.get(L.NODE_ZL_FALLBACK, P * k.g.zones), 0);
});

test('boot state respects every field maximum', (t) => {
  const k = boot(buildMachine(exampleConfig()));
  for (const f of k.L.fields) for (let i = 0; i < f.len; i++) t.true(k.get(f, i) <= f.max, `${f.name}[${i}]`);
});
