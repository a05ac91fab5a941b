// mm/page_alloc.c: the zonelist allocator with v4's numa_zone_alloc_allowed.
// SEMANTICS 2.2, 2.4, 3.3 (allocation table: every row).
import test from 'ava';
import {
  __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM, __GFP_KSWAPD_RECLAIM, __GFP_MOVABLE, __GFP_NOMEMALLOC, __GFP_NORETRY, __GFP_NOWARN,
  __GFP_PRIVATE, __GFP_THISNODE, GFP_ATOMIC, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_PRIVATE, GFP_USER, N_MEMORY, N_MEMORY_PRIVATE,
  ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL,
} from '../../src/kernel/defs.ts';
import { zoneId } from '../../src/kernel/geometry.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { GA_CONTIG, GA_GFP_PRIVATE, GA_PREFERRED_HERE, GA_PRIVATE_OK, GA_WHILE_BLOCKED, PG_head, PG_tail } from '../../src/kernel/layout.ts';
import { allocContigPages, allocPages, allocPagesNode, freePagesToBuddy, gfpZone, NULL_PFN, numaZoneAllocAllowed, setupPerZoneWmarks, zoneWatermarkOk, ALLOC_CPUSET, ALLOC_NO_WATERMARKS } from '../../src/kernel/page_alloc.ts';
import { bootWithP, D0, D1, P } from '../helpers/machines.ts';

const nodeOf = (k: Kernel, pfn: number) => (pfn === NULL_PFN ? 'NULL' : `N${k.g.pfnNode[pfn]}`);
const CRAM_GFP = GFP_PRIVATE | __GFP_KSWAPD_RECLAIM | __GFP_HIGHMEM | __GFP_MOVABLE | __GFP_NOWARN | __GFP_NORETRY; // cram.c: alloc_cram_folio

test('gfp_zone: no modifier -> NORMAL, HIGHMEM|MOVABLE -> MOVABLE, DMA/DMA32 win (include/linux/gfp.h)', (t) => {
  t.is(gfpZone(GFP_KERNEL), ZONE_NORMAL);
  t.is(gfpZone(GFP_PRIVATE), ZONE_NORMAL);
  t.is(gfpZone(__GFP_MOVABLE), ZONE_NORMAL);
  t.is(gfpZone(__GFP_HIGHMEM), ZONE_NORMAL);
  t.is(gfpZone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
  t.is(gfpZone(__GFP_DMA32), ZONE_DMA32);
  t.is(gfpZone(__GFP_DMA | __GFP_MOVABLE), ZONE_DMA);
});

test('§3.3 row 1: alloc_pages_node(P, GFP_KERNEL) -> D0', (t) => {
  const k = bootWithP();
  t.is(nodeOf(k, allocPagesNode(k, P, GFP_KERNEL, 0)), 'N0');
});

test('§3.3 row 2: alloc_pages_node(P, GFP_KERNEL|__GFP_THISNODE) -> NULL', (t) => {
  const k = bootWithP();
  t.is(allocPagesNode(k, P, GFP_KERNEL | __GFP_THISNODE, 0), NULL_PFN);
});

test('§3.3 row 3: alloc_pages_node(P, GFP_KERNEL|__GFP_PRIVATE) -> D0, then D1 (P.MOVABLE skipped by zone index)', (t) => {
  const k = bootWithP();
  const seen: string[] = [];
  for (let i = 0; i < 25; i++) seen.push(nodeOf(k, allocPagesNode(k, P, GFP_KERNEL | __GFP_PRIVATE, 0)));
  // D0 has 16 pages (NORMAL + DMA32), D1 8, P never.
  t.deepEqual(seen, [...Array(16).fill('N0'), ...Array(8).fill('N1'), 'NULL']);
});

test('§3.3 row 4: alloc_pages_node(P, GFP_HIGHUSER_MOVABLE|__GFP_PRIVATE) -> P, then D0, then D1 once P is below watermark', (t) => {
  const k = bootWithP({ pWmark: { min: 2, low: 2, high: 3 } });
  const seen: string[] = [];
  for (let i = 0; i < 31; i++) seen.push(nodeOf(k, allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0)));
  // P serves while free > low (8 -> 2: six pages), then D0 (16) and D1 (8).
  t.deepEqual(seen, [...Array(6).fill('N2'), ...Array(16).fill('N0'), ...Array(8).fill('N1'), 'NULL']);
});

test('§3.3 row 5: alloc_pages_node(P, GFP_PRIVATE) -> NULL (highest zone NORMAL, NOFALLBACK(P) = P.MOVABLE)', (t) => {
  const k = bootWithP();
  t.is(allocPagesNode(k, P, GFP_PRIVATE, 0), NULL_PFN);
});

test('§3.3 row 6: alloc_pages_node(P, GFP_PRIVATE|__GFP_HIGHMEM|__GFP_MOVABLE) (alloc_cram_folio) -> P or NULL, never DRAM', (t) => {
  const k = bootWithP();
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) seen.push(nodeOf(k, allocPagesNode(k, P, GFP_PRIVATE | __GFP_HIGHMEM | __GFP_MOVABLE, 0)));
  t.deepEqual(seen, [...Array(8).fill('N2'), 'NULL', 'NULL']);
});

test('§3.3 row 7: preferred D0 with any flags and nodemask never yields P', (t) => {
  const gfps = [GFP_KERNEL, GFP_USER, GFP_ATOMIC, GFP_HIGHUSER_MOVABLE, GFP_PRIVATE, CRAM_GFP, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE | __GFP_THISNODE];
  for (const gfp of gfps) {
    for (const mask of [null, 1 << P, (1 << D0) | (1 << P), 7]) {
      for (const pfMemalloc of [false, true]) {
        const k = bootWithP();
        for (let i = 0; i < 30; i++) {
          const pfn = allocPages(k, gfp, 0, D0, mask, { pfMemalloc });
          t.not(nodeOf(k, pfn), 'N2', `gfp ${gfp.toString(16)} mask ${mask}`);
        }
      }
    }
  }
});

test('§3.3 row 8: nodemask {P} without __GFP_PRIVATE always fails, whatever the preferred node', (t) => {
  for (const nid of [D0, D1, P]) {
    for (const gfp of [GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE]) {
      const k = bootWithP();
      t.is(allocPages(k, gfp, 0, nid, 1 << P), NULL_PFN);
    }
  }
  // With __GFP_PRIVATE and preferred P the same mask succeeds (2.4 (c)).
  const k = bootWithP();
  t.is(nodeOf(k, allocPages(k, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0, P, 1 << P)), 'N2');
});

test('numa_zone_alloc_allowed rule 1 has no exceptions: GFP_ATOMIC and ALLOC_NO_WATERMARKS are refused on P', (t) => {
  const k = bootWithP();
  const pz = zoneId(P, ZONE_MOVABLE);
  t.false(numaZoneAllocAllowed(k, ALLOC_NO_WATERMARKS, pz, GFP_ATOMIC | __GFP_HIGHMEM | __GFP_MOVABLE));
  t.false(numaZoneAllocAllowed(k, ALLOC_NO_WATERMARKS | ALLOC_CPUSET, pz, GFP_KERNEL, false));
  t.true(numaZoneAllocAllowed(k, 0, pz, GFP_PRIVATE));
  t.true(numaZoneAllocAllowed(k, 0, zoneId(D0, ZONE_NORMAL), GFP_KERNEL));
});

test('§2.4(e): PF_MEMALLOC gets ALLOC_NO_WATERMARKS in the slowpath (alloc_cram_folio has no __GFP_NOMEMALLOC)', (t) => {
  const wm = { pWmark: { min: 6, low: 7, high: 8 } };
  // P free = 8 > low 7: one page; then 7 <= 7 fails low, 7 > min 6 passes min in the slowpath: one more.
  let k = bootWithP(wm);
  const plain: string[] = [];
  for (let i = 0; i < 3; i++) plain.push(nodeOf(k, allocPagesNode(k, P, CRAM_GFP, 0)));
  t.deepEqual(plain, ['N2', 'N2', 'NULL']);
  k = bootWithP(wm);
  const memalloc: string[] = [];
  for (let i = 0; i < 9; i++) memalloc.push(nodeOf(k, allocPagesNode(k, P, CRAM_GFP, 0, { pfMemalloc: true })));
  t.deepEqual(memalloc, [...Array(8).fill('N2'), 'NULL']);
  k = bootWithP(wm);
  const nomem: string[] = [];
  for (let i = 0; i < 3; i++) nomem.push(nodeOf(k, allocPagesNode(k, P, CRAM_GFP | __GFP_NOMEMALLOC, 0, { pfMemalloc: true })));
  t.deepEqual(nomem, ['N2', 'N2', 'NULL']);
  // In interrupt context PF_MEMALLOC does not count.
  k = bootWithP(wm);
  const irq: string[] = [];
  for (let i = 0; i < 3; i++) irq.push(nodeOf(k, allocPagesNode(k, P, CRAM_GFP, 0, { pfMemalloc: true, inTask: false })));
  t.deepEqual(irq, ['N2', 'N2', 'NULL']);
});

test('watermark_boost counts in the watermark (wmark_pages = wmark + boost): a boosted P refuses CRAM allocations', (t) => {
  const k = bootWithP();
  const pz = zoneId(P, ZONE_MOVABLE);
  t.true(zoneWatermarkOk(k, pz, 0, 0, 0));
  k.set(k.L.ZONE_BOOST, pz, 8);
  t.is(allocPagesNode(k, P, CRAM_GFP, 0), NULL_PFN);
  k.set(k.L.ZONE_BOOST, pz, 7);
  t.not(allocPagesNode(k, P, CRAM_GFP, 0), NULL_PFN);
});

test('__setup_per_zone_wmarks keeps watermark_boost only when reclaim_policy reports managed_watermarks', (t) => {
  const k = bootWithP();
  const pz = zoneId(P, ZONE_MOVABLE);
  const dz = zoneId(D0, ZONE_NORMAL);
  k.set(k.L.ZONE_BOOST, pz, 3);
  k.set(k.L.ZONE_BOOST, dz, 3);
  setupPerZoneWmarks(k); // 'mpol' ops: no reclaim_policy -> boost reset
  t.is(k.get(k.L.ZONE_BOOST, pz), 0);
  t.is(k.get(k.L.ZONE_BOOST, dz), 0);
});

test('cpusets: prepare_alloc_pages turns a NULL nodemask into the cpuset mems in task context only', (t) => {
  const k = bootWithP({ cpuset: true });
  t.is(k.get(k.L.G_CPUSET_ENABLED), 1);
  k.set(k.L.G_CPUSET_MEMS, 0, (1 << D1) | (1 << P));
  t.is(nodeOf(k, allocPagesNode(k, D0, GFP_KERNEL, 0)), 'N1');
  // Interrupt context: ALLOC_CPUSET, but __cpuset_node_allowed allows any node.
  t.is(nodeOf(k, allocPagesNode(k, D0, GFP_KERNEL, 0, { inTask: false })), 'N0');
  // Explicit nodemask in task context: ALLOC_CPUSET filters D0 out of {D0}; GFP_ATOMIC drops ALLOC_CPUSET in the slowpath.
  t.is(allocPages(k, GFP_KERNEL, 0, D0, 1 << D0), NULL_PFN);
  t.is(nodeOf(k, allocPages(k, GFP_ATOMIC, 0, D0, 1 << D0)), 'N0');
});

test('cpusets cannot open P to kernel allocations: rule 1 runs before the cpuset check', (t) => {
  const k = bootWithP({ cpuset: true });
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.not(k.get(k.L.G_CPUSET_MEMS) & (1 << P), 0); // cpuset_handle_hotplug added P
  for (let i = 0; i < 30; i++) t.not(nodeOf(k, allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE, 0)), 'N2');
});

test('ghost GH_ALLOC bits: __GFP_PRIVATE, preferred-here, private-ok, while-blocked, contig', (t) => {
  const k = bootWithP();
  const a = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 1);
  t.is(k.get(k.L.GH_ALLOC, a), GA_GFP_PRIVATE | GA_PREFERRED_HERE | GA_PRIVATE_OK);
  t.is(k.get(k.L.GH_ALLOC, a + 1), GA_GFP_PRIVATE | GA_PREFERRED_HERE | GA_PRIVATE_OK);
  k.set(k.L.NP_MIGRATION_BLOCKED, 0, 1);
  const b = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0);
  t.true(k.has(k.L.GH_ALLOC, b, GA_WHILE_BLOCKED));
  const c = allocPagesNode(k, P, GFP_KERNEL, 0);
  t.is(k.get(k.L.GH_ALLOC, c), 0); // landed on D0, preferred P, no __GFP_PRIVATE
  // alloc_contig_pages(P) reaches P without __GFP_PRIVATE (2.4, last paragraph).
  const d = allocContigPages(k, 1, GFP_HIGHUSER_MOVABLE, P, null);
  t.is(nodeOf(k, d), 'N2');
  t.true(k.has(k.L.GH_ALLOC, d, GA_CONTIG));
  t.false(k.has(k.L.GH_ALLOC, d, GA_PRIVATE_OK));
  // ... but not with a NORMAL-only gfp: the MOVABLE zone is above gfp_zone.
  t.is(nodeOf(k, allocContigPages(k, 0, GFP_KERNEL, P, null)), 'N0');
});

test('prep_new_page: head/tail flags, order and one reference; free restores the canonical free state', (t) => {
  const k = bootWithP();
  const before = k.s.slice();
  const pfn = allocPagesNode(k, D1, GFP_KERNEL, 2);
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_head));
  for (let i = 1; i < 4; i++) t.true(k.has(k.L.PG_FLAGS, pfn + i, PG_tail));
  t.is(k.get(k.L.PG_ORDER, pfn), 2);
  t.is(k.get(k.L.PG_REF, pfn), 1);
  freePagesToBuddy(k, pfn, 2);
  t.deepEqual(k.s, before);
});

test('kswapd of a DRAM node is woken when an allocation enters the slowpath below the high watermark', (t) => {
  const k = bootWithP({ wmark: { min: 1, low: 2, high: 3 } });
  t.is(k.get(k.L.NODE_KSWAPD, D1), 1);
  t.is(k.get(k.L.NODE_KSWAPD, P), 0); // never started for a private node (5.2)
  for (let i = 0; i < 8; i++) allocPages(k, GFP_KERNEL | __GFP_THISNODE, 0, D1, null);
  t.is(k.get(k.L.NODE_KSWAPD, D1), 2);
  t.true(k.has(k.L.NODE_STATES, D1, N_MEMORY));
});

test('__setup_per_zone_wmarks keeps the boost of a node whose reclaim_policy reports managed_watermarks (5.2)', async (t) => {
  const { registerCramOps, OPS_CRAM } = await import('../../src/kernel/ops_table.ts');
  const { nodePrivateSetOps } = await import('../../src/kernel/node_private.ts');
  // A table standing in for cram_ops (cram_reclaim_policy: all true). This file's other tests do not use id 1.
  registerCramOps({ name: 'cram-like', flags: 0, reclaimPolicy: () => ({ mayswap: true, maywritepage: true, managedWatermarks: true }) });
  const k = bootWithP({}, null);
  t.is(nodePrivateSetOps(k, P, OPS_CRAM), 0);
  const pz = zoneId(P, ZONE_MOVABLE);
  k.set(k.L.ZONE_BOOST, pz, 3);
  setupPerZoneWmarks(k);
  t.is(k.get(k.L.ZONE_BOOST, pz), 3);
});

test('property §2.4: a page of P is handed out only with (a) __GFP_PRIVATE, (b) preferred P, (c) nodemask NULL or holding P [unless ALLOC_NO_WATERMARKS dropped it], (d) cpuset allowing P, (f) gfp_zone reaching MOVABLE', async (t) => {
  const fc = (await import('fast-check')).default;
  const { __GFP_MEMALLOC } = await import('../../src/kernel/defs.ts');
  const gfpBits = [__GFP_PRIVATE, __GFP_THISNODE, __GFP_HIGHMEM, __GFP_MOVABLE, __GFP_NOMEMALLOC, __GFP_MEMALLOC, __GFP_DMA32];
  const bases = [GFP_KERNEL, GFP_ATOMIC, GFP_USER, GFP_HIGHUSER_MOVABLE, GFP_PRIVATE];
  fc.assert(
    fc.property(
      fc.record({
        base: fc.nat(bases.length - 1), extra: fc.nat(127), nid: fc.nat(2), mask: fc.integer({ min: -1, max: 7 }),
        cpuset: fc.boolean(), mems: fc.integer({ min: 1, max: 7 }), pfMemalloc: fc.boolean(), inTask: fc.boolean(),
        prefill: fc.nat(24), boost: fc.nat(8),
      }),
      (r) => {
        const k = bootWithP({ cpuset: r.cpuset });
        k.set(k.L.G_CPUSET_MEMS, 0, r.mems);
        k.set(k.L.ZONE_BOOST, zoneId(P, ZONE_MOVABLE), r.boost);
        // Drain some DRAM so fallbacks and watermarks vary.
        for (let i = 0; i < r.prefill; i++) allocPages(k, GFP_KERNEL, 0, D0, (1 << D0) | (1 << D1));
        let gfp = bases[r.base]!;
        gfpBits.forEach((b, i) => { if (r.extra & (1 << i)) gfp |= b; });
        const mask = r.mask < 0 ? null : r.mask;
        const pfn = allocPages(k, gfp, 0, r.nid, mask, { pfMemalloc: r.pfMemalloc, inTask: r.inTask });
        if (pfn === NULL_PFN || k.g.pfnNode[pfn] !== P) return true;
        const noWmarks = !(gfp & __GFP_NOMEMALLOC) && ((gfp & __GFP_MEMALLOC) !== 0 || (r.pfMemalloc && r.inTask));
        if (!(gfp & __GFP_PRIVATE)) return false; // (a)
        if (r.nid !== P) return false; // (b)
        if (mask !== null && !(mask & (1 << P)) && !noWmarks) return false; // (c)
        if (r.cpuset && r.inTask && mask === null && !(r.mems & (1 << P)) && !noWmarks) return false; // (d)
        if (gfpZone(gfp) !== ZONE_MOVABLE) return false; // (f)
        return true;
      },
    ),
    { seed: 42, numRuns: 2000 },
  );
  t.pass();
});

test('refinement of §2.4(c): ALLOC_NO_WATERMARKS (PF_MEMALLOC) drops the nodemask in the slowpath, so a preferred-P __GFP_PRIVATE request with nodemask {D0} can land on P once D0 is below its watermark', (t) => {
  const gfp = GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE;
  // Every zone is at its min watermark from the start (free 8 <= min 8).
  const k2 = bootWithP({ wmark: { min: 8, low: 8, high: 8 } });
  t.is(allocPages(k2, gfp, 0, P, 1 << D0), NULL_PFN); // no reserves: nothing in the mask passes
  const pfn = allocPages(k2, gfp, 0, P, 1 << D0, { pfMemalloc: true });
  t.is(k2.g.pfnNode[pfn], P); // retry without watermarks and without the nodemask: P.MOVABLE first
});

// mm/page_alloc.c: get_page_from_freelist, `bool skip_kswapd_nodes = nr_online_nodes > 1;` ...
// `if (skip_kswapd_nodes && zone->zone_pgdat->kswapd && !waitqueue_active(&zone->zone_pgdat->kswapd_wait))
// { skipped_kswapd_nodes = true; continue; }` (the `->kswapd &&` is v4 patch 13) and, after the walk,
// `if (skip_kswapd_nodes && skipped_kswapd_nodes) { skip_kswapd_nodes = false; goto retry; }`.
test('get_page_from_freelist skips a node whose kswapd is awake on the first pass, and retries without the skip', (t) => {
  const k = bootWithP();
  t.is(nodeOf(k, allocPagesNode(k, D0, GFP_KERNEL, 0)), 'N0', 'kswapd(D0) asleep: the local node');
  k.set(k.L.NODE_KSWAPD, D0, 2); // kswapd(D0) running: not on kswapd_wait
  t.is(nodeOf(k, allocPagesNode(k, D0, GFP_KERNEL, 0)), 'N1', 'D0 passed over for the idle D1');
  k.set(k.L.NODE_KSWAPD, D1, 2);
  t.is(nodeOf(k, allocPagesNode(k, D0, GFP_KERNEL, 0)), 'N0', 'every candidate skipped: the retry places it by the watermarks');
});

test('get_page_from_freelist never skips a node without a kswapd (v4: `zone->zone_pgdat->kswapd &&`)', (t) => {
  const k = bootWithP();
  t.is(k.get(k.L.NODE_KSWAPD, P), 0, 'P has no kswapd thread (online_pages skips private nodes)');
  t.is(nodeOf(k, allocPagesNode(k, P, CRAM_GFP, 0)), 'N2');
});
