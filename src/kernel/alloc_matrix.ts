// The allocation matrix as program ops (issue 10, class 6): kernel code on a
// user CPU calls __alloc_pages with a gfp built from named flags, a preferred
// node and an optional nodemask, and frees the page again at once (the test
// is the allocation's answer, not the page's later life, so the state space
// stays a line per op). Explored under the cpuset toggle, every combination of
// __GFP_THISNODE / __GFP_PRIVATE, preferred node, nodemask and cpuset mems
// reaches numa_zone_alloc_allowed, so a wrong mask test there is found by
// exploration, not only by unit tests. INV-ALLOC-POST (src/kernel/contracts.ts)
// judges each answer at the moment it is given.

import {
  __GFP_DIRECT_RECLAIM, __GFP_HIGH, __GFP_HIGHMEM, __GFP_KSWAPD_RECLAIM, __GFP_MOVABLE, __GFP_NOMEMALLOC, __GFP_PRIVATE,
  __GFP_THISNODE, GFP_ATOMIC, GFP_HIGHUSER_MOVABLE, GFP_KERNEL,
} from './defs.ts';
import type { ProgramOp } from './config.ts';
import type { Kernel } from './kernel.ts';
import { allocPages, freePagesToBuddy, NULL_PFN } from './page_alloc.ts';

/** gfp flag names a config may combine (include/linux/gfp_types.h). */
export const GFP_FLAG_NAMES = [
  'GFP_KERNEL', 'GFP_HIGHUSER_MOVABLE', 'GFP_ATOMIC', '__GFP_THISNODE', '__GFP_PRIVATE', '__GFP_HIGH', '__GFP_NOMEMALLOC',
  '__GFP_MOVABLE', '__GFP_HIGHMEM', '__GFP_DIRECT_RECLAIM', '__GFP_KSWAPD_RECLAIM',
] as const;
export type GfpFlagName = (typeof GFP_FLAG_NAMES)[number];

const GFP_BITS: Readonly<Record<GfpFlagName, number>> = {
  GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_ATOMIC, __GFP_THISNODE, __GFP_PRIVATE, __GFP_HIGH, __GFP_NOMEMALLOC,
  __GFP_MOVABLE, __GFP_HIGHMEM, __GFP_DIRECT_RECLAIM, __GFP_KSWAPD_RECLAIM,
};

export function gfpFromNames(names: readonly GfpFlagName[]): number {
  return names.reduce((g, n) => g | GFP_BITS[n], 0);
}

/**
 * One allocation of the matrix: __alloc_pages(gfp, 0, node, nodemask) in task
 * context, then __free_pages of whatever it returned (kernel code probing an
 * allocation; no folio, no free hooks).
 */
// mm/page_alloc.c: __alloc_pages_noprof, __free_pages
export function allocMatrixStep(k: Kernel, node: number, gfp: readonly GfpFlagName[], nodemask: readonly number[] | undefined): number {
  const mask = nodemask === undefined ? null : nodemask.reduce((m, n) => m | (1 << n), 0);
  const pfn = allocPages(k, gfpFromNames(gfp), 0, node, mask, { inTask: true });
  if (pfn !== NULL_PFN) freePagesToBuddy(k, pfn, 0); // resets the page's fields (canonical free page)
  return pfn;
}

/**
 * The matrix over a preferred-node list: four gfp variants (GFP_HIGHUSER_MOVABLE
 * alone, with __GFP_THISNODE, with __GFP_PRIVATE, with both) x nodemask (none,
 * each single node), plus GFP_KERNEL|__GFP_PRIVATE|__GFP_THISNODE (a zone below
 * P's MOVABLE zone) and a non-blocking __GFP_HIGH request with a nodemask.
 */
export function allocMatrixProgram(preferred: readonly number[], nodes: number): ProgramOp[] {
  const variants: GfpFlagName[][] = [
    ['GFP_HIGHUSER_MOVABLE'],
    ['GFP_HIGHUSER_MOVABLE', '__GFP_THISNODE'],
    ['GFP_HIGHUSER_MOVABLE', '__GFP_PRIVATE'],
    ['GFP_HIGHUSER_MOVABLE', '__GFP_THISNODE', '__GFP_PRIVATE'],
  ];
  const masks: (number[] | undefined)[] = [undefined, ...Array.from({ length: nodes }, (_, n) => [n])];
  const ops: ProgramOp[] = [];
  for (const node of preferred) {
    for (const gfp of variants) {
      for (const nodemask of masks) ops.push(nodemask ? { op: 'alloc_pages', node, gfp, nodemask } : { op: 'alloc_pages', node, gfp });
    }
    ops.push({ op: 'alloc_pages', node, gfp: ['GFP_KERNEL', '__GFP_PRIVATE', '__GFP_THISNODE'] });
    ops.push({ op: 'alloc_pages', node, gfp: ['GFP_ATOMIC', '__GFP_PRIVATE'], nodemask: [0] });
  }
  return ops;
}
