// drivers/cxl/core/region_sysram.c + the compression driver's probe/remove
// (convert_region_to_sysram, pre/post_teardown, cxl_compression_remove): the
// driver thread (SEMANTICS 7.2, 7.5).
//
// Choices: 0 = the next step of probe, then (once probed) of teardown, which
// ends back at "not probed" (a later choice 0 probes again); 1 = the sysram
// `hotplug` sysfs attribute: offline+remove when the range is added, re-add
// when it is not, WITHOUT touching CRAM.
//
// DRV_STATE (driver thread stage):
//   0 not probed
//   1 sysram added (devm_cxl_add_sysram; post_teardown registered)
//   2 flush context, kthread (probe steps 2-4: nothing outside the driver can
//     observe them before CRAM is registered, so they are one step)
//   3 cram_register + pre_teardown registered (steps 5-6)
//   4 probed (IRQs requested, step 7)
//   10 pre_teardown: cram_unregister stage 1 done -> synchronize_rcu
//   11 -> refcount drain spin
//   12 offline_and_remove attempts (REG[0] = attempts made)
// DF_OFFLINING is set while offline_and_remove_private_memory runs (from the
// teardown, the release or the sysfs attribute: DRV_STATE says which); its
// steps are offline_pages' rounds (src/kernel/memory_hotplug.ts). Choice 2
// delivers a signal to the task meanwhile (DF_SIGNAL, pending until the task
// returns to user space: the end of the sysfs write or of the teardown).
//   13 post_teardown
//   14 sysram_unregister (device release: remove the range if still held)
//   15 pci devm: free the IRQs (cxl_compression_remove returned) -> 0
// DF_NP_UNREG is set while node_private_unregister's second stage is pending
// inside offline_and_remove_private_memory; the driver finishes it first.

import { hasFix } from '../kernel/config.ts';
import { IRQ_LTHRESH } from './device.ts';
import { EBUSY, MMOP_ONLINE_MOVABLE, errname } from '../kernel/defs.ts';
import type { Kernel, Machine } from '../kernel/kernel.ts';
import { GA_OVER_FLUSH_BIT, THREAD_REGS } from '../kernel/layout.ts';
import { npSlotGiveBack, npSlotTakenByB, rbFlags, rbSet, RB_NP, RB_NP_FREED, RB_OPS_BY_B } from '../kernel/np_owner.ts';
import { compRegionBlocks, compRegionOfPfn, driverOwner } from './regions.ts';
import { addPrivateMemoryDriverManaged, offlineAndRemoveInLoop, offlineAndRemoveStep, offlineBatchHeld, type RemoveResult } from '../kernel/memory_hotplug.ts';
import { nodePrivateNp, nodePrivateUnregisterDrop, nodePrivateUnregisterWait, npSlotOfNode } from '../kernel/node_private.ts';
import { CN_PUBLISHED, cramRegisterPrivateNode, cramUnregisterBegin, cramUnregisterDrain, cramUnregisterDrainOld, cramUnregisterSyncRcu } from '../cram/cram.ts';
import {
  DF_CN_OLD, DF_FLUSH_CTX, DF_IRQS, DF_KTHREAD, DF_NP_FREED, DF_NP_OLD, DF_NP_UNREG, DF_NP_UNREG_DROPPED, DF_OFFLINING, DF_PRE_TEARDOWN, DF_RES, DF_SIGNAL, DF_SYSRAM, cxlFlushBufSend, deviceIrqsRequested,
  flushKthreadIdle, irqThreadIdle, overflowWorkIdle, pcpuIdx,
} from './compression.ts';

export { DRIVER_OWNER } from './regions.ts';
/**
 * Model bound on offline attempts in pre_teardown (v4: 1 + 60 retries, 1 s
 * apart). offline_pages loops until it succeeds or a signal is pending, and
 * the signal stays pending across msleep, so every attempt after a failed one
 * fails at its first signal check: test/cxl/offline-attempts.test.ts shows
 * that bounds 1, 2 and 3 reach the same states once the attempt counter is
 * projected away. KernelConfig.offlineAttempts overrides it.
 */
export const MAX_OFFLINE_ATTEMPTS = 2;
/** The driver thread's registers: REG[0] attempts; offlineAndRemoveStep's from REG_OAR. */
const REG_OAR = 1;

/** The folios the driver's offline_pages holds isolated in do_migrate_range's migrate_pages (the properties' holders). */
export function driverOfflineHeld(k: Kernel): number[] {
  const out: number[] = [];
  for (let r = 0; r < k.g.compRegions; r++) {
    const tid = k.g.driverThreadOf(r);
    out.push(...offlineBatchHeld(k, tid, tid * THREAD_REGS + REG_OAR));
  }
  return out;
}

function offlineAttempts(k: Kernel): number {
  return k.cfg.offlineAttempts ?? MAX_OFFLINE_ATTEMPTS;
}

export const DS_NONE = 0;
export const DS_SYSRAM = 1;
export const DS_FLUSH = 2;
export const DS_CRAM = 3;
export const DS_PROBED = 4;
export const DS_UNREG_RCU = 10;
export const DS_UNREG_DRAIN = 11;
export const DS_OFFLINE = 12;
export const DS_POST = 13;
export const DS_SYSRAM_UNREG = 14;
export const DS_FREE_IRQS = 15;

// Every function below takes r, the compression region whose driver instance
// runs (0 = region A; 1 = the second compression region of config `cram2`).

/** Blocks of the private node in region r: its memory-block-aligned range. */
function regionBlocks(k: Kernel, r: number): { first: number; n: number } {
  return compRegionBlocks(k, k.g.privateNode, r);
}

function flags(k: Kernel, r: number): number {
  return k.get(k.L.DRV_FLAGS, r);
}

function setFlags(k: Kernel, r: number, f: number): void {
  k.setBits(k.L.DRV_FLAGS, r, f);
}

function clearFlags(k: Kernel, r: number, f: number): void {
  k.clearBits(k.L.DRV_FLAGS, r, f);
}

/**
 * Is the registered np region r's current sysram's? The np slot holds the
 * second region's np while RB_NP (src/kernel/np_owner.ts); DF_NP_OLD says the
 * registered np is an earlier sysram's of the same region.
 */
function npIsCurrentSysram(k: Kernel, r: number): boolean {
  if (nodePrivateNp(k, k.g.privateNode) < 0) return false;
  const second = (rbFlags(k) & RB_NP) !== 0;
  return (r === 0 ? !second : second) && (flags(k, r) & DF_NP_OLD) === 0;
}

/**
 * No np registered, but the slot's np is still inside node_private_unregister's
 * second stage (references out, or a driver not yet back from
 * wait_for_completion): another region's np takes the slot only after it (the
 * README's modelling choice, as for region B in src/cxl/region_b.ts).
 */
export function compNpSlotBusy(k: Kernel): boolean {
  const nid = k.g.privateNode;
  const slot = npSlotOfNode(k, nid);
  if (slot < 0 || nodePrivateNp(k, nid) >= 0) return false;
  if (k.get(k.L.NP_REFCOUNT, slot) > 0) return true;
  for (let r = 0; r < k.g.compRegions; r++) if (k.get(k.L.DRV_FLAGS, r) & DF_NP_UNREG) return true;
  return false;
}

/** sysram_hotplug_add(sysram, online_type): request the resource, add_private_memory_driver_managed. */
function sysramHotplugAdd(k: Kernel, r: number): number {
  // drivers/cxl/core/region_sysram.c: sysram_hotplug_add
  if (flags(k, r) & DF_RES) return -EBUSY;
  const nid = k.g.privateNode;
  const { first, n } = regionBlocks(k, r);
  const slot = npSlotOfNode(k, nid);
  // &sysram->np: a new object in every sysram, so an np an earlier sysram left registered is another np.
  // (So is one another region's sysram registered.)
  const free = nodePrivateNp(k, nid) < 0;
  // The second region's np takes the model's one slot while it is registered (np_owner.ts).
  if (r > 0 && free) npSlotTakenByB(k, slot);
  const otherNp = !free && !npIsCurrentSysram(k, r);
  const rc = addPrivateMemoryDriverManaged(k, nid, first, n, MMOP_ONLINE_MOVABLE, slot, otherNp);
  if (r > 0 && free) {
    if (rc === 0) rbSet(k, RB_NP);
    else npSlotGiveBack(k, slot);
  }
  if (rc === 0) setFlags(k, r, DF_RES);
  if (k.log) k.trace(`sysram_hotplug_add(N${nid}${r ? `, region ${r}` : ''}) = ${errname(rc)}`);
  return rc;
}

/**
 * sysram_hotplug_remove(sysram), first part: nothing to do without the
 * resource (0); else offline_and_remove_private_memory starts (DF_OFFLINING)
 * and the driver's next steps run it (null).
 */
function sysramHotplugRemoveStart(k: Kernel, r: number): number | null {
  // drivers/cxl/core/region_sysram.c: sysram_hotplug_remove
  if (!(flags(k, r) & DF_RES)) return 0;
  setFlags(k, r, DF_OFFLINING);
  return null;
}

/**
 * sysram_hotplug_remove(sysram), once offline_and_remove_private_memory
 * returned: -EBUSY is taken as "memory gone, np still shared" and the
 * resource is dropped; any other error keeps it (5.3).
 */
function sysramHotplugRemoveFinish(k: Kernel, r: number, res: RemoveResult): number {
  // drivers/cxl/core/region_sysram.c: sysram_hotplug_remove
  const nid = k.g.privateNode;
  const rc = res.remove !== 0 ? res.remove : res.unregister ?? 0;
  if (res.remove === 0 && res.unregister === 0) setFlags(k, r, DF_NP_UNREG);
  // Mutant sysram-remove-drops-res: the resource is dropped whatever the error.
  if (rc && rc !== -EBUSY && k.cfg.mutant !== 'sysram-remove-drops-res') {
    if (k.log) k.trace(`sysram_hotplug_remove(N${nid}) = ${errname(rc)}`);
    return rc;
  }
  clearFlags(k, r, DF_RES);
  if (k.log) k.trace(`sysram_hotplug_remove(N${nid}) = 0 (offline_and_remove_private_memory returned ${errname(rc)}; resource released)`);
  return 0;
}

/** One step of offline_and_remove_private_memory for sysram_hotplug_remove; its result once done, 'wait' if it cannot run now. */
function sysramHotplugRemoveStep(k: Kernel, r: number): number | null | 'wait' {
  const nid = k.g.privateNode;
  const { first, n } = regionBlocks(k, r);
  const tid = k.g.driverThreadOf(r);
  const res = offlineAndRemoveStep(k, nid, first, n, tid, tid * THREAD_REGS + REG_OAR, (flags(k, r) & DF_SIGNAL) !== 0);
  if (res === null || res === 'wait') return res;
  clearFlags(k, r, DF_OFFLINING);
  return sysramHotplugRemoveFinish(k, r, res);
}

/** Allocate region r's flush context: three buffers per CPU (ids r * 3C + 3c ..); flush_record bitmap zeroed. */
function flushCtxAlloc(k: Kernel, r: number): void {
  const L = k.L;
  const C = k.cfg.cpus.length;
  for (let c = 0; c < C; c++) {
    const base = 3 * C * r + 3 * c;
    k.set(L.CPU_BUF_ACTIVE, pcpuIdx(k, r, c), base + 1);
    k.set(L.CPU_BUF_OVERFLOW, pcpuIdx(k, r, c), base + 2);
    k.set(L.CPU_BUF_SPARE, pcpuIdx(k, r, c), base + 3);
  }
  setFlags(k, r, DF_FLUSH_CTX);
}

/** Free region r's flush context: buffers, per-CPU pointers, the flush_record bitmap. */
function flushCtxFree(k: Kernel, r: number): void {
  const L = k.L;
  const C = k.cfg.cpus.length;
  for (let c = 0; c < C; c++) {
    k.set(L.CPU_BUF_ACTIVE, pcpuIdx(k, r, c), 0);
    k.set(L.CPU_BUF_OVERFLOW, pcpuIdx(k, r, c), 0);
    k.set(L.CPU_BUF_SPARE, pcpuIdx(k, r, c), 0);
    k.set(L.CPU_OVERFLOW_PENDING, pcpuIdx(k, r, c), 0);
  }
  const M = k.cfg.driver.bufMax;
  for (let b = 3 * C * r; b < 3 * C * (r + 1); b++) {
    k.set(L.BUF_LEN, b, 0);
    for (let i = 0; i < M; i++) k.set(L.BUF_ENT, b * M + i, 0);
  }
  const nid = k.g.privateNode;
  for (let p = 0; p < k.g.pfns; p++) {
    if (k.g.pfnNode[p] !== nid) continue;
    // The bitmap covers region r's pfns; a bit set on a pfn of no compression region (region B's,
    // through the out-of-bounds index) goes with region A's.
    const pr = compRegionOfPfn(k, p);
    if (pr !== r && !(pr < 0 && r === 0)) continue;
    k.set(L.PG_FLUSH_BIT, p, 0);
    // Ghost: the stale bit a live folio was allocated over went with the bitmap.
    k.clearBits(L.GH_ALLOC, p, GA_OVER_FLUSH_BIT);
  }
  clearFlags(k, r, DF_FLUSH_CTX | DF_KTHREAD);
}

function setState(k: Kernel, r: number, s: number): void {
  k.set(k.L.DRV_STATE, r, s);
}

/** One probe step from DRV_STATE s (< DS_PROBED). */
function probeStep(k: Kernel, r: number, s: number): void {
  const nid = k.g.privateNode;
  const L = k.L;
  switch (s) {
    case DS_NONE: {
      // (1) devm_cxl_add_sysram: a fresh (kzalloc'd) sysram embeds np; add; failure only warned.
      // The model keeps one np slot per node: it holds the registered np, or else this sysram's.
      // (The second region's np gets the slot, fresh, only when its hot-add registers it: np_owner.ts.)
      const slot = npSlotOfNode(k, nid);
      if (slot >= 0 && nodePrivateNp(k, nid) < 0) {
        if (r === 0) {
          k.set(L.NP_OPS, slot, 0);
          k.set(L.NP_MIGRATION_BLOCKED, slot, 0);
        }
        clearFlags(k, r, DF_NP_OLD | DF_NP_FREED);
      }
      setFlags(k, r, DF_SYSRAM);
      const rc = sysramHotplugAdd(k, r);
      if (rc && hasFix(k.cfg, 'sysram-add-fails-probe')) {
        // Fix sysram-add-fails-probe: devm_cxl_add_sysram returns the error of a private
        // region's hot-add; convert_region_to_sysram fails before cram_register_private_node.
        clearFlags(k, r, DF_SYSRAM);
        k.trace(`devm_cxl_add_sysram = ${errname(rc)}: probe failed`);
        return;
      }
      if (rc) if (k.log) k.trace(`WARN: sysram hotplug failed: ${errname(rc)}`);
      setState(k, r, DS_SYSRAM);
      return;
    }
    case DS_SYSRAM:
      // (2) nid, (3) flush context, (4) kthread started.
      flushCtxAlloc(k, r);
      setFlags(k, r, DF_KTHREAD);
      if (k.log) k.trace(`convert_region_to_sysram: flush context, kthread cxl-flush/${nid} started`);
      setState(k, r, DS_FLUSH);
      return;
    case DS_FLUSH: {
      // (5) cram_register_private_node; failure -> err_pcpu_init (kthread stopped, buffers freed).
      const rc = cramRegisterPrivateNode(k, nid, driverOwner(r), true);
      // Ghost: the second region's driver wrote cram_ops into the registered np (INV-NP-OPS-OWNER).
      if (rc === 0 && r > 0) rbSet(k, RB_OPS_BY_B);
      // The other region's unregister still drains the cram_node it unpublished: that one was displaced.
      if (rc === 0 && L.CN_OLD_REF.len > 0 && k.get(L.CN_OLD_REF, nid) > 0) {
        for (let o = 0; o < k.g.compRegions; o++) {
          const so = k.get(L.DRV_STATE, o);
          if (o !== r && (so === DS_UNREG_RCU || so === DS_UNREG_DRAIN)) setFlags(k, o, DF_CN_OLD);
        }
      }
      if (rc) {
        flushCtxFree(k, r);
        if (k.log) k.trace(`convert_region_to_sysram: cram register failed ${errname(rc)}`);
        setState(k, r, DS_PROBED);
        return;
      }
      // (6) pre_teardown registered.
      setFlags(k, r, DF_PRE_TEARDOWN);
      setState(k, r, DS_CRAM);
      return;
    }
    default:
      // (7) request the lthresh/hthresh IRQs. Edges raised before that found no handler.
      // The vectors are the device's (pdev devm): while the other region's instance holds
      // them, devm_request_threaded_irq fails (-EBUSY, no IRQF_SHARED) and is only warned.
      if (flags(k, r) & DF_IRQS) {
        // Handed over by the other region's instance when it unbound (see DS_FREE_IRQS).
        setState(k, r, DS_PROBED);
        return;
      }
      if (deviceIrqsRequested(k)) {
        k.trace('convert_region_to_sysram: WARN: failed to register lthresh/hthresh IRQ: -EBUSY');
        setState(k, r, DS_PROBED);
        return;
      }
      k.set(L.DEV_IRQ, 0, 0);
      setFlags(k, r, DF_IRQS);
      // Fix irq-applies-device-level: a device already above lthresh raises no new edge; the
      // driver wakes its handler once (irq_wake_thread), which applies the current level.
      if (hasFix(k.cfg, 'irq-applies-device-level') && k.get(L.DEV_LEVEL)) k.setBits(L.DEV_IRQ, 0, IRQ_LTHRESH);
      k.trace('convert_region_to_sysram: IRQs requested');
      setState(k, r, DS_PROBED);
  }
}

/** sysram_hotplug_remove: 0 at once without the resource, else its first step (null while it runs). */
function sysramHotplugRemove(k: Kernel, r: number): number | null {
  const rc = sysramHotplugRemoveStart(k, r) ?? sysramHotplugRemoveStep(k, r);
  // The first step walks to the first block (offline_pages' start): it never waits.
  return rc === 'wait' ? null : rc;
}

/** What the caller of sysram_hotplug_remove does with its result (the caller is known by DRV_STATE). */
function afterRemove(k: Kernel, r: number, rc: number): void {
  const L = k.L;
  const R = k.g.driverThreadOf(r) * THREAD_REGS;
  const s = k.get(L.DRV_STATE, r);
  if (s === DS_OFFLINE) {
    // cxl_compression_pre_teardown: up to 1 + 60 tries, msleep(1000) between (the
    // signal, if any, stays pending: msleep does not handle it).
    const attempts = k.get(L.THR_REG, R) + 1;
    if (rc === 0 || attempts >= offlineAttempts(k)) {
      if (rc) if (k.log) k.trace(`cxl_compression: memory offline failed after ${attempts} attempts, giving up`);
      k.set(L.THR_REG, R, 0);
      clearFlags(k, r, DF_PRE_TEARDOWN);
      setState(k, r, DS_POST);
    } else {
      k.set(L.THR_REG, R, attempts);
    }
  } else if (s === DS_SYSRAM_UNREG) {
    // cxl_sysram_release ignores the result and kfree(sysram): if the range could not be
    // removed, the np embedded in it is still registered (pgdat->node_private) and outlives
    // this driver instance. Fix sysram-release-keeps-np: WARN and leak the sysram instead.
    // (With DF_NP_OLD the registered np is an earlier sysram's, not this one's.)
    // (The second region's np: RB_NP_FREED records its kfree, as for region B's.)
    if (npIsCurrentSysram(k, r)) {
      const keep = hasFix(k.cfg, 'sysram-release-keeps-np') && rc !== 0;
      setFlags(k, r, keep ? DF_NP_OLD : DF_NP_OLD | DF_NP_FREED);
      if (r > 0 && !keep) rbSet(k, RB_NP_FREED);
      if (k.log) k.trace(keep ? 'cxl_sysram_release: range still held: WARN, sysram (and np) kept' : 'cxl_sysram_release: kfree(sysram) with its np still registered');
    }
    clearFlags(k, r, DF_SYSRAM | DF_RES);
    setState(k, r, DS_FREE_IRQS);
  } else {
    // hotplug_store(offline) returns to user space: the signal, if any, is handled there.
    if (rc) if (k.log) k.trace(`sysram hotplug store failed: ${errname(rc)}`);
    clearFlags(k, r, DF_SIGNAL);
  }
}

/** One teardown step from DRV_STATE s (>= DS_PROBED); false if it must wait. */
function teardownStep(k: Kernel, r: number, s: number): boolean {
  const nid = k.g.privateNode;
  const tid = k.g.driverThreadOf(r);
  const L = k.L;
  switch (s) {
    case DS_PROBED: {
      // Region devm actions in reverse order: pre_teardown first.
      if (!(flags(k, r) & DF_PRE_TEARDOWN)) {
        setState(k, r, DS_POST);
        return true;
      }
      const ur = cramUnregisterBegin(k, nid);
      if (ur === null) return false;
      setState(k, r, ur === 0 ? DS_UNREG_RCU : DS_OFFLINE);
      return true;
    }
    case DS_UNREG_RCU:
      if (!cramUnregisterSyncRcu(k, tid)) return false;
      if (k.log) k.trace(`cram_unregister_private_node(N${nid}): synchronize_rcu()`);
      setState(k, r, DS_UNREG_DRAIN);
      return true;
    case DS_UNREG_DRAIN:
      if (flags(k, r) & DF_CN_OLD) {
        if (!cramUnregisterDrainOld(k, nid)) return false;
        clearFlags(k, r, DF_CN_OLD);
      } else if (!cramUnregisterDrain(k, nid)) return false;
      setState(k, r, DS_OFFLINE);
      return true;
    case DS_OFFLINE: {
      // cxl_sysram_offline_and_remove with retries (failures only logged).
      const rc = sysramHotplugRemove(k, r);
      if (rc !== null) afterRemove(k, r, rc);
      return true;
    }
    case DS_POST: {
      // post_teardown: kthread_stop, cancel_work_sync, send what is left, free.
      if (flags(k, r) & DF_FLUSH_CTX) {
        if (!flushKthreadIdle(k, r)) return false;
        for (let c = 0; c < k.cfg.cpus.length; c++) if (!overflowWorkIdle(k, c, r)) return false;
        clearFlags(k, r, DF_KTHREAD);
        for (let c = 0; c < k.cfg.cpus.length; c++) {
          k.set(L.CPU_OVERFLOW_PENDING, pcpuIdx(k, r, c), 0);
          for (const f of [L.CPU_BUF_ACTIVE, L.CPU_BUF_OVERFLOW, L.CPU_BUF_SPARE]) {
            const b = k.get(f, pcpuIdx(k, r, c));
            if (b && k.get(L.BUF_LEN, b - 1) > 0) cxlFlushBufSend(k, tid, b - 1);
          }
        }
        flushCtxFree(k, r);
        k.trace('cxl_compression_post_teardown: kthread stopped, buffers sent and freed');
      }
      setState(k, r, DS_SYSRAM_UNREG);
      return true;
    }
    case DS_SYSRAM_UNREG: {
      // sysram_unregister -> cxl_sysram_release: remove the range if still held, kfree(sysram).
      const rc = sysramHotplugRemove(k, r);
      if (rc !== null) afterRemove(k, r, rc);
      return true;
    }
    default:
      // cxl_compression_remove returned: the pci devm IRQs are freed (free_irq waits for the threads).
      // (An instance whose request was refused, or that never got there, frees none; nothing then
      // runs an IRQ thread on its behalf.) The vectors are the device's: while the other region's
      // instance is still bound they stay requested, now on its behalf.
      if (flags(k, r) & DF_IRQS) {
        const heir = otherBoundRegion(k, r);
        if (heir >= 0) setFlags(k, heir, DF_IRQS);
        else if (!irqThreadIdle(k, 'lthresh') || !irqThreadIdle(k, 'hthresh')) return false;
      }
      clearFlags(k, r, DF_IRQS);
      k.set(L.DRV_FLAGS, r, flags(k, r) & (DF_NP_OLD | DF_NP_FREED));
      setState(k, r, DS_NONE);
      k.trace('cxl_compression: removed');
      return true;
  }
}

/** Another compression region's driver instance that is bound (not back at DS_NONE), or -1. */
function otherBoundRegion(k: Kernel, r: number): number {
  for (let o = 0; o < k.g.compRegions; o++) if (o !== r && k.get(k.L.DRV_STATE, o) !== DS_NONE) return o;
  return -1;
}

/** Static number of choices of the driver thread: probe/teardown step, sysfs hotplug toggle, a signal. */
export function driverChoices(m: Machine): number {
  void m;
  return 3;
}

/** One step of the driver thread with the given choice; false if not enabled. */
export function driverStep(k: Kernel, choice: number, r = 0): boolean {
  if (k.g.privateNode < 0) return false;
  const L = k.L;
  // Inside node_private_unregister (from offline_and_remove_private_memory): finish it first.
  if (flags(k, r) & DF_NP_UNREG) {
    if (choice !== 0) return false;
    // v4 order: synchronize_rcu, the base reference dropped, then wait_for_completion.
    const nid = k.g.privateNode;
    if (!(flags(k, r) & DF_NP_UNREG_DROPPED)) {
      if (!nodePrivateUnregisterDrop(k, nid, k.g.driverThreadOf(r))) return false;
      setFlags(k, r, DF_NP_UNREG_DROPPED);
      // Nobody else held it: the completion is already done and the wait returns in the same step.
      if (!nodePrivateUnregisterWait(k, nid)) return true;
    } else if (!nodePrivateUnregisterWait(k, nid)) return false;
    clearFlags(k, r, DF_NP_UNREG | DF_NP_UNREG_DROPPED);
    return true;
  }
  // Inside offline_and_remove_private_memory: its next step, or a signal to the
  // task (the teardown's or the sysfs writer's) while offline_pages loops.
  if (flags(k, r) & DF_OFFLINING) {
    if (choice === 2) {
      const R = k.g.driverThreadOf(r) * THREAD_REGS;
      if (flags(k, r) & DF_SIGNAL || !offlineAndRemoveInLoop(k, R + REG_OAR)) return false;
      setFlags(k, r, DF_SIGNAL);
      k.trace('signal delivered to the driver task (signal_pending)');
      return true;
    }
    if (choice !== 0) return false;
    const rc = sysramHotplugRemoveStep(k, r);
    if (rc === 'wait') return false;
    if (rc !== null) afterRemove(k, r, rc);
    return true;
  }
  if (choice === 2) return false;
  const s = k.get(L.DRV_STATE, r);
  // A hot-add (the probe's first step, or the sysfs re-add) waits while another region's np is
  // still inside node_private_unregister (compNpSlotBusy: the model's one np slot).
  const adds = (choice === 0 && s === DS_NONE) || (choice === 1 && s === DS_PROBED && (flags(k, r) & (DF_SYSRAM | DF_RES)) === DF_SYSRAM);
  if (adds && k.g.compRegions > 1 && compNpSlotBusy(k)) return false;
  if (choice === 1) {
    // hotplug_store: only while probed and idle.
    if (s !== DS_PROBED || !(flags(k, r) & DF_SYSRAM)) return false;
    // Fix sysram-hotplug-busy-while-cram: refuse the offline while CRAM is registered on the node.
    if (flags(k, r) & DF_RES && hasFix(k.cfg, 'sysram-hotplug-busy-while-cram') && k.get(L.CN_STATE, k.g.privateNode) === CN_PUBLISHED) {
      k.trace('hotplug_store(offline) = -EBUSY (CRAM registered)');
      return true;
    }
    if (k.log) k.trace(`hotplug_store: ${flags(k, r) & DF_RES ? 'offline and remove the range' : 'add the range'}`);
    if (flags(k, r) & DF_RES) {
      const rc = sysramHotplugRemove(k, r);
      if (rc !== null) afterRemove(k, r, rc);
      return true;
    }
    const rc = sysramHotplugAdd(k, r);
    if (rc) if (k.log) k.trace(`sysram hotplug store failed: ${errname(rc)}`);
    return true;
  }
  if (choice !== 0) return false;
  if (s < DS_PROBED) {
    probeStep(k, r, s);
    return true;
  }
  return teardownStep(k, r, s);
}

/** Label for a driver choice. */
export function driverChoiceLabel(m: Machine, choice: number): string {
  void m;
  return choice === 0 ? 'probe/teardown step' : choice === 1 ? 'sysfs hotplug toggle' : 'signal';
}

/** Run the whole probe synchronously (configs without a driver actor start probed). */
export function driverProbeAtBoot(k: Kernel): void {
  if (k.g.privateNode < 0) return;
  while (k.get(k.L.DRV_STATE, 0) < DS_PROBED) probeStep(k, 0, k.get(k.L.DRV_STATE, 0));
}
