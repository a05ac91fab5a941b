// mm/cram.c: the CRAM service (SEMANTICS 6). cram_nodes[nid] lives in the CN_*
// fields: CN_STATE 0 = NULL, 1 = published, 2 = unpublished while
// cram_unregister drains it, 3 = freed (kept until the next register so a
// thread that still uses it is observable: EV_CN_USE_AFTER_FREE).
//
// Modelling notes:
// * get_cram_node / put_cram_node of callbacks that run inside one step need no
//   thread bookkeeping; staged holders (cram_fault, set_pressure) also set
//   REF_CN in THR_REFS so the state says who holds the reference.
// * cram_mutex is taken and released inside single steps (register, the first
//   stage of unregister), so it is never visible between steps.
// * want_init_on_free() is false (the default kernel command line).
// * The only owner the model knows is the compression driver's region: id 0.

import { checkMigrated, migrationHomes, offPrivate } from '../kernel/contracts.ts';
import { hasFix } from '../kernel/config.ts';
import { wakeupKswapd } from '../kernel/vmscan.ts';
import { deviceHasRoom } from '../cxl/device.ts';
import {
  CRAM_PRESSURE_MAX, EBUSY, EINVAL, ENODEV, ENOSPC, GFP_HIGHUSER_MOVABLE, GFP_PRIVATE, MIGRATE_SYNC, MR_DEMOTION, MR_NUMA_MISPLACED,
  N_MEMORY_PRIVATE, NP_OPS_DEMOTION, NP_OPS_MIGRATION, NP_OPS_NUMA_BALANCING, NP_OPS_PROTECT_WRITE, NP_OPS_RECLAIM,
  VM_FAULT_RETRY, VM_FAULT_SIGBUS, __GFP_COMP, __GFP_HIGHMEM, __GFP_KSWAPD_RECLAIM, __GFP_MOVABLE, __GFP_NORETRY, __GFP_NOWARN,
  __GFP_RETRY_MAYFAIL, errname,
} from '../kernel/defs.ts';
import { folioIsolateLru, folioNrPages, folioPut, folioPutbackLru, folioTestAnon, lruAddDrain } from '../kernel/folio.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { folioMaybeDmaPinned as folioPinned } from '../kernel/folio_pin.ts';
import { EV_CN_USE_AFTER_FREE, EV_LIFECYCLE, GA_WHILE_BLOCKED, LK_MMAP_READ, LK_PTL, PG_lru, REF_CN, REF_CN_OLD, THREAD_REGS } from '../kernel/layout.ts';
import { threadNode } from '../kernel/memory.ts';
import { memoryTierRefreshDemotion } from '../kernel/memory_tiers.ts';
import { migratePages } from '../kernel/migrate.ts';
import { nodePrivateClearOps, nodePrivateMigrationBlocked, nodePrivateNp, nodePrivateSetOps } from '../kernel/node_private.ts';
import { OPS_CRAM, registerCramOps, type MigrateToStaged, type NodePrivateOps } from '../kernel/ops_table.ts';
import type { BatchCallbacks } from '../kernel/migrate_batch.ts';
import { NULL_PFN, allocPages, allocPagesNode } from '../kernel/page_alloc.ts';
import { ghostLegitWrite, setPageContent } from '../kernel/page.ts';
import { cxlCompressionFlushCb } from '../cxl/compression.ts';
import { regionOfOwner } from '../cxl/regions.ts';
import { synchronizeRcuReady } from './rcu.ts';
import { ran } from '../kernel/ran.ts';
import { event2, EV2_NODEMASK_OOB } from '../kernel/ghost.ts';
import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_RETRY_NOWAIT, threadFaultFlags } from '../kernel/fault_flags.ts';

export const CN_NONE = 0;
export const CN_PUBLISHED = 1;
export const CN_DRAINING = 2;
export const CN_FREED = 3;

/** cram_valid_nid(nid): range check. */
export function cramValidNid(k: Kernel, nid: number): boolean {
  // mm/cram.c: cram_valid_nid
  return Number.isInteger(nid) && nid >= 0 && nid < k.g.nodes;
}

/** get_cram_node(nid): true if a reference was taken (refcount_inc_not_zero on the published cn). */
export function getCramNode(k: Kernel, nid: number): boolean {
  // mm/cram.c: get_cram_node
  if (!cramValidNid(k, nid)) return false;
  if (k.get(k.L.CN_STATE, nid) !== CN_PUBLISHED) return false;
  if (k.get(k.L.CN_REFCOUNT, nid) === 0) return false;
  k.add(k.L.CN_REFCOUNT, nid, 1);
  return true;
}

/** put_cram_node(cn): refcount_dec. A put on a freed cn is a use-after-free (ghost event, no write). */
export function putCramNode(k: Kernel, nid: number): void {
  // mm/cram.c: put_cram_node
  if (k.get(k.L.CN_STATE, nid) === CN_FREED) {
    k.event(EV_CN_USE_AFTER_FREE);
    return;
  }
  if (k.get(k.L.CN_REFCOUNT, nid) > 0) k.add(k.L.CN_REFCOUNT, nid, -1);
}

/**
 * put_cram_node by a staged holder (REF_CN or REF_CN_OLD in THR_REFS): a holder of the
 * displaced cram_node puts that one (CN_OLD_REF), not the node's current one.
 */
export function putCramNodeHeld(k: Kernel, tid: number, nid: number): void {
  if (k.has(k.L.THR_REFS, tid, REF_CN_OLD)) {
    k.add(k.L.CN_OLD_REF, nid, -1);
    k.clearBits(k.L.THR_REFS, tid, REF_CN_OLD);
    return;
  }
  putCramNode(k, nid);
}

/** Does thread tid hold the displaced cram_node (still draining, so alive) rather than the node's current one? */
export function holdsOldCn(k: Kernel, tid: number): boolean {
  return k.has(k.L.THR_REFS, tid, REF_CN_OLD);
}

/** A staged thread dereferences cn: record a use-after-free if it was freed. Returns true if cn is alive. */
export function cnAlive(k: Kernel, nid: number): boolean {
  if (k.get(k.L.CN_STATE, nid) === CN_FREED) {
    k.event(EV_CN_USE_AFTER_FREE);
    return false;
  }
  return true;
}

/** cram_zero_folio(f): clear_highpage on every page (want_init_on_free() is false). A scrub: legit write. */
export function cramZeroFolio(k: Kernel, pfn: number): void {
  // mm/cram.c: cram_zero_folio
  const nr = folioNrPages(k, pfn);
  for (let i = 0; i < nr; i++) {
    setPageContent(k, pfn + i, 0);
    ghostLegitWrite(k, pfn + i);
  }
}

/** The "zero_and_free" label: zero unless the free-cb-no-zero mutant is on. */
function zeroAndFree(k: Kernel, pfn: number): boolean {
  if (k.cfg.mutant !== 'free-cb-no-zero') cramZeroFolio(k, pfn);
  return false;
}

/** cram_free_folio_cb(f): true = deferred (kept out of the buddy by the driver). Refcount is already 0. */
export function cramFreeFolioCb(k: Kernel, tid: number, pfn: number): boolean {
  ran(k, 'cram_free_folio_cb');
  // mm/cram.c: cram_free_folio_cb
  const nid = k.g.pfnNode[pfn]!;
  if (!getCramNode(k, nid)) {
    if (k.log) k.trace(`cram_free_folio_cb(pfn ${pfn}): no cram node -> zero, free`);
    return zeroAndFree(k, pfn);
  }
  if (!k.get(k.L.CN_FLUSH_CB, nid)) {
    putCramNode(k, nid);
    return zeroAndFree(k, pfn);
  }
  // flush_data: the flush context of the region that registered the cram_node (cn->owner).
  const ret = cxlCompressionFlushCb(k, tid, pfn, Math.max(0, regionOfOwner(k.get(k.L.CN_OWNER, nid) - 1)));
  putCramNode(k, nid);
  if (k.log) k.trace(`cram_free_folio_cb(pfn ${pfn}): flush_cb = ${ret}`);
  if (ret === 0) return false; // already zeroed by the device
  if (ret === 1) return true; // deferred: the driver holds a reference
  return zeroAndFree(k, pfn);
}

/** alloc_cram_folio(src, nid): NULL if migration_blocked (checked per destination folio). */
export function allocCramFolio(k: Kernel, tid: number, src: number, nid: number): number {
  ran(k, 'alloc_cram_folio');
  // mm/cram.c: alloc_cram_folio
  const order = k.get(k.L.PG_ORDER, src);
  let gfp = GFP_PRIVATE | __GFP_KSWAPD_RECLAIM | __GFP_HIGHMEM | __GFP_MOVABLE | __GFP_NOWARN | __GFP_NORETRY;
  const blocked = nodePrivateMigrationBlocked(k, nid);
  if (blocked && k.cfg.mutant !== 'alloc-cram-ignores-blocked') {
    if (k.log) k.trace(`alloc_cram_folio(pfn ${src}, N${nid}) = NULL (migration_blocked)`);
    return NULL_PFN;
  }
  // Fix cram-alloc-checks-device (a design change, not in v4): read the device's
  // headroom synchronously and refuse a folio that might not fit uncompressed, so
  // demotion cannot outrun the threaded lthresh IRQ (finding device-capacity-irq-latency).
  // migrate_pages_batch allocates every destination of a batch before it copies any
  // (src/kernel/migrate_batch.ts), so this read does not see the batch's own folios
  // still to be copied, nor other demoters': a real fix must reserve the headroom it
  // grants. The named configs that run this fix demote one folio per batch (pressure)
  // or pages that fit the device whatever happens (batch2).
  if (hasFix(k.cfg, 'cram-alloc-checks-device') && !deviceHasRoom(k, 1 << order)) {
    if (k.log) k.trace(`alloc_cram_folio(pfn ${src}, N${nid}) = NULL (device headroom)`);
    return NULL_PFN;
  }
  if (order) gfp |= __GFP_COMP;
  // No __GFP_NOMEMALLOC: from kswapd (PF_MEMALLOC) the slowpath may ignore watermarks (2.4(e)).
  const kswapd = k.g.threads[tid]?.kind === 'kswapd';
  const dst = allocPagesNode(k, nid, gfp, order, { pfMemalloc: kswapd, inTask: true });
  if (dst !== NULL_PFN && blocked) {
    const nr = 1 << order;
    for (let i = 0; i < nr; i++) k.set(k.L.GH_ALLOC, dst + i, k.get(k.L.GH_ALLOC, dst + i) | GA_WHILE_BLOCKED);
  }
  if (k.log) k.trace(`alloc_cram_folio(pfn ${src}, N${nid}) = ${dst === NULL_PFN ? 'NULL' : `pfn ${dst}`}`);
  return dst;
}

/** cram_put_new_folio(f): zero, then folio_put (which re-enters free_folio). */
export function cramPutNewFolio(k: Kernel, tid: number, dst: number): void {
  ran(k, 'cram_put_new_folio');
  // mm/cram.c: cram_put_new_folio
  cramZeroFolio(k, dst);
  folioPut(k, tid, dst);
}

/** alloc_cram_promote_folio(src, nid): GFP_HIGHUSER_MOVABLE|__GFP_RETRY_MAYFAIL, preferred nid; never P. */
export function allocCramPromoteFolio(k: Kernel, src: number, nid: number): number {
  ran(k, 'alloc_cram_promote_folio');
  // mm/cram.c: alloc_cram_promote_folio
  const order = k.get(k.L.PG_ORDER, src);
  let gfp = GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL;
  if (order) gfp |= __GFP_COMP;
  const dst = allocPages(k, gfp, order, nid, null, { inTask: true });
  if (k.log) k.trace(`alloc_cram_promote_folio(pfn ${src}, N${nid}) = ${dst === NULL_PFN ? 'NULL' : `pfn ${dst}`}`);
  return dst;
}

/**
 * cram_migrate_to up to its migrate_pages call: get_cram_node, the purged and
 * pressure checks, and the file folios kept back (fix no-file-demotion).
 * Staged (kswapd): the cn reference is held across the batch's steps (REF_CN).
 */
function cramMigrateToBegin(k: Kernel, tid: number, list: readonly number[], nid: number, staged: boolean): { ret: number } | { kept: number[] } {
  ran(k, 'cram_migrate_to');
  // mm/cram.c: cram_migrate_to
  if (!getCramNode(k, nid)) {
    if (k.log) k.trace(`cram_migrate_to(N${nid}) = -ENODEV`);
    return { ret: -ENODEV };
  }
  let ret = 0;
  if (k.get(k.L.CN_PURGED, nid)) ret = -ENODEV;
  else if (k.get(k.L.CN_PRESSURE, nid) >= CRAM_PRESSURE_MAX && k.cfg.mutant !== 'migrate-to-ignores-pressure') ret = -ENOSPC;
  if (ret !== 0) {
    putCramNode(k, nid);
    if (k.log) k.trace(`cram_migrate_to(N${nid}) = ${errname(ret)}`);
    return { ret };
  }
  if (staged) k.setBits(k.L.THR_REFS, tid, REF_CN);
  // Fix no-file-demotion: file-backed folios stay on the list (not migrated), counted as failures.
  return { kept: hasFix(k.cfg, 'no-file-demotion') ? list.filter((p) => !folioTestAnon(k, p)) : [] };
}

/** cram_migrate_to after migrate_pages: nr_succeeded, put_cram_node. */
function cramMigrateToEnd(k: Kernel, tid: number, nid: number, r: { ret: number; nrSucceeded: number }, kept: number, staged: boolean): { ret: number; nrSucceeded: number } {
  // mm/cram.c: cram_migrate_to
  let nrSucceeded = r.nrSucceeded;
  // Contract mutant migrate-to-counts-kept (mutants/contracts.ts): the folios kept back are reported as moved too.
  if (k.cfg.mutant === 'migrate-to-counts-kept') nrSucceeded += kept;
  if (r.nrSucceeded > 0) lruAddDrain(k, tid, -1); // mm/cram.c: cram_migrate_to, lru_add_drain_all() once something moved
  // Fix cram-pressure-revives-kswapd, second half: folios just landed on P's LRU while CRAM's boost is up; a
  // kswapd(P) that gave up while they were in flight is revived as by cram_set_pressure (src/cram/pressure.ts).
  if (r.nrSucceeded > 0 && hasFix(k.cfg, 'cram-pressure-revives-kswapd')) {
    const z = firstManagedZone(k, nid);
    if (z >= 0 && k.get(k.L.ZONE_BOOST, z) > 0) {
      k.set(k.L.NODE_KSWAPD_FAILURES, nid, 0);
      wakeupKswapd(k, z);
    }
  }
  if (staged) {
    putCramNodeHeld(k, tid, nid);
    k.clearBits(k.L.THR_REFS, tid, REF_CN);
  } else putCramNode(k, nid);
  if (k.log) k.trace(`cram_migrate_to(N${nid}) = ${errname(r.ret)} (succeeded ${nrSucceeded})`);
  return { ret: r.ret, nrSucceeded };
}

function cramMigrateCallbacks(k: Kernel, tid: number, nid: number, reason: number): BatchCallbacks {
  void k;
  return { getNew: (kk, src) => allocCramFolio(kk, tid, src, nid), putNew: cramPutNewFolio, reason };
}

/** cram_migrate_to(list, nid, mode, reason, &nr): the demotion entry into P. `reason` is never checked (11.4). */
export function cramMigrateTo(k: Kernel, tid: number, list: number[], nid: number, mode: number, reason: number): { ret: number; nrSucceeded: number } {
  // Fix cram-migrate-to-demotion-only: CRAM takes folios only from demotion (the cover letter's "only via reclaim (demotion)").
  if (hasFix(k.cfg, 'cram-migrate-to-demotion-only') && reason !== MR_DEMOTION) {
    if (k.log) k.trace(`cram_migrate_to(N${nid}, reason ${reason}) = -EINVAL (not a demotion)`);
    return { ret: -EINVAL, nrSucceeded: 0 };
  }
  const b = cramMigrateToBegin(k, tid, list, nid, false);
  if ('ret' in b) return { ret: b.ret, nrSucceeded: 0 };
  const kept = b.kept;
  const rest = list.filter((p) => !kept.includes(p));
  const cb = cramMigrateCallbacks(k, tid, nid, reason);
  const r = migratePages(k, tid, rest, cb.getNew, cb.putNew, mode, reason);
  list.length = 0;
  list.push(...rest, ...kept);
  return cramMigrateToEnd(k, tid, nid, { ret: r.ret >= 0 ? r.ret + kept.length : r.ret, nrSucceeded: r.nrSucceeded }, kept.length, false);
}

/** cram_migrate_to as steps of kswapd (src/kernel/migrate_batch.ts). */
const CRAM_MIGRATE_STAGED: MigrateToStaged = {
  begin: (k, tid, list, nid) => cramMigrateToBegin(k, tid, list, nid, true),
  callbacks: cramMigrateCallbacks,
  end: (k, tid, list, nid, r) => {
    const kept = hasFix(k.cfg, 'no-file-demotion') ? list.filter((p) => !folioTestAnon(k, p)).length : 0;
    return cramMigrateToEnd(k, tid, nid, r, kept, true);
  },
};

/** cram_release_ptl(vmf, level): pte_unmap_unlock / spin_unlock. */
export function cramReleasePtl(k: Kernel, tid: number): void {
  // mm/cram.c: cram_release_ptl
  k.clearBits(k.L.THR_LOCKS, tid, LK_PTL);
}

/** cram_reclaim_policy(nid, &policy) */
export function cramReclaimPolicy(k: Kernel, nid: number): { mayswap: boolean; maywritepage: boolean; managedWatermarks: boolean } {
  // mm/cram.c: cram_reclaim_policy
  void k; void nid;
  return { mayswap: true, maywritepage: true, managedWatermarks: true };
}

/** cram_folio_migrate(src, dst): empty in v4. */
export function cramFolioMigrate(k: Kernel, src: number, dst: number): void {
  ran(k, 'cram_folio_migrate');
  // mm/cram.c: cram_folio_migrate
  void k; void src; void dst;
}

// mm/cram.c: cram_ops
export const CRAM_OPS: NodePrivateOps = {
  name: 'cram_ops',
  flags: NP_OPS_MIGRATION | NP_OPS_DEMOTION | NP_OPS_NUMA_BALANCING | NP_OPS_PROTECT_WRITE | NP_OPS_RECLAIM,
  freeFolio: cramFreeFolioCb,
  migrateTo: cramMigrateTo,
  migrateToStaged: CRAM_MIGRATE_STAGED,
  folioMigrate: cramFolioMigrate,
  handleFault: true,
  reclaimPolicy: cramReclaimPolicy,
};
registerCramOps(CRAM_OPS);

/** kswapd_run(nid): start a (sleeping) kswapd if none exists. */
function kswapdRun(k: Kernel, nid: number): void {
  // mm/vmscan.c: kswapd_run
  if (k.get(k.L.NODE_KSWAPD, nid) === 0) k.set(k.L.NODE_KSWAPD, nid, 1);
}

/** kswapd_stop(nid): stop the thread; kthread_stop waits for it to be between operations. */
function kswapdStop(k: Kernel, nid: number): void {
  // mm/vmscan.c: kswapd_stop
  k.set(k.L.NODE_KSWAPD, nid, 0);
  if (k.log) k.trace(`kswapd_stop(N${nid})`);
}

/** Reset a cram_node's fields (kzalloc / re-use of the slot). */
function cnReset(k: Kernel, nid: number): void {
  const L = k.L;
  k.set(L.CN_STATE, nid, CN_NONE);
  k.set(L.CN_REFCOUNT, nid, 0);
  k.set(L.CN_PRESSURE, nid, 0);
  k.set(L.CN_PURGED, nid, 0);
  k.set(L.CN_OWNER, nid, 0);
  k.set(L.CN_FLUSH_CB, nid, 0);
}

/** cram_register_private_node(nid, owner, flush_cb, data). */
export function cramRegisterPrivateNode(k: Kernel, nid: number, owner: number, flushCb: boolean): number {
  ran(k, 'cram_register_private_node');
  // mm/cram.c: cram_register_private_node
  const L = k.L;
  // v4 has no cram_valid_nid here: node_state(nid, N_MEMORY_PRIVATE) is a test_bit, out of
  // bounds for NUMA_NO_NODE (then cram_nodes[nid] would be read out of bounds too).
  if (!cramValidNid(k, nid)) {
    event2(k, EV2_NODEMASK_OOB);
    if (k.log) k.trace(`cram_register_private_node(N${nid}): node_state test_bit out of bounds`);
    return -EINVAL;
  }
  const isPrivate = k.has(L.NODE_STATES, nid, N_MEMORY_PRIVATE);
  if (!isPrivate && k.cfg.mutant !== 'cram-register-not-private') {
    if (k.log) k.trace(`cram_register_private_node(N${nid}) = -EINVAL (not N_MEMORY_PRIVATE)`);
    return -EINVAL;
  }
  // mutex_lock(&cram_mutex)
  if (k.get(L.CN_STATE, nid) === CN_PUBLISHED) {
    const ret = k.get(L.CN_OWNER, nid) !== owner + 1 ? -EBUSY : 0;
    if (k.log) k.trace(`cram_register_private_node(N${nid}, owner ${owner}) = ${errname(ret)} (already registered)`);
    return ret;
  }
  const r = nodePrivateSetOps(k, nid, OPS_CRAM);
  if (r !== 0) {
    if (k.log) k.trace(`cram_register_private_node(N${nid}) = ${errname(r)} (set_ops)`);
    return r;
  }
  // kzalloc a new cn (a freed or draining old one is no longer reachable through cram_nodes[]).
  // A draining one lives on for its unregister's drain and its holders: with two compression
  // regions (`cram2`) the model keeps it aside (CN_OLD_REF, REF_CN_OLD), else it is dropped.
  if (k.get(L.CN_STATE, nid) === CN_DRAINING && L.CN_OLD_REF.len > 0) cnDisplace(k, nid);
  cnReset(k, nid);
  k.set(L.CN_STATE, nid, CN_PUBLISHED);
  k.set(L.CN_REFCOUNT, nid, 1);
  k.set(L.CN_OWNER, nid, owner + 1);
  k.set(L.CN_FLUSH_CB, nid, flushCb ? 1 : 0);
  if (k.cfg.mutant !== 'cram-register-no-kswapd') kswapdRun(k, nid);
  // mutex_unlock; then the demotion targets see ops->migrate_to.
  memoryTierRefreshDemotion(k);
  if (!isPrivate) k.event(EV_LIFECYCLE);
  if (k.log) k.trace(`cram_register_private_node(N${nid}, owner ${owner}, flush_cb ${flushCb}) = 0`);
  return 0;
}

/**
 * The draining cram_node leaves the node's fields for the displaced slot: its
 * refcount, and its holders' references become REF_CN_OLD. Its unregister
 * (the driver that unpublished it) drains it there (cramUnregisterDrainOld).
 */
function cnDisplace(k: Kernel, nid: number): void {
  const L = k.L;
  if (k.get(L.CN_OLD_REF, nid) !== 0) throw new Error(`cram_register_private_node(N${nid}): a second displaced cram_node (the model keeps one)`);
  k.set(L.CN_OLD_REF, nid, k.get(L.CN_REFCOUNT, nid));
  for (let t = 0; t < k.g.threads.length; t++) {
    if (!k.has(L.THR_REFS, t, REF_CN)) continue;
    k.clearBits(L.THR_REFS, t, REF_CN);
    k.setBits(L.THR_REFS, t, REF_CN_OLD);
  }
  if (k.log) k.trace(`cram_register_private_node(N${nid}): the unpublished cram_node still drains (${k.get(L.CN_OLD_REF, nid)} reference(s)); a new one is published`);
}

/**
 * Stage 3 of an unregister whose cram_node was displaced by a newer registration:
 * `while (!refcount_dec_if_one(&cn->refcount)) cond_resched(); kfree(cn)` on that
 * old cn. The new one, published, is not touched.
 */
export function cramUnregisterDrainOld(k: Kernel, nid: number): boolean {
  const L = k.L;
  if (k.get(L.CN_OLD_REF, nid) !== 1) return false;
  k.set(L.CN_OLD_REF, nid, 0);
  // Fix cram-unregister-clears-backpressure, second half, under cram_mutex: only while no
  // newer cram_node is published (its back-pressure is its own).
  const again = hasFix(k.cfg, 'cram-unregister-clears-backpressure') && k.get(L.CN_STATE, nid) !== CN_PUBLISHED;
  if (again) clearBackpressure(k, nid);
  if (k.log) k.trace(`cram_unregister_private_node(N${nid}) = 0 (the displaced cn freed${again ? '; back-pressure cleared again' : ''})`);
  return true;
}

/**
 * cram_unregister_private_node, stage 1 (under cram_mutex, then the tier
 * refresh): -EINVAL / -ENODEV, else kswapd_stop, WARN_ON(clear_ops), unpublish.
 * Returns null if it cannot run now (kswapd of nid is in the middle of an
 * operation: kthread_stop waits for it), else the errno (0 = proceed to the
 * grace period and the drain).
 */
export function cramUnregisterBegin(k: Kernel, nid: number): number | null {
  ran(k, 'cram_unregister_private_node');
  // mm/cram.c: cram_unregister_private_node
  const L = k.L;
  if (!cramValidNid(k, nid)) return -EINVAL;
  if (k.get(L.CN_STATE, nid) !== CN_PUBLISHED) {
    if (k.log) k.trace(`cram_unregister_private_node(N${nid}) = -ENODEV`);
    return -ENODEV;
  }
  if (k.get(L.THR_OP, k.g.kswapdThread(nid)) !== 0) return null;
  kswapdStop(k, nid);
  const c = nodePrivateClearOps(k, nid, OPS_CRAM);
  if (c !== 0) if (k.log) k.trace(`WARN_ON(node_private_clear_ops(N${nid}) = ${errname(c)})`);
  k.set(L.CN_STATE, nid, CN_DRAINING);
  if (hasFix(k.cfg, 'cram-unregister-clears-backpressure')) clearBackpressure(k, nid);
  memoryTierRefreshDemotion(k);
  if (k.log) k.trace(`cram_unregister_private_node(N${nid}): ops cleared, cram_nodes[${nid}] = NULL`);
  // Conformance mutant cram-unregister-fused-free: an unused cn is freed at once (no grace period, no drain step).
  if (k.cfg.mutant === 'cram-unregister-fused-free' && synchronizeRcuReady(k, -1) && k.get(L.CN_REFCOUNT, nid) === 1) cramUnregisterDrain(k, nid);
  return 0;
}

/** Fix cram-unregister-clears-backpressure: migration_blocked := false, boost := 0 on the first managed zone. */
function clearBackpressure(k: Kernel, nid: number): void {
  if (k.log) k.trace(`clear_backpressure(N${nid}): migration_blocked = false, watermark_boost = 0`);
  const slot = nodePrivateNp(k, nid);
  if (slot >= 0) k.set(k.L.NP_MIGRATION_BLOCKED, slot, 0);
  const z = firstManagedZone(k, nid);
  if (z >= 0) {
    k.set(k.L.ZONE_BOOST, z, 0);
    k.set(k.L.ZONE_BOOSTED, z, 0);
  }
}

/** First zone of nid with managed pages (lowest zone type first, as cram_set_pressure scans), or -1. */
export function firstManagedZone(k: Kernel, nid: number): number {
  for (let t = 0; t < 4; t++) {
    const z = nid * 4 + t;
    if (k.get(k.L.ZONE_MANAGED, z) > 0) return z;
  }
  return -1;
}

/** Stage 2: synchronize_rcu. False while a reader holds RCU. */
export function cramUnregisterSyncRcu(k: Kernel, tid: number): boolean {
  return synchronizeRcuReady(k, tid);
}

/**
 * Stage 3: `while (!refcount_dec_if_one(&cn->refcount)) cond_resched(); kfree(cn)`.
 * False (spinning) while other references are held. The mutant
 * cram-unregister-no-drain frees at once.
 */
export function cramUnregisterDrain(k: Kernel, nid: number): boolean {
  const L = k.L;
  // Conformance mutant cram-unregister-fused-free: Begin already freed it.
  if (k.cfg.mutant === 'cram-unregister-fused-free' && k.get(L.CN_STATE, nid) === CN_FREED) return true;
  const noDrain = k.cfg.mutant === 'cram-unregister-no-drain';
  if (!noDrain && k.get(L.CN_REFCOUNT, nid) !== 1) return false;
  // Mutant cram-unregister-drain-to-zero: waits for a refcount of 0, which its own reference prevents.
  if (k.cfg.mutant === 'cram-unregister-drain-to-zero') return false;
  // kfree(cn): the fields die, the slot stays FREED until a re-register.
  cnReset(k, nid);
  k.set(L.CN_STATE, nid, CN_FREED);
  // Fix cram-unregister-clears-backpressure, second half: an IRQ thread that got
  // the cn before the unpublish may have written migration_blocked or the boost
  // after the first reset; once the drain has seen every reference put, no
  // cram_set_pressure can run for this cn, so a second reset is final.
  const again = hasFix(k.cfg, 'cram-unregister-clears-backpressure');
  if (again) clearBackpressure(k, nid);
  if (k.log) k.trace(`cram_unregister_private_node(N${nid}) = 0 (cn freed${again ? '; back-pressure cleared again' : ''})`);
  return true;
}

/** The whole of cram_unregister_private_node in one call (tests, boot-time use). blocked: it would spin. */
export function cramUnregisterPrivateNode(k: Kernel, tid: number, nid: number): { ret: number; blocked: boolean } {
  const r = cramUnregisterBegin(k, nid);
  if (r === null) return { ret: 0, blocked: true };
  if (r !== 0) return { ret: r, blocked: false };
  if (!cramUnregisterSyncRcu(k, tid)) return { ret: 0, blocked: true };
  if (!cramUnregisterDrain(k, nid)) return { ret: 0, blocked: true };
  return { ret: 0, blocked: false };
}

/** cram_unpurge(nid) */
export function cramUnpurge(k: Kernel, nid: number): number {
  // mm/cram.c: cram_unpurge
  if (!cramValidNid(k, nid)) return -EINVAL;
  if (k.get(k.L.CN_STATE, nid) !== CN_PUBLISHED) return -ENODEV;
  k.set(k.L.CN_PURGED, nid, 0);
  return 0;
}

// cram_fault stages (THR_STAGE of the faulting thread): entry (any value outside
// 101..105) runs F1; then F2..F6.
const F2 = 101;
const F3 = 102;
const F4 = 103;
export const F5 = 104;
export const F6 = 105;
/** cram_fault holds its folio isolated: F2's folio_isolate_lru succeeded and F5 has not put it back (or it migrated). */
export function cramFaultHoldsIsolated(k: Kernel, tid: number): boolean {
  const stage = k.get(k.L.THR_STAGE, tid);
  return stage === F3 || stage === F4 || stage === F5;
}

// Registers owned by cram_fault: REG[2] = pages migrated, REG[3] = 1 if the folio failed.
export const R_NR = 2;
const R_FAILED = 3;


function faultDone(k: Kernel, tid: number, vmret: number): { done: boolean; vmret: number } {
  const R = tid * THREAD_REGS;
  for (let i = 2; i < THREAD_REGS; i++) k.set(k.L.THR_REG, R + i, 0);
  k.set(k.L.THR_STAGE, tid, 0);
  k.clearBits(k.L.THR_REFS, tid, REF_CN | REF_CN_OLD);
  return { done: true, vmret };
}

function isolatedField(k: Kernel, pfn: number) {
  // NR_ISOLATED_ANON + folio_is_file_lru(folio)
  return folioTestAnon(k, pfn) ? k.L.NODE_NR_ISOLATED_ANON : k.L.NODE_NR_ISOLATED_FILE;
}

/**
 * cram_fault as the separate steps F1-F6 of SEMANTICS 6.4, run by thread tid
 * while it is in handle_fault: registers REG[0] = mm * vaddrs + vaddr slot,
 * REG[1] = folio pfn were set by the fault path, which holds the PTL (LK_PTL)
 * on entry. cram_fault may use REG[2..5] and THR_STAGE values 100..199.
 * Returns done=false while more steps remain; done=true with the vm_fault_t
 * (0 or VM_FAULT_RETRY) once it returned (PTL released on every path).
 */
export function cramFaultStep(k: Kernel, tid: number): { done: boolean; vmret: number } {
  ran(k, 'cram_fault');
  // mm/cram.c: cram_fault
  const L = k.L;
  const R = tid * THREAD_REGS;
  const pfn = k.get(L.THR_REG, R + 1);
  const nid = k.g.pfnNode[pfn]!;
  const stage = k.get(L.THR_STAGE, tid);
  switch (stage) {
    case F2: {
      // Mutant cram-fault-spins-on-isolate: retry the isolation in place, PTL held.
      if (k.cfg.mutant === 'cram-fault-spins-on-isolate' && !k.has(L.PG_FLAGS, pfn, PG_lru)) return { done: false, vmret: 0 };
      if (!folioIsolateLru(k, pfn)) {
        putCramNodeHeld(k, tid, nid);
        if (k.cfg.mutant !== 'cram-fault-keeps-ptl') cramReleasePtl(k, tid);
        if (k.log) k.trace(`cram_fault F2: folio_isolate_lru(pfn ${pfn}) failed -> return 0 (refault)`);
        return faultDone(k, tid, 0);
      }
      if (k.log) k.trace(`cram_fault F2: folio_isolate_lru(pfn ${pfn}) = true`);
      k.set(L.THR_STAGE, tid, F3);
      return { done: false, vmret: 0 };
    }
    case F3:
      cramReleasePtl(k, tid);
      if (k.log) k.trace(`cram_fault F3: release PTL`);
      k.set(L.THR_STAGE, tid, F4);
      return { done: false, vmret: 0 };
    case F4: {
      const nr = folioNrPages(k, pfn);
      k.add(isolatedField(k, pfn), nid, nr);
      const list = [pfn];
      const to = threadNode(k, tid);
      const homes = migrationHomes(k, list); // contract: a promoted folio has left the private node
      const r = migratePages(k, tid, list, (kk, src) => allocCramPromoteFolio(kk, src, to), null, MIGRATE_SYNC, MR_NUMA_MISPLACED);
      checkMigrated(k, homes, list, r.nrSucceeded, offPrivate(k));
      k.set(L.THR_REG, R + R_NR, r.nrSucceeded);
      k.set(L.THR_REG, R + R_FAILED, list.length > 0 ? 1 : 0);
      if (k.log) k.trace(`cram_fault F4: migrate_pages([pfn ${pfn}] -> N${to}) = ${errname(r.ret)}, succeeded ${r.nrSucceeded}`);
      k.set(L.THR_STAGE, tid, F5);
      return { done: false, vmret: 0 };
    }
    case F5:
      if (k.get(L.THR_REG, R + R_FAILED)) {
        if (k.cfg.mutant !== 'cram-fault-isolated-leak') k.add(isolatedField(k, pfn), nid, -folioNrPages(k, pfn));
        folioPutbackLru(k, tid, pfn);
        if (k.log) k.trace(`cram_fault F5: folio_putback_lru(pfn ${pfn})`);
      } else if (k.log) k.trace(`cram_fault F5: migrated, nothing to put back`);
      k.set(L.THR_STAGE, tid, F6);
      return { done: false, vmret: 0 };
    case F6: {
      putCramNodeHeld(k, tid, nid);
      if (k.get(L.THR_REG, R + R_NR) === 0) {
        // lru_add_drain() (this CPU's batch: F5's putback), then the return decision.
        const c = k.g.threads[tid];
        if (c?.kind === 'cpu') lruAddDrain(k, tid, c.cpu);
        // Fix cram-fault-retry-contract: honour the caller's flags. Without
        // ALLOW_RETRY keep the lock and return 0 (the caller looks the page up
        // again and refaults); with RETRY_NOWAIT return VM_FAULT_RETRY with the lock held.
        const ff = threadFaultFlags(k, tid);
        if (hasFix(k.cfg, 'cram-fault-retry-contract') && !(ff & FAULT_FLAG_ALLOW_RETRY)) {
          // A pinned folio cannot be promoted until its pin goes: a refault would
          // loop for ever (LIVE-PROGRAM-FINISHES on gup: a ptrace poke spinning
          // under the mmap lock the pinner needs to unpin), so fail the fault.
          if (folioPinned(k, pfn)) {
            if (k.log) k.trace(`cram_fault F6: nothing migrated, folio pinned, no FAULT_FLAG_ALLOW_RETRY -> VM_FAULT_SIGBUS (lock kept)`);
            return faultDone(k, tid, VM_FAULT_SIGBUS);
          }
          if (k.log) k.trace(`cram_fault F6: nothing migrated, no FAULT_FLAG_ALLOW_RETRY -> 0 (lock kept)`);
          return faultDone(k, tid, 0);
        }
        // Mutant cram-fault-nowait-unlocks (mutants/gup.ts): the fix's RETRY_NOWAIT branch still drops the lock.
        if (hasFix(k.cfg, 'cram-fault-retry-contract') && ff & FAULT_FLAG_RETRY_NOWAIT && k.cfg.mutant !== 'cram-fault-nowait-unlocks') {
          if (k.log) k.trace(`cram_fault F6: nothing migrated, FAULT_FLAG_RETRY_NOWAIT -> VM_FAULT_RETRY (lock kept)`);
          return faultDone(k, tid, VM_FAULT_RETRY);
        }
        // release_fault_lock(vmf).
        k.clearBits(L.THR_LOCKS, tid, LK_MMAP_READ);
        if (k.log) k.trace(`cram_fault F6: nothing migrated -> VM_FAULT_RETRY`);
        return faultDone(k, tid, VM_FAULT_RETRY);
      }
      if (k.log) k.trace(`cram_fault F6: promoted -> 0`);
      return faultDone(k, tid, 0);
    }
    default: {
      // F1: get_cram_node, with the PTL held.
      if (!getCramNode(k, nid)) {
        cramReleasePtl(k, tid);
        if (k.log) k.trace(`cram_fault F1: get_cram_node(N${nid}) = NULL -> return 0 (refault)`);
        return faultDone(k, tid, 0);
      }
      k.setBits(L.THR_REFS, tid, REF_CN);
      if (k.log) k.trace(`cram_fault F1: get_cram_node(N${nid})`);
      k.set(L.THR_STAGE, tid, F2);
      return { done: false, vmret: 0 };
    }
  }
}


