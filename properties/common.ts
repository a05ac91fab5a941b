// Shared reading helpers for the invariants. Every helper only READS the state:
// the properties judge the kernel model, they never steer it. Node/np/ops
// lookups are re-derived from the state each time (no cache keyed on state).

import { N_MEMORY, N_MEMORY_PRIVATE } from '../src/kernel/defs.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { StateView } from '../src/kernel/state_view.ts';
import { OPS_CRAM, OPS_NULL, opsById } from '../src/kernel/ops_table.ts';
import { NP_OPS_DEMOTION, NP_OPS_MIGRATION, NP_OPS_NUMA_BALANCING, NP_OPS_PROTECT_WRITE, NP_OPS_RECLAIM } from '../src/kernel/defs.ts';
import type { Property } from '../src/explore/system.ts';
import { zoneLabel } from '../src/kernel/geometry.ts';
import { driverOfflineHeld } from '../src/cxl/region_sysram.ts';
import { regionBOfflineHeld } from '../src/cxl/region_b.ts';

/** mm/cram.c: cram_ops.flags (used when cram.ts has not registered its table in this process). */
export const CRAM_OPS_FLAGS = NP_OPS_MIGRATION | NP_OPS_DEMOTION | NP_OPS_NUMA_BALANCING | NP_OPS_PROTECT_WRITE | NP_OPS_RECLAIM;

// Properties read the state through the shared view (src/kernel/state_view.ts).
export { StateView };

/** Build a Property whose predicate reads a Kernel view of the state. */
export function prop(view: StateView, id: string, source: string, check: (k: Kernel) => string | null): Property {
  return { id, source, check: (state: Uint32Array) => check(view.at(state)) };
}

export function nodeLabel(k: Kernel, n: number): string {
  return k.cfg.nodes[n]?.kind === 'private' ? `P${n}` : `D${n}`;
}

export { zoneLabel };

export function isNMemory(k: Kernel, n: number): boolean {
  return k.has(k.L.NODE_STATES, n, N_MEMORY);
}

export function isNPrivate(k: Kernel, n: number): boolean {
  return k.has(k.L.NODE_STATES, n, N_MEMORY_PRIVATE);
}

/** A node the configuration gives private (driver-managed) memory. */
export function isPrivateKind(k: Kernel, n: number): boolean {
  return k.cfg.nodes[n]?.kind === 'private';
}

/** np slot published on node n (pgdat->node_private), or -1 for NULL. */
export function npSlot(k: Kernel, n: number): number {
  return k.get(k.L.NODE_NP, n) - 1;
}

/** Flags of ops table id (0 = NULL reads as no flags). */
export function opsFlags(k: Kernel, id: number): number {
  if (id === OPS_NULL) return 0;
  if (id === OPS_CRAM) return opsById(k, OPS_CRAM)?.flags ?? CRAM_OPS_FLAGS;
  return k.cfg.opsTables[id - 2]?.flags ?? 0;
}

/** include/linux/node_private.h: node_private_flags(nid): live; no np or no ops reads as 0. */
export function nodeFlags(k: Kernel, n: number): number {
  const slot = npSlot(k, n);
  if (slot < 0) return 0;
  return opsFlags(k, k.get(k.L.NP_OPS, slot));
}

/** Number of threads whose THR_REFS has `ref`. */
export function holders(k: Kernel, ref: number): number {
  let c = 0;
  for (let t = 0; t < k.g.threads.length; t++) if (k.has(k.L.THR_REFS, t, ref)) c++;
  return c;
}

export function threadName(k: Kernel, t: number): string {
  const r = k.g.threads[t];
  if (!r) return `t${t}`;
  switch (r.kind) {
    case 'cpu': return `cpu${r.cpu}`;
    case 'kswapd': return `kswapd${r.node}`;
    case 'overflow_work': return `overflow${r.cpu}`;
    default: return r.kind;
  }
}

export function allIdle(k: Kernel): boolean {
  for (let t = 0; t < k.g.threads.length; t++) if (k.get(k.L.THR_OP, t) !== 0) return false;
  // The driver thread has no THR_OP: inside offline_pages' do_migrate_range it holds folios isolated;
  // so does region B's remover (a CPU inside the cxl_mempolicy_remove op, THR_OP idle).
  return driverOfflineHeld(k).length === 0 && regionBOfflineHeld(k).length === 0;
}

/** Render a nodemask as {0,2}. */
export function maskStr(mask: number): string {
  const out: number[] = [];
  for (let n = 0; mask >> n; n++) if (mask & (1 << n)) out.push(n);
  return `{${out.join(',')}}`;
}

/** Name of an EV_* ghost event bit for messages. */
export function eventSet(k: Kernel, bit: number): boolean {
  return k.has(k.L.GH_EVENTS, 0, bit);
}
