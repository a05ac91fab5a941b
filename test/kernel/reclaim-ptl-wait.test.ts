// Reclaim's rmap walk waits for a PTL another thread holds; isolation does not look at it.
// What the model follows (mm/rmap.c of v4, katherinemohr/ltram-linux bc4b49e8, unchanged from mainline here):
//   folio_referenced: `.anon_lock = folio_lock_anon_vma_read, .try_lock = true,` ... `return rwc.contended ? -1 :
//     pra.referenced;` and folio_lock_anon_vma_read: `if (rwc && rwc->try_lock) { anon_vma = NULL;
//     rwc->contended = true; goto out; }`: the trylock is the anon_vma's (rmap_walk_file: the i_mmap lock's);
//   folio_referenced_one: `while (page_vma_mapped_walk(&pvmw))`, and page_vma_mapped_walk -> map_pte:
//     `spin_lock(*ptlp);`: the PTL is always waited for, as in try_to_unmap and try_to_migrate.
//   mm/vmscan.c: isolate_lru_folios takes the lruvec lock only; shrink_folio_list: `references =
//     folio_check_references(folio, sc);` before `list_add(&folio->lru, &demote_folios);`.
import test from 'ava';
import { kernelInitial } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { LK_PTL, PG_lru, PTE_PRESENT, PTE_SWAP, THREAD_REGS } from '../../src/kernel/layout.ts';
import { OP_KSWAPD_DEMOTE, OP_MEMCG_CHARGE, OP_NONE } from '../../src/kernel/ops_codes.ts';
import { MC_R_ISOLATED, MC_SHRINK, memcgChargeStage } from '../../src/kernel/memcg_charge_step.ts';
import { runThread } from '../../src/kernel/sched.ts';

const ALL = FIXES.map((f) => f.name);

/** memcg with every fix: cpu0 wrote v0 (on D0's LRU, D0 below its watermark: kswapd(D0) may scan it). */
function v0OnLru(): { k: Kernel; v0: number; kswapd: number } {
  const k = kernelInitial(buildMachine(configByName('memcg', { fixes: ALL })));
  const tid = k.g.cpuThread(0);
  for (let i = 0; i < 20 && k.get(k.L.PTE_KIND, 0) !== PTE_PRESENT; i++) runThread(k, tid, 0);
  runThread(k, tid, 1); // lru_add_drain
  const v0 = k.get(k.L.PTE_VAL, 0);
  return { k, v0, kswapd: k.g.kswapdThread(0) };
}

/** Another thread (here the driver-less machine's cpu0, as inside handle_fault) holds mm 0's PTL. */
function holdPtl(k: Kernel, on: boolean): void {
  const t = k.g.cpuThread(0);
  if (on) {
    k.setBits(k.L.THR_LOCKS, t, LK_PTL);
    k.set(k.L.THR_REG, t * THREAD_REGS, 0);
  } else {
    k.clearBits(k.L.THR_LOCKS, t, LK_PTL);
  }
}

test('kswapd isolates a folio whose mm\'s PTL another thread holds, then waits in shrink_folio_list (folio_referenced) before demote_folio_list, and demotes it once the PTL is free', (t) => {
  const { k, v0, kswapd } = v0OnLru();
  t.is(v0, k.g.blocks.find((b) => b.node === 0)!.firstPfn, 'v0 is D0\'s first pfn: kswapd\'s choice 0');
  holdPtl(k, true);
  t.true(runThread(k, kswapd, 0), 'isolate_lru_folios does not look at the PTL');
  t.false(k.has(k.L.PG_FLAGS, v0, PG_lru));
  t.is(k.get(k.L.THR_OP, kswapd), OP_KSWAPD_DEMOTE);
  t.false(runThread(k, kswapd, 0), 'folio_referenced spins on the PTL: the step is not enabled');
  t.is(k.get(k.L.PTE_KIND, 0), PTE_PRESENT);
  holdPtl(k, false);
  for (let i = 0; i < 20 && k.get(k.L.THR_OP, kswapd) === OP_KSWAPD_DEMOTE; i++) t.true(runThread(k, kswapd, 0));
  t.is(k.get(k.L.THR_OP, kswapd), OP_NONE);
  t.not(k.g.pfnNode[k.get(k.L.PTE_VAL, 0)], 0, 'v0 was demoted off D0');
});

test('kswapd reclaiming (no demotion) a folio whose mm\'s PTL another thread holds keeps it isolated and waits; once the PTL is free, shrink_folio_list swaps it out', (t) => {
  const { k, v0, kswapd } = v0OnLru();
  k.set(k.L.G_DEMOTION_ENABLED, 0, 0);
  holdPtl(k, true);
  t.true(runThread(k, kswapd, 0), 'isolated');
  t.false(k.has(k.L.PG_FLAGS, v0, PG_lru));
  t.is(k.get(k.L.THR_REG, kswapd * THREAD_REGS + 1), v0 + 1, 'kswapd holds v0');
  t.false(runThread(k, kswapd, 0), 'the rmap walk waits for the PTL');
  holdPtl(k, false);
  t.true(runThread(k, kswapd, 0));
  t.is(k.get(k.L.THR_OP, kswapd), OP_NONE);
  t.is(k.get(k.L.PTE_KIND, 0), PTE_SWAP, 'try_to_unmap ran: v0 is swapped out');
});

test('memcg reclaim inside a fault\'s charge isolates v0 although another thread holds mm 0\'s PTL, waits at its shrink, and demotes or reclaims v0 once the PTL is free', (t) => {
  const { k, v0 } = v0OnLru();
  const tid = k.g.cpuThread(0);
  for (let i = 0; i < 20 && k.get(k.L.THR_OP, tid) !== OP_MEMCG_CHARGE; i++) runThread(k, tid, 0);
  t.is(k.get(k.L.THR_OP, tid), OP_MEMCG_CHARGE, 'the write to v1 finds the memcg at memory.max');
  // kswapd(D0) stands in for a thread inside handle_fault on mm 0 (LK_PTL, REG[0] = slot 0).
  const holder = k.g.kswapdThread(0);
  k.setBits(k.L.THR_LOCKS, holder, LK_PTL);
  t.true(runThread(k, tid, 0), 'MC_TRY: the pass isolates v0');
  t.is(memcgChargeStage(k, tid), MC_SHRINK);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + MC_R_ISOLATED), v0 + 1);
  t.false(runThread(k, tid, 0), 'MC_SHRINK waits for the PTL');
  k.clearBits(k.L.THR_LOCKS, holder, LK_PTL);
  t.true(runThread(k, tid, 0));
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + MC_R_ISOLATED), 0, 'v0 was shrunk');
  t.false(k.get(k.L.PTE_VAL, 0) === v0 && k.get(k.L.PTE_KIND, 0) === PTE_PRESENT, 'v0 no longer maps D0\'s page');
});
