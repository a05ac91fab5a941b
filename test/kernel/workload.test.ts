// The user CPU programs (src/kernel/workload.ts): one op per step, faults as extra steps, ghost bookkeeping.
import test from 'ava';
import { EV_DATA_LOSS, LK_PTL, PTE_MIGRATION, PTE_NONE, THREAD_REGS, VMA_MAPPED } from '../../src/kernel/layout.ts';
import { nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { D0, P, nodeOf, ptePfn, runCpu, scenario, slotOf, step, traced } from '../helpers/scenario.ts';

test('write then read the same slot: the read sees the write, no EV_DATA_LOSS; PC advances once per op', (t) => {
  const k = traced(scenario({ programs: [[{ op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 5 }, { op: 'read', vaddr: 1 }], []] }));
  t.is(runCpu(k, 0), 4, 'mmap, write fault, write, read');
  t.is(k.get(k.L.THR_PC, k.g.cpuThread(0)), 3);
  t.is(k.get(k.L.GH_LAST_WRITE, slotOf(k, 0, 1)), 6);
  t.is(k.get(k.L.GH_EVENTS) & EV_DATA_LOSS, 0);
  t.true((k.log ?? []).some((l) => l.startsWith('cpu0: write(v1, 5)')));
  t.false(step(k, 'cpu0'), 'program finished');
});

test('madvise(DONTNEED) zaps the page: the next read faults in a zero page without a data-loss report', (t) => {
  const k = scenario({ programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 5 }, { op: 'madv_dontneed', vaddr: 0 }], []] });
  runCpu(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  runCpu(k, 0);
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_NONE);
  t.is(k.get(k.L.GH_LAST_WRITE, slotOf(k, 0, 0)), 0);
  t.is(k.get(k.L.PG_REF, pfn), 0, 'the folio was freed');
});

test('munmap clears the VMA and PTE fields back to 0 (canonical state)', (t) => {
  const k = scenario({ programs: [[{ op: 'mmap', vaddr: 2, kind: 'file-shared', file: 0, pgoff: 1, prot: 'rw' }, { op: 'write', vaddr: 2, value: 1 }, { op: 'munmap', vaddr: 2 }], []] });
  runCpu(k, 0);
  const s = slotOf(k, 0, 2);
  for (const f of [k.L.VMA_FLAGS, k.L.VMA_FILE, k.L.VMA_PGOFF, k.L.PTE_KIND, k.L.PTE_FLAGS, k.L.PTE_VAL, k.L.GH_LAST_WRITE]) t.is(k.get(f, s), 0, f.name);
  t.is(k.get(k.L.PG_REF, k.get(k.L.PCACHE, 1) - 1), 1, 'the page cache keeps the folio');
});

test('two shared mappings of one file page: a write through one is what the other reads (no false data loss)', (t) => {
  const k = scenario({ programs: [[
    { op: 'mmap', vaddr: 0, kind: 'file-shared', file: 0, pgoff: 0, prot: 'rw' },
    { op: 'mmap', vaddr: 1, kind: 'file-shared', file: 0, pgoff: 0, prot: 'rw' },
    { op: 'read', vaddr: 1 }, { op: 'write', vaddr: 0, value: 3 }, { op: 'read', vaddr: 1 },
    { op: 'pwrite', file: 0, pgoff: 0, value: 2 }, { op: 'read', vaddr: 0 },
  ], []] });
  runCpu(k, 0);
  t.is(ptePfn(k, 0, 0), ptePfn(k, 0, 1));
  t.is(k.get(k.L.PG_CONTENT, ptePfn(k, 0, 0)), 2);
  t.is(k.get(k.L.GH_EVENTS) & EV_DATA_LOSS, 0);
});

test('A3: write(2) writes a page-cache folio demoted to P in place, with no PTE and no hook (generic_perform_write)', (t) => {
  const k = scenario({ pOps: 'demote', programs: [[
    { op: 'mmap', vaddr: 0, kind: 'file-private', file: 0, pgoff: 0, prot: 'r' },
    { op: 'read', vaddr: 0 },
    { op: 'move_pages', vaddr: 0, node: P },
    { op: 'munmap', vaddr: 0 },
    { op: 'pwrite', file: 0, pgoff: 0, value: 6 },
  ], []] });
  runCpu(k, 0);
  const pfn = k.get(k.L.PCACHE, 0) - 1;
  t.is(nodeOf(k, pfn), P);
  t.is(k.get(k.L.PG_CONTENT, pfn), 6);
  t.not(k.get(k.L.GH_EXPECT, pfn), 7, 'not a legitimate write path on P (INV-WRITE-PATH judges it)');
});

test('fork copies VMAs, PTEs and the ghost last-write into the child mm', (t) => {
  const k = scenario({ mms: 2, programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 4 }, { op: 'fork', child: 1 }], []] });
  runCpu(k, 0);
  t.is(k.get(k.L.MM_LIVE, 1), 1);
  t.true(k.has(k.L.VMA_FLAGS, slotOf(k, 1, 0), VMA_MAPPED));
  t.is(k.get(k.L.GH_LAST_WRITE, slotOf(k, 1, 0)), 5);
  t.is(ptePfn(k, 1, 0), ptePfn(k, 0, 0));
});

test('a CPU waits (step not enabled, state unchanged) on a migration entry and on a PTL held by another thread', (t) => {
  const k = scenario({ programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'read', vaddr: 0 }], []] });
  runCpu(k, 0, 1);
  const s = slotOf(k, 0, 0);
  k.set(k.L.PTE_KIND, s, PTE_MIGRATION);
  k.set(k.L.PTE_VAL, s, 9);
  let before = k.s.slice();
  t.false(step(k, 'cpu0'), 'migration_entry_wait');
  t.deepEqual(k.s, before);
  k.set(k.L.PTE_KIND, s, PTE_NONE);
  k.set(k.L.PTE_VAL, s, 0);
  const other = k.g.cpuThread(1);
  k.setBits(k.L.THR_LOCKS, other, LK_PTL);
  k.set(k.L.THR_REG, other * THREAD_REGS, slotOf(k, 0, 3));
  before = k.s.slice();
  t.false(step(k, 'cpu0'), 'PTL of mm 0 held by cpu1');
  t.deepEqual(k.s, before);
  k.clearBits(k.L.THR_LOCKS, other, LK_PTL);
  t.true(step(k, 'cpu0'));
  t.is(nodeOf(k, ptePfn(k, 0, 0)), D0);
});

test('mbind(MPOL_MF_MOVE): BIND to a MEMPOLICY private node moves the present page there with __GFP_PRIVATE (do_mbind, MPOL_F_PRIVATE)', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [[
    { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 },
    { op: 'mbind', vaddr: 0, mode: 'bind', nodes: [P] }, { op: 'read', vaddr: 0 },
  ], []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.is(nodeOf(k, pfn), P);
  t.is(k.get(k.L.PG_CONTENT, pfn), 3);
  t.is(k.get(k.L.GH_EVENTS) & EV_DATA_LOSS, 0);
});

test('mbind to a private node without NP_OPS_MEMPOLICY fails with -EINVAL and moves nothing (mpol_set_nodemask)', (t) => {
  const k = traced(scenario({ pOps: 'demote', programs: [[
    { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 },
    { op: 'mbind', vaddr: 0, mode: 'bind', nodes: [P] },
  ], []] }));
  runCpu(k, 0);
  t.is(nodeOf(k, ptePfn(k, 0, 0)), D0);
  t.true((k.log ?? []).some((l) => l.includes('-EINVAL')));
});

test('mbind queueing skips a private folio whose node lacks NP_OPS_MIGRATION (queue_folios_pte_range, §2.6)', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [[
    { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 },
    { op: 'move_pages', vaddr: 0, node: P },
    { op: 'mbind', vaddr: 0, mode: 'bind', nodes: [D0] },
  ], []] });
  runCpu(k, 0, 4);
  const pfn = ptePfn(k, 0, 0);
  t.is(nodeOf(k, pfn), P);
  nodePrivateSetOps(k, P, opsIdByName(k, 'bare'));
  traced(k);
  runCpu(k, 0);
  t.is(ptePfn(k, 0, 0), pfn, 'left on P');
  t.false((k.log ?? []).some((l) => l.startsWith('migrate_pages(')), 'never queued (not merely stopped by the try_to_migrate gate)');
});
