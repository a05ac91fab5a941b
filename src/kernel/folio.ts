// Folio reference counting, LRU membership and the folio lock (mm/swap.c,
// mm/vmscan.c, mm/filemap.c helpers).
//
// Modelling choices:
// * LRU: folio_add_lru puts the folio in the lru_add batch of the CPU the
//   calling thread runs on (mm/swap.c: folio_batch_add_and_move,
//   this_cpu_ptr, with a reference of the batch's, PG_lru still clear) until
//   an lru_add_drain on that CPU or an lru_add_drain_all moves it (lru_add:
//   PG_lru set, the batch's reference put). Isolation fails meanwhile
//   (cram_fault F2, kswapd, offline's scan). A kernel thread (kswapd's
//   demotion: migrate_folio_move's folio_add_lru(dst)) batches on the CPU its
//   step runs on (src/kernel/kthread_cpu.ts; CPU 0 where the step does not
//   choose), and any drain of that CPU moves it, whoever runs it.
//   The batch is PG_LRU_BATCH (cpu + 1) per folio, not an array: its order
//   is not observable, and FOLIO_BATCH_SIZE (31) is more folios than any
//   named config has, so the full-batch drain cannot fire.
//   mm/vmscan.c's putbacks (move_folios_to_lru) add to the lruvec directly,
//   never through a batch (vmscan.ts: moveFoliosToLru).
// * Folios are addressed by their head pfn; the fields of a folio live at
//   that pfn (PG_REF, PG_MAPCOUNT, PG_MAPPING, PG_SWAP, PG_FLAGS of the head).

import { EV_FOLIO_GET_ZERO, PG_active, PG_anon, PG_dirty, PG_head, PG_hwpoison, PG_isolated_pb, PG_locked, PG_lru, PG_reserved, PG_swapcache, PG_tail, PG_unevictable, PG_writeback } from './layout.ts';
import type { Kernel } from './kernel.ts';
import { hasFix } from './config.ts';
import { folioManagedOnFree, folioIsPrivateNode } from './node_private.ts';
import { freePagesToBuddy } from './page_alloc.ts';
import { EV2_REF_ON_FREE, event2, pageInBuddy } from './ghost.ts';
import { BLOCK_ONLINE } from './defs.ts';
import { ran } from './ran.ts';
import { memCgroupUncharge } from './memcg_charge.ts';
import { kthreadBatchCpu, kthreadCurrentCpu } from './kthread_cpu.ts';

/** folio_nr_pages(f) */
export function folioNrPages(k: Kernel, pfn: number): number {
  return 1 << k.get(k.L.PG_ORDER, pfn);
}

/** folio_nid(f): static pfn -> node map. */
export function folioNid(k: Kernel, pfn: number): number {
  return k.g.pfnNode[pfn]!;
}

/** page_folio(p): the head pfn of the folio containing pfn. */
export function pageFolio(k: Kernel, pfn: number): number {
  let p = pfn;
  while (p > 0 && k.has(k.L.PG_FLAGS, p, PG_tail)) p--;
  return p;
}

/** folio_get(f) */
export function folioGet(k: Kernel, pfn: number): void {
  // include/linux/mm.h: folio_get -> VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow)
  if (k.get(k.L.PG_REF, pfn) === 0) k.event(EV_FOLIO_GET_ZERO);
  if (pageInBuddy(k, pfn)) event2(k, EV2_REF_ON_FREE);
  k.add(k.L.PG_REF, pfn, 1);
}

/** folio_put(f): at 0, __folio_put -> folio_managed_on_free -> LRU removal -> buddy. */
export function folioPut(k: Kernel, tid: number, pfn: number): void {
  // include/linux/mm.h: folio_put
  const ref = k.get(k.L.PG_REF, pfn);
  if (ref === 0) {
    // put on a free folio: page_ref underflow (VM_BUG_ON_PAGE under DEBUG_VM); the model records it and goes on.
    event2(k, EV2_REF_ON_FREE);
    return;
  }
  k.set(k.L.PG_REF, pfn, ref - 1);
  if (ref - 1 === 0) __folioPut(k, tid, pfn);
}

/** folio_put_refs(f, nr) */
export function folioPutRefs(k: Kernel, tid: number, pfn: number, nr: number): void {
  for (let i = 0; i < nr; i++) folioPut(k, tid, pfn);
}

/**
 * __folio_put(f) at refcount 0. v4 (patch "folio_managed_on_free") calls the
 * free_folio hook FIRST, before page_cache_release (LRU removal) and memcg
 * uncharge: a folio the hook keeps (true) stays on its LRU with PG_lru set and
 * keeps all its fields (SEMANTICS 4.2).
 */
function __folioPut(k: Kernel, tid: number, pfn: number): void {
  // mm/swap.c: __folio_put
  const hookRuns = k.cfg.mutant !== 'free-skips-free-folio-hook';
  // Fix free-folio-after-lru-removal: page_cache_release (LRU removal) first, so
  // a folio the hook keeps is off the LRU and no reclaim/offline scan isolates it.
  if (hasFix(k.cfg, 'free-folio-after-lru-removal') && folioIsPrivateNode(k, pfn)) k.clearBits(k.L.PG_FLAGS, pfn, PG_lru | PG_active);
  if (hookRuns && folioIsPrivateNode(k, pfn) && folioManagedOnFree(k, tid, pfn)) {
    if (k.log) k.trace(`__folio_put(pfn ${pfn}): free_folio kept it out of the buddy`);
    // v4 returns before mem_cgroup_uncharge: a kept folio stays charged. Fix
    // memcg-uncharge-deferred-free uncharges it here (the memory is the driver's now).
    if (hasFix(k.cfg, 'memcg-uncharge-deferred-free') && k.cfg.mutant !== 'memcg-deferred-keeps-charge') memCgroupUncharge(k, pfn);
    return;
  }
  freeFolioToBuddy(k, pfn);
}

/**
 * page_cache_release + free_unref_page: LRU removal, folio fields reset, pages
 * to the buddy. No free hook: callers that model a hook-less free path
 * (shrink_folio_list's free_unref_folios) call this directly.
 */
export function freeFolioToBuddy(k: Kernel, pfn: number): void {
  const order = k.get(k.L.PG_ORDER, pfn);
  const nr = 1 << order;
  if (k.log) k.trace(`free_unref_page(pfn ${pfn}, order ${order})`);
  // mem_cgroup_uncharge (__folio_put, after the free_folio hook) / mem_cgroup_uncharge_folios (shrink_folio_list)
  memCgroupUncharge(k, pfn);
  resetFolioFields(k, pfn, nr);
  freePagesToBuddy(k, pfn, order);
  // Folio identity (head/tail/order) ends with the folio; the buddy keeps its own PG_BUDDY.
  for (let i = 0; i < nr; i++) {
    k.clearBits(k.L.PG_FLAGS, pfn + i, PG_head | PG_tail);
  }
  k.set(k.L.PG_ORDER, pfn, 0);
}

/** Reset every per-folio field a freed folio must not keep (canonical state). */
function resetFolioFields(k: Kernel, pfn: number, nr: number): void {
  const L = k.L;
  // Pageblock and hardware attributes outlive the folio.
  const keep = PG_head | PG_tail | PG_reserved | PG_isolated_pb | PG_hwpoison;
  for (let i = 0; i < nr; i++) {
    const p = pfn + i;
    k.set(L.PG_FLAGS, p, k.get(L.PG_FLAGS, p) & keep);
    k.set(L.PG_REF, p, 0);
    k.set(L.PG_MAPCOUNT, p, 0);
    k.set(L.PG_MAPPING, p, 0);
    k.set(L.PG_SWAP, p, 0);
    k.set(L.GH_ALLOC, p, 0);
    k.set(L.PG_LRU_BATCH, p, 0);
  }
}

/** folio_isolate_lru(f): clears PG_lru, takes a reference; false if not on an LRU. */
export function folioIsolateLru(k: Kernel, pfn: number): boolean {
  // mm/vmscan.c: folio_isolate_lru
  if (!k.has(k.L.PG_FLAGS, pfn, PG_lru)) return false;
  k.clearBits(k.L.PG_FLAGS, pfn, PG_lru);
  folioGet(k, pfn);
  return true;
}

/** folio_putback_lru(f): folio_add_lru (into the batch of tid's CPU), then the isolation reference is dropped. */
export function folioPutbackLru(k: Kernel, tid: number, pfn: number): void {
  // mm/vmscan.c: folio_putback_lru
  lruAdd(k, pfn, tid);
  folioPut(k, tid, pfn);
}

/**
 * folio_add_lru(f) run by thread tid: into the lru_add batch of the CPU tid
 * runs on, with a reference of the batch's. A large folio
 * (!folio_may_be_lru_cached) or lru_cache_disabled() (an offline_pages or a
 * cpuset migration in progress) moves that CPU's whole batch, the folio
 * included, onto the LRU at once. tid < 0 (no thread): onto the LRU at once.
 */
export function lruAdd(k: Kernel, pfn: number, tid = -1): void {
  // mm/swap.c: folio_add_lru -> __folio_batch_add_and_move(&cpu_fbatches.lru_add, folio, lru_add)
  if (!k.g.threads[tid]) {
    k.setBits(k.L.PG_FLAGS, pfn, PG_lru);
    return;
  }
  if (k.get(k.L.PG_ORDER, pfn) === 0 && !lruCacheDisabled(k)) {
    const cpu = lruAddCpu(k, tid, pfn);
    folioGet(k, pfn);
    k.set(k.L.PG_LRU_BATCH, pfn, cpu + 1);
    if (k.log) k.trace(`folio_add_lru(pfn ${pfn}): cpu${cpu}'s lru_add batch`);
    return;
  }
  // "if (!folio_batch_add(..) || !folio_may_be_lru_cached(folio) || lru_cache_disabled())
  //      folio_batch_move_lru(this_cpu_ptr(fbatch), move_fn)": the folio and this CPU's batch.
  // Which CPU matters only if some batch holds a folio (a kernel thread's step then asks).
  if (anyLruBatchBusy(k)) lruAddDrain(k, tid, lruAddCpu(k, tid));
  k.setBits(k.L.PG_FLAGS, pfn, PG_lru);
}

/**
 * The CPU whose cpu_fbatches thread tid's this_cpu_ptr names: a user CPU's
 * own, else the CPU the kernel thread's step runs on (recorded as consulted;
 * for a folio `batched` into it, only if it is still there at the step's end).
 */
function lruAddCpu(k: Kernel, tid: number, batched = -1): number {
  const r = k.g.threads[tid];
  if (r?.kind === 'cpu' || r?.kind === 'overflow_work') return r.cpu;
  return batched >= 0 ? kthreadBatchCpu(k, batched) : kthreadCurrentCpu(k);
}

/** Some CPU's lru_add batch holds a folio. */
function anyLruBatchBusy(k: Kernel): boolean {
  for (let p = 0; p < k.g.pfns; p++) if (k.get(k.L.PG_LRU_BATCH, p) !== 0) return true;
  return false;
}

/**
 * lru_cache_disabled(): offline_pages holds lru_cache_disable() from before
 * start_isolate_page_range to its end, so a block of an online range that is
 * isolated means some offline_pages is running.
 */
// mm/swap.c: lru_cache_disabled
export function lruCacheDisabled(k: Kernel): boolean {
  // do_migrate_pages of cpuset.memory_migrate runs between lru_cache_disable and lru_cache_enable.
  if (k.cfg.actors.cpuset && k.get(k.L.CS_MIGQ_STARTED) !== 0) return true;
  for (let b = 0; b < k.g.blocks.length; b++) {
    if (k.get(k.L.BLOCK_STATE, b) === BLOCK_ONLINE && k.has(k.L.PG_FLAGS, k.g.blocks[b]!.firstPfn, PG_isolated_pb)) return true;
  }
  return false;
}

/** CPU cpu's lru_add batch holds a folio. */
export function cpuLruBatchBusy(k: Kernel, cpu: number): boolean {
  for (let p = 0; p < k.g.pfns; p++) if (k.get(k.L.PG_LRU_BATCH, p) === cpu + 1) return true;
  return false;
}

/**
 * lru_add_drain() on CPU cpu (cpu < 0: lru_add_drain_all, every CPU):
 * folio_batch_move_lru(lru_add): each folio gets PG_lru, then the batch's
 * references are put (folios_put: the last one frees the folio).
 */
export function lruAddDrain(k: Kernel, tid: number, cpu: number): boolean {
  // mm/swap.c: lru_add_drain -> lru_add_drain_cpu -> folio_batch_move_lru
  ran(k, 'lru_add_drain');
  const moved: number[] = [];
  for (let p = 0; p < k.g.pfns; p++) {
    const c = k.get(k.L.PG_LRU_BATCH, p);
    if (c === 0 || (cpu >= 0 && c !== cpu + 1)) continue;
    k.set(k.L.PG_LRU_BATCH, p, 0);
    k.setBits(k.L.PG_FLAGS, p, PG_lru);
    moved.push(p);
  }
  for (const p of moved) folioPut(k, tid, p);
  if (moved.length && k.log) k.trace(`lru_add_drain${cpu < 0 ? '_all' : `(cpu${cpu})`}: pfn ${moved.join(', ')} onto the LRU`);
  return moved.length > 0;
}

/**
 * lru_add_drain() run by thread tid: the batch of the CPU it runs on (a
 * kernel thread's step asks for its CPU only if some batch holds a folio).
 */
// mm/swap.c: lru_add_drain -> lru_add_drain_cpu(smp_processor_id())
export function lruAddDrainLocal(k: Kernel, tid: number): boolean {
  const r = k.g.threads[tid];
  if (!r) return false;
  if (r.kind !== 'cpu' && r.kind !== 'overflow_work' && !anyLruBatchBusy(k)) {
    ran(k, 'lru_add_drain');
    return false;
  }
  return lruAddDrain(k, tid, lruAddCpu(k, tid));
}

/** folio_trylock(f) */
export function folioTrylock(k: Kernel, pfn: number): boolean {
  // include/linux/pagemap.h: folio_trylock
  if (k.has(k.L.PG_FLAGS, pfn, PG_locked)) return false;
  k.setBits(k.L.PG_FLAGS, pfn, PG_locked);
  return true;
}

/** folio_lock(f): the model's callers check folioLocked first (a step that would sleep is not enabled). */
export function folioLock(k: Kernel, pfn: number): void {
  k.setBits(k.L.PG_FLAGS, pfn, PG_locked);
}

/** folio_unlock(f) */
export function folioUnlock(k: Kernel, pfn: number): void {
  // mm/filemap.c: folio_unlock
  k.clearBits(k.L.PG_FLAGS, pfn, PG_locked);
}

export function folioLocked(k: Kernel, pfn: number): boolean {
  return k.has(k.L.PG_FLAGS, pfn, PG_locked);
}

export function folioTestAnon(k: Kernel, pfn: number): boolean {
  return k.has(k.L.PG_FLAGS, pfn, PG_anon);
}

export function folioTestSwapcache(k: Kernel, pfn: number): boolean {
  return k.has(k.L.PG_FLAGS, pfn, PG_swapcache);
}

export function folioMarkDirty(k: Kernel, pfn: number): void {
  k.setBits(k.L.PG_FLAGS, pfn, PG_dirty);
}

/** Flags migrate_folio copies to the destination (folio_migrate_flags). */
export const MIGRATE_COPIED_FLAGS = PG_anon | PG_dirty | PG_swapcache | PG_active | PG_unevictable | PG_writeback;

/** A pfn is an allocated folio head (not free, not a tail). */
export function isFolioHead(k: Kernel, pfn: number): boolean {
  return k.has(k.L.PG_FLAGS, pfn, PG_head);
}
