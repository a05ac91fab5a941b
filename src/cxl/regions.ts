// The CXL regions of the private node: region A (the compression driver's,
// src/cxl/region_sysram.ts) is the node's first cfg.driver.regionBlocks memory
// blocks, or all of them; region B (the cxl_mempolicy driver's,
// src/cxl/region_b.ts) is the rest. Two regions in one CXL fixed memory
// window get the same node: devm_cxl_add_sysram's sysram_get_numa_node reads
// phys_to_target_node of the region's start.

import type { Kernel } from '../kernel/kernel.ts';

// (A leaf module: page.ts and compression.ts use it, so it imports no kernel code.)
/** The node's memory blocks (contiguous in the static geometry): the first index and how many. */
export function nodeBlockRange(k: Kernel, nid: number): { first: number; n: number } {
  let first = -1;
  let n = 0;
  k.g.blocks.forEach((b, i) => {
    if (b.node !== nid) return;
    if (first < 0) first = i;
    n++;
  });
  return { first, n };
}

export interface BlockRange {
  readonly first: number;
  readonly n: number;
}

/** Region A's memory-block-aligned range. */
export function regionABlocks(k: Kernel, nid: number): BlockRange {
  const { first, n } = nodeBlockRange(k, nid);
  return { first, n: Math.min(n, k.cfg.driver.regionBlocks ?? n) };
}

/** Region B's range: the node's blocks after region A's (n = 0 if none). */
export function regionBBlocks(k: Kernel, nid: number): BlockRange {
  const all = nodeBlockRange(k, nid);
  const a = regionABlocks(k, nid);
  return { first: a.first + a.n, n: all.n - a.n };
}

/** Is pfn in region A (the range cxl_compression's flush context covers: base_pfn .. base_pfn + nr_pages)? */
export function pfnInRegionA(k: Kernel, nid: number, pfn: number): boolean {
  const { first, n } = regionABlocks(k, nid);
  if (first < 0 || n === 0) return false;
  const lo = k.g.blocks[first]!.firstPfn;
  const last = k.g.blocks[first + n - 1]!;
  return pfn >= lo && pfn < last.firstPfn + last.pages;
}

/**
 * Compression region r's range: region A (r = 0), or with two compression
 * regions (cfg.driver.regions = 2, config `cram2`) the blocks after it (r = 1).
 */
export function compRegionBlocks(k: Kernel, nid: number, r: number): BlockRange {
  return r === 0 ? regionABlocks(k, nid) : regionBBlocks(k, nid);
}

/**
 * The compression region whose flush context covers pfn (base_pfn ..
 * base_pfn + nr_pages), or -1. In one-region configurations every private pfn
 * is region A's; in `tworegions` region B's pfns are ordinary memory of
 * another device (the cxl_mempolicy region: user stores are legitimate, no
 * scrub is promised); in `cram2` they are the second compression region's.
 */
export function compRegionOfPfn(k: Kernel, pfn: number): number {
  let m = compressedCache.get(k.g);
  if (!m) {
    m = new Int8Array(k.g.pfns).fill(-1);
    for (let p = 0; p < k.g.pfns; p++) {
      const nid = k.g.pfnNode[p]!;
      if (k.cfg.nodes[nid]?.kind !== 'private') continue;
      if (pfnInRegionA(k, nid, p)) m[p] = 0;
      else if ((k.cfg.driver.regions ?? 1) > 1) m[p] = 1;
    }
    compressedCache.set(k.g, m);
  }
  return m[pfn]!;
}

/** Is pfn compressed memory, i.e. in a compression region (the device's DPA range)? */
export function compressedPfn(k: Kernel, pfn: number): boolean {
  return compRegionOfPfn(k, pfn) >= 0;
}

/** The owner cookie cram_register gets (the CXL region): region A's. */
export const DRIVER_OWNER = 0;
/** The second compression region's cxlr (config `cram2`): an id no CPU op's owner (1 + cpu) takes. */
export const DRIVER2_OWNER = 14;

/** The owner cookie region r's driver passes to cram_register_private_node (its cxlr). */
export function driverOwner(r: number): number {
  return r === 0 ? DRIVER_OWNER : DRIVER2_OWNER;
}

/** The compression region whose flush context is the flush_data of a cram_node registered by owner, or -1. */
export function regionOfOwner(owner: number): number {
  return owner === DRIVER_OWNER ? 0 : owner === DRIVER2_OWNER ? 1 : -1;
}

// The geometry is static per machine: the per-pfn answer is cached on it, never on state.
const compressedCache = new WeakMap<object, Int8Array>();
