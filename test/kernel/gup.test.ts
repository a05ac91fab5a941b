// GUP and fault flags (issue 12 item 8): the faults GUP takes on a demoted
// folio, with the flags faultin_page builds, and what v4's cram_fault does
// with them. Each test cites the mainline / v4 lines it follows.
import test from 'ava';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { folioGet } from '../../src/kernel/folio.ts';
import { EV_NOWAIT_UNLOCK, EV_PIN_NOT_EXCL, EV_RETRY_NO_ALLOW, LK_MMAP_READ, PTE_EXCL, PTE_WRITE } from '../../src/kernel/layout.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { OP_HANDLE_FAULT, OP_KSWAPD_DEMOTE } from '../../src/kernel/ops_codes.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { D0, P, nodeOf, ptePfn, runCpu, scenario, slotOf, step } from '../helpers/scenario.ts';

const HIGH = { min: 0, low: 0, high: 64 };

/** cpu0 (mm 0) maps v0 and writes 5; kswapd(D0) demotes it to P; cpu1 (mm 1 unless cpuMms says) runs `tracer`. */
function demoted(then: ProgramOp[], tracer: ProgramOp[], o: { fixes?: string[]; mutant?: string; cpuMms?: number[] } = {}): Kernel {
  const k = scenario({
    mutant: o.mutant ?? null, fixes: o.fixes ?? [], wmark: HIGH, pOps: 'cram', cpuMms: o.cpuMms ?? [0, 1],
    programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 5 }, ...then], tracer],
  });
  runCpu(k, 0, 3); // mmap, the write fault, the store
  const src = ptePfn(k, 0, 0);
  if (!wakeupKswapd(k, D0 * 4 + 2)) throw new Error('no wakeup');
  if (!step(k, 'kswapd0', src)) throw new Error('no demotion');
  const kt = k.g.kswapdThread(D0);
  for (let n = 0; n < 10 && k.get(k.L.THR_OP, kt) === OP_KSWAPD_DEMOTE; n++) step(k, 'kswapd0', 0);
  k.set(k.L.NODE_KSWAPD, D0, 1);
  if (nodeOf(k, ptePfn(k, 0, 0)) !== P) throw new Error('not demoted');
  return k;
}

/** Run cpu's op to its end (its fault's steps included); the number of steps. */
function runOp(k: Kernel, cpu: number): number {
  const tid = k.g.cpuThread(cpu);
  const pc = k.get(k.L.THR_PC, tid);
  let n = 0;
  while (k.get(k.L.THR_PC, tid) === pc && n < 20) {
    if (!step(k, `cpu${cpu}`)) break;
    n++;
  }
  return n;
}

test('mm/gup.c: follow_page_pte -> can_follow_write_pte: a FOLL_FORCE poke into a read-only private VMA writes an exclusive demoted folio in place, no fault (the write lands on P)', (t) => {
  const k = demoted([{ op: 'mprotect', vaddr: 0, prot: 'r' }], [{ op: 'gup', mm: 0, vaddr: 0, write: true, value: 3, force: true }]);
  runCpu(k, 0);
  const onP = ptePfn(k, 0, 0);
  t.is(nodeOf(k, onP), P);
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_EXCL), 'migration kept PageAnonExclusive');
  t.is(runOp(k, 1), 1, 'one pass: no fault');
  t.is(ptePfn(k, 0, 0), onP, 'still the P folio');
  t.is(k.get(k.L.PG_CONTENT, onP), 3, 'the poke landed on the private node');
  t.not(k.get(k.L.GH_EXPECT, onP), 4, 'not a legitimate write (INV-WRITE-PATH judges it)');
});

test('mm/gup.c: check_vma_flags: without FOLL_FORCE a write GUP into a read-only VMA is -EFAULT (nothing written)', (t) => {
  const k = demoted([{ op: 'mprotect', vaddr: 0, prot: 'r' }], [{ op: 'gup', mm: 0, vaddr: 0, write: true, value: 3 }]);
  runCpu(k, 0);
  runOp(k, 1);
  t.is(k.get(k.L.PG_CONTENT, ptePfn(k, 0, 0)), 5);
});

test('mm/gup.c: faultin_page without FOLL_UNLOCKABLE has no FAULT_FLAG_ALLOW_RETRY; v4 mm/cram.c: cram_fault returns VM_FAULT_RETRY and drops the mmap lock anyway when the promotion fails (a pin holds the folio)', (t) => {
  const k = demoted([], [{ op: 'gup', mm: 0, vaddr: 0, write: true, value: 3 }]);
  const onP = ptePfn(k, 0, 0);
  folioGet(k, onP); // a pin_user_pages reference: migrate_pages' refcount check fails (-EAGAIN)
  const tid = k.g.cpuThread(1);
  t.true(step(k, 'cpu1'));
  t.is(k.get(k.L.THR_OP, tid), OP_HANDLE_FAULT, 'the GUP write fault is dispatched to cram_fault');
  t.true(k.has(k.L.THR_LOCKS, tid, LK_MMAP_READ));
  runOp(k, 1);
  t.true(k.has(k.L.GH_EVENTS, 0, EV_RETRY_NO_ALLOW), 'VM_FAULT_RETRY without FAULT_FLAG_ALLOW_RETRY');
  t.false(k.has(k.L.THR_LOCKS, tid, LK_MMAP_READ), "the ptrace caller's mmap lock is gone");
  t.is(k.get(k.L.THR_PC, tid), 1, 'get_user_pages_remote returned (0 pages)');
  t.is(k.get(k.L.PG_CONTENT, onP), 5, 'nothing written');
});

test('fix cram-fault-retry-contract: without ALLOW_RETRY cram_fault returns 0 with the lock held and the GUP looks the page up again', (t) => {
  const k = demoted([], [{ op: 'gup', mm: 0, vaddr: 0, write: true, value: 3 }], { fixes: ['cram-fault-retry-contract'] });
  folioGet(k, ptePfn(k, 0, 0));
  const tid = k.g.cpuThread(1);
  for (let i = 0; i < 8; i++) step(k, 'cpu1');
  t.false(k.has(k.L.GH_EVENTS, 0, EV_RETRY_NO_ALLOW));
  t.is(k.get(k.L.THR_PC, tid), 0, 'still in the GUP (it refaults while the pin holds the folio)');
});

test('fix cram-fault-retry-contract on a pinned folio (folio_maybe_dma_pinned): the fault fails with VM_FAULT_SIGBUS, the remote GUP returns -EFAULT with its lock held, no endless refault', (t) => {
  // LIVE-PROGRAM-FINISHES on gup found the refault loop: the poke spun under mm0's mmap lock,
  // which the pinner needs to unpin. A pinned folio cannot be promoted until the pin goes.
  for (const pinned of [true, false]) {
    const k = demoted(pinned ? [{ op: 'gup', vaddr: 0, write: false, pin: true }] : [], [{ op: 'gup', mm: 0, vaddr: 0, write: true, value: 3 }], { fixes: ['cram-fault-retry-contract'] });
    if (pinned) runOp(k, 0);
    else folioGet(k, ptePfn(k, 0, 0)); // a transient extra reference, not a pin: refault
    const onP = ptePfn(k, 0, 0);
    t.is(nodeOf(k, onP), P);
    const tid = k.g.cpuThread(1);
    for (let i = 0; i < 8 && k.get(k.L.THR_PC, tid) === 0; i++) step(k, 'cpu1');
    t.false(k.has(k.L.GH_EVENTS, 0, EV_RETRY_NO_ALLOW));
    t.is(k.get(k.L.THR_PC, tid), pinned ? 1 : 0, pinned ? 'get_user_pages_remote returned (-EFAULT)' : 'still refaulting');
    t.is(k.get(k.L.PG_CONTENT, onP), 5, 'nothing written');
  }
});

test('FOLL_NOWAIT (FAULT_FLAG_ALLOW_RETRY|RETRY_NOWAIT): v4 cram_fault drops the mmap lock the GUP keeps (faultin_page leaves *locked set); the fix keeps it', (t) => {
  for (const fixes of [[], ['cram-fault-retry-contract']]) {
    const k = demoted([], [{ op: 'gup', vaddr: 0, write: true, value: 3, locked: true, nowait: true }], { fixes, cpuMms: [0, 0] });
    folioGet(k, ptePfn(k, 0, 0));
    runOp(k, 1);
    t.is(k.has(k.L.GH_EVENTS, 0, EV_NOWAIT_UNLOCK), fixes.length === 0, `fixes ${fixes.join(',')}`);
    t.false(k.has(k.L.GH_EVENTS, 0, EV_RETRY_NO_ALLOW), 'ALLOW_RETRY is set');
    t.is(k.get(k.L.THR_PC, k.g.cpuThread(1)), 1, 'the GUP returned 0 pages');
  }
});

test('a GUP write fault on a demoted folio that can migrate promotes it (cram_fault, to the GUP caller node), then do_wp_page reuses the exclusive DRAM folio and the write lands on DRAM', (t) => {
  const k = demoted([], [{ op: 'gup', mm: 0, vaddr: 0, write: true, value: 3 }]);
  runOp(k, 1);
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), 1, "promoted to the GUP caller's node (numa_node_id(): cpu1 runs on D1)");
  t.is(k.get(k.L.PG_CONTENT, now), 3);
  t.false(k.has(k.L.GH_EVENTS, 0, EV_RETRY_NO_ALLOW));
  t.false(k.has(k.L.THR_LOCKS, k.g.cpuThread(1), LK_MMAP_READ), 'the GUP returned and unlocked');
});

test('mm/memory.c: do_wp_page: "If we encounter a page that is marked exclusive, we must reuse the page without further checks" (an extra reference does not force a copy)', (t) => {
  const k = scenario({ programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 5 }, { op: 'mprotect', vaddr: 0, prot: 'r' }, { op: 'mprotect', vaddr: 0, prot: 'rw' }, { op: 'write', vaddr: 0, value: 6 }], []] });
  runCpu(k, 0, 2);
  const pfn = ptePfn(k, 0, 0);
  folioGet(k, pfn); // e.g. a pin
  k.clearBits(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE);
  runCpu(k, 0);
  t.is(ptePfn(k, 0, 0), pfn, 'reused, not copied');
  t.is(k.get(k.L.PG_CONTENT, pfn), 6);
});

test('include/linux/mm.h: gup_must_unshare: a R/O pin of a page shared with a fork child takes an UNSHARE fault (v4: to cram_fault first on P); the pinned page is exclusive and stays read-only; the child keeps its copy', (t) => {
  for (const mutant of [null, 'gup-pin-skips-unshare']) {
    const k = scenario({ mutant, programs: [[
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 5 }, { op: 'fork', child: 1 },
      { op: 'gup', vaddr: 0, write: false, pin: true },
    ], []] });
    runCpu(k, 0);
    const s = slotOf(k, 0, 0);
    const pinned = k.get(k.L.THR_PIN, k.g.cpuThread(0)) - 1;
    t.true(pinned >= 0);
    if (mutant === null) {
      t.true(k.has(k.L.PTE_FLAGS, s, PTE_EXCL), 'exclusive after the unshare');
      t.false(k.has(k.L.PTE_FLAGS, s, PTE_WRITE), 'UNSHARE does not make the PTE writable');
      t.is(ptePfn(k, 0, 0), pinned);
      t.not(ptePfn(k, 1, 0), pinned, 'the child maps the other copy');
      t.false(k.has(k.L.GH_EVENTS, 0, EV_PIN_NOT_EXCL));
    } else {
      t.true(k.has(k.L.GH_EVENTS, 0, EV_PIN_NOT_EXCL), 'the mutant pins a shared page');
    }
  }
});
