// The fault path (mm/memory.c: handle_mm_fault -> handle_pte_fault).
import test from 'ava';
import { PTE_WRITE, PTE_PRESENT, PTE_PROTNONE, PG_anon, VMA_WRITE } from '../../src/kernel/layout.ts';
import { changeProtNuma, handleMmFault, pteSlot } from '../../src/kernel/memory.ts';
import { allocPagesNode, NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { GFP_KERNEL, __GFP_THISNODE } from '../../src/kernel/defs.ts';
import { D0, D1, P, nodeOf, ptePfn, runCpu, scenario, slotOf, step } from '../helpers/scenario.ts';

test('do_anonymous_page: a first read fault allocates a zeroed anon folio on the CPU node, mapped writable in a rw VMA (mm/memory.c: do_anonymous_page)', (t) => {
  const k = scenario({ programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'read', vaddr: 0 }], []] });
  t.true(step(k, 'cpu0')); // mmap
  t.true(step(k, 'cpu0')); // read -> fault
  const pfn = ptePfn(k, 0, 0);
  t.not(pfn, -1);
  t.is(nodeOf(k, pfn), D0);
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_anon));
  t.is(k.get(k.L.PG_CONTENT, pfn), 0);
  t.is(k.get(k.L.PG_REF, pfn), 2, 'the mapping and cpu0\'s lru_add batch (folio_add_lru)');
  t.is(k.get(k.L.PG_MAPCOUNT, pfn), 1);
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
  t.is(k.get(k.L.THR_PC, k.g.cpuThread(0)), 1, 'the load is retried in the next step');
  t.true(step(k, 'cpu0'));
  t.is(k.get(k.L.THR_PC, k.g.cpuThread(0)), 2);
});

test('cpu1 on D1 faults its anon page onto D1 (numa_node_id policy default)', (t) => {
  const k = scenario({ programs: [[], [{ op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 3 }]] });
  runCpu(k, 1);
  const pfn = ptePfn(k, 0, 1);
  t.is(nodeOf(k, pfn), D1);
  t.is(k.get(k.L.PG_CONTENT, pfn), 3);
});

test('write to a read-only VMA is a SIGSEGV, not a fault (arch fault handler access check)', (t) => {
  const k = scenario({ programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'r' }, { op: 'write', vaddr: 0, value: 1 }], []] });
  runCpu(k, 0);
  t.is(ptePfn(k, 0, 0), -1);
  t.is(k.get(k.L.THR_PC, k.g.cpuThread(0)), 2);
});

test('COW after fork: the child write copies to a new folio, the parent keeps the old one (mm/memory.c: wp_page_copy)', (t) => {
  const k = scenario({
    programs: [
      [{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 2 }, { op: 'fork', child: 1 }],
      [{ op: 'write', vaddr: 0, value: 5 }],
    ],
    cpuMms: [0, 1],
  });
  // cpu1 runs in mm1, which is live from boot in this scenario; fork needs it dead.
  k.set(k.L.MM_LIVE, 1, 0);
  runCpu(k, 0);
  const parentPfn = ptePfn(k, 0, 0);
  t.is(ptePfn(k, 1, 0), parentPfn, 'child shares the folio');
  t.is(k.get(k.L.PG_MAPCOUNT, parentPfn), 2);
  t.is(k.get(k.L.PG_REF, parentPfn), 2);
  t.false(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE), 'parent write-protected');
  t.false(k.has(k.L.PTE_FLAGS, slotOf(k, 1, 0), PTE_WRITE), 'child write-protected');
  runCpu(k, 1);
  const childPfn = ptePfn(k, 1, 0);
  t.not(childPfn, parentPfn);
  t.is(k.get(k.L.PG_CONTENT, childPfn), 5);
  t.is(k.get(k.L.PG_CONTENT, parentPfn), 2);
  t.is(k.get(k.L.PG_MAPCOUNT, parentPfn), 1);
  t.is(k.get(k.L.PG_REF, parentPfn), 1);
  // The parent's next write fault reuses its now-exclusive folio (wp_page_reuse).
  t.is(handleMmFault(k, k.g.cpuThread(0), 0, 0, true).kind, 'done');
  t.is(ptePfn(k, 0, 0), parentPfn);
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
});

test('private file mapping: read maps the page-cache folio read-only, write COWs it to anon (do_read_fault, do_wp_page)', (t) => {
  const k = scenario({ programs: [[
    { op: 'pwrite', file: 0, pgoff: 1, value: 6 },
    { op: 'mmap', vaddr: 2, kind: 'file-private', file: 0, pgoff: 1, prot: 'rw' },
    { op: 'read', vaddr: 2 }, { op: 'write', vaddr: 2, value: 1 },
  ], []] });
  runCpu(k, 0);
  const cache = k.get(k.L.PCACHE, 1) - 1;
  const mine = ptePfn(k, 0, 2);
  t.not(mine, cache);
  t.is(k.get(k.L.PG_CONTENT, cache), 6, 'the file page is unchanged');
  t.is(k.get(k.L.PG_CONTENT, mine), 1);
  t.true(k.has(k.L.PG_FLAGS, mine, PG_anon));
  t.is(k.get(k.L.PG_REF, cache), 1, 'only the page cache holds the file folio');
});

test('NUMA hinting fault migrates a misplaced folio to the CPU node (mm/memory.c: do_numa_page)', (t) => {
  const k = scenario({ programs: [[], [{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 4 }]] });
  runCpu(k, 1); // folio on D1
  const old = ptePfn(k, 0, 0);
  t.is(nodeOf(k, old), D1);
  t.true(changeProtNuma(k, 0, 0));
  t.true(k.has(k.L.PTE_FLAGS, pteSlot(k, 0, 0), PTE_PROTNONE));
  const r = handleMmFault(k, k.g.cpuThread(0), 0, 0, false); // cpu0 on D0 touches it
  t.deepEqual(r, { kind: 'done', vmret: 0 });
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), D0);
  t.is(k.get(k.L.PG_CONTENT, now), 4);
  t.false(k.has(k.L.PTE_FLAGS, pteSlot(k, 0, 0), PTE_PROTNONE));
});

test('NUMA fault on a PROTECT_WRITE folio that cannot move rebuilds a read-only PTE (v4 do_numa_page: folio_managed_wrprotect)', (t) => {
  // The 'demote' table has MIGRATION|PROTECT_WRITE; filling D0 makes the misplaced allocation fail.
  const k = scenario({ pOps: 'demote', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 4 }, { op: 'move_pages', vaddr: 0, node: P }], []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.is(nodeOf(k, pfn), P);
  while (allocPagesNode(k, D0, GFP_KERNEL | __GFP_THISNODE, 0) !== NULL_PFN) { /* fill D0 */ }
  // change_prot_numa would refuse (no NUMA_BALANCING); set the hinting PTE directly.
  const s = pteSlot(k, 0, 0);
  k.set(k.L.PTE_FLAGS, s, PTE_PROTNONE);
  handleMmFault(k, k.g.cpuThread(0), 0, 0, false);
  t.is(ptePfn(k, 0, 0), pfn, 'not migrated');
  t.is(k.get(k.L.PTE_KIND, s), PTE_PRESENT);
  t.false(k.has(k.L.PTE_FLAGS, s, PTE_WRITE | PTE_PROTNONE));
  t.true(k.has(k.L.VMA_FLAGS, s, VMA_WRITE));
});

test('change_prot_numa skips private folios without NUMA_BALANCING (v4 folio_can_map_prot_numa)', (t) => {
  const k = scenario({ pOps: 'demote', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 4 }, { op: 'move_pages', vaddr: 0, node: P }], []] });
  runCpu(k, 0);
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.false(changeProtNuma(k, 0, 0));
});

test('A3: a shared write fault maps a demoted page-cache folio on P writable and the store lands on P (do_shared_fault)', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [[
    { op: 'mmap', vaddr: 0, kind: 'file-shared', file: 0, pgoff: 0, prot: 'rw' },
    { op: 'read', vaddr: 0 },
    { op: 'move_pages', vaddr: 0, node: P },
    { op: 'munmap', vaddr: 0 },
    { op: 'mmap', vaddr: 0, kind: 'file-shared', file: 0, pgoff: 0, prot: 'rw' },
    { op: 'write', vaddr: 0, value: 7 },
  ], []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.is(nodeOf(k, pfn), P, 'the page-cache folio is on P');
  t.is(k.get(k.L.PCACHE, 0) - 1, pfn);
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
  t.is(k.get(k.L.PG_CONTENT, pfn), 7);
});
