// kswapd's keep decision and its putback are two steps (issue 12, fidelity).
//
// v4 (katherinemohr/ltram-linux @ bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f), mm/vmscan.c:
//   shrink_folio_list, keep:          `list_add(&folio->lru, &ret_folios);` (after keep_locked's folio_unlock)
//                                     then `list_splice(&ret_folios, folio_list);` at its end
//   shrink_inactive_list:             `nr_reclaimed = shrink_folio_list(&folio_list, ...);`
//                                     `spin_lock_irq(&lruvec->lru_lock);`
//                                     `move_folios_to_lru(lruvec, &folio_list);`
//   move_folios_to_lru:               `folio_set_lru(folio);`
//                                     `if (unlikely(folio_put_testzero(folio))) { __folio_clear_lru_flags(folio);`
//                                     `folio_unqueue_deferred_split(folio); if (folio_batch_add(&free_folios, folio) == 0) {`
//                                     ... `mem_cgroup_uncharge_folios(&free_folios); free_unref_folios(&free_folios);`
// v4 hooks free_folio only in mm/swap.c: __folio_put (`if (folio_managed_on_free(folio)) return;`)
// and folios_put_refs (patch "mm: add folio_managed_on_free"); free_unref_folios has no hook.
import test from 'ava';
import { PG_active, PG_lru, PTE_PRESENT, THREAD_REGS } from '../../src/kernel/layout.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { OP_KSWAPD_PUTBACK, OP_MEMCG_CHARGE, OP_NONE } from '../../src/kernel/ops_codes.ts';
import { kernelInitial } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { MC_PUTBACK, MC_R_ISOLATED, MC_SHRINK, memcgChargeStage } from '../../src/kernel/memcg_charge_step.ts';
import { nodePfnRange } from '../../src/kernel/vmscan.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { P, nodeOf, ptePfn, runCpu, scenario, step, traced } from '../helpers/scenario.ts';

const HIGH = { min: 0, low: 0, high: 64 };

/** cpu0 writes v0 and v1 and moves both to P (CRAM); cpu1, a thread of mm 0, zaps v1 with MADV_DONTNEED. */
function twoOnP(fixes: string[]): { k: Kernel; v0: number; v1: number; kswapd: number } {
  const writeAndMove = (vaddr: number, value: number): ProgramOp[] => [
    { op: 'mmap', vaddr, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr, value }, { op: 'move_pages', vaddr, node: P },
  ];
  const k = scenario({
    wmark: HIGH, pOps: 'cram', swapSlots: 1, fixes, cpuMms: [0, 0],
    programs: [[...writeAndMove(0, 7), ...writeAndMove(1, 5)], [{ op: 'madv_dontneed', vaddr: 1 }]],
  });
  runCpu(k, 0);
  const v0 = ptePfn(k, 0, 0);
  const v1 = ptePfn(k, 0, 1);
  if (nodeOf(k, v0) !== P || nodeOf(k, v1) !== P) throw new Error('move_pages did not place both pages on P');
  k.set(k.L.NODE_KSWAPD, P, 2);
  return { k, v0, v1, kswapd: k.g.kswapdThread(P) };
}

/** kswapd(P) swaps v0 out (the one swap slot), then scans v1: add_to_swap fails, shrink_folio_list keeps it. */
function keepV1(k: Kernel, v0: number, v1: number): void {
  const first = nodePfnRange(k.m, P).first;
  if (!step(k, `kswapd${P}`, v0 - first)) throw new Error('kswapd(P) did not scan v0');
  if (k.get(k.L.PG_REF, v0) !== 0) throw new Error('v0 not evicted');
  if (!step(k, `kswapd${P}`, v1 - first)) throw new Error('kswapd(P) did not scan v1');
}

test('keep: a folio shrink_folio_list keeps stays isolated on ret_folios (PG_lru clear, isolation reference held, unlocked) until kswapd\'s next step runs move_folios_to_lru', (t) => {
  const { k, v0, v1, kswapd } = twoOnP([]);
  keepV1(k, v0, v1);
  t.is(k.get(k.L.THR_OP, kswapd), OP_KSWAPD_PUTBACK, 'between shrink_folio_list and move_folios_to_lru');
  t.is(k.get(k.L.THR_REG, kswapd * THREAD_REGS + 1), v1 + 1, 'on the ret list');
  t.false(k.has(k.L.PG_FLAGS, v1, PG_lru), 'not on the LRU');
  t.is(k.get(k.L.PG_REF, v1), 2, 'the PTE and the isolation');
  t.is(k.get(k.L.NODE_KSWAPD, P), 2, 'the pass goes on: its accounting waits for the putback');
  t.false(step(k, `kswapd${P}`, v1 - nodePfnRange(k.m, P).first), 'only the putback (choice 0) is enabled');
  t.true(step(k, `kswapd${P}`, 0));
  t.is(k.get(k.L.THR_OP, kswapd), OP_NONE);
  t.true(k.has(k.L.PG_FLAGS, v1, PG_lru), 'folio_set_lru');
  t.true(k.has(k.L.PG_FLAGS, v1, PG_active), 'activate_locked');
  t.is(k.get(k.L.PG_REF, v1), 1, 'the isolation reference dropped');
  t.is(k.get(k.L.NODE_KSWAPD, P), 1, 'then the pass is over (only v1 left, kept): kswapd sleeps');
  t.is(k.get(k.L.NODE_KSWAPD_FAILURES, P), 1);
});

test('FINDING putback-free-calls-free-folio: a zap between the keep and move_folios_to_lru leaves the isolation reference the last; folio_put_testzero frees the P folio through free_unref_folios, without free_folio (no scrub, device usage kept); the fix runs the hook', (t) => {
  const seen: { content: number; hook: boolean; devDrop: boolean }[] = [];
  for (const fixed of [false, true]) {
    const { k, v0, v1 } = twoOnP(fixed ? ['putback-free-calls-free-folio'] : []);
    keepV1(k, v0, v1);
    t.is(k.get(k.L.PG_REF, v1), 2);
    t.true(step(k, 'cpu1'), 'madvise(v1, MADV_DONTNEED) in the window');
    t.is(k.get(k.L.PG_REF, v1), 1, 'only the isolation reference is left');
    const dev = k.get(k.L.DEV_USED);
    traced(k);
    t.true(step(k, `kswapd${P}`, 0), 'move_folios_to_lru');
    t.is(k.get(k.L.PG_REF, v1), 0, 'freed');
    t.false(k.has(k.L.PG_FLAGS, v1, PG_lru), '__folio_clear_lru_flags');
    seen.push({
      content: k.get(k.L.PG_CONTENT, v1),
      hook: (k.log ?? []).some((l) => l.includes('free_folio')),
      devDrop: k.get(k.L.DEV_USED) < dev,
    });
  }
  t.deepEqual(seen, [
    { content: 5, hook: false, devDrop: false }, // v4: the stale contents reach the buddy, the device still counts them
    { content: 0, hook: true, devDrop: true },
  ]);
});

test('memcg reclaim inside a fault\'s charge: a folio shrink_folio_list keeps stays isolated in REG[3] until the CPU\'s next step runs move_folios_to_lru (MC_PUTBACK)', (t) => {
  const k = kernelInitial(buildMachine(configByName('memcg', { fixes: FIXES.map((f) => f.name) })));
  const tid = k.g.cpuThread(0);
  const until = (done: () => boolean): void => {
    for (let i = 0; i < 20 && !done(); i++) if (!runThread(k, tid, 0)) throw new Error('cpu0 blocked');
    if (!done()) throw new Error('not reached');
  };
  until(() => k.get(k.L.PTE_KIND, 0) === PTE_PRESENT);
  const v0 = k.get(k.L.PTE_VAL, 0);
  runThread(k, tid, 1); // lru_add_drain: v0 on D0's LRU
  until(() => k.get(k.L.THR_OP, tid) === OP_MEMCG_CHARGE);
  // Nowhere to put v0: demotion off and every swap slot taken, so shrink_folio_list keeps it.
  k.set(k.L.G_DEMOTION_ENABLED, 0, 0);
  for (let s = 0; s < k.cfg.swapSlots; s++) k.set(k.L.SWAP_COUNT, s, 1);
  t.true(runThread(k, tid, 0), 'MC_TRY: the pass isolates v0');
  t.is(memcgChargeStage(k, tid), MC_SHRINK);
  t.true(runThread(k, tid, 0), 'MC_SHRINK: add_to_swap fails, v0 kept');
  t.is(memcgChargeStage(k, tid), MC_PUTBACK);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + MC_R_ISOLATED), v0 + 1, 'still held on ret_folios');
  t.false(k.has(k.L.PG_FLAGS, v0, PG_lru));
  t.is(k.get(k.L.PG_REF, v0), 2);
  t.true(runThread(k, tid, 0), 'MC_PUTBACK: move_folios_to_lru');
  t.true(k.has(k.L.PG_FLAGS, v0, PG_lru));
  t.is(k.get(k.L.PG_REF, v0), 1);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + MC_R_ISOLATED), 0);
  t.not(memcgChargeStage(k, tid), MC_PUTBACK);
});
