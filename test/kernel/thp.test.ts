// Large folios (issue 12 item 9, src/kernel/thp.ts): an order-1 anon folio
// through fault, demotion, promotion and split, each against the v4 / mainline
// lines it follows, and the new checks against their seeded bugs.
import test from 'ava';
import { kernelInitial, kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { MIGRATE_ASYNC, MR_DEMOTION, MR_NUMA_MISPLACED, MR_SYSCALL } from '../../src/kernel/defs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { PG_head, PG_tail, PTE_PRESENT, PTE_SWAP, PTE_WRITE } from '../../src/kernel/layout.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { folioIsolateLru, pageFolio } from '../../src/kernel/folio.ts';
import { migratePages, nodeStatModIsolated } from '../../src/kernel/migrate.ts';
import { NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { OP_NONE } from '../../src/kernel/ops_codes.ts';

const ALL = FIXES.map((f) => f.name);
const D0 = 0;
const P = 1;

function thp(name = 'thp', mutant: string | null = null): Kernel {
  return kernelInitial(buildMachine(configByName(name, { mutant, fixes: ALL })));
}

function cpu(k: Kernel, n: number): void {
  for (let i = 0; i < n; i++) if (!runThread(k, k.g.cpuThread(0), 0)) throw new Error(`cpu0 step ${i} not enabled`);
}

function pte(k: Kernel, v: number): { pfn: number; writable: boolean } {
  const s = v;
  if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT) return { pfn: -1, writable: false };
  return { pfn: k.get(k.L.PTE_VAL, s), writable: k.has(k.L.PTE_FLAGS, s, PTE_WRITE) };
}

/** kswapd(nid) isolates the folio at pfn (its choice is the pfn's index on the node), then runs to the end of its batch. */
function kswapdReclaims(k: Kernel, nid: number, pfn: number): void {
  const tid = k.g.kswapdThread(nid);
  let first = 0;
  while (k.g.pfnNode[first] !== nid) first++;
  if (!runThread(k, tid, pfn - first)) throw new Error(`kswapd(${nid}) cannot isolate pfn ${pfn}`);
  for (let i = 0; i < 20 && k.get(k.L.THR_OP, tid) !== OP_NONE; i++) if (!runThread(k, tid, 0)) throw new Error('kswapd blocked');
}

// mm/memory.c: alloc_anon_folio ("Find the highest order where the aligned range is completely pte_none") and
// do_anonymous_page (folio_ref_add(folio, nr_pages - 1); folio_add_new_anon_rmap; set_ptes(..., nr_pages)).
test('a write fault in a VM_HUGEPAGE range maps one order-1 folio over both PTEs, writable (alloc_anon_folio, set_ptes)', (t) => {
  const k = thp();
  cpu(k, 3); // mmap v0, mmap v1 (MADV_HUGEPAGE), write fault on v0
  const a = pte(k, 0);
  const b = pte(k, 1);
  t.is(b.pfn, a.pfn + 1);
  t.is(k.g.pfnNode[a.pfn], D0);
  t.is(k.get(k.L.PG_ORDER, a.pfn), 1);
  t.true(k.has(k.L.PG_FLAGS, a.pfn, PG_head));
  t.true(k.has(k.L.PG_FLAGS, b.pfn, PG_tail));
  t.is(pageFolio(k, b.pfn), a.pfn);
  t.is(k.get(k.L.PG_REF, a.pfn), 2, 'one reference per PTE');
  t.is(k.get(k.L.PG_MAPCOUNT, a.pfn), 2);
  t.true(a.writable && b.writable);
});

// mm/cram.c: alloc_cram_folio (order = folio_order(src); __GFP_COMP); mm/migrate.c: remove_migration_pte ->
// mm/internal.h: folio_managed_fixup_migration_pte (pte_wrprotect, per page of the folio).
test('kswapd(D0) demotes the order-1 folio whole into CRAM and both PTEs arrive read-only; fixup-wrprotect-head-only leaves the tail writable', (t) => {
  for (const mutant of [null, 'fixup-wrprotect-head-only']) {
    const k = thp('thp', mutant);
    cpu(k, 5); // both stores land on DRAM
    kswapdReclaims(k, D0, pte(k, 0).pfn);
    const a = pte(k, 0);
    const b = pte(k, 1);
    t.is(k.g.pfnNode[a.pfn], P);
    t.is(b.pfn, a.pfn + 1);
    t.is(k.get(k.L.PG_ORDER, a.pfn), 1);
    t.is(k.get(k.L.PG_CONTENT, a.pfn), 3);
    t.is(k.get(k.L.PG_CONTENT, b.pfn), 1);
    t.false(a.writable);
    t.is(b.writable, mutant !== null, `tail PTE writable under ${mutant ?? 'v4'}`);
  }
});

// mm/cram.c: cram_fault (migrate_pages(&folios, alloc_cram_promote_folio, ...) of the faulting folio, whose order
// alloc_cram_promote_folio keeps); mm/memory.c: handle_pte_fault -> folio_managed_handle_fault on page_folio(page).
test('a write to the tail page of a demoted folio goes through cram_fault, which promotes the whole folio to DRAM', (t) => {
  const k = thp();
  cpu(k, 5);
  kswapdReclaims(k, D0, pte(k, 0).pfn);
  // read(v0), read(v1) need no fault (present, read-only); write(v0, 2) faults into cram_fault.
  cpu(k, 2);
  let n = 0;
  while (k.g.pfnNode[pte(k, 0).pfn] === P && n++ < 12) cpu(k, 1);
  const a = pte(k, 0);
  const b = pte(k, 1);
  t.is(k.g.pfnNode[a.pfn], D0);
  t.is(b.pfn, a.pfn + 1);
  t.is(k.get(k.L.PG_ORDER, a.pfn), 1, 'promoted as one order-1 folio');
  t.is(k.get(k.L.PG_CONTENT, b.pfn), 1, 'the tail page kept its data');
});

// mm/cram.c: alloc_cram_folio ("Stop allocating if backpressure fired mid-batch": NULL) -> mm/migrate.c:
// migrate_pages_batch -ENOMEM -> try_split_folio; the pieces' pass fails the same way and demote_folio_list's
// caller reclaims them (mm/vmscan.c: shrink_folio_list, order 0 now: add_to_swap).
test('kswapd(D0): migration_blocked set between isolation and alloc_cram_folio splits the folio in the staged batch; the pieces are swapped out', (t) => {
  const k = thp();
  cpu(k, 5);
  const pfn = pte(k, 0).pfn;
  const tid = k.g.kswapdThread(D0);
  t.true(runThread(k, tid, pfn)); // isolate; can_demote -> P
  k.set(k.L.NP_MIGRATION_BLOCKED, nodePrivateNp(k, P), 1); // the lthresh IRQ thread's S3, pressure not yet 1000
  k.log = [];
  for (let i = 0; i < 20 && k.get(k.L.THR_OP, tid) !== OP_NONE; i++) t.true(runThread(k, tid, 0));
  t.true(k.log.some((l) => l.includes(`unmap pfn ${pfn}: -ENOMEM, split into ${pfn}, ${pfn + 1}`)), k.log.join('\n'));
  t.is(k.get(k.L.PTE_KIND, 0), PTE_SWAP);
  t.is(k.get(k.L.PTE_KIND, 1), PTE_SWAP);
});

function isolatedLargeFolio(): { k: Kernel; pfn: number } {
  const k = thp();
  cpu(k, 5);
  const pfn = pte(k, 0).pfn;
  folioIsolateLru(k, pfn);
  nodeStatModIsolated(k, pfn, 2);
  return { k, pfn };
}

// mm/migrate.c: migrate_pages_batch, case -ENOMEM: "Large folio NUMA faulting doesn't split to retry."
// (nosplit = reason == MR_NUMA_MISPLACED, cram_fault's reason); otherwise try_split_folio and one
// MIGRATE_ASYNC pass over split_folios (migrate_pages).
test('migrate_pages on -ENOMEM: a NUMA-misplaced (cram_fault) large folio is not split; a demotion or syscall one is, and its pieces are retried', (t) => {
  for (const [reason, split] of [[MR_NUMA_MISPLACED, false], [MR_DEMOTION, true], [MR_SYSCALL, true]] as const) {
    const { k, pfn } = isolatedLargeFolio();
    const tried: number[] = [];
    const list = [pfn];
    const r = migratePages(k, k.g.cpuThread(0), list, (_k, src) => (tried.push(src), NULL_PFN), null, MIGRATE_ASYNC, reason);
    t.is(k.get(k.L.PG_ORDER, pfn), split ? 0 : 1, `reason ${reason}`);
    if (split) {
      // The second pass is a batch of its own: its first -ENOMEM stops it too ("don't bother to try to migrate other folios").
      t.deepEqual(tried, [pfn, pfn], 'the large folio, then the first piece in the second pass');
      t.deepEqual(list, [pfn, pfn + 1]);
      t.is(r.ret, 1, 'the large folio counts as one failure');
      t.false(k.has(k.L.PG_FLAGS, pfn + 1, PG_tail));
    } else {
      t.deepEqual(tried, [pfn]);
      t.deepEqual(list, [pfn]);
    }
  }
});

// v4 patch 11/27: __folio_freeze_and_split_unmapped calls folio_managed_split_cb(folio, new_folio) for each new
// folio, then folio_managed_split_cb(folio, NULL); include/linux/node_private.h: node_private_split_cb.
test('kswapd(P) splits the demoted folio before swap-out and calls the service\'s folio_split for the new folio, then with NULL (thpsplit)', (t) => {
  const k = thp('thpsplit');
  cpu(k, 6); // set_ops(splitcb), mmap, mmap, write fault, write(v0), write fault on v1? (v1 is mapped: store)
  kswapdReclaims(k, D0, pte(k, 0).pfn);
  const head = pte(k, 0).pfn;
  t.is(k.g.pfnNode[head], P);
  t.is(k.get(k.L.PG_ORDER, head), 1);
  k.log = [];
  kswapdReclaims(k, P, head);
  const calls = k.log.filter((l) => l.startsWith('splitcb.folio_split'));
  t.deepEqual(calls, [`splitcb.folio_split(pfn ${head}, pfn ${head + 1})`, `splitcb.folio_split(pfn ${head}, NULL)`]);
});

function run(config: string, o: { mutant?: string; keep?: (id: string) => boolean }) {
  const sys = kernelSystem(configByName(config, { mutant: o.mutant ?? null, fixes: ALL }));
  const r = explore(withProperties(sys, o.keep ?? (() => true)), { strategy: 'bfs', maxStates: 400_000, stopAtFirstViolation: false });
  return { complete: r.complete, states: r.states, unreached: r.unreached, violated: [...new Set(r.violations.map((v) => v.property))] };
}

test('thpsplit with every fix: exhaustive, every invariant holds, the large folio reaches P and is split; split-skips-folio-split-cb escapes every other check and INV-SPLIT-CB catches it', (t) => {
  const ok = run('thpsplit', {});
  t.true(ok.complete);
  t.deepEqual(ok.violated, []);
  t.deepEqual(ok.unreached, []);
  const without = run('thpsplit', { mutant: 'split-skips-folio-split-cb', keep: (id) => id !== 'INV-SPLIT-CB' });
  t.true(without.complete);
  t.deepEqual(without.violated, []);
  t.deepEqual(run('thpsplit', { mutant: 'split-skips-folio-split-cb' }).violated, ['INV-SPLIT-CB']);
});

test('compound-tail-refcounted escapes every other invariant on thp (exhaustive) and INV-COMPOUND catches it', (t) => {
  const without = run('thp', { mutant: 'compound-tail-refcounted', keep: (id) => id !== 'INV-COMPOUND' });
  t.true(without.complete);
  t.deepEqual(without.violated, []);
  t.true(run('thp', { mutant: 'compound-tail-refcounted' }).violated.includes('INV-COMPOUND'));
});

test('thp with every fix: exhaustive, every invariant holds, and every large-folio path it declares is reached (whole demotion, whole promotion, reclaim split, -ENOMEM split)', (t) => {
  const r = run('thp', {});
  t.true(r.complete);
  t.is(r.states, 166_725);
  t.deepEqual(r.violated, []);
  t.deepEqual(r.unreached, []);
});
