// A second CXL region on the private node, driven by the cxl_mempolicy driver
// (drivers/cxl/type3_drivers/cxl_mempolicy/mempolicy.c), v4's other private
// node service: two CXL regions in one fixed memory window (two devices, or a
// device beside the compression device) share the NUMA node, and each region
// gets its own struct cxl_sysram with its own embedded struct node_private
// (drivers/cxl/core/region_sysram.c: devm_cxl_add_sysram sets
// sysram->np.owner = sysram; sysram_hotplug_add passes &sysram->np).
//
// The driver's attach probe and remove run as program ops of a user CPU, in
// two steps each (modelling choice: their inner steps take mem_hotplug_lock and
// node_private_lock one after another, but every state another thread can
// see between them is one this thread's op reaches at its end or start). The
// offline inside the remove's release is offline_and_remove_private_memory's
// stepped rounds (src/kernel/memory_hotplug.ts offlineAndRemoveStep, the
// driver's own), with a signal to the unbinding task as that CPU's choice 2
// while offline_pages loops (pending until the op returns). The region is one
// the driver created (Phase 2 of cxl_mempolicy_attach_probe: ctx->cxlr is set,
// so remove destroys it and its sysram is released).

import { hasFix } from '../kernel/config.ts';
import { EBUSY, EINVAL, errname, MMOP_ONLINE_MOVABLE } from '../kernel/defs.ts';
import type { Kernel, Machine } from '../kernel/kernel.ts';
import { LK_RCU, THREAD_REGS } from '../kernel/layout.ts';
import { addPrivateMemoryDriverManaged, offlineAndRemoveInLoop, offlineAndRemoveStep, offlineAndRemoveWouldFinish, offlineBatchHeld, type RemoveResult } from '../kernel/memory_hotplug.ts';
import {
  nodePrivateClearOps, nodePrivateNp, nodePrivateSetOps, nodePrivateUnregisterFinish, npSlotOfNode,
} from '../kernel/node_private.ts';
import { hasRegionB, npSlotGiveBack, npSlotTakenByB, rbClear, rbFlags, rbSet, RB_NP, RB_NP_FREED, RB_OPS_BY_B, RB_RES, RB_SYSRAM } from '../kernel/np_owner.ts';
import { regionBBlocks } from './regions.ts';
import { DF_NP_UNREG } from './compression.ts';

/** ctx->nid != NUMA_NO_NODE: setup_private_node's node_private_set_ops succeeded (remove then clears the ops). */
export const RB_CTX_NID = 1 << 6;
/** setup_private_node is between devm_cxl_add_sysram and node_private_set_ops (its second step is next). */
export const RB_PROBING = 1 << 7;
/** cxl_sysram_release is inside offline_and_remove_private_memory (offlineAndRemoveStep's rounds, the remover CPU's registers). */
export const RB_OFFLINING = 1 << 8;
/** A signal is pending for the unbinding task (delivered while offline_pages looped; cleared when the op returns). */
export const RB_SIGNAL = 1 << 9;

/** Does CPU cpu's program remove region B (then it has a third choice: a signal while the release's offline loops)? */
export function cpuRemovesRegionB(m: Machine, cpu: number): boolean {
  return m.cfg.cpus[cpu]?.program.some((o) => o.op === 'cxl_mempolicy_remove') ?? false;
}

/** The remover's registers for offlineAndRemoveStep: all of its thread's (the remove op keeps none of its own). */
function oarBase(tid: number): number {
  return tid * THREAD_REGS;
}

/** The CPU whose release of region B is inside offline_and_remove_private_memory, or -1. */
function offliningTid(k: Kernel): number {
  if (!(rbFlags(k) & RB_OFFLINING)) return -1;
  for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
    if (!cpuRemovesRegionB(k.m, cpu)) continue;
    const tid = k.g.cpuThread(cpu);
    const op = k.cfg.cpus[cpu]!.program[k.get(k.L.THR_PC, tid)];
    if (op?.op === 'cxl_mempolicy_remove') return tid;
  }
  return -1;
}

/** The folios region B's release holds isolated in do_migrate_range's migrate_pages (the properties' holders). */
export function regionBOfflineHeld(k: Kernel): number[] {
  const tid = offliningTid(k);
  return tid < 0 ? [] : offlineBatchHeld(k, tid, oarBase(tid));
}

/**
 * A signal to the task unbinding region B (CPU choice 2): only while its
 * release's offline_pages loops (the only place it is read,
 * signal_pending(current)); it stays pending until the op returns.
 */
export function regionBRemoverSignal(k: Kernel, cpu: number): boolean {
  const tid = k.g.cpuThread(cpu);
  if (!hasRegionB(k) || (rbFlags(k) & RB_SIGNAL) || offliningTid(k) !== tid || !offlineAndRemoveInLoop(k, oarBase(tid))) return false;
  rbSet(k, RB_SIGNAL);
  k.trace(`signal delivered to cpu${cpu}'s task (signal_pending), inside region B's offline_pages`);
  return true;
}

/**
 * sysram_hotplug_add of region B's (new) sysram: add_private_memory_driver_managed
 * with &sysram->np. If no np is registered, the model's np slot becomes region
 * B's np (its fields saved for region A's); if one is, B's np is another
 * object and node_private_register returns -EBUSY.
 */
// drivers/cxl/core/region_sysram.c: sysram_hotplug_add
function sysramBHotplugAdd(k: Kernel, nid: number): number {
  const { first, n } = regionBBlocks(k, nid);
  if (n === 0) return -EINVAL;
  const slot = npSlotOfNode(k, nid);
  const free = nodePrivateNp(k, nid) < 0;
  if (free) npSlotTakenByB(k, slot);
  const rc = addPrivateMemoryDriverManaged(k, nid, first, n, MMOP_ONLINE_MOVABLE, slot, !free);
  if (free) {
    if (rc === 0) rbSet(k, RB_NP);
    else npSlotGiveBack(k, slot);
  }
  if (rc === 0) rbSet(k, RB_RES);
  return rc;
}

/**
 * cxl_mempolicy's setup_private_node on region B, in two steps (each takes
 * its own locks; the hotplug machine sees the add and the ops as two
 * transitions): devm_cxl_add_sysram(cxlr, true, MMOP_ONLINE_MOVABLE) (a
 * negative node is rejected before any hotplug or node_private call; a failed
 * hot-add is only warned and the sysram stays), then
 * node_private_set_ops(nid, &cxl_mempolicy_ops) on whatever np the node has
 * registered. Returns true once the probe is done.
 */
// drivers/cxl/type3_drivers/cxl_mempolicy/mempolicy.c: setup_private_node
export function cxlMempolicyProbeStep(k: Kernel, nid: number, opsId: number): 'done' | 'again' | 'blocked' {
  if (rbFlags(k) & RB_PROBING) {
    rbClear(k, RB_PROBING);
    const r = nodePrivateSetOps(k, nid, opsId);
    if (r === 0) rbSet(k, RB_OPS_BY_B | RB_CTX_NID);
    k.trace(`cxl_mempolicy: setup_private_node(N${nid}): node_private_set_ops = ${errname(r)}`);
    return 'done';
  }
  if (rbFlags(k) & RB_SYSRAM) return 'done'; // bound already: the attach does not run again
  // drivers/cxl/core/region_sysram.c: devm_cxl_add_sysram (sysram_get_numa_node < 0 -> -EINVAL)
  if (nid < 0) {
    k.trace(`devm_cxl_add_sysram: rejecting region with invalid node: ${nid} (-EINVAL)`);
    return 'done';
  }
  // Modelling choice (one np slot per node): region B's np takes the slot only once region A's
  // np has left node_private_unregister (its pointer cleared, its references all dropped).
  if (npSlotBusy(k, nid)) return 'blocked';
  rbSet(k, RB_SYSRAM);
  const rc = sysramBHotplugAdd(k, nid);
  if (rc) {
    k.trace(`devm_cxl_add_sysram (region B): WARN: hotplug failed: ${errname(rc)}`);
    if (hasFix(k.cfg, 'sysram-add-fails-probe')) {
      // The fix: devm_cxl_add_sysram returns the error; setup_private_node returns it.
      rbClear(k, RB_SYSRAM);
      return 'done';
    }
  }
  rbSet(k, RB_PROBING);
  return 'again';
}

/**
 * No np registered, but the slot's np (region A's) is still inside
 * node_private_unregister's second stage: references out, or the driver not
 * yet back from wait_for_completion (DF_NP_UNREG).
 */
function npSlotBusy(k: Kernel, nid: number): boolean {
  const slot = npSlotOfNode(k, nid);
  if (slot < 0 || nodePrivateNp(k, nid) >= 0) return false;
  return k.get(k.L.NP_REFCOUNT, slot) > 0 || (k.get(k.L.DRV_FLAGS) & DF_NP_UNREG) !== 0;
}

/**
 * Must the remove wait before its next step? Only the release's last step,
 * which removes the range and runs node_private_unregister whole (its
 * synchronize_rcu and wait_for_completion, nodePrivateUnregisterFinish), waits
 * for RCU readers and np references; the model lets that step run only once
 * none is out (the test-op simplification of src/kernel/workload.ts). The
 * offline rounds before it do not wait.
 */
export function cxlMempolicyRemoveBlocked(k: Kernel, tid: number, nid: number): boolean {
  // The first step (clear_ops) does not wait.
  if ((rbFlags(k) & RB_CTX_NID) || !(rbFlags(k) & RB_RES)) return false;
  const { first, n } = regionBBlocks(k, nid);
  if (!offlineAndRemoveWouldFinish(k, first, n, oarBase(tid))) return false;
  const slot = nodePrivateNp(k, nid);
  if (slot < 0) return false;
  if (k.get(k.L.NP_REFCOUNT, slot) > 1) return true;
  for (let t = 0; t < k.g.threads.length; t++) if (t !== tid && k.has(k.L.THR_LOCKS, t, LK_RCU)) return true;
  return false;
}

/**
 * cxl_mempolicy_remove: WARN_ON(node_private_clear_ops(nid, ops)) if the
 * probe set them (under node_private_lock), then cxl_destroy_region: the
 * region's devm actions run sysram_unregister -> cxl_sysram_release, which
 * removes the range if the sysram holds it (sysram_hotplug_remove:
 * offline_and_remove_private_memory, a step per offline round, whose -EBUSY
 * from node_private_unregister counts as success) and kfree()s the sysram with
 * its embedded np, whatever happened. 'done' once the remove is done, 'again'
 * while steps are left, 'wait' while its migrate_pages waits for a PTL.
 */
// drivers/cxl/type3_drivers/cxl_mempolicy/mempolicy.c: cxl_mempolicy_remove
export function cxlMempolicyRemoveStep(k: Kernel, tid: number, nid: number, opsId: number): 'done' | 'again' | 'wait' {
  const f = rbFlags(k);
  if (!(f & RB_SYSRAM)) return 'done';
  if (f & RB_CTX_NID) {
    const c = nodePrivateClearOps(k, nid, opsId);
    if (c !== 0) k.trace(`WARN_ON(node_private_clear_ops(N${nid}) = ${errname(c)})`);
    rbClear(k, RB_CTX_NID);
    return 'again';
  }
  // drivers/cxl/core/region_sysram.c: cxl_sysram_release -> sysram_hotplug_remove
  let rc = 0;
  if (f & RB_RES) {
    const { first, n } = regionBBlocks(k, nid);
    rbSet(k, RB_OFFLINING);
    const r = offlineAndRemoveStep(k, nid, first, n, tid, oarBase(tid), (f & RB_SIGNAL) !== 0);
    if (r === 'wait') {
      if (!(f & RB_OFFLINING)) rbClear(k, RB_OFFLINING);
      return 'wait';
    }
    if (r === null) return 'again';
    rc = removeResult(k, nid, r);
  }
  // kfree(sysram): an np of it still registered is now freed memory. Fix sysram-release-keeps-np
  // (cxl_sysram_release is common code): a failed removal WARNs and leaks the sysram instead.
  if ((rbFlags(k) & RB_NP) && nodePrivateNp(k, nid) >= 0) {
    const keep = hasFix(k.cfg, 'sysram-release-keeps-np') && rc !== 0;
    if (!keep) rbSet(k, RB_NP_FREED);
    k.trace(keep ? 'cxl_sysram_release (region B): range still held: WARN, sysram (and np) kept' : 'cxl_sysram_release (region B): kfree(sysram) with its np still registered');
  }
  // The op returns to user space: a pending signal is taken there.
  rbClear(k, RB_SYSRAM | RB_RES | RB_OFFLINING | RB_SIGNAL);
  k.trace('cxl_mempolicy: region destroyed, sysram released');
  return 'done';
}

/** sysram_hotplug_remove's return once offline_and_remove_private_memory is done (-EBUSY from the unregister is success). */
function removeResult(k: Kernel, nid: number, r: RemoveResult): number {
  if (r.remove === 0 && r.unregister === 0) nodePrivateUnregisterFinish(k, nid);
  const e = r.remove !== 0 ? r.remove : r.unregister ?? 0;
  const rc = e && e !== -EBUSY ? e : 0;
  k.trace(`sysram_hotplug_remove (region B) = ${errname(rc)}${e === -EBUSY ? ' (-EBUSY from offline_and_remove_private_memory taken as success)' : ''}`);
  return rc;
}
