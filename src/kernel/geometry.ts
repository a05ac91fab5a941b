// Static facts derived once from a KernelConfig: which pfn belongs to which
// node, zone and memory block, and which threads (actors) exist. None of this
// changes at run time, so it stays out of the state vector.

import type { KernelConfig } from './config.ts';
import { MAX_NR_ZONES, ZONE_NAMES } from './defs.ts';

export interface BlockGeom {
  readonly node: number;
  /** global zone id = node * MAX_NR_ZONES + zone type */
  readonly zone: number;
  readonly firstPfn: number;
  readonly pages: number;
}

/** Roles of the modelled threads, in thread-index order. */
export type ThreadRole =
  | { readonly kind: 'cpu'; readonly cpu: number }
  | { readonly kind: 'kswapd'; readonly node: number }
  // region: the compression region whose driver instance the thread belongs to (0 = region A).
  | { readonly kind: 'flush_kthread'; readonly region: number }
  | { readonly kind: 'overflow_work'; readonly cpu: number; readonly region: number }
  | { readonly kind: 'irq_lthresh' }
  | { readonly kind: 'irq_hthresh' }
  | { readonly kind: 'driver'; readonly region: number }
  /** The kworker of cpuset_migrate_mm_wq (only with the child cpuset, last). */
  | { readonly kind: 'cpuset_migrate' };

export interface Geometry {
  readonly nodes: number;
  readonly zones: number;
  readonly pfns: number;
  readonly orders: number;
  readonly blocks: readonly BlockGeom[];
  readonly pfnNode: Uint8Array;
  readonly pfnZone: Uint8Array;
  readonly pfnBlock: Uint16Array;
  /** First private node (the one the compression driver manages), or -1. */
  readonly privateNode: number;
  readonly threads: readonly ThreadRole[];
  readonly cpuThread: (cpu: number) => number;
  readonly kswapdThread: (node: number) => number;
  readonly flushThread: number;
  readonly overflowThread: (cpu: number) => number;
  readonly lthreshThread: number;
  readonly hthreshThread: number;
  readonly driverThread: number;
  /** Flush buffers of the compression driver: three per CPU (active, overflow spare, kthread spare) per region. */
  readonly flushBufs: number;
  /** Compression regions on the private node (cfg.driver.regions, default 1), each its own driver instance. */
  readonly compRegions: number;
  /** Region r's driver, flush kthread and overflow works (region 0's are driverThread, flushThread, overflowThread). */
  readonly driverThreadOf: (r: number) => number;
  readonly flushThreadOf: (r: number) => number;
  readonly overflowThreadOf: (r: number, cpu: number) => number;
}

export function zoneId(node: number, type: number): number {
  return node * MAX_NR_ZONES + type;
}

export function zoneNode(zone: number): number {
  return Math.floor(zone / MAX_NR_ZONES);
}

export function zoneType(zone: number): number {
  return zone % MAX_NR_ZONES;
}

export function zoneLabel(zone: number): string {
  return `N${zoneNode(zone)}.${ZONE_NAMES[zoneType(zone)]}`;
}

export function buildGeometry(cfg: KernelConfig): Geometry {
  const blocks: BlockGeom[] = [];
  let pfn = 0;
  cfg.nodes.forEach((node, nid) => {
    // Zones of a node are laid out lowest type first, as physical memory is.
    const zones = [...node.zones].sort((a, b) => ZONE_NAMES.indexOf(a.type) - ZONE_NAMES.indexOf(b.type));
    for (const z of zones) {
      for (let b = 0; b < z.blocks; b++) {
        blocks.push({ node: nid, zone: zoneId(nid, ZONE_NAMES.indexOf(z.type)), firstPfn: pfn, pages: cfg.blockPages });
        pfn += cfg.blockPages;
      }
    }
  });
  const pfnNode = new Uint8Array(pfn);
  const pfnZone = new Uint8Array(pfn);
  const pfnBlock = new Uint16Array(pfn);
  blocks.forEach((b, i) => {
    for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) {
      pfnNode[p] = b.node;
      pfnZone[p] = b.zone;
      pfnBlock[p] = i;
    }
  });
  const threads: ThreadRole[] = [];
  cfg.cpus.forEach((_, cpu) => threads.push({ kind: 'cpu', cpu }));
  cfg.nodes.forEach((_, node) => threads.push({ kind: 'kswapd', node }));
  threads.push({ kind: 'flush_kthread', region: 0 });
  cfg.cpus.forEach((_, cpu) => threads.push({ kind: 'overflow_work', cpu, region: 0 }));
  threads.push({ kind: 'irq_lthresh' }, { kind: 'irq_hthresh' }, { kind: 'driver', region: 0 });
  if (cfg.actors.cpuset) threads.push({ kind: 'cpuset_migrate' });
  const nCpu = cfg.cpus.length;
  const nNodes = cfg.nodes.length;
  const flushThread = nCpu + nNodes;
  // A second compression region's driver instance: its threads come last (region 0's indices unchanged).
  const R = cfg.driver.regions ?? 1;
  const r2 = threads.length;
  for (let r = 1; r < R; r++) {
    threads.push({ kind: 'driver', region: r }, { kind: 'flush_kthread', region: r });
    cfg.cpus.forEach((_, cpu) => threads.push({ kind: 'overflow_work', cpu, region: r }));
  }
  const per = 2 + nCpu; // threads of each extra region
  return {
    nodes: nNodes,
    zones: nNodes * MAX_NR_ZONES,
    pfns: pfn,
    orders: cfg.maxOrder + 1,
    blocks,
    pfnNode,
    pfnZone,
    pfnBlock,
    privateNode: cfg.nodes.findIndex((n) => n.kind === 'private'),
    threads,
    cpuThread: (cpu) => cpu,
    kswapdThread: (node) => nCpu + node,
    flushThread,
    overflowThread: (cpu) => flushThread + 1 + cpu,
    lthreshThread: flushThread + 1 + nCpu,
    hthreshThread: flushThread + 2 + nCpu,
    driverThread: flushThread + 3 + nCpu,
    flushBufs: 3 * nCpu * R,
    compRegions: R,
    driverThreadOf: (r) => (r === 0 ? flushThread + 3 + nCpu : r2 + (r - 1) * per),
    flushThreadOf: (r) => (r === 0 ? flushThread : r2 + (r - 1) * per + 1),
    overflowThreadOf: (r, cpu) => (r === 0 ? flushThread + 1 + cpu : r2 + (r - 1) * per + 2 + cpu),
  };
}
