// mm/memory_hotplug.c with v4 (SEMANTICS 1.2, 1.3, 5): online_pages,
// offline_pages, add_private_memory_driver_managed (+ the prerequisite
// __add_memory_driver_managed), offline_and_remove_private_memory,
// try_offline_node. Each runs under mem_hotplug_lock (write) and is one step,
// except offline_pages, whose retry loop reschedules (cond_resched) between
// rounds: a round is a step (offlinePagesBegin / offlinePagesPass); the
// unregister inside remove is staged (Begin/Finish).

import { blockAllFree, buddyOfflineBlock, buddyOnlineBlock, isolateBlock, unisolateBlock } from './buddy.ts';
import { cpusetHandleHotplug } from './cpuset.ts';
import {
  __GFP_HIGHMEM, __GFP_MOVABLE, __GFP_RETRY_MAYFAIL, BLOCK_ABSENT, BLOCK_OFFLINE, BLOCK_ONLINE, EEXIST, EINTR,
  EINVAL, errname, GFP_KERNEL, MAX_NR_ZONES, MIGRATE_SYNC, MMOP_OFFLINE, MMOP_ONLINE_KERNEL, MMOP_ONLINE_MOVABLE, MR_MEMORY_HOTPLUG,
  N_MEMORY, N_MEMORY_PRIVATE, N_ONLINE, NR_MAX_MIGRATE_ASYNC_RETRY, ZONE_MOVABLE, ZONE_NORMAL,
} from './defs.ts';
import { folioIsolateLru, folioNrPages, folioPut, lruAddDrain } from './folio.ts';
import { zoneType } from './geometry.ts';
import type { Kernel } from './kernel.ts';
import { PG_head, PG_lru, THREAD_REGS } from './layout.ts';
import { memtierNodeAdded, memtierNodeRemoved } from './memory_tiers.ts';
import { migratePages, nodeStatModIsolated, putbackMovablePages } from './migrate.ts';
import { batchCheckFits, batchStep, batchStepBusy, entryHoldsSrc, entrySrc, type BatchCallbacks } from './migrate_batch.ts';
import { folioIsPrivateNode, folioManagedAllowsMigrate, nodePrivateRegister, nodePrivateUnregisterBegin, nodePrivateUnregisterFinish } from './node_private.ts';
import { allocPages, setupPerZoneWmarks } from './page_alloc.ts';
import { buildAllZonelists, nodesInState } from './zonelist.ts';
import { ran } from './ran.ts';

function nodePresentPages(k: Kernel, nid: number): number {
  let n = 0;
  for (let t = 0; t < MAX_NR_ZONES; t++) n += k.get(k.L.ZONE_PRESENT, nid * MAX_NR_ZONES + t);
  return n;
}

/** kswapd_run / kcompactd_run for a node (idempotent). */
function startDaemons(k: Kernel, nid: number): void {
  if (k.get(k.L.NODE_KSWAPD, nid) === 0) k.set(k.L.NODE_KSWAPD, nid, 1);
  k.set(k.L.NODE_KCOMPACTD, nid, 1);
}

/**
 * online_pages for one memory block. The node state changes only if the node
 * had neither N_MEMORY nor N_MEMORY_PRIVATE: then N_MEMORY_PRIVATE if
 * pgdat->private, else N_MEMORY, set before the zonelist rebuild (which runs
 * only if the zone was unpopulated). kswapd/kcompactd start only for
 * non-private nodes (re-read at every online, R7). The memory notifier then
 * updates cpusets and, on the node's first memory, memory tiers.
 */
// mm/memory_hotplug.c: online_pages
export function onlinePages(k: Kernel, block: number): number {
  ran(k, 'online_pages');
  const L = k.L;
  const b = k.g.blocks[block];
  if (!b || k.get(L.BLOCK_STATE, block) !== BLOCK_OFFLINE) {
    k.trace(`online_pages(block ${block}) = -EINVAL`);
    return -EINVAL;
  }
  const nid = b.node;
  const hadState = k.has(L.NODE_STATES, nid, N_MEMORY | N_MEMORY_PRIVATE);
  const zoneWasPopulated = k.get(L.ZONE_MANAGED, b.zone) > 0;
  // online_pages_range -> generic_online_page: the pages go to the buddy.
  buddyOnlineBlock(k, block);
  k.add(L.ZONE_PRESENT, b.zone, b.pages);
  k.add(L.ZONE_MANAGED, b.zone, b.pages);
  k.set(L.BLOCK_STATE, block, BLOCK_ONLINE);
  if (!hadState) {
    const priv = k.get(L.NODE_PRIVATE, nid) !== 0;
    // The mutant marks a private node N_MEMORY instead of N_MEMORY_PRIVATE.
    const st = priv && k.cfg.mutant !== 'online-sets-n-memory' ? N_MEMORY_PRIVATE : N_MEMORY;
    k.setBits(L.NODE_STATES, nid, st);
  }
  if (!zoneWasPopulated) buildAllZonelists(k);
  setupPerZoneWmarks(k);
  if (!k.get(L.NODE_PRIVATE, nid)) startDaemons(k, nid);
  // memory_notify(MEM_ONLINE): cpuset_track_online_nodes, memory tiers.
  cpusetHandleHotplug(k);
  if (!hadState) memtierNodeAdded(k, nid);
  k.trace(`online_pages(block ${block}, N${nid}) = 0`);
  return 0;
}

/** Allocated folio heads in a block, lowest pfn first. */
function allocatedHeads(k: Kernel, block: number): number[] {
  const b = k.g.blocks[block]!;
  const out: number[] = [];
  for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) if (k.has(k.L.PG_FLAGS, p, PG_head)) out.push(p);
  return out;
}

/**
 * alloc_migration_target for hot-unplug: preferred = the source's node,
 * nodemask = N_MEMORY minus that node (or just it if nothing else),
 * GFP_KERNEL|__GFP_MOVABLE|__GFP_RETRY_MAYFAIL, + __GFP_HIGHMEM for a
 * ZONE_MOVABLE source (alloc_migration_target).
 */
// mm/memory_hotplug.c: do_migrate_range -> mm/migrate.c: alloc_migration_target
function hotplugMigrationTarget(k: Kernel, src: number): number {
  const srcNid = k.g.pfnNode[src]!;
  let mask = nodesInState(k, N_MEMORY) & ~(1 << srcNid);
  if (mask === 0) mask = 1 << srcNid;
  let gfp = GFP_KERNEL | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL;
  if (zoneType(k.g.pfnZone[src]!) === ZONE_MOVABLE) gfp |= __GFP_HIGHMEM;
  return allocPages(k, gfp, k.get(k.L.PG_ORDER, src), srcNid, mask);
}

/** offlinePagesPass: the retry loop goes round again (the kernel's `while (ret)`). */
export const OFFLINE_AGAIN = 1;

/**
 * offline_pages up to its retry loop, for one memory block: the range checks,
 * lru_cache_disable, start_isolate_page_range (free pages stop counting and
 * cannot be allocated) and the notifiers, then the loop's first signal check.
 * 0: the caller runs offlinePagesPass until it stops returning OFFLINE_AGAIN.
 * No v4 notifier refuses.
 */
// mm/memory_hotplug.c: offline_pages (up to `do {`)
export function offlinePagesBegin(k: Kernel, block: number, signalPending: boolean, tid: number): number {
  ran(k, 'offline_pages');
  const b = k.g.blocks[block];
  if (!b || k.get(k.L.BLOCK_STATE, block) !== BLOCK_ONLINE) {
    k.trace(`offline_pages(block ${block}) = -EINVAL`);
    return -EINVAL;
  }
  // lru_cache_disable(): every CPU's lru_add batch drained; lruAdd batches nothing while the range is isolated.
  lruAddDrain(k, tid, -1);
  isolateBlock(k, block);
  if (k.log) k.trace(`offline_pages(block ${block}, N${b.node}): range isolated`);
  if (signalPending) return offlinePagesAbort(k, block, -EINTR);
  return 0;
}

/** failed_removal_isolated: undo_isolate_page_range, MEM_CANCEL_OFFLINE. */
function offlinePagesAbort(k: Kernel, block: number, ret: number): number {
  unisolateBlock(k, block);
  k.trace(`offline_pages(block ${block}, N${k.g.blocks[block]!.node}) = ${errname(ret)}${ret === -EINTR ? ' (signal backoff)' : ''}`);
  return ret;
}

/** First pfn of an LRU folio in the block (scan_movable_pages), or -1 (-ENOENT). */
function scanMovablePages(k: Kernel, block: number): number {
  for (const pfn of allocatedHeads(k, block)) if (k.has(k.L.PG_FLAGS, pfn, PG_lru)) return pfn;
  return -1;
}

/**
 * do_migrate_range(start, end): each LRU folio from `start` on is isolated to
 * the source list, except a private folio without NP_OPS_MIGRATION (WARN_ONCE,
 * skipped); the list is migrated to N_MEMORY nodes, what did not move is put back.
 */
// mm/memory_hotplug.c: do_migrate_range
function doMigrateRange(k: Kernel, block: number, start: number, tid: number): void {
  const L = k.L;
  const list: number[] = [];
  for (const pfn of allocatedHeads(k, block)) {
    if (pfn < start || !k.has(L.PG_FLAGS, pfn, PG_lru)) continue;
    if (folioIsPrivateNode(k, pfn) && !folioManagedAllowsMigrate(k, pfn)) {
      k.trace(`do_migrate_range: WARN_ONCE: private folio pfn ${pfn} without NP_OPS_MIGRATION skipped`);
      continue;
    }
    // mm/migrate.c: isolate_folio_to_list (LRU folio: node_stat_mod_folio(+nr) once isolated;
    // the scan's own reference is dropped once isolated).
    if (folioIsolateLru(k, pfn)) {
      list.push(pfn);
      nodeStatModIsolated(k, pfn, folioNrPages(k, pfn));
    }
  }
  if (list.length === 0) return;
  migratePages(k, tid, list, hotplugMigrationTarget, (kk, t, dst) => folioPut(kk, t, dst), MIGRATE_SYNC, MR_MEMORY_HOTPLUG);
  // do_migrate_range: putback_movable_pages (NR_ISOLATED -= nr) for what did not move.
  if (list.length) putbackMovablePages(k, tid, list);
}

/** The hot-unplug migrate_pages callbacks (alloc_migration_target; no put_new_folio: folio_put). */
const HOTPLUG_CB: BatchCallbacks = { getNew: hotplugMigrationTarget, putNew: (kk, t, dst) => folioPut(kk, t, dst), reason: MR_MEMORY_HOTPLUG };

/** The registers of a staged do_migrate_range: the offline thread's after offlineAndRemoveStep's (rb + OAR_REGS on). */
function batchRegs(tid: number, rb: number): { r0: number; n: number } {
  const r0 = rb + OAR_REGS;
  return { r0, n: (tid + 1) * THREAD_REGS - r0 };
}

/** The folios a thread's staged do_migrate_range holds isolated (its batch registers after rb + OAR_REGS): for the properties. */
export function offlineBatchHeld(k: Kernel, tid: number, rb: number): number[] {
  if (tid < 0 || tid >= k.g.threads.length) return [];
  const { r0, n } = batchRegs(tid, rb);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = k.get(k.L.THR_REG, r0 + i);
    if (entryHoldsSrc(v)) out.push(entrySrc(v));
  }
  return out;
}

function batchBusyRegs(k: Kernel, r0: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (k.get(k.L.THR_REG, r0 + i) !== 0) return true;
  return false;
}

/**
 * do_migrate_range up to migrate_pages, as a step of the offline thread: the
 * block's LRU folios from `start` are isolated onto the source list (the
 * batch registers; a block with more folios than registers leaves the rest to
 * the next round's scan, as migrate_pages cuts a list at
 * NR_MAX_BATCHED_MIGRATION). False if nothing was isolated.
 */
// mm/memory_hotplug.c: do_migrate_range (the isolation loop)
function doMigrateRangeIsolate(k: Kernel, block: number, start: number, r0: number, n: number): boolean {
  const L = k.L;
  batchCheckFits(k);
  let i = 0;
  for (const pfn of allocatedHeads(k, block)) {
    if (i === n) break;
    if (pfn < start || !k.has(L.PG_FLAGS, pfn, PG_lru)) continue;
    if (folioIsPrivateNode(k, pfn) && !folioManagedAllowsMigrate(k, pfn)) {
      k.trace(`do_migrate_range: WARN_ONCE: private folio pfn ${pfn} without NP_OPS_MIGRATION skipped`);
      continue;
    }
    if (folioIsolateLru(k, pfn)) {
      k.set(L.THR_REG, r0 + i++, pfn + 1);
      nodeStatModIsolated(k, pfn, folioNrPages(k, pfn));
    }
  }
  if (k.log && i) k.trace(`do_migrate_range(block ${block}): ${i} folio(s) isolated for migrate_pages`);
  return i > 0;
}

/**
 * One step of do_migrate_range's migrate_pages(MIGRATE_SYNC): migrate_pages_sync
 * first tries the list as one MIGRATE_ASYNC migrate_pages_batch with
 * NR_MAX_MIGRATE_ASYNC_RETRY passes, a folio per step (migrate_batch.ts:
 * each folio's unmap walks the rmap under each mapping mm's PTL and waits for
 * a busy one, with the folios before it already unmapped). At its end
 * putback_movable_pages for what is left. (migrate_pages_sync's one-by-one
 * MIGRATE_SYNC retry of those folios is left to the next round, which
 * isolates them again: README, modelling choices.)
 */
// mm/memory_hotplug.c: do_migrate_range -> mm/migrate.c: migrate_pages -> migrate_pages_sync
function doMigrateRangeStep(k: Kernel, tid: number, r0: number, n: number): void {
  const r = batchStep(k, tid, r0, n, HOTPLUG_CB, NR_MAX_MIGRATE_ASYNC_RETRY);
  if (!r) return;
  const left: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = k.get(k.L.THR_REG, r0 + i);
    if (v !== 0) left.push(v - 1);
    k.set(k.L.THR_REG, r0 + i, 0);
  }
  // do_migrate_range: putback_movable_pages (NR_ISOLATED -= nr) for what did not move.
  if (left.length) putbackMovablePages(k, tid, left);
}

/**
 * One round of offline_pages' retry loop (v4 as written, mm/memory_hotplug.c):
 *
 *     do {
 *         pfn = start_pfn;
 *         do {
 *             if (signal_pending(current)) { ret = -EINTR; goto failed_removal_isolated; }
 *             cond_resched();
 *             ret = scan_movable_pages(pfn, end_pfn, &pfn);
 *             if (!ret) do_migrate_range(pfn, end_pfn);
 *         } while (!ret);
 *         ...
 *         ret = test_pages_isolated(start_pfn, end_pfn, PB_ISOLATE_MODE_MEM_OFFLINE);
 *     } while (ret);
 *
 * A round starts at the signal check (the cond_resched after it is where
 * other CPUs get in), then either migrates from the first LRU folio
 * (OFFLINE_AGAIN: the inner loop scans again; the driver's staged form
 * isolates in this step and runs migrate_pages a folio per step after it,
 * doMigrateRangeStep; the atomic form migrates here) or, when no LRU folio is
 * left, tests that every page is free: yes -> the block goes offline (0), no
 * -> OFFLINE_AGAIN. A folio that is allocated but not on an LRU (held by a
 * flush buffer, isolated by someone else, a kernel allocation) and a private
 * folio without NP_OPS_MIGRATION make the loop spin: a round that changes
 * nothing, until the folio goes away or a signal ends it with -EINTR.
 */
// mm/memory_hotplug.c: offline_pages (the retry loop and the success path)
export function offlinePagesPass(k: Kernel, block: number, tid: number, signalPending: boolean, batch?: { r0: number; n: number }): number {
  if (signalPending) return offlinePagesAbort(k, block, -EINTR);
  const movable = scanMovablePages(k, block);
  if (movable >= 0) {
    // The staged form isolates here; the following steps run migrate_pages (doMigrateRangeStep).
    if (batch) doMigrateRangeIsolate(k, block, movable, batch.r0, batch.n);
    else doMigrateRange(k, block, movable, tid);
    return OFFLINE_AGAIN;
  }
  if (!blockAllFree(k, block)) return OFFLINE_AGAIN;
  offlineIsolatedBlock(k, block);
  return 0;
}

/**
 * offline_pages' success path: the block leaves the buddy; the last memory
 * clears N_MEMORY, else N_MEMORY_PRIVATE; zonelists rebuilt if the zone
 * emptied; kcompactd and kswapd stopped on the last memory.
 */
// mm/memory_hotplug.c: offline_pages (after `} while (ret);`)
function offlineIsolatedBlock(k: Kernel, block: number): void {
  const L = k.L;
  const b = k.g.blocks[block]!;
  const nid = b.node;
  const last = b.pages >= nodePresentPages(k, nid);
  buddyOfflineBlock(k, block);
  k.add(L.ZONE_PRESENT, b.zone, -b.pages);
  k.add(L.ZONE_MANAGED, b.zone, -b.pages);
  k.set(L.BLOCK_STATE, block, BLOCK_OFFLINE);
  // node_states_clear_node: N_MEMORY if set, else N_MEMORY_PRIVATE.
  // (Mutant offline-keeps-node-state, mutants/node_state.ts: the last offline leaves the state set.)
  if (last && k.cfg.mutant !== 'offline-keeps-node-state') k.clearBits(L.NODE_STATES, nid, k.has(L.NODE_STATES, nid, N_MEMORY) ? N_MEMORY : N_MEMORY_PRIVATE);
  if (k.get(L.ZONE_MANAGED, b.zone) === 0) buildAllZonelists(k);
  setupPerZoneWmarks(k);
  if (last) {
    k.set(L.NODE_KCOMPACTD, nid, 0);
    k.set(L.NODE_KSWAPD, nid, 0);
  }
  cpusetHandleHotplug(k);
  if (last) memtierNodeRemoved(k, nid);
  k.trace(`offline_pages(block ${block}, N${nid}) = 0`);
}

/**
 * offline_pages run to its end in one call, for callers that do not
 * interleave it (tests, direct API use): rounds until the block is offline;
 * when a round changes nothing the loop would spin, so the caller's signal
 * arrives and the next round returns -EINTR (rolled back). The driver runs the
 * rounds as steps instead (offlineAndRemoveStep).
 */
export function offlinePages(k: Kernel, block: number, tid: number): number {
  let ret = offlinePagesBegin(k, block, false, tid);
  if (ret !== 0) return ret;
  for (;;) {
    const before = k.s.slice();
    ret = offlinePagesPass(k, block, tid, false);
    if (ret !== OFFLINE_AGAIN) return ret;
    if (sameState(before, k.s)) return offlinePagesPass(k, block, tid, true);
  }
}

function sameState(a: Uint16Array, b: Uint16Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Range checks shared by add and remove: blocks in range, all of node nid. */
function rangeOk(k: Kernel, nid: number, firstBlock: number, nBlocks: number): boolean {
  if (!Number.isInteger(firstBlock) || !Number.isInteger(nBlocks) || nBlocks <= 0 || firstBlock < 0) return false;
  if (firstBlock + nBlocks > k.g.blocks.length) return false;
  for (let i = firstBlock; i < firstBlock + nBlocks; i++) if (k.g.blocks[i]!.node !== nid) return false;
  return true;
}

/**
 * __add_memory_driver_managed(nid, start, size, name, flags, online_type)
 * (prerequisite series): -EINVAL for an online_type outside
 * OFFLINE..ONLINE_MOVABLE, a misaligned/empty range or one not on nid;
 * -EEXIST if a block is already present. The node comes online
 * (__try_online_node, zonelists built by hotadd_init_pgdat), the blocks become
 * present-offline, then each is onlined unless MMOP_OFFLINE (per-block online
 * failures ignored), into the zone the online type selects (zoneForPfnRange,
 * memory_block_online). The model's geometry gives each block one zone (the
 * configuration's): an online type that selects another zone is refused as a
 * model limitation (an Error, never a silent online into the wrong zone); every
 * v4 caller the model has passes MMOP_ONLINE_MOVABLE for ZONE_MOVABLE blocks.
 */
// mm/memory_hotplug.c: __add_memory_driver_managed
export function addMemoryDriverManaged(k: Kernel, nid: number, firstBlock: number, nBlocks: number, onlineType: number, npTag = 0): number {
  let ret = 0;
  if (!Number.isInteger(onlineType) || onlineType < MMOP_OFFLINE || onlineType > MMOP_ONLINE_MOVABLE) ret = -EINVAL;
  else if (!rangeOk(k, nid, firstBlock, nBlocks)) ret = -EINVAL;
  else {
    for (let i = firstBlock; i < firstBlock + nBlocks; i++) if (k.get(k.L.BLOCK_STATE, i) !== BLOCK_ABSENT) ret = -EEXIST;
  }
  if (ret === 0) {
    if (!k.has(k.L.NODE_STATES, nid, N_ONLINE)) {
      k.setBits(k.L.NODE_STATES, nid, N_ONLINE);
      buildAllZonelists(k);
    }
    for (let i = firstBlock; i < firstBlock + nBlocks; i++) {
      k.set(k.L.BLOCK_STATE, i, BLOCK_OFFLINE);
      k.set(k.L.BLOCK_PRIVATE_NP, i, npTag);
    }
    if (onlineType !== MMOP_OFFLINE) {
      for (let i = firstBlock; i < firstBlock + nBlocks; i++) {
        // drivers/base/memory.c: memory_block_online -> zone_for_pfn_range(mem->online_type, ...)
        const z = zoneForPfnRange(k, onlineType, i);
        if (z !== k.g.blocks[i]!.zone) throw new Error(`model limitation: online type ${onlineType} selects zone ${z} for block ${i}, whose configured zone is ${k.g.blocks[i]!.zone}`);
        onlinePages(k, i);
      }
    }
  }
  k.trace(`__add_memory_driver_managed(N${nid}, blocks ${firstBlock}+${nBlocks}, type ${onlineType}) = ${errname(ret)}`);
  return ret;
}

/** Does zone z span the block: does it hold online blocks on both sides of (or at) it (zone_intersects)? */
function zoneSpansBlock(k: Kernel, z: number, block: number): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  k.g.blocks.forEach((b, i) => {
    if (b.zone !== z || k.get(k.L.BLOCK_STATE, i) !== BLOCK_ONLINE) return;
    lo = Math.min(lo, i);
    hi = Math.max(hi, i);
  });
  return lo <= block && block <= hi;
}

/**
 * zone_for_pfn_range(online_type, nid, group, start_pfn, nr_pages), which v4
 * leaves as it is for private nodes: MMOP_ONLINE_KERNEL -> default_kernel_zone_for_pfn
 * (the lowest zone below ZONE_NORMAL spanning the range, else ZONE_NORMAL);
 * MMOP_ONLINE_MOVABLE -> ZONE_MOVABLE; MMOP_ONLINE with the default
 * online_policy (contig-zones) -> default_zone_for_pfn: the kernel zone or
 * ZONE_MOVABLE if exactly one of them spans the range, else the kernel zone
 * (movable_node off). The auto-movable policy is not modelled.
 */
// mm/memory_hotplug.c: zone_for_pfn_range
export function zoneForPfnRange(k: Kernel, onlineType: number, block: number): number {
  const nid = k.g.blocks[block]!.node;
  const zid = (t: number) => nid * MAX_NR_ZONES + t;
  let kernelZone = zid(ZONE_NORMAL);
  for (let t = 0; t < ZONE_NORMAL; t++) if (zoneSpansBlock(k, zid(t), block)) { kernelZone = zid(t); break; }
  if (onlineType === MMOP_ONLINE_KERNEL) return kernelZone;
  if (onlineType === MMOP_ONLINE_MOVABLE) return zid(ZONE_MOVABLE);
  const inKernel = zoneSpansBlock(k, kernelZone, block);
  const inMovable = zoneSpansBlock(k, zid(ZONE_MOVABLE), block);
  if (inKernel !== inMovable) return inKernel ? kernelZone : zid(ZONE_MOVABLE);
  return kernelZone;
}

/** The node's memory blocks (the geometry is static, blocks of a node are contiguous): the first index and how many. */
export { nodeBlockRange } from '../cxl/regions.ts';

/**
 * add_private_memory_driver_managed(nid, start, size, name, flags,
 * online_type, np), in its order (5.1): np NULL -> -EINVAL; register; add;
 * on failure unregister (result ignored) and return the error.
 * The error-path unregister runs both stages at once (the second only if the
 * first returned 0): nobody can hold a
 * reference to an np that was registered a moment ago under the same lock.
 */
// mm/memory_hotplug.c: add_private_memory_driver_managed
export function addPrivateMemoryDriverManaged(k: Kernel, nid: number, firstBlock: number, nBlocks: number, onlineType: number, npSlot: number, otherNp = false): number {
  ran(k, 'add_private_memory_driver_managed');
  if (npSlot < 0) {
    k.trace(`add_private_memory_driver_managed(N${nid}, np NULL) = -EINVAL`);
    return -EINVAL;
  }
  let ret = nodePrivateRegister(k, nid, npSlot, otherNp);
  if (ret === 0) {
    ret = addMemoryDriverManaged(k, nid, firstBlock, nBlocks, onlineType, npSlot + 1);
    if (ret !== 0) {
      // node_private_unregister(nid), result ignored: its -EBUSY (node still
      // N_MEMORY_PRIVATE, e.g. -EEXIST for a range that is still online) returns
      // before the pointer is cleared or the reference dropped, so the second
      // stage runs only after a 0 from the first.
      if (nodePrivateUnregisterBegin(k, nid) === 0) nodePrivateUnregisterFinish(k, nid);
    }
  }
  k.trace(`add_private_memory_driver_managed(N${nid}, blocks ${firstBlock}+${nBlocks}, type ${onlineType}, np${npSlot}) = ${errname(ret)}`);
  return ret;
}

/** try_offline_node(nid): a node with no present memory block and no CPUs leaves N_ONLINE. */
// mm/memory_hotplug.c: try_offline_node
export function tryOfflineNode(k: Kernel, nid: number): void {
  ran(k, 'try_offline_node');
  for (let i = 0; i < k.g.blocks.length; i++) {
    if (k.g.blocks[i]!.node === nid && k.get(k.L.BLOCK_STATE, i) !== BLOCK_ABSENT) return;
  }
  if (k.cfg.nodes[nid]!.cpus) return;
  k.clearBits(k.L.NODE_STATES, nid, N_ONLINE);
  k.trace(`try_offline_node(N${nid}): offline`);
}

export interface RemoveResult {
  /** offline_and_remove_memory: 0 or the first offline error (after re-onlining). */
  readonly remove: number;
  /** node_private_unregister stage 1 (0 / -EBUSY); null if step 1 failed and it was not reached. */
  readonly unregister: number | null;
}

/**
 * offline_and_remove_private_memory(nid, start, size), 5.3: step 1 offlines
 * every block (an already-offline block counts as done); any failure re-onlines
 * the blocks this call offlined and returns the error; then the blocks are
 * removed (absent) and try_offline_node runs. Step 2 is
 * node_private_unregister: its first stage runs here, the caller drives
 * nodePrivateUnregisterFinish. This form runs each offline_pages to its end
 * (offlinePages); the driver thread uses offlineAndRemoveStep.
 */
// mm/memory_hotplug.c: offline_and_remove_private_memory
export function offlineAndRemovePrivateMemory(k: Kernel, nid: number, firstBlock: number, nBlocks: number, tid: number): RemoveResult {
  ran(k, 'offline_and_remove_private_memory');
  if (!rangeOk(k, nid, firstBlock, nBlocks)) {
    k.trace(`offline_and_remove_private_memory(N${nid}) = -EINVAL`);
    return { remove: -EINVAL, unregister: null };
  }
  let offlined = 0;
  for (let i = 0; i < nBlocks; i++) {
    if (k.get(k.L.BLOCK_STATE, firstBlock + i) !== BLOCK_ONLINE) continue;
    const r = offlinePages(k, firstBlock + i, tid);
    if (r !== 0) return rollbackOffline(k, nid, firstBlock, offlined, r);
    offlined |= 1 << i;
  }
  return removeOfflinedRange(k, nid, firstBlock, nBlocks, offlined);
}

/** offline_and_remove_memory's rollback: re-online what this call offlined (try_reonline_memory_block). */
function rollbackOffline(k: Kernel, nid: number, firstBlock: number, offlined: number, ret: number): RemoveResult {
  for (let i = 0; offlined >> i; i++) if (offlined & (1 << i)) onlinePages(k, firstBlock + i);
  k.trace(`offline_and_remove_private_memory(N${nid}) = ${errname(ret)}`);
  return { remove: ret, unregister: null };
}

/** Every block offline: try_remove_memory, try_offline_node, then node_private_unregister's first stage. */
function removeOfflinedRange(k: Kernel, nid: number, firstBlock: number, nBlocks: number, offlined: number): RemoveResult {
  for (let i = firstBlock; i < firstBlock + nBlocks; i++) {
    // try_remove_memory: an absent block in the range fails the removal check.
    if (k.get(k.L.BLOCK_STATE, i) === BLOCK_ABSENT) return rollbackOffline(k, nid, firstBlock, offlined, -EINVAL);
  }
  for (let i = firstBlock; i < firstBlock + nBlocks; i++) {
    k.set(k.L.BLOCK_STATE, i, BLOCK_ABSENT);
    k.set(k.L.BLOCK_PRIVATE_NP, i, 0);
  }
  tryOfflineNode(k, nid);
  const u = nodePrivateUnregisterBegin(k, nid);
  k.trace(`offline_and_remove_private_memory(N${nid}) = 0, unregister ${errname(u)}`);
  return { remove: 0, unregister: u };
}

// Registers of a thread inside offlineAndRemoveStep, from its base register rb:
// rb + 0: 0 = walking the blocks, 1 + i = inside offline_pages' retry loop for block first + i;
// rb + 1: the next block to walk; rb + 2: mask of the blocks this call offlined.
export const OAR_REGS = 3;

/** Is the thread (registers from rb) inside offline_pages' retry loop, where a signal is checked? */
export function offlineAndRemoveInLoop(k: Kernel, rb: number): boolean {
  return k.get(k.L.THR_REG, rb) !== 0;
}

/**
 * Would offlineAndRemoveStep's next step (registers from rb) be its last, the
 * removal and node_private_unregister's first stage: not inside a round, and no
 * block left online from the next one on. A read only, for a caller whose last
 * step must wait for what the unregister waits for.
 */
export function offlineAndRemoveWouldFinish(k: Kernel, firstBlock: number, nBlocks: number, rb: number): boolean {
  if (k.get(k.L.THR_REG, rb) !== 0) return false;
  for (let i = k.get(k.L.THR_REG, rb + 1); i < nBlocks; i++) if (k.get(k.L.BLOCK_STATE, firstBlock + i) === BLOCK_ONLINE) return false;
  return true;
}

/**
 * offline_and_remove_private_memory as the steps another CPU can observe:
 * walk_memory_blocks offlines block after block (offline_pages takes and drops
 * mem_hotplug_lock per block), each offline_pages is offlinePagesBegin then
 * offlinePagesPass rounds, and once every block is offline the removal and
 * node_private_unregister's first stage are one step. signalPending is the
 * caller's signal_pending(current). null while in progress; the result, with
 * the registers cleared, when done.
 */
// mm/memory_hotplug.c: offline_and_remove_private_memory -> offline_and_remove_memory -> offline_pages
export function offlineAndRemoveStep(k: Kernel, nid: number, firstBlock: number, nBlocks: number, tid: number, rb: number, signalPending: boolean): RemoveResult | null | 'wait' {
  const L = k.L;
  const done = (r: RemoveResult): RemoveResult => {
    for (let i = 0; i < OAR_REGS; i++) k.set(L.THR_REG, rb + i, 0);
    return r;
  };
  if (!rangeOk(k, nid, firstBlock, nBlocks)) {
    k.trace(`offline_and_remove_private_memory(N${nid}) = -EINVAL`);
    return done({ remove: -EINVAL, unregister: null });
  }
  const inLoop = k.get(L.THR_REG, rb);
  const offlined = k.get(L.THR_REG, rb + 2);
  if (inLoop) {
    const i = inLoop - 1;
    const batch = batchRegs(tid, rb);
    if (batchBusyRegs(k, batch.r0, batch.n)) {
      // Inside do_migrate_range's migrate_pages: no signal check; a busy PTL makes the rmap walk wait.
      if (batchStepBusy(k, tid, batch.r0, batch.n, NR_MAX_MIGRATE_ASYNC_RETRY)) return 'wait';
      doMigrateRangeStep(k, tid, batch.r0, batch.n);
      return null;
    }
    const r = offlinePagesPass(k, firstBlock + i, tid, signalPending, batch);
    if (r === OFFLINE_AGAIN) return null;
    if (r !== 0) return done(rollbackOffline(k, nid, firstBlock, offlined, r));
    k.set(L.THR_REG, rb, 0);
    k.set(L.THR_REG, rb + 1, i + 1);
    k.set(L.THR_REG, rb + 2, offlined | (1 << i));
    return null;
  }
  let i = k.get(L.THR_REG, rb + 1);
  while (i < nBlocks && k.get(L.BLOCK_STATE, firstBlock + i) !== BLOCK_ONLINE) i++;
  if (i === nBlocks) return done(removeOfflinedRange(k, nid, firstBlock, nBlocks, offlined));
  const r = offlinePagesBegin(k, firstBlock + i, signalPending, tid);
  if (r !== 0) return done(rollbackOffline(k, nid, firstBlock, offlined, r));
  k.set(L.THR_REG, rb, i + 1);
  k.set(L.THR_REG, rb + 1, i);
  return null;
}
