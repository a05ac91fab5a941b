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

/** Zone ids (global) of one zonelist, in order. */
function zonelist(k: Kernel, n: number, fallback: boolean): number[] {
  const f = fallback ? k.L.NODE_ZL_FALLBACK : k.L.NODE_ZL_NOFALLBACK;
  const width = fallback ? k.g.zones : MAX_NR_ZONES;
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const z = k.get(f, n * width + i);
    if (z === 0) break;
    out.push(z - 1);
  }
  return out;
}

function zlStr(zl: readonly number[]): string {
  return `[${zl.map(zoneLabel).join(', ')}]`;
}

function checkZonelists(k: Kernel): string | null {
  for (let n = 0; n < k.g.nodes; n++) {
    for (const fb of [true, false]) {
      const zl = zonelist(k, n, fb);
      const name = `${fb ? 'FALLBACK' : 'NOFALLBACK'}(${nodeLabel(k, n)}) = ${zlStr(zl)}`;
      // (c) never two private nodes in one list
      const privNodes = new Set<number>();
      for (const z of zl) if (privateish(k, zoneNode(z))) privNodes.add(zoneNode(z));
      if (privNodes.size > 1) return `(c) ${name} holds zones of two private nodes`;
      if (!isNPrivate(k, n)) {
        // (a) a normal node never lists a private zone
        for (const z of zl) if (privateish(k, zoneNode(z))) return `(a) ${name} contains private zone ${zoneLabel(z)}`;
        continue;
      }
      // (b) P's own zones first; NOFALLBACK is exactly them, FALLBACK continues with N_MEMORY zones only.
      const own = zl.filter((z) => zoneNode(z) === n);
      for (let i = 0; i < own.length; i++) if (zl[i] !== own[i]) return `(b) ${name}: P's own zones are not first`;
      for (let t = 0; t < MAX_NR_ZONES; t++) {
        const z = n * MAX_NR_ZONES + t;
        if (k.get(k.L.ZONE_PRESENT, z) > 0 && !own.includes(z)) return `(b) ${name} misses populated zone ${zoneLabel(z)}`;
      }
      if (!fb && own.length !== zl.length) return `(b) ${name} holds zones of other nodes`;
      for (const z of zl.slice(own.length)) {
        if (!isNMemory(k, zoneNode(z))) return `(b) ${name} falls back to ${zoneLabel(z)} of a non-N_MEMORY node`;
      }
    }
  }
  return null;
}

export function allocProperties(v: StateView): Property[] {
  return [
    // Decision: alloc_contig_pages (GA_CONTIG) taking P pages without
    // __GFP_PRIVATE is a violation too, reported with its own message (§2.4).
    prop(v, 'INV-ISOLATION-ALLOC', 'SEMANTICS §9.4, §2.4; mm/page_alloc.c: numa_zone_alloc_allowed, build_zonelists (alloc_contig_pages is covered by neither)', (k) => {
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
    prop(v, 'INV-ZONELIST', 'SEMANTICS §9.5, §3.1; mm/page_alloc.c: build_zonelists', checkZonelists),
    prop(v, 'INV-MPOL', 'SEMANTICS §9.6, §2.6; mm/mempolicy.c: mpol_set_nodemask, mpol_rebind_nodemask', (k) => {
      const V = k.cfg.vaddrs;
      for (let mm = 0; mm < k.cfg.mms; mm++) {
        if (k.get(k.L.MM_LIVE, mm) === 0) continue;
        for (let va = 0; va < V; va++) {
          const i = mm * V + va;
          if (!k.has(k.L.VMA_FLAGS, i, VMA_MAPPED)) continue;
          const nodes = k.get(k.L.VMA_POL_NODES, i);
          let hasPriv = false;
          for (let n = 0; n < k.g.nodes; n++) {
            if (!(nodes & (1 << n)) || !isNPrivate(k, n)) continue;
            hasPriv = true;
            if (!(nodeFlags(k, n) & NP_OPS_MEMPOLICY)) return `mm${mm} v${va}: policy nodes ${maskStr(nodes)} hold ${nodeLabel(k, n)} which lacks NP_OPS_MEMPOLICY`;
          }
          const fp = (k.get(k.L.VMA_POL_FLAGS, i) & MPOL_F_PRIVATE) !== 0;
          if (fp !== hasPriv) return `mm${mm} v${va}: MPOL_F_PRIVATE=${fp ? 1 : 0} but policy nodes ${maskStr(nodes)} ${hasPriv ? 'hold' : 'hold no'} private node`;
        }
      }
      return null;
    }),
    // Checked live: between a clear_ops and the next refresh P can stay a
    // target without DEMOTION, which kswapd can observe (SEMANTICS 8.2 R4).
    prop(v, 'INV-DEMOTION-TARGETS', 'SEMANTICS §9.18, §6.3.1; mm/memory-tiers.c: establish_demotion_targets', (k) => {
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
