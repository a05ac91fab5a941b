// Which driver's struct node_private is registered on the private node, and
// which driver wrote its ops, when the node carries two CXL regions (config
// `tworegions`: region A, the compression driver's; region B, the
// cxl_mempolicy driver's, src/cxl/region_b.ts).
//
// v4 embeds a struct node_private in every struct cxl_sysram (one per region,
// drivers/cxl/core/region_sysram.c), so two regions are two np objects. The
// model keeps one np slot per private node (README, modelling choices): the
// slot holds the registered np, else region A's current sysram's. RB_NP says
// the registered np is region B's; while it is, RB_A_OPS keeps the ops of
// region A's (unregistered) np, which v4 keeps in that np and a later
// node_private_register of it does not reset. RB_OPS_BY_B says the slot's
// np->ops were last written by region B's driver (ghost: node_private_set_ops
// takes no owner, so the kernel cannot tell).

import type { Kernel } from './kernel.ts';

/** Region B's sysram device exists (probed, not yet released). */
export const RB_SYSRAM = 1 << 0;
/** Region B's sysram holds its resource: its range was hot-added. */
export const RB_RES = 1 << 1;
/** The np registered on the node is one embedded in a region B sysram. */
export const RB_NP = 1 << 2;
/** ... and that sysram was kfree'd (cxl_sysram_release) while its np stayed registered. */
export const RB_NP_FREED = 1 << 3;
/** The registered np's ops were last written by region B's driver (node_private_set_ops). */
export const RB_OPS_BY_B = 1 << 4;
/** Region A's saved ops (RB_A_OPS) were written by region B's driver. */
export const RB_A_OPS_BY_B = 1 << 5;

/** Does this configuration have a second region on the private node? */
export function hasRegionB(k: Kernel): boolean {
  return k.L.RB_FLAGS.len > 0;
}

export function rbFlags(k: Kernel): number {
  return hasRegionB(k) ? k.get(k.L.RB_FLAGS) : 0;
}

export function rbSet(k: Kernel, bits: number): void {
  if (hasRegionB(k)) k.setBits(k.L.RB_FLAGS, 0, bits);
}

export function rbClear(k: Kernel, bits: number): void {
  if (hasRegionB(k)) k.clearBits(k.L.RB_FLAGS, 0, bits);
}

/** node_private_set_ops / clear_ops stored into the registered np: the writer is region A's side unless the caller says otherwise. */
export function npOpsWritten(k: Kernel): void {
  rbClear(k, RB_OPS_BY_B);
}

/**
 * node_private_unregister cleared pgdat->node_private: if the np was region
 * B's, the slot goes back to region A's sysram's np and its ops.
 */
export function npUnregistered(k: Kernel, slot: number): void {
  if (rbFlags(k) & RB_NP) npSlotGiveBack(k, slot);
}

/** The slot goes back to region A's sysram's np: its saved ops (and who wrote them). */
export function npSlotGiveBack(k: Kernel, slot: number): void {
  const f = rbFlags(k);
  k.set(k.L.NP_OPS, slot, k.get(k.L.RB_A_OPS));
  k.set(k.L.RB_A_OPS, 0, 0);
  k.clearBits(k.L.RB_FLAGS, 0, RB_NP | RB_NP_FREED | RB_OPS_BY_B);
  if (f & RB_A_OPS_BY_B) k.setBits(k.L.RB_FLAGS, 0, RB_OPS_BY_B);
  k.clearBits(k.L.RB_FLAGS, 0, RB_A_OPS_BY_B);
}

/**
 * Region B's np is about to be registered in the slot (no np is registered):
 * save region A's np->ops, and give the slot region B's fresh (kzalloc'd) np.
 */
export function npSlotTakenByB(k: Kernel, slot: number): void {
  const f = rbFlags(k);
  k.set(k.L.RB_A_OPS, 0, k.get(k.L.NP_OPS, slot));
  k.set(k.L.NP_OPS, slot, 0);
  k.set(k.L.NP_MIGRATION_BLOCKED, slot, 0);
  k.clearBits(k.L.RB_FLAGS, 0, RB_OPS_BY_B | RB_A_OPS_BY_B);
  if (f & RB_OPS_BY_B) k.setBits(k.L.RB_FLAGS, 0, RB_A_OPS_BY_B);
}
