// Allocation-isolation invariants: who may get P's pages, which zonelists and
// policies may name P, and who may demote into P (SEMANTICS §2, §3, §9 items
// 4, 5, 6, 18).

import type { Property } from '../src/explore/system.ts';
import { MAX_NR_ZONES, MPOL_F_PRIVATE, NP_OPS_DEMOTION, NP_OPS_MEMPOLICY } from '../src/kernel/defs.ts';
import { zoneNode } from '../src/kernel/geometry.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { GA_CONTIG, GA_PRIVATE_OK, PG_head, VMA_MAPPED } from '../src/kernel/layout.ts';
import { isNMemory, isNPrivate, isPrivateKind, maskStr, nodeFlags, nodeLabel, prop, zoneLabel, type StateView } from './common.ts';

/** A node whose zones must stay out of others' zonelists: private now, or reserved by a driver. */
function privateish(k: Kernel, n: number): boolean {
  return isNPrivate(k, n) || k.get(k.L.NODE_PRIVATE, n) !== 0;
}

/** Entry i of a zonelist: global zone id, or -1 past its end. Read in place (no arrays: this runs on every state). */
function zlAt(k: Kernel, n: number, fallback: boolean, i: number): number {
  const width = fallback ? k.g.zones : MAX_NR_ZONES;
  if (i >= width) return -1;
  return k.get(fallback ? k.L.NODE_ZL_FALLBACK : k.L.NODE_ZL_NOFALLBACK, n * width + i) - 1;
}

function zlName(k: Kernel, n: number, fallback: boolean): string {
  const zs: string[] = [];
  for (let i = 0, z = zlAt(k, n, fallback, 0); z >= 0; z = zlAt(k, n, fallback, ++i)) zs.push(zoneLabel(z));
  return `${fallback ? 'FALLBACK' : 'NOFALLBACK'}(${nodeLabel(k, n)}) = [${zs.join(', ')}]`;
}

function checkOneZonelist(k: Kernel, n: number, fb: boolean): string | null {
  // (c) never two private nodes in one list
  let priv = -1;
  for (let i = 0, z = zlAt(k, n, fb, 0); z >= 0; z = zlAt(k, n, fb, ++i)) {
    const zn = zoneNode(z);
    if (!privateish(k, zn)) continue;
    if (priv >= 0 && zn !== priv) return `(c) ${zlName(k, n, fb)} holds zones of two private nodes`;
    priv = zn;
  }
  if (!isNPrivate(k, n)) {
    // (a) a normal node never lists a private zone
    for (let i = 0, z = zlAt(k, n, fb, 0); z >= 0; z = zlAt(k, n, fb, ++i)) {
      if (privateish(k, zoneNode(z))) return `(a) ${zlName(k, n, fb)} contains private zone ${zoneLabel(z)}`;
    }
    return null;
  }
  // (b) P's own zones first; NOFALLBACK is exactly them, FALLBACK continues with N_MEMORY zones only.
  let own = 0;
  while (zlAt(k, n, fb, own) >= 0 && zoneNode(zlAt(k, n, fb, own)) === n) own++;
  for (let t = 0; t < MAX_NR_ZONES; t++) {
    const z = n * MAX_NR_ZONES + t;
    if (k.get(k.L.ZONE_PRESENT, z) === 0) continue;
    let found = false;
    for (let i = 0; i < own; i++) if (zlAt(k, n, fb, i) === z) found = true;
    if (!found) {
      for (let i = own, y = zlAt(k, n, fb, i); y >= 0; y = zlAt(k, n, fb, ++i)) {
        if (y === z) return `(b) ${zlName(k, n, fb)}: P's own zones are not first`;
      }
      return `(b) ${zlName(k, n, fb)} misses populated zone ${zoneLabel(z)}`;
    }
  }
  const rest = zlAt(k, n, fb, own);
  if (!fb && rest >= 0) return `(b) ${zlName(k, n, fb)} holds zones of other nodes`;
  for (let i = own, z = rest; z >= 0; z = zlAt(k, n, fb, ++i)) {
    if (zoneNode(z) === n) return `(b) ${zlName(k, n, fb)}: P's own zones are not first`;
    if (!isNMemory(k, zoneNode(z))) return `(b) ${zlName(k, n, fb)} falls back to ${zoneLabel(z)} of a non-N_MEMORY node`;
  }
  return null;
}

function checkZonelists(k: Kernel): string | null {
  for (let n = 0; n < k.g.nodes; n++) {
    const r = checkOneZonelist(k, n, true) ?? checkOneZonelist(k, n, false);
    if (r) return r;
  }
  return null;
}

export function allocProperties(v: StateView): Property[] {
  return [
    // Decision: alloc_contig_pages (GA_CONTIG) taking P pages without
    // __GFP_PRIVATE is a violation too, reported with its own message (§2.4).
    prop(v, 'INV-ISOLATION-ALLOC', 'mm/page_alloc.c: numa_zone_alloc_allowed, build_zonelists (alloc_contig_pages is covered by neither)', (k) => {
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        const n = k.g.pfnNode[pfn]!;
        if (!isPrivateKind(k, n) || !k.has(k.L.PG_FLAGS, pfn, PG_head)) continue;
        const ga = k.get(k.L.GH_ALLOC, pfn);
        if (ga & GA_PRIVATE_OK) continue;
        if (ga & GA_CONTIG) return `pfn ${pfn} on ${nodeLabel(k, n)} was taken by alloc_contig_pages without __GFP_PRIVATE/preferred ${nodeLabel(k, n)} (GH_ALLOC=${ga})`;
        return `pfn ${pfn} on ${nodeLabel(k, n)} allocated without __GFP_PRIVATE and preferred nid ${nodeLabel(k, n)} (GH_ALLOC=${ga})`;
      }
      return null;
    }),
    prop(v, 'INV-ZONELIST', 'mm/page_alloc.c: build_zonelists', checkZonelists),
    prop(v, 'INV-MPOL', 'mm/mempolicy.c: mpol_set_nodemask, mpol_rebind_nodemask, mpol_rebind_task', (k) => {
      const check = (where: string, nodes: number, flags: number): string | null => {
        let hasPriv = false;
        for (let n = 0; n < k.g.nodes; n++) {
          if (!(nodes & (1 << n)) || !isNPrivate(k, n)) continue;
          hasPriv = true;
          if (!(nodeFlags(k, n) & NP_OPS_MEMPOLICY)) return `${where}: policy nodes ${maskStr(nodes)} hold ${nodeLabel(k, n)} which lacks NP_OPS_MEMPOLICY`;
        }
        const fp = (flags & MPOL_F_PRIVATE) !== 0;
        if (fp !== hasPriv) return `${where}: MPOL_F_PRIVATE=${fp ? 1 : 0} but policy nodes ${maskStr(nodes)} ${hasPriv ? 'hold' : 'hold no'} private node`;
        return null;
      };
      const V = k.cfg.vaddrs;
      for (let mm = 0; mm < k.cfg.mms; mm++) {
        if (k.get(k.L.MM_LIVE, mm) === 0) continue;
        for (let va = 0; va < V; va++) {
          const i = mm * V + va;
          if (!k.has(k.L.VMA_FLAGS, i, VMA_MAPPED)) continue;
          const r = check(`mm${mm} v${va}`, k.get(k.L.VMA_POL_NODES, i), k.get(k.L.VMA_POL_FLAGS, i));
          if (r) return r;
        }
      }
      // Task policies (set_mempolicy): current->mempolicy of each user CPU's task.
      for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
        const r = check(`cpu${cpu}'s task policy`, k.get(k.L.TASK_POL_NODES, cpu), k.get(k.L.TASK_POL_FLAGS, cpu));
        if (r) return r;
      }
      return null;
    }),
    // Checked live: between a clear_ops and the next refresh P can stay a
    // target without DEMOTION, which kswapd can observe (SEMANTICS 8.2 R4).
    prop(v, 'INV-DEMOTION-TARGETS', 'mm/memory-tiers.c: establish_demotion_targets', (k) => {
      for (let n = 0; n < k.g.nodes; n++) {
        const t = k.get(k.L.NODE_DEMOTION_TARGETS, n);
        if (isPrivateKind(k, n) && t !== 0) return `private node ${nodeLabel(k, n)} has demotion targets ${maskStr(t)}`;
        for (let p = 0; p < k.g.nodes; p++) {
          if (!(t & (1 << p)) || !isPrivateKind(k, p)) continue;
          if (!isNPrivate(k, p)) return `${nodeLabel(k, n)} demotes to ${nodeLabel(k, p)} which is not N_MEMORY_PRIVATE`;
          if (!(nodeFlags(k, p) & NP_OPS_DEMOTION)) return `${nodeLabel(k, n)} demotes to ${nodeLabel(k, p)} whose ops lack NP_OPS_DEMOTION`;
        }
      }
      return null;
    }),
  ];
}
