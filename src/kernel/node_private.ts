// drivers/base/node.c (node_private_register / set_ops / clear_ops /
// unregister, show_has_memory) and include/linux/node_private.h, mm/internal.h
// (dispatch helpers). SEMANTICS 4.
//
// Model of the structs: one np slot per private node, in cfg order (the
// struct node_private its driver embeds). pgdat->node_private is NODE_NP
// (slot + 1, 0 = NULL), pgdat->private is NODE_PRIVATE, np->ops is NP_OPS (an
// ops table id). RCU read sections of a single step are not visible to other
// threads and are not recorded; a thread that holds RCU across steps sets
// LK_RCU, and synchronize_rcu waits for no thread to hold it.

import { checkClearOpsRow, checkMigrated, checkRegisterRow, checkSetOpsRow, checkUnregisterRow, migrationHomes, npRowState, onNode } from './contracts.ts';
import { hasFix } from './config.ts';
import {
  BLOCK_ABSENT, EBUSY, EINVAL, ENODEV, ENOENT, errname, N_MEMORY, N_MEMORY_PRIVATE, NP_OPS_COMPACTION, NP_OPS_MEMPOLICY,
  NP_OPS_MIGRATION, NP_OPS_NUMA_BALANCING, NP_OPS_PROTECT_WRITE,
} from './defs.ts';
import type { Kernel } from './kernel.ts';
import { EV_NP_HELD_AFTER_UNREG, EV_OPS_AFTER_UNREGISTER, LK_RCU, REF_NP } from './layout.ts';
import { opsById, type NodePrivateOps } from './ops_table.ts';
import { folioNrPages } from './folio.ts';
import { ghostLegitWrite, setPageContent } from './page.ts';
import { ran } from './ran.ts';
import { event2, EV2_NODEMASK_OOB } from './ghost.ts';
import { npOpsWritten, npUnregistered } from './np_owner.ts';

/**
 * node_possible(nid) = test_bit(nid, node_states[N_POSSIBLE]): a bit test, not
 * a range check. For NUMA_NO_NODE (-1) or a nid >= MAX_NUMNODES the bit lies
 * outside the nodemask: an out-of-bounds read (undefined behaviour; on x86 `bt`
 * with a negative offset reads the word before the mask). The model records
 * it (INV-MEM-SAFETY) and reads the bit as clear. The model's nodes are the
 * possible ones; MAX_NUMNODES is taken as the model's node count.
 */
// include/linux/nodemask.h: node_possible -> node_state -> test_bit
function nodePossibleApi(k: Kernel, nid: number): boolean {
  if (!Number.isInteger(nid) || nid < 0 || nid >= k.g.nodes) {
    event2(k, EV2_NODEMASK_OOB);
    return false;
  }
  return true;
}

/** The model's own range test (helpers, invariants): no kernel bit test, nothing recorded. */
function nodePossible(k: Kernel, nid: number): boolean {
  return Number.isInteger(nid) && nid >= 0 && nid < k.g.nodes;
}

function hasState(k: Kernel, nid: number, st: number): boolean {
  return k.has(k.L.NODE_STATES, nid, st);
}

/** np slot of a private node (the struct its driver embeds), or -1 for a DRAM node. */
export function npSlotOfNode(k: Kernel, nid: number): number {
  if (!nodePossible(k, nid) || k.cfg.nodes[nid]!.kind !== 'private') return -1;
  let slot = 0;
  for (let n = 0; n < nid; n++) if (k.cfg.nodes[n]!.kind === 'private') slot++;
  return slot;
}

/** rcu_dereference(pgdat->node_private): the registered np slot, or -1 for NULL. */
export function nodePrivateNp(k: Kernel, nid: number): number {
  if (!nodePossible(k, nid)) return -1;
  return k.get(k.L.NODE_NP, nid) - 1;
}

/** np->ops id of the node's registered np (OPS_NULL if none). */
function nodeOpsId(k: Kernel, nid: number): number {
  const slot = nodePrivateNp(k, nid);
  return slot < 0 ? 0 : k.get(k.L.NP_OPS, slot);
}

/**
 * Ghost hook: a callback of the node's ops is about to run. If the node's np
 * was unregistered (GH_NP_UNREG_OPS set), that breaks the node_private.h
 * promise (INV-NO-OPS-AFTER-UNREGISTER). Call it at every callback invocation.
 */
export function noteOpsCallback(k: Kernel, nid: number): void {
  const slot = npSlotOfNode(k, nid);
  if (slot >= 0 && k.get(k.L.GH_NP_UNREG_OPS, slot) !== 0) k.event(EV_OPS_AFTER_UNREGISTER);
}

/** folio_is_private_node(f): N_MEMORY_PRIVATE(folio_nid(f)), a live node-state test. */
export function folioIsPrivateNode(k: Kernel, pfn: number): boolean {
  return hasState(k, k.g.pfnNode[pfn]!, N_MEMORY_PRIVATE);
}

/** folio_is_private_managed(f): zone_device (not modelled) or private node. */
export function folioIsPrivateManaged(k: Kernel, pfn: number): boolean {
  return folioIsPrivateNode(k, pfn);
}

/** folio_node_private_ops(f): read np and ops under RCU, then drop RCU (R4). */
// include/linux/node_private.h: folio_node_private_ops
export function folioNodePrivateOps(k: Kernel, pfn: number): NodePrivateOps | null {
  return opsById(k, nodeOpsId(k, k.g.pfnNode[pfn]!));
}

/**
 * node_private_flags(nid): (np && np->ops) ? np->ops->flags : 0.
 * Fix private-no-ops-protected: a private node whose ops are NULL reads
 * PROTECT_WRITE | MIGRATION (see privateNodeWithoutOps).
 */
// include/linux/node_private.h: node_private_flags
export function nodePrivateFlags(k: Kernel, nid: number): number {
  const ops = opsById(k, nodeOpsId(k, nid));
  if (!ops && privateNodeWithoutOps(k, nid)) return NP_OPS_PROTECT_WRITE | NP_OPS_MIGRATION;
  return ops ? ops.flags : 0;
}

/** node_private_has_flag(nid, flag): live read; no np or no ops reads as 0. */
export function nodePrivateHasFlag(k: Kernel, nid: number, flag: number): boolean {
  return (nodePrivateFlags(k, nid) & flag) !== 0;
}

/** node_private_migration_blocked(nid): READ_ONCE(np->migration_blocked). */
// include/linux/node_private.h: node_private_migration_blocked
export function nodePrivateMigrationBlocked(k: Kernel, nid: number): boolean {
  const slot = nodePrivateNp(k, nid);
  return slot >= 0 && k.get(k.L.NP_MIGRATION_BLOCKED, slot) !== 0;
}

/** node_mpol_eligible(nid): N_MEMORY for normal nodes, MEMPOLICY for private ones. */
// include/linux/node_private.h: node_mpol_eligible
export function nodeMpolEligible(k: Kernel, nid: number): boolean {
  if (!hasState(k, nid, N_MEMORY_PRIVATE)) return hasState(k, nid, N_MEMORY);
  return nodePrivateHasFlag(k, nid, NP_OPS_MEMPOLICY);
}

/** nodes_private_mpol_allowed(nodes): >= 1 private node and all of them eligible. */
// include/linux/node_private.h: nodes_private_mpol_allowed
export function nodesPrivateMpolAllowed(k: Kernel, nodes: number): boolean {
  let eligible = false;
  for (let n = 0; n < k.g.nodes; n++) {
    if ((nodes & (1 << n)) === 0 || !hasState(k, n, N_MEMORY_PRIVATE)) continue;
    if (!nodeMpolEligible(k, n)) return false;
    eligible = true;
  }
  return eligible;
}

/**
 * Fix private-no-ops-protected: a private node (N_MEMORY_PRIVATE) whose np has
 * no ops (the service cleared them, e.g. cram_unregister_private_node in the
 * driver's pre_teardown, while the memory is still online) reads as
 * PROTECT_WRITE + MIGRATION instead of "no flags" (node_private_flags), so
 * folio_managed_wrprotect and folio_managed_allows_migrate keep the folios
 * write-protected and let offline/mbind/cpuset migrate them off the node;
 * folio_managed_on_free zeroes such a folio before the buddy gets it.
 */
export function privateNodeWithoutOps(k: Kernel, nid: number): boolean {
  return hasFix(k.cfg, 'private-no-ops-protected') && hasState(k, nid, N_MEMORY_PRIVATE) && nodeOpsId(k, nid) === 0;
}

/** folio_managed_wrprotect(f): the folio's node is private with NP_OPS_PROTECT_WRITE. */
// mm/internal.h: folio_managed_wrprotect
export function folioManagedWrprotect(k: Kernel, pfn: number): boolean {
  return folioIsPrivateManaged(k, pfn) && nodePrivateHasFlag(k, k.g.pfnNode[pfn]!, NP_OPS_PROTECT_WRITE);
}

/** folio_managed_allows_migrate(f): private folios need NP_OPS_MIGRATION; others always. */
// include/linux/node_private.h: folio_managed_allows_migrate
export function folioManagedAllowsMigrate(k: Kernel, pfn: number): boolean {
  if (folioIsPrivateNode(k, pfn)) return nodePrivateHasFlag(k, k.g.pfnNode[pfn]!, NP_OPS_MIGRATION);
  return true;
}

/** folio_managed_allows_user_migrate(f): the folio's nid if its node has MIGRATION, else -ENOENT. */
// include/linux/node_private.h: folio_managed_allows_user_migrate
export function folioManagedAllowsUserMigrate(k: Kernel, pfn: number): number {
  const nid = k.g.pfnNode[pfn]!;
  return nodePrivateHasFlag(k, nid, NP_OPS_MIGRATION) ? nid : -ENOENT;
}

/** folio_managed_allows_numa(f): normal folios yes; private ones need NUMA_BALANCING. */
// include/linux/node_private.h: folio_managed_allows_numa
export function folioManagedAllowsNuma(k: Kernel, pfn: number): boolean {
  if (!folioIsPrivateManaged(k, pfn)) return true;
  return nodePrivateHasFlag(k, k.g.pfnNode[pfn]!, NP_OPS_NUMA_BALANCING);
}

/**
 * internal.h folio_managed_on_free: run free_folio; true = kept out of the
 * buddy. Called whenever the callback is non-NULL: no flag gates it (4.2).
 */
// mm/internal.h: folio_managed_on_free
export function folioManagedOnFree(k: Kernel, tid: number, pfn: number): boolean {
  ran(k, 'folio_managed_on_free');
  if (!folioIsPrivateManaged(k, pfn)) return false;
  const ops = folioNodePrivateOps(k, pfn);
  if (!ops && privateNodeWithoutOps(k, k.g.pfnNode[pfn]!)) {
    // Fix private-no-ops-protected: with the service gone, zero the folio on free
    // (folio_zero_range, as cram_free_folio_cb does without a cram node).
    const nr = Math.max(1, folioNrPages(k, pfn));
    for (let i = 0; i < nr; i++) {
      setPageContent(k, pfn + i, 0);
      ghostLegitWrite(k, pfn + i);
    }
    k.trace(`folio_managed_on_free(pfn ${pfn}): private node without ops -> zeroed`);
    return false;
  }
  if (!ops || !ops.freeFolio) return false;
  // RCU is dropped here: the driver's cram_unregister may land before the call (src/kernel/free_window.ts).
  if (k.freeWindow) k.freeWindow.hook(k, tid, pfn);
  noteOpsCallback(k, k.g.pfnNode[pfn]!);
  const kept = ops.freeFolio(k, tid, pfn);
  k.trace(`${ops.name}.free_folio(pfn ${pfn}) = ${kept}`);
  return kept;
}

/** folio_managed_split_cb(f, new|NULL): ops->folio_split if present. */
// include/linux/node_private.h: folio_managed_split_cb
export function folioManagedSplitCb(k: Kernel, pfn: number, newPfn: number): void {
  if (!folioIsPrivateNode(k, pfn)) return;
  const ops = folioNodePrivateOps(k, pfn);
  if (!ops || !ops.folioSplit) return;
  noteOpsCallback(k, k.g.pfnNode[pfn]!);
  ops.folioSplit(k, pfn, newPfn);
}

/** migrate.c: folio_migrate callback, only if src is private. */
// mm/migrate.c: migrate_folio_move (v4 hook)
export function folioManagedMigrateCb(k: Kernel, src: number, dst: number): void {
  ran(k, 'folio_managed_migrate_notify');
  if (!folioIsPrivateNode(k, src)) return;
  const ops = folioNodePrivateOps(k, src);
  if (!ops || !ops.folioMigrate) return;
  noteOpsCallback(k, k.g.pfnNode[src]!);
  ops.folioMigrate(k, src, dst);
}

/** memory_failure callback: notification only. */
// mm/memory-failure.c: memory_failure (v4 hook)
export function folioManagedMemoryFailure(k: Kernel, pfn: number): void {
  if (!folioIsPrivateNode(k, pfn)) return;
  const ops = folioNodePrivateOps(k, pfn);
  if (!ops || !ops.memoryFailure) return;
  noteOpsCallback(k, k.g.pfnNode[pfn]!);
  ops.memoryFailure(k, pfn);
}

export interface ReclaimPolicy {
  readonly active: boolean;
  readonly mayswap: boolean;
  readonly maywritepage: boolean;
  readonly managedWatermarks: boolean;
}

/** node_private_reclaim_policy(nid, &pol): under RCU; sets active when a callback ran. */
// mm/internal.h: node_private_reclaim_policy
export function nodePrivateReclaimPolicy(k: Kernel, nid: number): ReclaimPolicy {
  const ops = opsById(k, nodeOpsId(k, nid));
  if (!ops || !ops.reclaimPolicy) return { active: false, mayswap: false, maywritepage: false, managedWatermarks: false };
  noteOpsCallback(k, nid);
  const p = ops.reclaimPolicy(k, nid);
  return { active: true, ...p };
}

/**
 * node_private_migrate_to, first half: under RCU, np && ops && ops->migrate_to
 * && refcount_inc_not_zero, else -ENODEV. On success the thread holds REF_NP
 * until nodePrivateMigrateToPut. The MIGRATION flag is NOT checked (4.2, A5).
 */
// include/linux/node_private.h: node_private_migrate_to
export function nodePrivateMigrateToGet(k: Kernel, tid: number, nid: number): number {
  ran(k, 'node_private_migrate_to');
  const slot = nodePrivateNp(k, nid);
  if (slot < 0) return -ENODEV;
  const ops = opsById(k, k.get(k.L.NP_OPS, slot));
  if (!ops || !ops.migrateTo) return -ENODEV;
  if (k.cfg.mutant !== 'migrate-to-no-ref') {
    if (k.get(k.L.NP_REFCOUNT, slot) === 0) return -ENODEV;
    k.add(k.L.NP_REFCOUNT, slot, 1);
  }
  k.setBits(k.L.THR_REFS, tid, REF_NP);
  return 0;
}

/** node_private_migrate_to, call: outside RCU, with the reference held. */
export function nodePrivateMigrateToCall(k: Kernel, tid: number, list: number[], nid: number, mode: number, reason: number): { ret: number; nrSucceeded: number } {
  // The thread's reference pins the np slot of nid (the pointer may be cleared meanwhile).
  const slot = npSlotOfNode(k, nid);
  const opsId = slot < 0 ? 0 : k.get(k.L.NP_OPS, slot);
  const ops = opsById(k, opsId);
  // The callee was fetched under RCU in the first half; if clear_ops ran since,
  // the kernel still calls the old function pointer (R4): same static table here.
  if (!ops || !ops.migrateTo) return { ret: -ENODEV, nrSucceeded: 0 };
  noteOpsCallback(k, nid);
  const homes = migrationHomes(k, list); // contract: what it reports moved is on nid
  const r = ops.migrateTo(k, tid, list, nid, mode, reason);
  checkMigrated(k, homes, list, r.nrSucceeded, onNode(nid));
  k.trace(`${ops.name}.migrate_to(nid ${nid}, ${list.length} left) = ${r.ret}`);
  return r;
}

/** node_private_migrate_to, second half: refcount_dec_and_test -> complete(&released). */
export function nodePrivateMigrateToPut(k: Kernel, tid: number, nid: number): void {
  const slot = npSlotOfNode(k, nid);
  k.clearBits(k.L.THR_REFS, tid, REF_NP);
  if (slot < 0 || k.cfg.mutant === 'migrate-to-no-ref') return;
  k.add(k.L.NP_REFCOUNT, slot, -1);
  if (k.get(k.L.NP_REFCOUNT, slot) === 0) k.set(k.L.NP_RELEASED, slot, 1);
}

/** node_private_migrate_to(list, nid, mode, reason, &nr): ref under RCU, call outside, put. */
export function nodePrivateMigrateTo(k: Kernel, tid: number, list: number[], nid: number, mode: number, reason: number): { ret: number; nrSucceeded: number } {
  const got = nodePrivateMigrateToGet(k, tid, nid);
  if (got !== 0) {
    k.trace(`node_private_migrate_to(nid ${nid}) = -ENODEV`);
    return { ret: got, nrSucceeded: 0 };
  }
  const r = nodePrivateMigrateToCall(k, tid, list, nid, mode, reason);
  nodePrivateMigrateToPut(k, tid, nid);
  return r;
}

/**
 * node_private_register(nid, np): np is an np slot (-1 = NULL). Checks in the
 * order of 4.4. Does not reset np->ops. otherNp: np is not the object the slot
 * holds (a driver's new np while an earlier instance's np is still
 * registered): a registered slot then means "another np" (-EBUSY).
 */
// drivers/base/node.c: node_private_register
export function nodePrivateRegister(k: Kernel, nid: number, slot: number, otherNp = false): number {
  ran(k, 'node_private_register');
  const L = k.L;
  const pre = npRowState(k, nid, slot);
  let ret: number;
  if (slot < 0 || !nodePossibleApi(k, nid)) ret = -EINVAL;
  else if (!k.get(L.G_NP_INITIALIZED)) ret = -ENODEV;
  // node_private_lock, mem_hotplug_begin
  else if (hasState(k, nid, N_MEMORY) && k.cfg.mutant !== 'register-ignores-n-memory') ret = -EBUSY;
  // (Mutant register-accepts-other-np, mutants/regions.ts: another np registered counts as this one.)
  else if (k.get(L.NODE_NP, nid) !== 0 && (otherNp || k.get(L.NODE_NP, nid) !== slot + 1) && k.cfg.mutant !== 'register-accepts-other-np') ret = -EBUSY;
  else if (k.get(L.NODE_NP, nid) !== 0) ret = 0;
  else {
    k.set(L.NP_REFCOUNT, slot, 1);
    k.set(L.NP_RELEASED, slot, 0); // init_completion
    k.set(L.GH_NP_UNREG_OPS, slot, 0);
    k.set(L.NODE_NP, nid, slot + 1);
    k.set(L.NODE_PRIVATE, nid, 1);
    ret = 0;
  }
  k.trace(`node_private_register(${nid}, np${slot}) = ${errname(ret)}`);
  checkRegisterRow(k, nid, slot, ret, pre);
  return ret;
}

/** node_private_set_ops(nid, ops): flag checks, then -ENODEV without np; overwrites any ops. */
// drivers/base/node.c: node_private_set_ops
export function nodePrivateSetOps(k: Kernel, nid: number, opsId: number): number {
  ran(k, 'node_private_set_ops');
  const ops = opsById(k, opsId);
  const pre = npRowState(k, nid);
  let ret = 0;
  if (!ops || !nodePossibleApi(k, nid)) ret = -EINVAL;
  else {
    const f = ops.flags;
    if ((f & NP_OPS_MIGRATION) && (!ops.migrateTo || !ops.folioMigrate)) ret = -EINVAL;
    else if ((f & NP_OPS_MEMPOLICY) && !(f & NP_OPS_MIGRATION)) ret = -EINVAL;
    else if ((f & NP_OPS_MEMPOLICY) && (f & NP_OPS_PROTECT_WRITE)) ret = -EINVAL;
    else if ((f & NP_OPS_NUMA_BALANCING) && !(f & NP_OPS_MIGRATION)) ret = -EINVAL;
    else if ((f & NP_OPS_COMPACTION) && !(f & NP_OPS_MIGRATION)) ret = -EINVAL;
    else {
      const slot = nodePrivateNp(k, nid);
      if (slot < 0) ret = -ENODEV;
      else {
        k.set(k.L.NP_OPS, slot, opsId);
        npOpsWritten(k);
      }
    }
    // Contract mutant set-ops-einval-stores (mutants/contracts.ts): a flag-check -EINVAL still stores the ops.
    const slot = nodePrivateNp(k, nid);
    if (k.cfg.mutant === 'set-ops-einval-stores' && ret === -EINVAL && slot >= 0) k.set(k.L.NP_OPS, slot, opsId);
  }
  k.trace(`node_private_set_ops(${nid}, ${ops ? ops.name : 'NULL'}) = ${errname(ret)}`);
  checkSetOpsRow(k, nid, opsId, ret, pre);
  return ret;
}

/** node_private_clear_ops(nid, ops): ops := NULL without synchronize_rcu. */
// drivers/base/node.c: node_private_clear_ops
export function nodePrivateClearOps(k: Kernel, nid: number, opsId: number): number {
  ran(k, 'node_private_clear_ops');
  const pre = npRowState(k, nid);
  let ret = 0;
  if (!nodePossibleApi(k, nid)) ret = -EINVAL;
  else {
    const slot = nodePrivateNp(k, nid);
    if (slot < 0) ret = -ENODEV;
    else if (k.get(k.L.NP_OPS, slot) !== opsId) {
      ret = -EINVAL;
      // Contract mutant clear-ops-mismatch-clears (mutants/contracts.ts): the mismatch is reported but the ops are cleared.
      if (k.cfg.mutant === 'clear-ops-mismatch-clears') k.set(k.L.NP_OPS, slot, 0);
    } else {
      k.set(k.L.NP_OPS, slot, 0);
      npOpsWritten(k);
    }
  }
  k.trace(`node_private_clear_ops(${nid}, ops#${opsId}) = ${errname(ret)}`);
  checkClearOpsRow(k, nid, opsId, ret, pre);
  return ret;
}

/**
 * node_private_unregister(nid), first stage (under node_private_lock and
 * mem_hotplug_lock): 0 when !possible or no np (nothing to finish), -EBUSY
 * while N_MEMORY_PRIVATE, else clear the pointer and pgdat->private.
 */
// drivers/base/node.c: node_private_unregister
export function nodePrivateUnregisterBegin(k: Kernel, nid: number): number {
  ran(k, 'node_private_unregister');
  const pre = npRowState(k, nid);
  let ret = 0;
  if (!nodePossibleApi(k, nid) || nodePrivateNp(k, nid) < 0) ret = 0;
  else if (hasState(k, nid, N_MEMORY_PRIVATE) && k.cfg.mutant !== 'unregister-while-online') ret = -EBUSY;
  // Fix (not v4): present-but-offline blocks keep the np, or onlining them later makes the node N_MEMORY.
  // (The unregister-while-online mutant skips this -EBUSY too: with the fix on it would mask the mutant.)
  else if (hasFix(k.cfg, 'unregister-busy-while-present') && k.cfg.mutant !== 'unregister-while-online' && nodeHasPresentBlock(k, nid)) ret = -EBUSY;
  else {
    // Conformance mutant unregister-clears-ops: np->ops = NULL with the pointer (v4 leaves ops alone).
    if (k.cfg.mutant === 'unregister-clears-ops') k.set(k.L.NP_OPS, nodePrivateNp(k, nid), 0);
    npUnregistered(k, nodePrivateNp(k, nid));
    k.set(k.L.NODE_NP, nid, 0);
    k.set(k.L.NODE_PRIVATE, nid, 0);
  }
  k.trace(`node_private_unregister(${nid}) [clear pointer] = ${errname(ret)}`);
  checkUnregisterRow(k, nid, ret, pre);
  return ret;
}

function nodeHasPresentBlock(k: Kernel, nid: number): boolean {
  for (let i = 0; i < k.g.blocks.length; i++) if (k.g.blocks[i]!.node === nid && k.get(k.L.BLOCK_STATE, i) !== BLOCK_ABSENT) return true;
  return false;
}

function anyOtherThreadInRcu(k: Kernel, tid: number): boolean {
  for (let t = 0; t < k.g.threads.length; t++) if (t !== tid && k.has(k.L.THR_LOCKS, t, LK_RCU)) return true;
  return false;
}

/**
 * node_private_unregister, second stage (locks dropped), first half:
 * synchronize_rcu (no other thread holds LK_RCU; false while it waits), then
 * refcount_dec of the base reference. v4 drops the base reference before it
 * sleeps in wait_for_completion (nodePrivateUnregisterWait), so a temporary
 * holder's put can be the last one.
 * A slot with refcount 0 was never registered (Begin found no np): nothing to drop.
 */
// drivers/base/node.c: node_private_unregister (synchronize_rcu; refcount_dec_and_test)
export function nodePrivateUnregisterDrop(k: Kernel, nid: number, tid: number): boolean {
  const slot = npSlotOfNode(k, nid);
  if (slot < 0 || k.get(k.L.NP_REFCOUNT, slot) === 0) return true;
  if (anyOtherThreadInRcu(k, tid)) return false; // synchronize_rcu still waiting
  k.add(k.L.NP_REFCOUNT, slot, -1);
  if (k.get(k.L.NP_REFCOUNT, slot) === 0) k.set(k.L.NP_RELEASED, slot, 1);
  else if (k.log) k.trace(`node_private_unregister(${nid}): base reference dropped, ${k.get(k.L.NP_REFCOUNT, slot)} held`);
  return true;
}

/**
 * node_private_unregister, second half: wait_for_completion(&np->released)
 * (false while a temporary reference is out), then return 0; records
 * GH_NP_UNREG_OPS = ops id + 1 for the invariants.
 */
// drivers/base/node.c: node_private_unregister (wait_for_completion)
export function nodePrivateUnregisterWait(k: Kernel, nid: number): boolean {
  const slot = npSlotOfNode(k, nid);
  if (slot < 0) return true;
  const noDrain = k.cfg.mutant === 'unregister-no-drain';
  if (!noDrain && k.get(k.L.NP_RELEASED, slot) === 0 && k.get(k.L.NP_REFCOUNT, slot) > 0) return false;
  unregisterReturned(k, nid, slot);
  return true;
}

function unregisterReturned(k: Kernel, nid: number, slot: number): void {
  // Ghost: unregister returns 0 while references to this np are still out (SEMANTICS 9.13).
  if (k.get(k.L.NP_REFCOUNT, slot) > 0) k.event(EV_NP_HELD_AFTER_UNREG);
  k.set(k.L.GH_NP_UNREG_OPS, slot, k.get(k.L.NP_OPS, slot) + 1);
  k.trace(`node_private_unregister(${nid}) = 0`);
}

/**
 * node_private_unregister's second stage in one call, for a caller that runs
 * the whole unregister inside one step (the add_private_memory_driver_managed
 * error path, a driver op on a user CPU): the grace period is taken as
 * elapsed and nothing is waited for (no reference to an np registered a
 * moment ago under the same lock exists). Returns true.
 */
export function nodePrivateUnregisterFinish(k: Kernel, nid: number): boolean {
  const slot = npSlotOfNode(k, nid);
  if (slot < 0 || k.get(k.L.NP_REFCOUNT, slot) === 0) return true;
  k.add(k.L.NP_REFCOUNT, slot, -1);
  if (k.get(k.L.NP_REFCOUNT, slot) === 0) k.set(k.L.NP_RELEASED, slot, 1);
  unregisterReturned(k, nid, slot);
  return true;
}

/** show_has_memory: N_MEMORY ∪ {private nodes with NP_OPS_MEMPOLICY}, as a nodemask. */
// drivers/base/node.c: show_has_memory
export function showHasMemory(k: Kernel): number {
  let m = 0;
  for (let n = 0; n < k.g.nodes; n++) {
    if (hasState(k, n, N_MEMORY)) m |= 1 << n;
    else if (hasState(k, n, N_MEMORY_PRIVATE) && nodePrivateHasFlag(k, n, NP_OPS_MEMPOLICY)) m |= 1 << n;
  }
  return m;
}

/** show_has_private_memory: N_MEMORY_PRIVATE as a nodemask. */
export function showHasPrivateMemory(k: Kernel): number {
  let m = 0;
  for (let n = 0; n < k.g.nodes; n++) if (hasState(k, n, N_MEMORY_PRIVATE)) m |= 1 << n;
  return m;
}
