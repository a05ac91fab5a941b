// mm/memcontrol.c (mainline; v4 does not touch it): the memory cgroup's
// charge of user folios, on configurations with cfg.memcg.
//
// What v4 relies on (issue 12 item 12):
// * A folio is charged when a fault allocates it (alloc_anon_folio,
//   folio_prealloc for COW / wp_page_copy, mem_cgroup_swapin_charge_folio for
//   swap-in): try_charge_memcg checks memory.max, runs memcg reclaim
//   (try_to_free_mem_cgroup_pages, src/kernel/memcg_reclaim.ts) and, when that
//   frees nothing, the memcg OOM killer; failing that, -ENOMEM (VM_FAULT_OOM).
// * Migration carries the charge: folio_migrate_flags ends in
//   mem_cgroup_migrate(src, dst), which commits src's memcg to dst and clears
//   src->memcg_data, so the page counter does not move. Demotion to a private
//   node and cram_fault's promotion both go through it: a folio on CRAM is
//   charged to the memcg of the task that faulted it.
// * Uncharge on free: __folio_put runs v4's folio_managed_on_free FIRST and
//   returns if the hook kept the folio (the flush-buffer deferral), so
//   mem_cgroup_uncharge runs only at the free that reaches the buddy. A
//   deferred CRAM folio stays charged until the driver's own put frees it.
//   shrink_folio_list uncharges what it frees with mem_cgroup_uncharge_folios
//   (anon: mem_cgroup_swapout at __remove_mapping) without the hook.
//
// Modelling choices (README): one memcg (cgroup v2, memory.max only: no
// memory.high, no swap limit, no kmem or page-cache charge: page-cache folios
// are left uncharged), holding every user task. The anonymous fault of a user
// load or store runs the charge's reclaim and OOM as steps of its CPU
// (src/kernel/memcg_charge_step.ts); the other charges run them in one step
// (tryChargeMemcg below).

import { ENOMEM, NP_OPS_RECLAIM, N_MEMORY_PRIVATE } from './defs.ts';
import { EV2_MEMCG_OOM_FREED, EV2_MEMCG_OOM_RECLAIMABLE, event2 } from './ghost.ts';
import type { Kernel } from './kernel.ts';
import { PG_anon, PG_head, PG_locked, PG_lru } from './layout.ts';
import { opsById } from './ops_table.ts';
import { outOfMemoryMemcg } from './oom_kill.ts';
import { tryToFreeMemCgroupPages } from './memcg_reclaim.ts';
import { ran } from './ran.ts';
import { commitCharge, memcgEnabled } from './memcg_charge.ts';
import { swapSlotFree } from './swap.ts';

export { commitCharge, folioMemcg, memcgEnabled, memcgUsage, memCgroupMigrate, memCgroupUncharge } from './memcg_charge.ts';

/** MAX_RECLAIM_RETRIES (mm/internal.h) */
const MAX_RECLAIM_RETRIES = 16;

/** mem_cgroup_margin(memcg): pages left under memory.max. */
export function memCgroupMargin(k: Kernel): number {
  return Math.max(0, k.cfg.memcg!.max - k.get(k.L.MEMCG_USAGE, 0));
}

/**
 * mem_cgroup_charge(folio, mm, gfp) for a user folio the fault just
 * allocated: 0, or -ENOMEM (the caller puts the folio and returns
 * VM_FAULT_OOM). No-op (0) without a memcg.
 */
export function memCgroupCharge(k: Kernel, tid: number, pfn: number, mm: number): number {
  if (!memcgEnabled(k)) return 0;
  ran(k, 'mem_cgroup_charge');
  // mm/memcontrol.c: __mem_cgroup_charge -> charge_memcg -> try_charge_memcg
  const nr = 1 << k.get(k.L.PG_ORDER, pfn);
  const ret = tryChargeMemcg(k, tid, mm, nr);
  if (ret !== 0) {
    if (k.log) k.trace(`mem_cgroup_charge(pfn ${pfn}) = -ENOMEM (usage ${k.get(k.L.MEMCG_USAGE, 0)}, memory.max ${k.cfg.memcg!.max})`);
    return ret;
  }
  commitCharge(k, pfn);
  if (k.log) k.trace(`mem_cgroup_charge(pfn ${pfn}): usage ${k.get(k.L.MEMCG_USAGE, 0)}/${k.cfg.memcg!.max}`);
  return 0;
}

/**
 * page_counter_try_charge(&memcg->memory, nr): true (and charged) if the
 * counter stays within memory.max.
 */
export function pageCounterTryCharge(k: Kernel, nr: number): boolean {
  // Mutant memcg-charge-ignores-max (mutants/memcg.ts): the counter is charged past memory.max.
  if (memCgroupMargin(k) < nr && k.cfg.mutant !== 'memcg-charge-ignores-max') return false;
  k.add(k.L.MEMCG_USAGE, 0, nr);
  return true;
}

/**
 * try_charge_memcg: page_counter_try_charge against memory.max; over it,
 * reclaim and retry, then the memcg OOM killer. The kernel retries reclaim
 * MAX_RECLAIM_RETRIES times; a retry after a pass that changed nothing sees
 * the same state, so the loop stops at the first pass that frees no charge
 * and demotes nothing.
 */
function tryChargeMemcg(k: Kernel, tid: number, mm: number, nr: number): number {
  // mm/memcontrol.c: try_charge_memcg
  for (let retries = MAX_RECLAIM_RETRIES; ;) {
    if (pageCounterTryCharge(k, nr)) return 0;
    const progress = tryToFreeMemCgroupPages(k, tid, nr);
    if (memCgroupMargin(k) >= nr) continue;
    if (progress > 0 && retries-- > 0) continue;
    // mem_cgroup_oom -> mem_cgroup_out_of_memory (configs with the OOM killer); else -ENOMEM
    // (VM_FAULT_OOM), the model's allocator convention where the kernel would kill.
    noteOomWithReclaimable(k);
    if (!k.cfg.actors.oom) return -ENOMEM;
    const victim = outOfMemoryMemcg(k, tid, mm);
    // The victim's memory is reaped in the kill's step (oom_kill.ts): current killed ->
    // "passed_oom && task_is_dying()" -> nomem, without mapping into the reaped mm.
    if (victim < 0 || victim === mm) return -ENOMEM;
    retries = MAX_RECLAIM_RETRIES;
  }
}

/**
 * Ghost, for INV-MEMCG-RECLAIM: the charge gives up (memcg OOM or -ENOMEM)
 * while (1) a folio charged to the memcg is on the LRU of a private node whose
 * ops have NP_OPS_RECLAIM, unlocked, anonymous, with a swap slot for it:
 * reclaim on that node (kswapd(P) does it) would free the charge; or (2) a
 * folio charged to the memcg sits in a flush buffer: its user freed it,
 * free_folio kept it for the driver, and __folio_put returned before
 * mem_cgroup_uncharge. Read from the state, not through the model's helpers.
 */
export function noteOomWithReclaimable(k: Kernel): void {
  const L = k.L;
  let swapFree = false;
  for (let i = 0; i < k.cfg.swapSlots; i++) if (swapSlotFree(k, i)) swapFree = true;
  const M = k.cfg.driver.bufMax;
  for (let pfn = 0; pfn < k.g.pfns; pfn++) {
    if (k.get(L.PG_MEMCG, pfn) === 0) continue;
    for (let b = 0; b < k.g.flushBufs; b++) {
      for (let i = 0; i < k.get(L.BUF_LEN, b); i++) if (k.get(L.BUF_ENT, b * M + i) === pfn + 1) event2(k, EV2_MEMCG_OOM_FREED);
    }
    const fl = k.get(L.PG_FLAGS, pfn);
    if (!(fl & PG_head) || !(fl & PG_lru) || (fl & PG_locked) || !(fl & PG_anon)) continue;
    if (!swapFree && k.get(L.PG_SWAP, pfn) === 0) continue;
    const nid = k.g.pfnNode[pfn]!;
    if (!k.has(L.NODE_STATES, nid, N_MEMORY_PRIVATE)) continue;
    const np = k.get(L.NODE_NP, nid) - 1;
    const flags = np < 0 ? 0 : opsById(k, k.get(L.NP_OPS, np))?.flags ?? 0;
    if (flags & NP_OPS_RECLAIM) event2(k, EV2_MEMCG_OOM_RECLAIMABLE);
  }
}
