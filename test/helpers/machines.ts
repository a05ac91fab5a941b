// Small KernelConfigs for kernel-model tests. The base machine is the
// SEMANTICS 3.3 worked example: D0 (N0) has CPUs and NORMAL+DMA32, D1 (N1) has
// CPUs and NORMAL, P (N2) has no CPUs and only MOVABLE; d(D0,D1)=21,
// d(P,D0)=20, d(P,D1)=30.

import type { KernelConfig, NodeConfig, OpsTableConfig, ZoneConfig } from '../../src/kernel/config.ts';
import { addPrivateMemoryDriverManaged, nodeBlockRange } from '../../src/kernel/memory_hotplug.ts';
import { boot } from '../../src/kernel/boot.ts';
import { MMOP_ONLINE_MOVABLE, NP_OPS_DEMOTION, NP_OPS_LONGTERM_PIN, NP_OPS_MEMPOLICY, NP_OPS_MIGRATION, NP_OPS_PROTECT_WRITE, NP_OPS_RECLAIM } from '../../src/kernel/defs.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';

export const D0 = 0;
export const D1 = 1;
export const P = 2;

/** Ops tables every test machine carries (ids 2.. in this order). */
export const TEST_OPS: readonly OpsTableConfig[] = [
  // A plain migrating service (the cxl_mempolicy sample): MIGRATION|MEMPOLICY.
  { name: 'mpol', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate'] },
  // A CRAM-like demotion target.
  { name: 'demote', flags: NP_OPS_MIGRATION | NP_OPS_DEMOTION | NP_OPS_RECLAIM | NP_OPS_PROTECT_WRITE, callbacks: ['migrate_to', 'folio_migrate', 'free_folio', 'reclaim_policy'] },
  // Flags only: nothing allowed.
  { name: 'bare', flags: 0, callbacks: [] },
  // Invalid combinations for set_ops.
  { name: 'mig-no-cb', flags: NP_OPS_MIGRATION, callbacks: ['migrate_to'] },
  { name: 'mpol-no-mig', flags: NP_OPS_MEMPOLICY, callbacks: [] },
  { name: 'mpol-wp', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY | NP_OPS_PROTECT_WRITE, callbacks: ['migrate_to', 'folio_migrate'] },
  { name: 'numa-no-mig', flags: 1 << 5, callbacks: [] },
  { name: 'compact-no-mig', flags: 1 << 6, callbacks: [] },
  // migrate_to present, MIGRATION flag absent: node_private_migrate_to still calls it (A5).
  { name: 'cb-no-flag', flags: 0, callbacks: ['migrate_to'] },
  // A migrating service that also allows long-term pins (NP_OPS_LONGTERM_PIN, v4 patch 20).
  { name: 'pinlt', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY | NP_OPS_LONGTERM_PIN, callbacks: ['migrate_to', 'folio_migrate'] },
  // A migrating service with a memory_failure notification (v4 patch 21).
  { name: 'mf', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'memory_failure'] },
];

export interface MachineOpts {
  readonly blockPages?: number;
  readonly maxOrder?: number;
  /** Blocks per zone (default 1 each). */
  readonly d0Normal?: number;
  readonly d0Dma32?: number;
  readonly d1Normal?: number;
  readonly pMovable?: number;
  readonly wmark?: { readonly min: number; readonly low: number; readonly high: number };
  readonly pWmark?: { readonly min: number; readonly low: number; readonly high: number };
  readonly mutant?: string | null;
  readonly cpuset?: boolean;
  /** A second private node Q (N3), MOVABLE only, d(Q,*) = 40. */
  readonly secondPrivate?: boolean;
  readonly pAdistance?: number;
}

function zone(type: ZoneConfig['type'], blocks: number, wmark?: ZoneConfig['wmark']): ZoneConfig {
  return wmark ? { type, blocks, wmark } : { type, blocks };
}

/** The §3.3 worked-example machine (plus options). */
export function exampleConfig(o: MachineOpts = {}): KernelConfig {
  const w = o.wmark ?? { min: 0, low: 0, high: 0 };
  const nodes: NodeConfig[] = [
    { kind: 'dram', cpus: true, zones: [zone('NORMAL', o.d0Normal ?? 1, w), zone('DMA32', o.d0Dma32 ?? 1, w)] },
    { kind: 'dram', cpus: true, zones: [zone('NORMAL', o.d1Normal ?? 1, w)] },
    { kind: 'private', cpus: false, zones: [zone('MOVABLE', o.pMovable ?? 1, o.pWmark ?? w)], ...(o.pAdistance !== undefined ? { adistance: o.pAdistance } : {}) },
  ];
  let distance = [
    [10, 21, 20],
    [21, 10, 30],
    [20, 30, 10],
  ];
  if (o.secondPrivate) {
    nodes.push({ kind: 'private', cpus: false, zones: [zone('MOVABLE', 1, w)] });
    distance = [
      [10, 21, 20, 40],
      [21, 10, 30, 40],
      [20, 30, 10, 40],
      [40, 40, 40, 10],
    ];
  }
  return {
    name: 'example-3.3',
    nodes,
    distance,
    blockPages: o.blockPages ?? 8,
    maxOrder: o.maxOrder ?? 2,
    cpus: [
      { node: D0, mm: 0, program: [] },
      { node: D1, mm: 0, program: [] },
    ],
    mms: 1,
    vaddrs: 4,
    files: 1,
    filePages: 2,
    swapSlots: 2,
    contentValues: 4,
    device: { physUnits: 64, cost: [0, 1, 2], lthresh: 48, hthresh: 16 },
    driver: { bufMax: 2, mediaOps: true },
    demoteBatch: 2,
    numaDemotionEnabled: true,
    opsTables: TEST_OPS,
    mutant: o.mutant ?? null,
    fixes: [],
    choices: {},
    actors: { kswapd: true, driver: true, device: true, flush: true, cpuset: o.cpuset ?? false },
  };
}

/** Booted example machine (P absent). */
export function bootExample(o: MachineOpts = {}): Kernel {
  return boot(buildMachine(exampleConfig(o)));
}

/** First block index of node nid and how many it has. */
export function nodeBlocks(k: Kernel, nid: number): { first: number; n: number } {
  return nodeBlockRange(k, nid);
}

/**
 * Booted example with P hot-added as the CXL driver does: registered with np
 * slot 0 and onlined MOVABLE; ops `opsName` set if given (ids from TEST_OPS).
 */
export function bootWithP(o: MachineOpts = {}, opsName: string | null = 'mpol'): Kernel {
  const k = bootExample(o);
  const { first, n } = nodeBlocks(k, P);
  const r = addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0);
  if (r !== 0) throw new Error(`hot-add P failed: ${r}`);
  if (opsName) {
    const s = nodePrivateSetOps(k, P, opsIdByName(k, opsName));
    if (s !== 0) throw new Error(`set_ops failed: ${s}`);
  }
  return k;
}
