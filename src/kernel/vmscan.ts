// mm/vmscan.c: kswapd (balance_pgdat -> shrink_folio_list), demotion, and
// wakeup_kswapd, one folio per step.
//
// Steps of kswapd(n) (thread role 'kswapd'):
// * Runnable when NODE_KSWAPD[n] != 0 (a thread exists) and it was woken (2)
//   or a zone of n is below its low watermark + boost.
// * Balanced (some populated zone of n has free >= high + boost) or nothing on
//   n's LRU: choice 0 puts kswapd back to sleep (NODE_KSWAPD = 1).
// * Otherwise choice c scans the c-th pfn of n (the static choice count is the
//   node's pfn count): the folio must be an LRU folio head with a reference
//   (isolate_lru_folios uses folio_try_get). It is isolated; then
//   - DRAM node, demotion enabled, can_demote: the folio stays isolated in
//     REG[1] (target nid + 1 in REG[0]); while it waits, choices c >= 1 may
//     isolate more folios into the batch (up to cfg.demoteBatch, at most 5),
//     and choice 0 runs demote_folio_list on the batch (the R2 window in
//     which a set_pressure can land), after which folios left are reclaimed;
//   - else reclaimed: anon -> swap, file -> writeback if dirty, then drop;
//     a folio shrink_folio_list keeps waits on the ret list and kswapd's next
//     step (choice 0) runs move_folios_to_lru (OP_KSWAPD_PUTBACK).
// * scan_control per scan step (balance_pgdat computes it once per call):
//   boosted reclaim may not swap or write pages, unless a private node's
//   reclaim_policy ORs them back in (v4). Without may_swap anon folios are not
//   scanned; without may_writepage dirty file folios are kept.
//
// Free path of reclaimed folios: shrink_folio_list frees them with
// free_unref_folios, NOT folio_put, so v4's free_folio hook (only in
// __folio_put and folios_put_refs) does not run: a reclaimed P folio goes to
// the buddy unscrubbed. Fix 'reclaim-free-calls-free-folio' routes it through
// the hook.
//
// Putback of kept folios: shrink_folio_list leaves a kept folio isolated and
// unlocked on ret_folios; shrink_inactive_list's move_folios_to_lru runs after
// the whole list (OP_KSWAPD_PUTBACK, kswapd's next step). A folio whose other
// references went meanwhile (a zap, an unpin) is freed there, through
// free_unref_folios again (fix 'putback-free-calls-free-folio').
//
// Granularity: the kernel isolates up to SWAP_CLUSTER_MAX folios, shrinks
// them all, then puts the kept ones back. The model's reclaim isolates one
// folio per shrink_folio_list call (the demotion batch and a split folio's
// pieces are the lists of more than one), so two folios of one reclaim list
// are never isolated at once; see README (modelling choices, kswapd).

import { GFP_HIGHUSER_MOVABLE, GFP_NOWAIT, MIGRATE_ASYNC, MR_DEMOTION, NR_MAX_MIGRATE_PAGES_RETRY, N_MEMORY_PRIVATE, NP_OPS_RECLAIM, __GFP_NOMEMALLOC, __GFP_NOWARN, __GFP_RECLAIM, __GFP_THISNODE } from './defs.ts';
import { hasFix } from './config.ts';
import { PG_active, PG_dirty, PG_locked, PG_lru, PG_unevictable, PTE_MIGRATION, PTE_PRESENT, THREAD_REGS, keptWords } from './layout.ts';
import type { Kernel, Machine } from './kernel.ts';
import { zoneNode } from './geometry.ts';
import { filemapRemoveFolio, filemapWriteback } from './filemap.ts';
import { folioIsolateLru, folioNrPages, folioPut, folioTestAnon, folioTestSwapcache, freeFolioToBuddy, isFolioHead, pageFolio } from './folio.ts';
import { splitFolioToList } from './thp.ts';
import { nextDemotionNode } from './memory_tiers.ts';
import { migratePages, type NewFolioFn } from './migrate.ts';
import { batchStepBusy, entrySrc } from './migrate_batch.ts';
import { nodePrivateMigrateToBegin, nodePrivateMigrateToStep } from './node_private_migrate.ts';
import { nodePrivateHasFlag, nodePrivateMigrateTo, nodePrivateMigrateToCall, nodePrivateMigrateToGet, nodePrivateMigrateToPut, nodePrivateMigrationBlocked, nodePrivateNp, nodePrivateReclaimPolicy, npSlotOfNode } from './node_private.ts';
import { opsById } from './ops_table.ts';
import { OP_KSWAPD_DEMOTE, OP_KSWAPD_PUTBACK, OP_NONE } from './ops_codes.ts';
import { NULL_PFN, allocPages } from './page_alloc.ts';
import { folioMapped, rmapSlots, tryToUnmap } from './rmap.ts';
import { addToSwap, deleteFromSwapCache, swapWritepage } from './swap.ts';
import { ptlHeldByOther } from './memory.ts';
import { MAX_NR_ZONES } from './defs.ts';
import { ran } from './ran.ts';
import { cpusetChildCount, taskCpuset } from './cpuset.ts';

/** The scan_control bits shrink_folio_list reads. */
export interface ScanControl {
  readonly maySwap: boolean;
  readonly mayWritepage: boolean;
}

/**
 * balance_pgdat's scan_control: boosted reclaim (watermark_boost on a zone of
 * the node) may neither swap nor write pages; v4 lets a private node's
 * reclaim_policy switch them back on (sc.may_swap |= policy.may_swap, ...),
 * which is how CRAM's boosted kswapd(P) evicts. laptop_mode is off.
 */
export function balancePgdatScanControl(k: Kernel, nid: number): ScanControl {
  // mm/vmscan.c: balance_pgdat (v4: node_private_reclaim_policy once per call)
  if (isPrivateNode(k, nid)) nodePrivateReclaimPolicy(k, nid); // the callback runs (ghost bookkeeping)
  return peekScanControl(k, nid);
}

/** policy.managed_watermarks of the node's reclaim_policy (false without one). */
function managedWatermarks(k: Kernel, nid: number): boolean {
  if (!isPrivateNode(k, nid)) return false;
  const slot = nodePrivateNp(k, nid);
  const ops = slot < 0 ? null : opsById(k, k.get(k.L.NP_OPS, slot));
  return ops?.reclaimPolicy ? ops.reclaimPolicy(k, nid).managedWatermarks : false;
}

/**
 * The same scan_control without running the callback's dispatch bookkeeping:
 * used to decide whether a step is enabled before anything is mutated
 * (reclaim_policy callbacks are pure functions of the node).
 */
function peekScanControl(k: Kernel, nid: number): ScanControl {
  const boosted = pgdatBoosted(k, nid);
  let maySwap = !boosted;
  let mayWritepage = !boosted;
  if (isPrivateNode(k, nid)) {
    const slot = nodePrivateNp(k, nid);
    const ops = slot < 0 ? null : opsById(k, k.get(k.L.NP_OPS, slot));
    if (ops?.reclaimPolicy) {
      const pol = ops.reclaimPolicy(k, nid);
      maySwap ||= pol.mayswap;
      mayWritepage ||= pol.maywritepage;
    }
  }
  return { maySwap, mayWritepage };
}

/** MAX_RECLAIM_RETRIES (mm/internal.h) */
export const MAX_RECLAIM_RETRIES = 16;

/**
 * The model's kswapd_failures bound in place of MAX_RECLAIM_RETRIES (a node is
 * hopeless, wakeup_kswapd leaves it alone, at this many fruitless passes).
 * kswapd_failures is read only by that `>=` test, and every value below the
 * bound is a distinct state: with 16, canonical --fix all had 1,380,867
 * states for 84,008 once the counter is projected away. With 3 it has
 * 344,520, and the projected states include every one of the 84,008 (checked
 * on canonical, zapiso and gupfork; test/kernel/kswapd-failures.test.ts keeps
 * the check on gupfork): the extra 243 are states in which a node was given up
 * after fewer passes. Those are kernel states too: the kernel's kswapd runs
 * its fruitless balance_pgdat passes back to back (prepare_kswapd_sleep is
 * false while unbalanced and not hopeless), needing no wakeup, whereas the
 * model's kswapd sleeps after each fruitless pass (passKept) and needs a
 * wakeup or a low watermark for the next, so fewer passes here stand for the
 * kernel's 16. KernelConfig.reclaimRetries overrides it.
 */
export const MODEL_RECLAIM_RETRIES = 3;

function reclaimRetries(k: Kernel): number {
  return k.cfg.reclaimRetries ?? MODEL_RECLAIM_RETRIES;
}


/** First pfn of node nid (blocks are laid out node by node) and its pfn count. */
export function nodePfnRange(m: Machine, nid: number): { first: number; n: number } {
  let first = -1;
  let n = 0;
  for (const b of m.g.blocks) {
    if (b.node !== nid) continue;
    if (first < 0) first = b.firstPfn;
    n += b.pages;
  }
  return { first, n };
}

/** Static choice count of kswapd(nid): one per pfn of the node (at least 1: the sleep step). */
export function kswapdChoices(m: Machine, nid: number): number {
  return Math.max(1, nodePfnRange(m, nid).n);
}

function nodeZones(k: Kernel, nid: number): number[] {
  const z: number[] = [];
  for (let t = 0; t < MAX_NR_ZONES; t++) if (k.get(k.L.ZONE_MANAGED, nid * MAX_NR_ZONES + t) > 0) z.push(nid * MAX_NR_ZONES + t);
  return z;
}

/** pgdat_balanced: some populated zone has free >= high watermark + boost (none populated: balanced). */
export function pgdatBalanced(k: Kernel, nid: number): boolean {
  // mm/vmscan.c: pgdat_balanced
  const zs = nodeZones(k, nid);
  if (zs.length === 0) return true;
  const L = k.L;
  return zs.some((z) => k.get(L.ZONE_FREE, z) >= k.get(L.ZONE_WMARK_HIGH, z) + k.get(L.ZONE_BOOST, z));
}

function pgdatBelowLow(k: Kernel, nid: number): boolean {
  const L = k.L;
  return nodeZones(k, nid).some((z) => k.get(L.ZONE_FREE, z) < k.get(L.ZONE_WMARK_LOW, z) + k.get(L.ZONE_BOOST, z));
}

function pgdatBoosted(k: Kernel, nid: number): boolean {
  return nodeZones(k, nid).some((z) => k.get(k.L.ZONE_BOOST, z) > 0);
}

function isPrivateNode(k: Kernel, nid: number): boolean {
  return (k.get(k.L.NODE_STATES, nid) & N_MEMORY_PRIVATE) !== 0;
}

/** A folio kswapd may isolate: an LRU folio head on the node with a reference. */
function isCandidate(k: Kernel, pfn: number): boolean {
  const L = k.L;
  return isFolioHead(k, pfn) && k.has(L.PG_FLAGS, pfn, PG_lru) && k.get(L.PG_REF, pfn) > 0 && !k.has(L.PG_FLAGS, pfn, PG_locked);
}

function hasCandidate(k: Kernel, nid: number): boolean {
  const { first, n } = nodePfnRange(k.m, nid);
  for (let p = first; p < first + n; p++) if (isCandidate(k, p)) return true;
  return false;
}

/** kswapd(nid)'s choice 0 here is balance_pgdat returning (balanced, or nothing on the LRU), not a scan of the node's first pfn. */
export function kswapdIdle(k: Kernel, nid: number): boolean {
  return pgdatBalanced(k, nid) || !hasCandidate(k, nid);
}

/** Some mm mapping the folio has its PTL held by another thread: the rmap walk would wait. */
export function rmapBusy(k: Kernel, tid: number, pfn: number): boolean {
  for (const s of rmapSlots(k, pfn)) if (ptlHeldByOther(k, tid, Math.floor(s / k.cfg.vaddrs))) return true;
  return false;
}

/**
 * wakeup_kswapd(zone, gfp, order, highest_zoneidx): only a sleeping kswapd is
 * woken; a private node needs NP_OPS_RECLAIM (zone_reclaim_allowed; no cpuset
 * check for private nodes); not after MAX_RECLAIM_RETRIES failures; not if the
 * node is balanced and not boosted.
 */
export function wakeupKswapd(k: Kernel, zone: number): boolean {
  ran(k, 'wakeup_kswapd');
  // mm/vmscan.c: wakeup_kswapd
  const nid = zoneNode(zone);
  const L = k.L;
  if (k.get(L.NODE_KSWAPD, nid) !== 1) return false;
  if (isPrivateNode(k, nid) && !nodePrivateHasFlag(k, nid, NP_OPS_RECLAIM)) return false;
  if (k.get(L.NODE_KSWAPD_FAILURES, nid) >= reclaimRetries(k)) return false;
  if (!pgdatBoosted(k, nid) && pgdatBalanced(k, nid)) return false;
  k.set(L.NODE_KSWAPD, nid, 2);
  if (k.log) k.trace(`wakeup_kswapd(node ${nid})`);
  return true;
}

/**
 * The effective mems of the cpuset of folio pfn's cgroup (mem_cgroup_node_allowed
 * -> cpuset_node_allowed(memcg's cgroup)). The model has one cgroup per cpuset
 * and charges a folio to the cgroup of the task that maps it: with sibling
 * cpusets, the cpuset of the first user CPU whose mm maps the folio (child 0 if
 * none does); with one child, that child.
 */
function folioCgroupEffectiveMems(k: Kernel, pfn: number): number {
  if (!k.cfg.actors.cpuset) return k.get(k.L.G_CPUSET_MEMS);
  if (cpusetChildCount(k) === 1 || pfn < 0) return k.get(k.L.CS_CHILD_EFF, 0);
  for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
    const mm = k.cfg.cpus[cpu]!.mm;
    for (let v = 0; v < k.cfg.vaddrs; v++) {
      const s = mm * k.cfg.vaddrs + v;
      const kind = k.get(k.L.PTE_KIND, s);
      if ((kind === PTE_PRESENT || kind === PTE_MIGRATION) && pageFolio(k, k.get(k.L.PTE_VAL, s)) === pfn) return k.get(k.L.CS_CHILD_EFF, taskCpuset(k, cpu));
    }
  }
  return k.get(k.L.CS_CHILD_EFF, 0);
}

/** can_demote(nid) for folio pfn (its cgroup's cpuset): the demotion target, or -1. */
export function canDemote(k: Kernel, nid: number, pfn = -1): number {
  ran(k, 'can_demote');
  // mm/vmscan.c: can_demote
  if (!k.get(k.L.G_DEMOTION_ENABLED)) return -1;
  if (isPrivateNode(k, nid)) return -1; // only N_MEMORY nodes have targets (§6.3.1)
  const t = nextDemotionNode(k, nid);
  if (t < 0) return -1;
  // Mutant can-demote-tests-target-private (mutants/vacuity.ts): the private-node test is applied to the target.
  if (k.cfg.mutant === 'can-demote-tests-target-private' && isPrivateNode(k, t)) return -1;
  if (nodePrivateMigrationBlocked(k, t)) return -1;
  // mem_cgroup_node_allowed -> the cpuset's mems (root cgroup in the model)
  // mem_cgroup_node_allowed -> cpuset_node_allowed(cgroup, nid): the effective mems of the folios' cgroup
  // (the user tasks' child cpuset when there is one; the model has one cgroup per cpuset).
  const eff = folioCgroupEffectiveMems(k, pfn);
  if (k.get(k.L.G_CPUSET_ENABLED) && !(eff & (1 << t))) return -1;
  return t;
}

/** One step of kswapd(nid) with the given choice; false (k unchanged) if not enabled. */
export function kswapdStep(k: Kernel, nid: number, choice: number): boolean {
  const L = k.L;
  const tid = k.g.kswapdThread(nid);
  const st = k.get(L.NODE_KSWAPD, nid);
  // A pending demotion batch is finished even if kswapd_stop ran meanwhile
  // (kthread_stop waits for the thread to reach its stop check).
  // The kept folios of the last shrink_folio_list call (ret_folios) wait for
  // move_folios_to_lru, kswapd's next step (choice 0), even after kswapd_stop.
  if (k.get(L.THR_OP, tid) === OP_KSWAPD_PUTBACK) return choice === 0 ? putbackStep(k, tid, nid) : false;
  if (k.get(L.THR_OP, tid) === OP_KSWAPD_DEMOTE) {
    // Collecting (DM_BATCH): choice 0 enters demote_folio_list on the batch;
    // choice c >= 1 isolates the c-th pfn into the batch too (up to the batch
    // limit). Inside demote_folio_list (other phases) only choice 0 runs.
    if (choice === 0) return demoteStep(k, tid, nid);
    if (demotePhase(k, tid) !== DM_BATCH || st === 0) return false;
    return addToDemoteBatch(k, tid, nid, choice);
  }
  if (st === 0) return false;
  const { first, n } = nodePfnRange(k.m, nid);
  if (choice >= n && choice !== 0) return false;
  // Cheap early out first: most (state, choice) pairs name no LRU folio.
  if (choice !== 0 && !isCandidate(k, first + choice)) return false;
  if (st !== 2 && !pgdatBelowLow(k, nid)) return false;
  const idle = kswapdIdle(k, nid);
  if (idle) {
    if (choice !== 0) return false;
    const fail = !pgdatBalanced(k, nid);
    // A sleeping kswapd with nothing to reclaim stays asleep (no step; it counts a
    // failure only when it was woken and found nothing).
    if (st === 1) return false;
    balancePgdatReturns(k, nid, fail);
    if (k.log) k.trace(`kswapd(node ${nid}): ${fail ? 'nothing reclaimable' : 'balanced'}, sleep`);
    return true;
  }
  const pfn = first + choice;
  if (!isCandidate(k, pfn) || rmapBusy(k, tid, pfn)) return false;
  // get_scan_count: without may_swap the anon LRU is not scanned at all (demotion included).
  if (!peekScanControl(k, nid).maySwap && folioTestAnon(k, pfn)) return false;
  const sc = balancePgdatScanControl(k, nid);
  k.set(L.NODE_KSWAPD, nid, 2);
  folioIsolateLru(k, pfn);
  // Fix demote-anon-only (A3, Gregory 2026-03-19: file-backed memory must not be demoted).
  const target = hasFix(k.cfg, 'demote-anon-only') && !folioTestAnon(k, pfn) ? -1 : canDemote(k, nid, pfn);
  if (target >= 0) {
    // shrink_folio_list: the folio goes on demote_folios; demote_folio_list is the next step.
    k.set(L.THR_OP, tid, OP_KSWAPD_DEMOTE);
    k.set(L.THR_REG, tid * THREAD_REGS, target + 1);
    k.set(L.THR_REG, tid * THREAD_REGS + 1, pfn + 1);
    isolatedAdd(k, nid, pfn, folioNrPages(k, pfn));
    if (k.log) k.trace(`kswapd(node ${nid}): isolate pfn ${pfn}, can_demote -> node ${target}`);
    return true;
  }
  if (k.log) k.trace(`kswapd(node ${nid}): isolate pfn ${pfn}, reclaim`);
  const ret: number[] = [];
  const freed = shrinkFolio(k, tid, pfn, sc, ret);
  if (ret.length > 0) enterPutback(k, tid, ret, !freed);
  else if (!freed) passKept(k, nid);
  return true;
}

/** THR_STAGE flag of OP_KSWAPD_PUTBACK: the shrink reclaimed nothing, the putback step asks passKept whether the pass is over. */
const PB_PASS_KEPT = 1;

/**
 * shrink_folio_list returned with kept folios on ret_folios: they stay
 * isolated (PG_lru clear, the isolation reference held, unlocked) in REG[1..]
 * until kswapd's next step runs move_folios_to_lru. In between another thread
 * may zap, unmap or unpin them.
 */
// mm/vmscan.c: shrink_folio_list (keep: list_add(&folio->lru, &ret_folios)) -> shrink_inactive_list
function enterPutback(k: Kernel, tid: number, ret: readonly number[], passKeptAfter: boolean): void {
  const L = k.L;
  const R = tid * THREAD_REGS;
  if (ret.length > THREAD_REGS - 1) throw new Error(`shrink_folio_list: ${ret.length} kept folios, more than the ${THREAD_REGS - 1} registers of the ret list`);
  for (let i = 0; i < THREAD_REGS; i++) k.set(L.THR_REG, R + i, i >= 1 && i - 1 < ret.length ? ret[i - 1]! + 1 : 0);
  k.set(L.THR_OP, tid, OP_KSWAPD_PUTBACK);
  k.set(L.THR_STAGE, tid, passKeptAfter ? PB_PASS_KEPT : 0);
}

/** The folios kswapd holds on its ret list (REG[1..] of OP_KSWAPD_PUTBACK). */
export function putbackList(k: Kernel, tid: number): number[] {
  const out: number[] = [];
  if (k.get(k.L.THR_OP, tid) !== OP_KSWAPD_PUTBACK) return out;
  for (let i = 1; i < THREAD_REGS; i++) {
    const v = k.get(k.L.THR_REG, tid * THREAD_REGS + i);
    if (v) out.push(v - 1);
  }
  return out;
}

/** shrink_inactive_list after shrink_folio_list: move_folios_to_lru on ret_folios, then balance_pgdat's pass accounting. */
function putbackStep(k: Kernel, tid: number, nid: number): boolean {
  const L = k.L;
  const list = putbackList(k, tid);
  const passKeptAfter = (k.get(L.THR_STAGE, tid) & PB_PASS_KEPT) !== 0;
  for (let i = 0; i < THREAD_REGS; i++) k.set(L.THR_REG, tid * THREAD_REGS + i, 0);
  k.set(L.THR_STAGE, tid, 0);
  k.set(L.THR_OP, tid, OP_NONE);
  moveFoliosToLru(k, tid, list);
  if (k.log) k.trace(`kswapd(node ${nid}): move_folios_to_lru(pfn ${list.join(', ')})`);
  if (passKeptAfter) passKept(k, nid);
  return true;
}

/**
 * balance_pgdat returns and kswapd sleeps (kswapd_try_to_sleep): a pass that
 * reclaimed nothing counts a failure (bounded by MODEL_RECLAIM_RETRIES: at the
 * bound wakeup_kswapd leaves the node alone); the pass's kept set is cleared.
 */
// mm/vmscan.c: balance_pgdat (kswapd_failures++ when !sc.nr_reclaimed), kswapd_try_to_sleep
function balancePgdatReturns(k: Kernel, nid: number, fruitless: boolean): void {
  const L = k.L;
  k.set(L.NODE_KSWAPD, nid, 1);
  clearKept(k, nid);
  if (fruitless && k.get(L.NODE_KSWAPD_FAILURES, nid) < reclaimRetries(k)) k.add(L.NODE_KSWAPD_FAILURES, nid, 1);
  // End of balance_pgdat: boosted zones drop their boost unless the private
  // node's reclaim_policy owns the boost lifecycle (v4 managed_watermarks).
  if (pgdatBoosted(k, nid) && !managedWatermarks(k, nid)) {
    for (const z of nodeZones(k, nid)) k.set(L.ZONE_BOOST, z, 0);
    if (k.log) k.trace(`balance_pgdat(node ${nid}): watermark_boost cleared (no managed_watermarks)`);
  }
}

/** Reclaim or demotion made progress on the node: shrink_node resets kswapd_failures; a new pass begins. */
// mm/vmscan.c: shrink_node (if (reclaimable) pgdat->kswapd_failures = 0)
function reclaimProgress(k: Kernel, nid: number): void {
  k.set(k.L.NODE_KSWAPD_FAILURES, nid, 0);
  clearKept(k, nid);
}

/** NODE_KSWAPD_KEPT of the node: word w holds the bits of its pfns first + 16w .. first + 16w + 15. */
function keptWord(k: Kernel, nid: number, w: number): number {
  return nid * keptWords(k.g) + w;
}

function clearKept(k: Kernel, nid: number): void {
  for (let w = 0; w < keptWords(k.g); w++) k.set(k.L.NODE_KSWAPD_KEPT, keptWord(k, nid, w), 0);
}

/**
 * kswapd(nid) just kept what it scanned (nothing reclaimed). A balance_pgdat
 * pass scans the whole LRU (isolate_lru_folios from the tail, kept folios
 * rotated to the head) before it counts a failure; the model scans one folio
 * per step in any order, so it records the kept folios of the current pass
 * (NODE_KSWAPD_KEPT) and the pass is over, fruitless, once every folio kswapd
 * could scan now has been kept in it: balance_pgdat returns with
 * !sc.nr_reclaimed and kswapd sleeps. Counting per kept folio instead would
 * let kswapd give up on a node whose other folio it never tried; never
 * counting (before) let kswapd rescan an unreclaimable folio for ever.
 *
 * As for the no-candidate case above, kswapd sleeps after one fruitless
 * balance_pgdat call (the kernel loops up to MAX_RECLAIM_RETRIES calls
 * before it sleeps for good); while a zone stays below its low watermark it
 * runs again (the model's stand-in for the allocators' wakeup_kswapd), and an
 * explicit wakeup_kswapd refuses the node once MODEL_RECLAIM_RETRIES fruitless
 * passes have gone by without progress.
 */
function passKept(k: Kernel, nid: number): void {
  const L = k.L;
  const { first, n } = nodePfnRange(k.m, nid);
  const maySwap = peekScanControl(k, nid).maySwap;
  let over = true;
  const words: number[] = [];
  for (let w = 0; w * 16 < n; w++) {
    let scannable = 0;
    for (let i = w * 16; i < Math.min(n, w * 16 + 16); i++) if (isCandidate(k, first + i) && (maySwap || !folioTestAnon(k, first + i))) scannable |= 1 << (i - w * 16);
    // Folios gone from the LRU (freed, isolated by others) are no longer part of the pass.
    const kept = k.get(L.NODE_KSWAPD_KEPT, keptWord(k, nid, w)) & scannable;
    if ((scannable & ~kept) !== 0) over = false;
    words.push(kept);
  }
  if (!over) {
    words.forEach((kept, w) => k.set(L.NODE_KSWAPD_KEPT, keptWord(k, nid, w), kept));
    return;
  }
  balancePgdatReturns(k, nid, true);
  if (k.log) k.trace(`kswapd(node ${nid}): a whole pass reclaimed nothing (kswapd_failures ${k.get(L.NODE_KSWAPD_FAILURES, nid)}), sleep`);
}

function isolatedAdd(k: Kernel, nid: number, pfn: number, d: number): void {
  k.add(folioTestAnon(k, pfn) ? k.L.NODE_NR_ISOLATED_ANON : k.L.NODE_NR_ISOLATED_FILE, nid, d);
}

/** Batch limit: NR_MAX_BATCHED_MIGRATION of the model, at most the registers available. */
export function demoteBatchMax(k: Kernel): number {
  return Math.max(1, Math.min(k.cfg.demoteBatch, THREAD_REGS - 1));
}

/** The isolated folios of kswapd's pending demotion batch (REG[1..]). */
export function demoteBatch(k: Kernel, tid: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < THREAD_REGS; i++) {
    const v = k.get(k.L.THR_REG, tid * THREAD_REGS + i);
    if (v) out.push(entrySrc(v)); // a staged migrate_pages keeps its status in the high byte
  }
  return out;
}

/** Isolate one more LRU folio into the pending batch (shrink_node isolates many before shrink_folio_list). */
function addToDemoteBatch(k: Kernel, tid: number, nid: number, choice: number): boolean {
  const R = tid * THREAD_REGS;
  const n = demoteBatch(k, tid).length;
  if (n >= demoteBatchMax(k)) return false;
  const { first, n: np } = nodePfnRange(k.m, nid);
  if (choice >= np) return false;
  const pfn = first + choice;
  if (!isCandidate(k, pfn) || rmapBusy(k, tid, pfn)) return false;
  if (hasFix(k.cfg, 'demote-anon-only') && !folioTestAnon(k, pfn)) return false;
  if (folioTestAnon(k, pfn) && !peekScanControl(k, nid).maySwap) return false;
  folioIsolateLru(k, pfn);
  isolatedAdd(k, nid, pfn, folioNrPages(k, pfn));
  k.set(k.L.THR_REG, R + 1 + n, pfn + 1);
  if (k.log) k.trace(`kswapd(node ${nid}): isolate pfn ${pfn} into the demotion batch`);
  return true;
}

// demote_folio_list as kswapd steps (R5: node_private_unregister must be able
// to interleave with node_private_migrate_to). THR_STAGE = phase +
// DM_FIRST * (first target + 1); REG[0] = the current target + 1.
//  DM_BATCH  collecting the batch; choice 0 enters demote_folio_list (the
//            batch's NR_ISOLATED is handed back, shrink_folio_list accounts
//            it) and runs the first iteration's DM_GET.
//  DM_GET    one iteration: a private target -> node_private_migrate_to's
//            RCU section (np, ops, migrate_to, refcount_inc_not_zero): success
//            -> DM_CALL, -ENODEV -> next node; a non-private target -> the
//            standard migrate_pages(alloc_demote_folio) and return.
//  DM_CALL   ops->migrate_to outside RCU with REF_NP held (-> DM_PUT_STOP if
//            it returned 0 or emptied the list, else DM_PUT_NEXT). A table
//            with a staged migrate_to (cram_ops, driver tables) runs only its
//            prologue here (cram_migrate_to: get_cram_node, the checks) and
//            goes to DM_MIGRATE; REG[0]'s high byte holds the ops id it runs.
//  DM_MIGRATE one folio of migrate_pages_batch per step, unmap loop then
//            move loop (src/kernel/migrate_batch.ts); the last one also runs
//            the callback's epilogue (put_cram_node) -> DM_PUT_*.
//  DM_PUT_*  refcount_dec_and_test -> complete(&released); then return
//            (stop) or the next iteration at next_node_in(allowed).
//  DM_FINISH demote_folio_list returned with folios left: they are reclaimed.
// A step ends wherever the kernel holds no lock before the next action on
// shared state; what runs in one RCU section is one step.
const DM_BATCH = 0;
const DM_GET = 1;
const DM_CALL = 2;
const DM_PUT_STOP = 3;
const DM_PUT_NEXT = 4;
const DM_FINISH = 5;
const DM_MIGRATE = 6;
const DM_FIRST = 8;
/** THR_STAGE flag: a folio of this batch was demoted (the pass made progress; demoteFinish must not count its leftovers as a fruitless pass). */
const DM_DEMOTED = 128;

function demotePhase(k: Kernel, tid: number): number {
  return (k.get(k.L.THR_STAGE, tid) & ~DM_DEMOTED) % DM_FIRST;
}

function setDemotePhase(k: Kernel, tid: number, phase: number, first: number): void {
  k.set(k.L.THR_STAGE, tid, (k.get(k.L.THR_STAGE, tid) & DM_DEMOTED) | (phase + DM_FIRST * (first + 1)));
}

/** The pending batch is reclaimed (if anything is left) and kswapd leaves the demotion. */
function demoteFinish(k: Kernel, tid: number, nid: number): void {
  const L = k.L;
  const R = tid * THREAD_REGS;
  const list = demoteBatch(k, tid);
  const demoted = (k.get(L.THR_STAGE, tid) & DM_DEMOTED) !== 0;
  for (let i = 0; i < THREAD_REGS; i++) k.set(L.THR_REG, R + i, 0);
  k.set(L.THR_STAGE, tid, 0);
  k.set(L.THR_OP, tid, OP_NONE);
  // Folios that could not be demoted are reclaimed (shrink_folio_list retries without demotion).
  const sc = list.length ? balancePgdatScanControl(k, nid) : { maySwap: true, mayWritepage: true };
  let freed = false;
  const ret: number[] = [];
  for (const p of list) freed = shrinkFolio(k, tid, p, sc, ret) || freed;
  if (list.length === 0) reclaimProgress(k, nid);
  else if (ret.length > 0) enterPutback(k, tid, ret, !freed && !demoted);
  else if (!freed && !demoted) passKept(k, nid);
}

/** Write the list (folios still on it) back into the batch registers. */
function setDemoteBatch(k: Kernel, tid: number, list: readonly number[]): void {
  const R = tid * THREAD_REGS;
  for (let i = 1; i < THREAD_REGS; i++) k.set(k.L.THR_REG, R + i, i - 1 < list.length ? list[i - 1]! + 1 : 0);
}

/** demote_folio_list's loop tail: stop, or go on at next_node_in(t, allowed) (a new RCU section: next step). */
function demoteAdvance(k: Kernel, tid: number, nid: number, t: number, first: number, stop: boolean): void {
  const list = demoteBatch(k, tid);
  if (!stop && list.length > 0) {
    const next = nextNodeIn(k, t, k.get(k.L.NODE_DEMOTION_TARGETS, nid));
    if (next !== first && next >= 0) {
      k.set(k.L.THR_REG, tid * THREAD_REGS, next + 1);
      setDemotePhase(k, tid, DM_GET, first);
      return;
    }
  }
  if (list.length === 0) demoteFinish(k, tid, nid);
  else setDemotePhase(k, tid, DM_FINISH, first);
}

/** One step of kswapd inside demote_folio_list (choice 0); false (k unchanged) if it must wait. */
function demoteStep(k: Kernel, tid: number, nid: number): boolean {
  // mm/vmscan.c: demote_folio_list (v4) + include/linux/node_private.h: node_private_migrate_to
  ran(k, 'demote_folio_list');
  const L = k.L;
  const R = tid * THREAD_REGS;
  const stage = k.get(L.THR_STAGE, tid) & ~DM_DEMOTED;
  const phase = stage % DM_FIRST;
  const t = (k.get(L.THR_REG, R) & 0xff) - 1;
  const first = Math.floor(stage / DM_FIRST) - 1;
  const list = demoteBatch(k, tid);
  const before = list.length; // the body's migrate_pages takes demoted folios off `list`
  // The rmap walks (try_to_migrate, try_to_unmap) need each mapping mm's PTL.
  // A staged migrate_to's prologue walks no rmap; its folio steps wait only for the folio they handle.
  const touchesRmap = (phase === DM_CALL && !stagedMigrateTo(k, t)) || phase === DM_FINISH || ((phase === DM_BATCH || phase === DM_GET) && !isPrivateNode(k, t));
  if (touchesRmap && list.some((p) => rmapBusy(k, tid, p))) return false;
  if (phase === DM_MIGRATE && batchStepBusy(k, tid, R + 1, THREAD_REGS - 1, NR_MAX_MIGRATE_PAGES_RETRY)) return false;
  // A folio that left the batch was demoted: nr_reclaimed counts it (shrink_folio_list: nr_reclaimed += nr_demoted).
  // The same step may finish the batch (demoteFinish): it reads DM_DEMOTED, so a demotion is noted before the body runs on.
  return demoteStepBody(k, tid, nid, phase, t, first, list, () => {
    if (demoteBatch(k, tid).length >= before) return;
    reclaimProgress(k, nid);
    k.setBits(L.THR_STAGE, tid, DM_DEMOTED);
  });
}

function demoteStepBody(k: Kernel, tid: number, nid: number, phaseIn: number, t: number, firstIn: number, list: number[], noteDemoted: () => void): boolean {
  const L = k.L;
  const R = tid * THREAD_REGS;
  let phase = phaseIn;
  let first = firstIn;
  if (phase === DM_BATCH) {
    // shrink_folio_list -> demote_folio_list(&demote_folios, pgdat): the batch leaves kswapd's isolation count.
    for (const p of list) isolatedAdd(k, nid, p, -folioNrPages(k, p));
    first = t;
    phase = DM_GET;
  }
  switch (phase) {
    case DM_GET: {
      if (!isPrivateNode(k, t)) {
        // The standard path: alloc_demote_folio never lands on P.
        const allowed = k.get(L.NODE_DEMOTION_TARGETS, nid); // node_get_allowed_targets
        migratePages(k, tid, list, allocDemoteFolio(t, allowed), null, MIGRATE_ASYNC, MR_DEMOTION);
        setDemoteBatch(k, tid, list);
        noteDemoted();
        demoteAdvance(k, tid, nid, t, first, true);
        return true;
      }
      const got = nodePrivateMigrateToGet(k, tid, t);
      if (got !== 0) {
        k.trace(`node_private_migrate_to(nid ${t}) = -ENODEV`);
        demoteAdvance(k, tid, nid, t, first, false);
        return true;
      }
      if (k.log) k.trace(`kswapd(node ${nid}): node_private_migrate_to(nid ${t}): np reference taken`);
      setDemotePhase(k, tid, DM_CALL, first);
      return true;
    }
    case DM_CALL: {
      const s = nodePrivateMigrateToBegin(k, tid, R + 1, THREAD_REGS - 1, t, MIGRATE_ASYNC, MR_DEMOTION, (l) => {
        const r = nodePrivateMigrateToCall(k, tid, l, t, MIGRATE_ASYNC, MR_DEMOTION);
        setDemoteBatch(k, tid, l);
        return r;
      });
      noteDemoted();
      if ('done' in s) {
        setDemotePhase(k, tid, s.done.ret === 0 || demoteBatch(k, tid).length === 0 ? DM_PUT_STOP : DM_PUT_NEXT, first);
        return true;
      }
      k.set(L.THR_REG, R, (t + 1) | (s.opsId << 8));
      setDemotePhase(k, tid, DM_MIGRATE, first);
      return true;
    }
    case DM_MIGRATE: {
      const r = nodePrivateMigrateToStep(k, tid, R + 1, THREAD_REGS - 1, t, k.get(L.THR_REG, R) >> 8, MR_DEMOTION);
      noteDemoted();
      if (!r) return true;
      k.set(L.THR_REG, R, t + 1);
      setDemotePhase(k, tid, r.ret === 0 || demoteBatch(k, tid).length === 0 ? DM_PUT_STOP : DM_PUT_NEXT, first);
      return true;
    }
    case DM_PUT_STOP:
    case DM_PUT_NEXT:
      nodePrivateMigrateToPut(k, tid, t);
      if (k.log) k.trace(`kswapd(node ${nid}): node_private_migrate_to(nid ${t}): np reference put`);
      demoteAdvance(k, tid, nid, t, first, phase === DM_PUT_STOP);
      return true;
    default:
      demoteFinish(k, tid, nid);
      return true;
  }
}

/** The target's table (the np slot's ops) runs migrate_to in steps. */
function stagedMigrateTo(k: Kernel, nid: number): boolean {
  const slot = npSlotOfNode(k, nid);
  return slot >= 0 && opsById(k, k.get(k.L.NP_OPS, slot))?.migrateToStaged !== undefined;
}

/** alloc_demote_folio: THISNODE first, then the allowed mask; never __GFP_PRIVATE. */
function allocDemoteFolio(target: number, allowed: number): NewFolioFn {
  const gfp = ((GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_NOWARN | __GFP_NOMEMALLOC | GFP_NOWAIT);
  // alloc_migration_target: the source's order.
  return (k, src) => {
    const order = k.get(k.L.PG_ORDER, src);
    const p = allocPages(k, gfp | __GFP_THISNODE, order, target, null, { pfMemalloc: true });
    if (p !== NULL_PFN) return p;
    return allocPages(k, gfp, order, target, allowed, { pfMemalloc: true });
  };
}

/**
 * demote_folio_list (v4, §6.3.3): while the target is private, hand the list
 * to node_private_migrate_to(MIGRATE_ASYNC, MR_DEMOTION); stop when it
 * returns 0 or the list empties; else go to next_node_in(allowed): back at
 * the first target -> return; a non-private node -> the standard path.
 * Returns the number demoted; folios not demoted stay on the list.
 */
export function demoteFolioList(k: Kernel, tid: number, list: number[], nid: number, firstTarget: number): number {
  ran(k, 'demote_folio_list');
  // mm/vmscan.c: demote_folio_list
  const allowed = k.get(k.L.NODE_DEMOTION_TARGETS, nid); // node_get_allowed_targets
  let t = firstTarget;
  let nr = 0;
  while (isPrivateNode(k, t)) {
    const r = nodePrivateMigrateTo(k, tid, list, t, MIGRATE_ASYNC, MR_DEMOTION);
    nr += r.nrSucceeded;
    if (r.ret === 0 || list.length === 0) return nr;
    t = nextNodeIn(k, t, allowed);
    if (t === firstTarget || t < 0) return nr;
  }
  const r = migratePages(k, tid, list, allocDemoteFolio(t, allowed), null, MIGRATE_ASYNC, MR_DEMOTION);
  return nr + r.nrSucceeded;
}

/** next_node_in(node, mask): the next set bit after node, wrapping. */
function nextNodeIn(k: Kernel, node: number, mask: number): number {
  for (let i = 1; i <= k.g.nodes; i++) {
    const n = (node + i) % k.g.nodes;
    if (mask & (1 << n)) return n;
  }
  return -1;
}

/**
 * shrink_folio_list for one isolated folio: anon -> add_to_swap,
 * try_to_unmap, pageout, __remove_mapping, free; file -> try_to_unmap,
 * writeback if dirty, __remove_mapping, free. On any failure the folio is
 * activated and put back. Returns true if it was freed.
 */
export function shrinkFolio(k: Kernel, tid: number, pfn: number, sc: ScanControl, ret: number[]): boolean {
  ran(k, 'shrink_folio_list');
  // mm/vmscan.c: shrink_folio_list
  const L = k.L;
  const anon = folioTestAnon(k, pfn);
  if (anon && !sc.maySwap) return keep(k, tid, pfn, ret);
  if (!anon && k.has(L.PG_FLAGS, pfn, PG_dirty) && !sc.mayWritepage) return keep(k, tid, pfn, ret);
  if (anon && !folioTestSwapcache(k, pfn) && folioNrPages(k, pfn) > 1) {
    // folio_alloc_swap refuses a large folio without CONFIG_THP_SWAP (src/kernel/thp.ts): "Fallback
    // to swap normal pages": split_folio_to_list(folio, folio_list) under the folio lock; the new
    // folios join the list and this same shrink_folio_list call reclaims them after the head.
    if (k.get(L.PG_REF, pfn) - 1 !== k.get(L.PG_MAPCOUNT, pfn)) return keep(k, tid, pfn, ret); // cannot split, skip it
    k.setBits(L.PG_FLAGS, pfn, PG_locked);
    const r = splitFolioToList(k, tid, pfn, true);
    k.clearBits(L.PG_FLAGS, pfn, PG_locked);
    if (r.ret !== 0) return keep(k, tid, pfn, ret);
    const head = shrinkFolio(k, tid, pfn, sc, ret);
    for (const p of r.newFolios) shrinkFolio(k, tid, p, sc, ret);
    return head;
  }
  if (anon && !folioTestSwapcache(k, pfn) && !addToSwap(k, pfn)) return keep(k, tid, pfn, ret);
  if (folioMapped(k, pfn)) {
    tryToUnmap(k, pfn);
    if (folioMapped(k, pfn)) return keep(k, tid, pfn, ret);
  }
  if (k.has(L.PG_FLAGS, pfn, PG_dirty)) {
    if (anon) {
      swapWritepage(k, pfn);
      // pageout() -> PAGE_SUCCESS with the folio under writeback: goto keep.
      // The I/O completes in the background (folio_end_writeback rotates it to
      // the LRU tail) and a later pass frees the clean swap-cache folio.
      if (k.cfg.swapAsync) return keepUnderWriteback(k, tid, pfn, ret);
    } else {
      filemapWriteback(k, pfn);
    }
  }
  // __remove_mapping: folio_ref_freeze(folio, 1 + cache refs)
  const cacheRefs = (k.get(L.PG_SWAP, pfn) ? 1 : 0) + (k.get(L.PG_MAPPING, pfn) ? 1 : 0);
  if (k.get(L.PG_REF, pfn) !== 1 + cacheRefs) return keep(k, tid, pfn, ret);
  if (anon) deleteFromSwapCache(k, pfn);
  else filemapRemoveFolio(k, pfn);
  reclaimProgress(k, k.g.pfnNode[pfn]!);
  if (hasFix(k.cfg, 'reclaim-free-calls-free-folio')) {
    folioPut(k, tid, pfn);
  } else {
    // free_unref_folios: the refcount was frozen to 0; no free_folio hook.
    k.set(L.PG_REF, pfn, 0);
    freeFolioToBuddy(k, pfn);
  }
  if (k.log) k.trace(`shrink_folio_list: pfn ${pfn} reclaimed`);
  return true;
}

/** keep: unmapped and in the swap cache, its write in flight; onto ret_folios. */
function keepUnderWriteback(k: Kernel, tid: number, pfn: number, ret: number[]): boolean {
  ret.push(pfn);
  markKept(k, tid, pfn);
  if (k.log) k.trace(`shrink_folio_list: pfn ${pfn} under writeback, kept (ret_folios)`);
  return false;
}

/** activate_locked + keep_locked: the folio is marked active, unlocked and put on ret_folios (still isolated). */
function keep(k: Kernel, tid: number, pfn: number, ret: number[]): boolean {
  k.setBits(k.L.PG_FLAGS, pfn, PG_active);
  ret.push(pfn);
  markKept(k, tid, pfn);
  if (k.log) k.trace(`shrink_folio_list: pfn ${pfn} kept (activate_locked, ret_folios)`);
  return false;
}

/**
 * move_folios_to_lru: each kept folio goes straight onto the lruvec
 * (folio_set_lru, lruvec_add_folio), not through an lru_add batch, and its
 * isolation reference is dropped with folio_put_testzero. If that was the last
 * reference (another thread zapped, unmapped or unpinned the folio since
 * shrink_folio_list kept it), the folio is freed through the free_folios
 * batch: __folio_clear_lru_flags, mem_cgroup_uncharge_folios,
 * free_unref_folios. v4 hooks free_folio only in __folio_put and
 * folios_put_refs, so a private-node folio freed here skips the service's
 * free_folio callback (fix 'putback-free-calls-free-folio' routes it through
 * the hook).
 */
// mm/vmscan.c: move_folios_to_lru
export function moveFoliosToLru(k: Kernel, tid: number, list: readonly number[]): void {
  const L = k.L;
  for (const pfn of list) {
    k.setBits(L.PG_FLAGS, pfn, PG_lru);
    const ref = k.get(L.PG_REF, pfn);
    if (ref !== 1) {
      folioPut(k, tid, pfn); // folio_put_testzero false (or a put on a free folio, recorded by folioPut)
      continue;
    }
    // folio_put_testzero hit 0: __folio_clear_lru_flags, then the free_folios batch.
    k.clearBits(L.PG_FLAGS, pfn, PG_lru | PG_active | PG_unevictable);
    if (k.log) k.trace(`move_folios_to_lru: pfn ${pfn} lost its last other reference while kept: freed`);
    if (hasFix(k.cfg, 'putback-free-calls-free-folio')) {
      folioPut(k, tid, pfn);
    } else {
      // mem_cgroup_uncharge_folios + free_unref_folios: no free_folio hook.
      k.set(L.PG_REF, pfn, 0);
      freeFolioToBuddy(k, pfn);
    }
  }
}

/** kswapd of the folio's node kept it in its current pass (passKept decides whether the pass is over). */
function markKept(k: Kernel, tid: number, pfn: number): void {
  const nid = k.g.pfnNode[pfn]!;
  if (tid !== k.g.kswapdThread(nid)) return;
  const i = pfn - nodePfnRange(k.m, nid).first;
  k.setBits(k.L.NODE_KSWAPD_KEPT, keptWord(k, nid, Math.floor(i / 16)), 1 << (i % 16));
}
