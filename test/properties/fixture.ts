// A hand-built healthy state for the property tests, independent of the
// kernel model's behaviour: a blank state whose fields are poked into what a
// booted machine with CRAM on P looks like. Each test changes the minimum to
// break one rule.
//
// Machine: D0 (N0) DRAM with CPUs, NORMAL, pfns 0-3; P (N1) private MOVABLE
// pfns 4-5; Q (N2) a second private node, MOVABLE pfns 6-7, absent in the
// baseline. One CPU, mm0 with 2 page slots.

import type { KernelConfig } from '../../src/kernel/config.ts';
import { N_CPU, N_MEMORY, N_MEMORY_PRIVATE, N_ONLINE, NP_OPS_DEMOTION, NP_OPS_MEMPOLICY, NP_OPS_MIGRATION, ZONE_MOVABLE, ZONE_NORMAL, BLOCK_ONLINE } from '../../src/kernel/defs.ts';
import { zoneId } from '../../src/kernel/geometry.ts';
import { buildMachine, Kernel, type Machine } from '../../src/kernel/kernel.ts';
import { OPS_CRAM } from '../../src/kernel/ops_table.ts';
import { VMA_MAPPED, VMA_READ, VMA_WRITE } from '../../src/kernel/layout.ts';
import { kernelProperties } from '../../properties/index.ts';
import type { Property } from '../../src/explore/system.ts';

export const D0 = 0;
export const P = 1;
export const Q = 2;
export const D0_NORMAL = zoneId(D0, ZONE_NORMAL);
export const P_MOVABLE = zoneId(P, ZONE_MOVABLE);
export const Q_MOVABLE = zoneId(Q, ZONE_MOVABLE);
/** ops ids: 1 cram_ops; 2 a MIGRATION|MEMPOLICY service; 3 no flags. */
export const OPS_MPOL = 2;
export const OPS_BARE = 3;
export const OPS_DEMOTE_ONLY = 4;

export const fixtureConfig: KernelConfig = {
  name: 'props-fixture',
  nodes: [
    { kind: 'dram', cpus: true, zones: [{ type: 'NORMAL', blocks: 2 }] },
    { kind: 'private', cpus: false, zones: [{ type: 'MOVABLE', blocks: 1 }] },
    { kind: 'private', cpus: false, zones: [{ type: 'MOVABLE', blocks: 1 }] },
  ],
  distance: [[10, 20, 30], [20, 10, 30], [30, 30, 10]],
  blockPages: 2,
  maxOrder: 0,
  cpus: [{ node: 0, mm: 0, program: [] }],
  mms: 1,
  vaddrs: 2,
  files: 1,
  filePages: 1,
  swapSlots: 1,
  contentValues: 4,
  device: { physUnits: 8, cost: [0, 2, 4], lthresh: 4, hthresh: 0 },
  driver: { bufMax: 1, mediaOps: true },
  demoteBatch: 1,
  numaDemotionEnabled: true,
  opsTables: [
    { name: 'mpol', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate'] },
    { name: 'bare', flags: 0, callbacks: [] },
    { name: 'demote-only', flags: NP_OPS_DEMOTION, callbacks: [] },
  ],
  mutant: null,
  fixes: [],
  choices: {},
  actors: { kswapd: true, driver: false, device: true, flush: true, cpuset: false },
};

export interface Fixture {
  readonly m: Machine;
  readonly k: Kernel;
  readonly props: readonly Property[];
  /** The property's verdict on the fixture's current state. */
  check(id: string): string | null;
}

export function healthy(): Fixture {
  const m = buildMachine(fixtureConfig);
  const k = Kernel.blank(m);
  const L = k.L;
  k.set(L.G_NP_INITIALIZED, 0, 1);
  k.set(L.NODE_STATES, D0, N_ONLINE | N_MEMORY | N_CPU);
  k.set(L.NODE_STATES, P, N_ONLINE | N_MEMORY_PRIVATE);
  k.set(L.NODE_PRIVATE, P, 1);
  k.set(L.NODE_NP, P, 1); // np slot 0
  k.set(L.NP_REFCOUNT, 0, 1);
  k.set(L.NP_OPS, 0, OPS_CRAM);
  k.set(L.CN_STATE, P, 1);
  k.set(L.CN_REFCOUNT, P, 1);
  k.set(L.CN_OWNER, P, 1);
  k.set(L.CN_FLUSH_CB, P, 1);
  k.set(L.NODE_KSWAPD, D0, 1);
  k.set(L.NODE_KSWAPD, P, 1);
  // kcompactd_run for the N_MEMORY node; both nodes with memory sit in a memory tier.
  k.set(L.NODE_KCOMPACTD, D0, 1);
  k.set(L.NODE_IN_TIER, D0, 1);
  k.set(L.NODE_IN_TIER, P, 1);
  k.set(L.NODE_DEMOTION_TARGETS, D0, 1 << P);
  // the root cpuset's mems: N_MEMORY | N_MEMORY_PRIVATE (v4's cpuset_handle_hotplug)
  k.set(L.G_CPUSET_MEMS, 0, (1 << D0) | (1 << P));
  // blocks 0,1 = D0; 2 = P (added for np0); 3 = Q (absent)
  k.set(L.BLOCK_STATE, 0, BLOCK_ONLINE);
  k.set(L.BLOCK_STATE, 1, BLOCK_ONLINE);
  k.set(L.BLOCK_STATE, 2, BLOCK_ONLINE);
  k.set(L.BLOCK_PRIVATE_NP, 2, 1);
  k.set(L.ZONE_PRESENT, D0_NORMAL, 4);
  k.set(L.ZONE_MANAGED, D0_NORMAL, 4);
  k.set(L.ZONE_PRESENT, P_MOVABLE, 2);
  k.set(L.ZONE_MANAGED, P_MOVABLE, 2);
  // zonelists (SEMANTICS 3.1): D0: [D0.NORMAL]; P: FALLBACK [P.MOVABLE, D0.NORMAL], NOFALLBACK [P.MOVABLE]
  setZonelist(k, D0, true, [D0_NORMAL]);
  setZonelist(k, D0, false, [D0_NORMAL]);
  setZonelist(k, P, true, [P_MOVABLE, D0_NORMAL]);
  setZonelist(k, P, false, [P_MOVABLE]);
  setZonelist(k, Q, true, [D0_NORMAL]);
  k.set(L.MM_LIVE, 0, 1);
  k.set(L.VMA_FLAGS, 0, VMA_MAPPED | VMA_READ | VMA_WRITE);
  // the buddy: P's pfn 5 free and zeroed, pfn 4 allocated below by tests that need a folio
  k.set(L.PG_BUDDY, 5, 1);
  const props = kernelProperties(m);
  return {
    m,
    k,
    props,
    check(id: string): string | null {
      const p = props.find((x) => x.id === id);
      if (!p) throw new Error(`no property ${id}`);
      return p.check(new Uint32Array(k.s.buffer, k.s.byteOffset, m.L.words16 / 2));
    },
  };
}

export function setZonelist(k: Kernel, n: number, fallback: boolean, zones: readonly number[]): void {
  const f = fallback ? k.L.NODE_ZL_FALLBACK : k.L.NODE_ZL_NOFALLBACK;
  const width = fallback ? k.g.zones : 4;
  for (let i = 0; i < width; i++) k.set(f, n * width + i, i < zones.length ? zones[i]! + 1 : 0);
}
