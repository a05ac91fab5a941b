// End to end through cram_ops: kswapd demotes a folio into P, then a fault on
// the P folio dispatches to cram_fault BEFORE the write check (§6.3.6) and
// promotes it to the CPU's node keeping its contents.
import test from 'ava';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { EV_DATA_LOSS, EV_PTL_LEAK, EV_RETRY_NO_ALLOW, LK_PTL, PTE_WRITE } from '../../src/kernel/layout.ts';
import { OP_HANDLE_FAULT, OP_KSWAPD_DEMOTE } from '../../src/kernel/ops_codes.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { changeProtNuma } from '../../src/kernel/memory.ts';
import { folioIsolateLru } from '../../src/kernel/folio.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { cramUnregisterBegin } from '../../src/cram/cram.ts';
import { D0, P, nodeOf, ptePfn, runCpu, scenario, slotOf, step } from '../helpers/scenario.ts';

const HIGH = { min: 0, low: 0, high: 64 };

/** kswapd(D0)'s demote_folio_list to its end: get, migrate_to, put (R5 steps). */
function demoteAll(k: Kernel): void {
  const tid = k.g.kswapdThread(D0);
  for (let n = 0; n < 10 && k.get(k.L.THR_OP, tid) === OP_KSWAPD_DEMOTE; n++) if (!step(k, 'kswapd0', 0)) throw new Error('demotion stuck');
}

function demoted(then: ProgramOp[], mutant: string | null = null) {
  const k = scenario({ mutant, wmark: HIGH, pOps: 'cram', programs: [[
    { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 5 }, ...then,
  ], []] });
  runCpu(k, 0, 3);
  const src = ptePfn(k, 0, 0);
  if (!wakeupKswapd(k, D0 * 4 + 2)) throw new Error('no wakeup');
  if (!step(k, 'kswapd0', src)) throw new Error('no demotion');
  demoteAll(k);
  // kswapd(D0) is done with this pass and back on kswapd_wait: otherwise get_page_from_freelist
  // passes D0 over for D1 while its kswapd is awake (skip_kswapd_nodes).
  k.set(k.L.NODE_KSWAPD, D0, 1);
  return k;
}

test('demotion into P through cram_migrate_to: contents kept, PTE write-protected, legit-write ghost set (§6.3.4)', (t) => {
  const k = demoted([]);
  const pfn = ptePfn(k, 0, 0);
  t.is(nodeOf(k, pfn), P);
  t.is(k.get(k.L.PG_CONTENT, pfn), 5);
  t.false(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
  t.is(k.get(k.L.GH_EXPECT, pfn), 6);
});

test('demote -> write: the write fault enters cram_fault as staged steps, promotes to D0, and the retried store lands on DRAM', (t) => {
  const k = demoted([{ op: 'write', vaddr: 0, value: 7 }, { op: 'read', vaddr: 0 }]);
  const onP = ptePfn(k, 0, 0);
  const tid = k.g.cpuThread(0);
  t.true(step(k, 'cpu0'));
  t.is(k.get(k.L.THR_OP, tid), OP_HANDLE_FAULT, 'inside handle_fault');
  t.true(k.has(k.L.THR_LOCKS, tid, LK_PTL), 'PTL held until F3');
  let n = 0;
  while (k.get(k.L.THR_OP, tid) === OP_HANDLE_FAULT && n < 10) { t.true(step(k, 'cpu0')); n++; }
  t.true(n >= 3, `cram_fault ran as ${n} further steps`);
  t.false(k.has(k.L.THR_LOCKS, tid, LK_PTL));
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), D0);
  t.is(k.get(k.L.PG_CONTENT, now), 5, 'promotion kept the contents');
  t.is(k.get(k.L.PG_CONTENT, onP), 0, 'the P page was scrubbed on free');
  runCpu(k, 0);
  t.is(k.get(k.L.PG_CONTENT, ptePfn(k, 0, 0)), 7);
  t.is(nodeOf(k, ptePfn(k, 0, 0)), D0);
  t.is(k.get(k.L.GH_EVENTS) & (EV_PTL_LEAK | EV_RETRY_NO_ALLOW), 0);
});

test('a load from the demoted folio needs no fault (present PTE); a NUMA hinting fault promotes it to the CPU node (§6.3.7)', (t) => {
  const k = demoted([{ op: 'read', vaddr: 0 }, { op: 'read', vaddr: 0 }]);
  const onP = ptePfn(k, 0, 0);
  t.true(step(k, 'cpu0'));
  t.is(ptePfn(k, 0, 0), onP, 'served from P');
  t.true(changeProtNuma(k, 0, 0), 'cram_ops has NUMA_BALANCING');
  runCpu(k, 0);
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), D0);
  t.is(k.get(k.L.PG_CONTENT, now), 5);
  t.is(k.get(k.L.GH_EVENTS) & EV_DATA_LOSS, 0);
});

test('mutant handle-fault-after-write-check: the write reuses the P folio in place and the store lands on P (INV-WRITE-PATH)', (t) => {
  const k = demoted([{ op: 'write', vaddr: 0, value: 7 }], 'handle-fault-after-write-check');
  const onP = ptePfn(k, 0, 0);
  runCpu(k, 0);
  t.is(ptePfn(k, 0, 0), onP);
  t.is(k.get(k.L.PG_CONTENT, onP), 7);
  t.not(k.get(k.L.GH_EXPECT, onP), 8, 'not a legitimate write to P');
});

function demotedWith(cpu1: ProgramOp[]) {
  const k = scenario({ wmark: HIGH, pOps: 'cram', programs: [[
    { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 5 }, { op: 'write', vaddr: 0, value: 7 },
  ], cpu1] });
  runCpu(k, 0, 3);
  wakeupKswapd(k, D0 * 4 + 2);
  step(k, 'kswapd0', ptePfn(k, 0, 0));
  demoteAll(k);
  // kswapd(D0) is done with this pass and back on kswapd_wait: otherwise get_page_from_freelist
  // passes D0 over for D1 while its kswapd is awake (skip_kswapd_nodes).
  k.set(k.L.NODE_KSWAPD, D0, 1);
  return k;
}

test('R1: after F3 drops the PTL, MADV_DONTNEED by another thread of the mm zaps the folio; migration then frees the source', (t) => {
  const k = demotedWith([{ op: 'madv_dontneed', vaddr: 0 }]);
  const onP = ptePfn(k, 0, 0);
  t.is(nodeOf(k, onP), P);
  t.true(step(k, 'cpu0')); // dispatch: ops read
  t.false(step(k, 'cpu1'), 'the PTL is held (dispatch-F2)');
  t.true(step(k, 'cpu0')); // F1
  t.true(step(k, 'cpu0')); // F2 isolate
  t.true(step(k, 'cpu0')); // F3 release PTL
  t.true(step(k, 'cpu1'), 'madvise takes mmap_lock for read and the PTL: it may run now');
  t.is(ptePfn(k, 0, 0), -1);
  t.is(k.get(k.L.PG_REF, onP), 1, 'only the isolation reference of cram_fault is left');
  runCpu(k, 0);
  t.is(k.get(k.L.PG_REF, onP), 0, 'freed by migrate_pages');
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), D0);
  t.is(k.get(k.L.PG_CONTENT, now), 7);
});

test('R1: munmap (mmap_lock for write) cannot overlap the staged fault of the same mm', (t) => {
  const k = demotedWith([{ op: 'munmap', vaddr: 0 }]);
  t.true(step(k, 'cpu0'));
  t.true(step(k, 'cpu0'));
  t.true(step(k, 'cpu0'));
  t.true(step(k, 'cpu0')); // PTL dropped, mmap_lock still held
  t.false(step(k, 'cpu1'));
  while (k.get(k.L.THR_OP, k.g.cpuThread(0)) === OP_HANDLE_FAULT) step(k, 'cpu0');
  t.true(step(k, 'cpu1'));
});

test('EV_PTL_LEAK is recorded when handle_fault returns with the PTL held (mutant cram-fault-keeps-ptl on the F2 failure path); faithful F2 failure releases it and refaults', (t) => {
  for (const mutant of [null, 'cram-fault-keeps-ptl']) {
    const k = demoted([{ op: 'write', vaddr: 0, value: 7 }], mutant);
    const onP = ptePfn(k, 0, 0);
    t.true(folioIsolateLru(k, onP), 'someone else isolated it (e.g. hot-unplug scan)');
    const tid = k.g.cpuThread(0);
    t.true(step(k, 'cpu0')); // dispatch
    t.true(step(k, 'cpu0')); // F1
    t.true(step(k, 'cpu0')); // F2 fails -> return 0
    t.is(k.get(k.L.THR_OP, tid), 0);
    t.false(k.has(k.L.THR_LOCKS, tid, LK_PTL), 'the model releases a leaked PTL after recording it');
    t.is((k.get(k.L.GH_EVENTS) & EV_PTL_LEAK) !== 0, mutant !== null);
    t.is(k.get(k.L.THR_PC, tid), 2, 'the store (op 2) is retried: refault');
  }
});

// include/linux/node_private.h: folio_node_private_ops reads np->ops under rcu_read_lock and
// returns it after rcu_read_unlock; mm/internal.h: folio_managed_handle_fault then calls
// ops->handle_fault. cram_unregister_private_node (node_private_clear_ops, cram_nodes[nid] = NULL)
// can run between the two: the fault then calls cram_fault on a node CRAM has left.
test('ops dispatch and call are two steps: cram_unregister between them; the stale cram_fault finds no cram node and refaults', (t) => {
  const k = demoted([{ op: 'write', vaddr: 0, value: 7 }]);
  const onP = ptePfn(k, 0, 0);
  const tid = k.g.cpuThread(0);
  t.true(step(k, 'cpu0')); // handle_pte_fault -> folio_managed_handle_fault: ops = cram_ops
  t.is(k.get(k.L.THR_OP, tid), OP_HANDLE_FAULT);
  t.is(k.get(k.L.CN_REFCOUNT, P), 1, 'cram_fault has not run yet');
  t.is(cramUnregisterBegin(k, P), 0, 'node_private_clear_ops + unpublish land in between');
  t.is(k.get(k.L.NP_OPS, 0), 0);
  t.true(step(k, 'cpu0')); // ops->handle_fault = cram_fault: F1 get_cram_node = NULL
  t.is(k.get(k.L.THR_OP, tid), 0, 'returned 0: the task refaults');
  t.false(k.has(k.L.THR_LOCKS, tid, LK_PTL));
  t.is(ptePfn(k, 0, 0), onP, 'not promoted');
  t.is(k.get(k.L.GH_EVENTS), 0, 'unregister has not returned: no callback-after-unregister');
});
