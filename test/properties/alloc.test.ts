// Allocation-isolation invariants on hand-built states (properties/alloc.ts).
import test from 'ava';
import { MPOL_BIND, MPOL_F_PRIVATE } from '../../src/kernel/defs.ts';
import { GA_CONTIG, GA_GFP_PRIVATE, GA_PREFERRED_HERE, GA_PRIVATE_OK, PG_head } from '../../src/kernel/layout.ts';
import { D0, D0_NORMAL, OPS_BARE, OPS_MPOL, P, P_MOVABLE, Q, Q_MOVABLE, healthy, setZonelist } from './fixture.ts';

test('INV-ISOLATION-ALLOC: a P page was allocated with __GFP_PRIVATE and preferred nid P (page_alloc.c: numa_zone_alloc_allowed)', (t) => {
  const f = healthy();
  f.k.set(f.k.L.PG_FLAGS, 4, PG_head);
  f.k.set(f.k.L.GH_ALLOC, 4, GA_PRIVATE_OK | GA_GFP_PRIVATE | GA_PREFERRED_HERE);
  t.is(f.check('INV-ISOLATION-ALLOC'), null);
  f.k.set(f.k.L.GH_ALLOC, 4, GA_GFP_PRIVATE);
  t.regex(f.check('INV-ISOLATION-ALLOC') ?? '', /pfn 4 on P1 allocated without __GFP_PRIVATE and preferred nid P1/);
  f.k.set(f.k.L.GH_ALLOC, 4, GA_CONTIG);
  t.regex(f.check('INV-ISOLATION-ALLOC') ?? '', /pfn 4 on P1 was taken by alloc_contig_pages/);
  // DRAM pages are not judged
  const g = healthy();
  g.k.set(g.k.L.PG_FLAGS, 0, PG_head);
  t.is(g.check('INV-ISOLATION-ALLOC'), null);
});

test('INV-ZONELIST (a): a normal node never lists a private zone (page_alloc.c: build_zonelists)', (t) => {
  const f = healthy();
  t.is(f.check('INV-ZONELIST'), null);
  setZonelist(f.k, D0, true, [D0_NORMAL, P_MOVABLE]);
  t.regex(f.check('INV-ZONELIST') ?? '', /\(a\) FALLBACK\(D0\) = \[N0.NORMAL, N1.MOVABLE\] contains private zone N1.MOVABLE/);
});

test('INV-ZONELIST (b): NOFALLBACK(P) is exactly P\'s zones, FALLBACK(P) continues with N_MEMORY zones only', (t) => {
  const f = healthy();
  setZonelist(f.k, P, false, [P_MOVABLE, D0_NORMAL]);
  t.regex(f.check('INV-ZONELIST') ?? '', /\(b\) NOFALLBACK\(P1\) .* holds zones of other nodes/);
  const g = healthy();
  setZonelist(g.k, P, true, [D0_NORMAL, P_MOVABLE]);
  t.regex(g.check('INV-ZONELIST') ?? '', /\(b\) FALLBACK\(P1\).*own zones are not first/);
  const h = healthy();
  setZonelist(h.k, P, false, []);
  t.regex(h.check('INV-ZONELIST') ?? '', /\(b\) NOFALLBACK\(P1\) = \[\] misses populated zone N1.MOVABLE/);
});

test('INV-ZONELIST (c): no zonelist holds two private nodes', (t) => {
  const f = healthy();
  f.k.set(f.k.L.NODE_PRIVATE, Q, 1);
  setZonelist(f.k, P, true, [P_MOVABLE, Q_MOVABLE, D0_NORMAL]);
  t.regex(f.check('INV-ZONELIST') ?? '', /\(c\) FALLBACK\(P1\).*two private nodes/);
});

test('INV-MPOL: a private node in a live policy has MEMPOLICY, and MPOL_F_PRIVATE iff the mask holds one (mempolicy.c: mpol_set_nodemask)', (t) => {
  const f = healthy();
  const L = f.k.L;
  f.k.set(L.VMA_POL_MODE, 0, MPOL_BIND);
  f.k.set(L.VMA_POL_NODES, 0, 1 << P);
  f.k.set(L.VMA_POL_FLAGS, 0, MPOL_F_PRIVATE);
  // cram_ops lacks MEMPOLICY
  t.regex(f.check('INV-MPOL') ?? '', /mm0 v0: policy nodes \{1\} hold P1 which lacks NP_OPS_MEMPOLICY/);
  f.k.set(L.NP_OPS, 0, OPS_MPOL);
  t.is(f.check('INV-MPOL'), null);
  f.k.set(L.VMA_POL_FLAGS, 0, 0);
  t.regex(f.check('INV-MPOL') ?? '', /mm0 v0: MPOL_F_PRIVATE=0 but policy nodes \{1\} hold private node/);
  f.k.set(L.VMA_POL_NODES, 0, 1 << D0);
  t.is(f.check('INV-MPOL'), null);
  f.k.set(L.VMA_POL_FLAGS, 0, MPOL_F_PRIVATE);
  t.regex(f.check('INV-MPOL') ?? '', /MPOL_F_PRIVATE=1 but policy nodes \{0\} hold no private node/);
});

test('INV-DEMOTION-TARGETS: P is a target only while N_MEMORY_PRIVATE with DEMOTION, and P has no targets (memory-tiers.c: establish_demotion_targets)', (t) => {
  const f = healthy();
  t.is(f.check('INV-DEMOTION-TARGETS'), null);
  f.k.set(f.k.L.NP_OPS, 0, OPS_BARE);
  t.regex(f.check('INV-DEMOTION-TARGETS') ?? '', /D0 demotes to P1 whose ops lack NP_OPS_DEMOTION/);
  const g = healthy();
  g.k.set(g.k.L.NODE_DEMOTION_TARGETS, P, 1 << D0);
  t.regex(g.check('INV-DEMOTION-TARGETS') ?? '', /private node P1 has demotion targets \{0\}/);
  const h = healthy();
  h.k.set(h.k.L.NODE_DEMOTION_TARGETS, D0, (1 << P) | (1 << Q));
  t.regex(h.check('INV-DEMOTION-TARGETS') ?? '', /D0 demotes to P2 which is not N_MEMORY_PRIVATE/);
});
