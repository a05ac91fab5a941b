// CRAM back-pressure and cram_node lifetime invariants (SEMANTICS §6.5, §7.1,
// §7.4, §8.2 R2/R3, §9 items 9, 10, 14).

import type { Property } from '../src/explore/system.ts';
import { CRAM_PRESSURE_MAX, MAX_NR_ZONES } from '../src/kernel/defs.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { EV_CN_USE_AFTER_FREE, REF_CN } from '../src/kernel/layout.ts';
import { eventSet, holders, nodeLabel, npSlot, prop, zoneLabel, type StateView } from './common.ts';

/** mm/cram.c: cram_set_pressure S4: the first zone of the node with managed pages, or -1. */
export function firstManagedZone(k: Kernel, n: number): number {
  for (let t = 0; t < MAX_NR_ZONES; t++) {
    const z = n * MAX_NR_ZONES + t;
    if (k.get(k.L.ZONE_MANAGED, z) > 0) return z;
  }
  return -1;
}

export function cramProperties(v: StateView): Property[] {
  return [
    // Allowance: one demotion batch may be in flight when pressure becomes
    // 1000 (R2), each page at most the incompressible cost.
    prop(v, 'INV-NO-OVERCOMMIT', 'mm/cram.c: cram_migrate_to (-ENOSPC), alloc_cram_folio (blocked per folio), mm/vmscan.c: can_demote', (k) => {
      const p = k.g.privateNode;
      if (p < 0 || k.get(k.L.CN_PRESSURE, p) !== CRAM_PRESSURE_MAX) return null;
      const used = k.get(k.L.DEV_USED);
      const atBlock = k.get(k.L.GH_USED_AT_BLOCK);
      const allowance = k.cfg.demoteBatch * k.cfg.device.cost[2];
      if (used > atBlock + allowance) return `${nodeLabel(k, p)} at pressure 1000: device used ${used} > ${atBlock} (at block) + ${allowance} (in-flight batch)`;
      return null;
    }),
    // Split out of item 9: the physical bound is not a claim of the RFC (the
    // driver does no capacity accounting, SEMANTICS 7.1, 11.3) but what the
    // device needs; it fails whenever the lthresh headroom is smaller than what
    // demotion moves while the lthresh IRQ thread is still pending, which would
    // hide every back-pressure mutant behind it.
    prop(v, 'INV-DEVICE-CAPACITY', 'drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_lthresh_irq (no physical-vs-reported accounting; thresholds live in the device); cover letter ("device only ever sees net compression")', (k) => {
      const used = k.get(k.L.DEV_USED);
      const phys = k.cfg.device.physUnits;
      return used > phys ? `device used ${used} > physical capacity ${phys}` : null;
    }),
    prop(v, 'INV-BACKPRESSURE-COHERENT', 'mm/cram.c: cram_set_pressure (unlocked steps, from the lthresh and hthresh IRQ threads)', (k) => {
      // Only judged between set_pressure calls: an IRQ thread inside S2-S4 is mid-update.
      if (k.get(k.L.THR_OP, k.g.lthreshThread) !== 0 || k.get(k.L.THR_OP, k.g.hthreshThread) !== 0) return null;
      for (let n = 0; n < k.g.nodes; n++) {
        if (k.get(k.L.CN_STATE, n) !== 1) continue;
        const pressure = k.get(k.L.CN_PRESSURE, n);
        const slot = npSlot(k, n);
        if (slot >= 0) {
          const blocked = k.get(k.L.NP_MIGRATION_BLOCKED, slot);
          if ((blocked !== 0) !== (pressure >= CRAM_PRESSURE_MAX)) return `${nodeLabel(k, n)}: migration_blocked=${blocked} but pressure=${pressure}`;
        }
        const z = firstManagedZone(k, n);
        if (z < 0) continue;
        const managed = k.get(k.L.ZONE_MANAGED, z);
        const want = Math.floor((managed * pressure) / CRAM_PRESSURE_MAX);
        const boost = k.get(k.L.ZONE_BOOST, z);
        if (boost !== want) return `${zoneLabel(z)}: watermark_boost=${boost} but managed ${managed} * pressure ${pressure} / 1000 = ${want}`;
      }
      return null;
    }),
    prop(v, 'INV-NO-CRAM-AFTER-FREE', 'mm/cram.c: get_cram_node, cram_unregister_private_node (synchronize_rcu then refcount_dec_if_one spin, kfree)', (k) => {
      if (eventSet(k, EV_CN_USE_AFTER_FREE)) return 'a thread dereferenced a freed cram_node (EV_CN_USE_AFTER_FREE)';
      for (let n = 0; n < k.g.nodes; n++) {
        if (k.get(k.L.CN_STATE, n) !== 3) continue;
        const h = holders(k, REF_CN);
        // REF_CN does not name the node; with one cram_node any holder is one of it.
        const others = countOtherLiveCn(k, n);
        if (h > 0 && others === 0) return `cram_node of ${nodeLabel(k, n)} is freed while ${h} thread(s) hold a reference`;
      }
      return null;
    }),
  ];
}

function countOtherLiveCn(k: Kernel, n: number): number {
  let c = 0;
  for (let m = 0; m < k.g.nodes; m++) if (m !== n && k.get(k.L.CN_STATE, m) !== 0 && k.get(k.L.CN_STATE, m) !== 3) c++;
  return c;
}
