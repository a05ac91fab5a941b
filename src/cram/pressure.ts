// mm/cram.c: cram_set_pressure as the four steps S1-S4 of SEMANTICS 6.5, run
// by an IRQ thread (or synchronously by tests). No lock is taken in v4, so two
// calls interleave (R3) and can leave pressure and migration_blocked
// disagreeing.
//
// Thread state: THR_OP = OP_CRAM_SET_PRESSURE, THR_STAGE = the next step
// (2, 3, 4), REG[0] = pressure argument, REG[1] = nid, REF_CN held.
// Fix set-pressure-serialized: S2..S4 run under a per-node pressure mutex,
// modelled by LK_CRAM_MUTEX held from S2 to S4 (cram_mutex itself is never
// held across steps, so the bit is free for this purpose).
// Fix irq-applies-device-level: an IRQ thread's call has REG[2] = 1 and, at
// S2 under that mutex, applies the device's current threshold level (high:
// CRAM_PRESSURE_MAX, low: 0) instead of the level its vector stood for.

import { hasFix } from '../kernel/config.ts';
import { CRAM_PRESSURE_MAX, MAX_NR_ZONES } from '../kernel/defs.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { LK_CRAM_MUTEX, REF_CN, REF_CN_OLD, THREAD_REGS } from '../kernel/layout.ts';
import { nodePrivateNp } from '../kernel/node_private.ts';
import { wakeupKswapd } from '../kernel/vmscan.ts';
import { cnAlive, firstManagedZone, getCramNode, holdsOldCn, putCramNodeHeld } from './cram.ts';
import { ran } from '../kernel/ran.ts';

/** THR_OP of a thread inside cram_set_pressure (IRQ threads only use this op). */
export const OP_CRAM_SET_PRESSURE = 40;

export type PressureStep = 'done' | 'more' | 'blocked';

/** S1: get_cram_node. 'done' if there is none (the call returns). fromDevice: apply the device's level at S2 (fix irq-applies-device-level). */
export function cramSetPressureBegin(k: Kernel, tid: number, nid: number, pressure: number, fromDevice = false): PressureStep {
  ran(k, 'cram_set_pressure');
  // mm/cram.c: cram_set_pressure (S1)
  if (!getCramNode(k, nid)) {
    if (k.log) k.trace(`cram_set_pressure(N${nid}, ${pressure}): no cram node`);
    return 'done';
  }
  const R = tid * THREAD_REGS;
  k.set(k.L.THR_OP, tid, OP_CRAM_SET_PRESSURE);
  k.set(k.L.THR_STAGE, tid, 2);
  k.set(k.L.THR_REG, R, pressure);
  k.set(k.L.THR_REG, R + 1, nid);
  k.set(k.L.THR_REG, R + 2, fromDevice ? 1 : 0);
  k.setBits(k.L.THR_REFS, tid, REF_CN);
  if (k.log) k.trace(`cram_set_pressure(N${nid}, ${pressure}) S1: get_cram_node`);
  return 'more';
}

function pressureMutexHeldByOther(k: Kernel, tid: number): boolean {
  for (let t = 0; t < k.g.threads.length; t++) if (t !== tid && k.has(k.L.THR_LOCKS, t, LK_CRAM_MUTEX)) return true;
  return false;
}

function finish(k: Kernel, tid: number): PressureStep {
  const R = tid * THREAD_REGS;
  k.set(k.L.THR_OP, tid, 0);
  k.set(k.L.THR_STAGE, tid, 0);
  k.set(k.L.THR_REG, R, 0);
  k.set(k.L.THR_REG, R + 1, 0);
  k.set(k.L.THR_REG, R + 2, 0);
  k.clearBits(k.L.THR_REFS, tid, REF_CN | REF_CN_OLD);
  k.clearBits(k.L.THR_LOCKS, tid, LK_CRAM_MUTEX);
  return 'done';
}

/** The next step (S2, S3 or S4) of the call thread tid is in. 'blocked' leaves k unchanged. */
export function cramSetPressureStep(k: Kernel, tid: number): PressureStep {
  const L = k.L;
  const R = tid * THREAD_REGS;
  const nid = k.get(L.THR_REG, R + 1);
  const stage = k.get(L.THR_STAGE, tid);
  if (stage === 2) {
    // S2: WRITE_ONCE(cn->pressure, min(p, CRAM_PRESSURE_MAX))
    const fromDevice = k.get(L.THR_REG, R + 2) === 1;
    if (hasFix(k.cfg, 'set-pressure-serialized') || fromDevice) {
      if (pressureMutexHeldByOther(k, tid)) return 'blocked';
      k.setBits(L.THR_LOCKS, tid, LK_CRAM_MUTEX);
    }
    if (fromDevice) {
      // Fix irq-applies-device-level: read the device's threshold status under the mutex.
      const level = k.get(L.DEV_LEVEL) ? CRAM_PRESSURE_MAX : 0;
      k.set(L.THR_REG, R, level);
      if (k.log) k.trace(`cram_set_pressure S2: device threshold status ${level ? 'high' : 'low'} -> pressure ${level}`);
    }
    const pressure = Math.min(k.get(L.THR_REG, R), CRAM_PRESSURE_MAX);
    // A holder of the displaced cram_node writes that one's pressure, which nothing reads.
    if (!holdsOldCn(k, tid) && cnAlive(k, nid)) {
      k.set(L.CN_PRESSURE, nid, pressure);
      // Ghost: device usage when back-pressure engaged (INV-NO-OVERCOMMIT).
      if (pressure >= CRAM_PRESSURE_MAX) k.set(L.GH_USED_AT_BLOCK, 0, k.get(L.DEV_USED));
    }
    if (k.log) k.trace(`cram_set_pressure S2: cn->pressure = ${pressure}`);
    k.set(L.THR_STAGE, tid, 3);
    // Conformance mutant set-pressure-s2-s3-fused: S3 runs in the same step as S2.
    if (k.cfg.mutant === 'set-pressure-s2-s3-fused') return cramSetPressureStep(k, tid);
    return 'more';
  }
  const pressure = Math.min(k.get(L.THR_REG, R), CRAM_PRESSURE_MAX);
  if (stage === 3) {
    // S3: under RCU, np->migration_blocked = (pressure >= MAX). Mutant: omitted.
    const slot = nodePrivateNp(k, nid);
    if (slot >= 0 && k.cfg.mutant !== 'set-pressure-skips-blocked') {
      k.set(L.NP_MIGRATION_BLOCKED, slot, pressure >= CRAM_PRESSURE_MAX ? 1 : 0);
    }
    if (k.log) k.trace(`cram_set_pressure S3: migration_blocked = ${pressure >= CRAM_PRESSURE_MAX}`);
    k.set(L.THR_STAGE, tid, 4);
    return 'more';
  }
  // S4: boost the first managed zone, WITHOUT zone->lock; wake kswapd if non-zero.
  const z = firstManagedZone(k, nid);
  if (z >= 0) {
    const managed = k.get(L.ZONE_MANAGED, z);
    const boost = k.cfg.mutant === 'boost-not-scaled' ? managed : Math.floor((managed * pressure) / CRAM_PRESSURE_MAX);
    k.set(L.ZONE_BOOST, z, boost);
    if (boost) {
      k.set(L.ZONE_BOOSTED, z, 1);
      // Fix cram-pressure-revives-kswapd (finding kswapd-hopeless-private, not in v4): new device pressure is
      // new information, so P's kswapd_failures is reset before the wakeup, as a direct reclaim's progress
      // would (shrink_node); no direct reclaim ever reaches a private node to do it.
      if (hasFix(k.cfg, 'cram-pressure-revives-kswapd')) k.set(L.NODE_KSWAPD_FAILURES, nid, 0);
      wakeupKswapd(k, z);
    } else if (k.cfg.mutant === 'set-pressure-zero-wakes-kswapd' && k.get(L.NODE_KSWAPD, nid) === 1) {
      // Conformance mutant: a bare wake_up_interruptible(&pgdat->kswapd_wait) for a zero boost.
      k.set(L.NODE_KSWAPD, nid, 2);
    }
    if (k.log) k.trace(`cram_set_pressure S4: zone ${z % MAX_NR_ZONES} of N${nid}: watermark_boost = ${boost}`);
  }
  putCramNodeHeld(k, tid, nid);
  return finish(k, tid);
}

/** cram_set_pressure(nid, p) run to completion (tests; no other thread interleaves). */
export function cramSetPressure(k: Kernel, tid: number, nid: number, pressure: number): void {
  // mm/cram.c: cram_set_pressure
  let r = cramSetPressureBegin(k, tid, nid, pressure);
  while (r === 'more') r = cramSetPressureStep(k, tid);
}

/** cram_clear_pressure(nid) = cram_set_pressure(nid, 0) */
export function cramClearPressure(k: Kernel, tid: number, nid: number): void {
  ran(k, 'cram_clear_pressure');
  // mm/cram.c: cram_clear_pressure
  cramSetPressure(k, tid, nid, 0);
}
