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
 * Is pfn compressed memory, i.e. in the compression driver's region (the
 * device's DPA range)? In one-region configurations every private pfn is; in
 * `tworegions` region B's pfns are ordinary memory of another device (the
 * cxl_mempolicy region: user stores are legitimate, no scrub is promised).
 */
export function compressedPfn(k: Kernel, pfn: number): boolean {
  let m = compressedCache.get(k.g);
  if (!m) {
    m = new Uint8Array(k.g.pfns);
    for (let p = 0; p < k.g.pfns; p++) {
      const nid = k.g.pfnNode[p]!;
      m[p] = k.cfg.nodes[nid]?.kind === 'private' && pfnInRegionA(k, nid, p) ? 1 : 0;
    }
    compressedCache.set(k.g, m);
  }
  return m[pfn] === 1;
}

// The geometry is static per machine: the per-pfn answer is cached on it, never on state.
const compressedCache = new WeakMap<object, Uint8Array>();
