// Abstraction functions: concrete kernel state -> the state of each protocol
// machine, per entity (a private node for hotplug and back-pressure, a pfn for
// folio). They read layout fields only, never kernel functions, so the
// abstraction cannot be wrong in the same way as the model it judges.
//
// A result is the machine's canonical state key (machine_graph.ts stateKey),
// or a name the machine does not have (e.g. 'cram_writable', 'memory=online_general,...'),
// which conformance then reports.

import { StateView } from '../src/kernel/state_view.ts';
import { CRAM_PRESSURE_MAX, MAX_NR_ZONES, NP_OPS_DEMOTION, NP_OPS_MIGRATION, NP_OPS_NUMA_BALANCING, NP_OPS_PROTECT_WRITE, NP_OPS_RECLAIM, N_MEMORY, N_MEMORY_PRIVATE, BLOCK_ABSENT, BLOCK_ONLINE } from '../src/kernel/defs.ts';
import { match } from 'ts-pattern';
import { Kernel, type Machine } from '../src/kernel/kernel.ts';
import { GA_OVER_FLUSH_BIT, PG_head, PG_isolated_pb, PG_locked, PG_lru, PG_reserved, PG_swapcache, PG_tail, PTE_MIGRATION, PTE_PRESENT, PTE_WRITE } from '../src/kernel/layout.ts';
import { backpressureSpec } from './backpressure.machine.ts';
import { FOLIO_CRAM_WRITABLE, folioSpec } from './folio.machine.ts';
import { hotplugSpec } from './hotplug.machine.ts';
import type { MachineSpec, StateAbstraction } from './machine_graph.ts';

/** Maps a concrete kernel state to one machine's state for each of its entities. */
export interface Abstraction {
  readonly spec: MachineSpec;
  /** Entity ids (node ids or pfns), fixed by the configuration. */
  readonly entities: readonly number[];
  /** 'N2', 'pfn 17' */
  label(entity: number): string;
  /** Write the abstract state of every entity (entities order) into out. */
  abstract(k: Kernel, out: string[]): void;
}

/** A Kernel over the 16-bit view of a System state (the state *is* the kernel's Uint16Array). */
export function kernelOf(m: Machine, state: Uint32Array): Kernel {
  return new Kernel(m, new Uint16Array(state.buffer, state.byteOffset, m.L.words16));
}

/** A System state (32-bit words) holding a copy of k's state vector. */
export function stateOf(k: Kernel): Uint32Array {
  const out = new Uint32Array(k.L.words16 / 2);
  new Uint16Array(out.buffer).set(k.s);
  return out;
}

/** Private nodes of the configuration, in node order. */
export function privateNodes(m: Machine): number[] {
  const out: number[] = [];
  m.cfg.nodes.forEach((n, nid) => {
    if (n.kind === 'private') out.push(nid);
  });
  return out;
}

/** The node_private slot a private node's driver embeds (private nodes are numbered in node order). */
export function npSlot(m: Machine, nid: number): number {
  return privateNodes(m).indexOf(nid);
}

/** mm/cram.c: cram_ops flags (SEMANTICS 6.1). */
const CRAM_OPS_FLAGS = NP_OPS_MIGRATION | NP_OPS_DEMOTION | NP_OPS_NUMA_BALANCING | NP_OPS_PROTECT_WRITE | NP_OPS_RECLAIM;

/** Flags of ops table id (0 NULL, 1 cram_ops, 2.. cfg.opsTables), read statically. */
export function opsFlags(m: Machine, id: number): number {
  if (id === 0) return 0;
  if (id === 1) return CRAM_OPS_FLAGS;
  return m.cfg.opsTables[id - 2]?.flags ?? 0;
}

// ---------------------------------------------------------------- hotplug

function hotplugAbstraction(m: Machine): Abstraction {
  const nodes = privateNodes(m);
  const L = m.L;
  const blocksOf = nodes.map((nid) => m.g.blocks.map((b, i) => (b.node === nid ? i : -1)).filter((i) => i >= 0));
  return {
    spec: hotplugSpec,
    entities: nodes,
    label: (nid) => `N${nid}`,
    abstract(k, out) {
      nodes.forEach((nid, i) => {
        const slot = i;
        const np = k.get(L.NODE_NP, nid) !== 0 ? 'registered' : 'unregistered';
        const states = k.get(L.NODE_STATES, nid);
        const blocks = blocksOf[i]!;
        let present = false;
        let online = false;
        for (const b of blocks) {
          const st = k.get(L.BLOCK_STATE, b);
          if (st !== BLOCK_ABSENT) present = true;
          if (st === BLOCK_ONLINE) online = true;
        }
        let memory: string;
        if (states & N_MEMORY_PRIVATE) {
          memory = 'online';
          // offline_pages in progress: start_isolate_page_range marked its pageblocks
          for (const b of blocks) {
            const g = m.g.blocks[b]!;
            if (k.has(L.PG_FLAGS, g.firstPfn, PG_isolated_pb)) memory = 'offlining';
          }
        } else if (states & N_MEMORY) {
          memory = 'online_general'; // not a machine state: a private node onlined as N_MEMORY
        } else if (online) {
          memory = 'online_stateless'; // not a machine state: online blocks, no node state
        } else {
          memory = present ? 'offline' : 'absent';
        }
        const cn = k.get(L.CN_STATE, nid);
        let service: string;
        if (cn === 1) service = 'cram';
        else if (cn === 2) service = 'cram_draining';
        else service = k.get(L.NP_OPS, slot) !== 0 ? 'ops' : 'none';
        out[i] = `memory=${memory},np=${np},service=${service}`;
      });
    },
  };
}

// ---------------------------------------------------------------- folio

function folioAbstraction(m: Machine): Abstraction {
  const L = m.L;
  const P = m.g.pfns;
  const pfns = Array.from({ length: P }, (_, i) => i);
  const isPrivate = Array.from({ length: P }, (_, p) => m.cfg.nodes[m.g.pfnNode[p]!]!.kind === 'private');
  // Scratch per call: which pfns some PTE maps present / writable / by migration entry.
  const mapped = new Uint8Array(P);
  const inBuffer = new Uint8Array(P);
  const BUF_SLOTS = m.g.flushBufs * m.cfg.driver.bufMax;
  const MAP_PRESENT = 1;
  const MAP_WRITE = 2;
  const MAP_MIGRATION = 4;
  const MV = m.cfg.mms * m.cfg.vaddrs;
  const nodes = privateNodes(m);
  // PROTECT_WRITE of each private node's live ops (node_private_has_flag), per node id; scratch per call.
  const protect = new Uint8Array(m.cfg.nodes.length);
  return {
    spec: folioSpec,
    entities: pfns,
    label: (pfn) => `pfn ${pfn}`,
    abstract(k, out) {
      mapped.fill(0);
      inBuffer.fill(0);
      for (let b = 0; b < m.g.flushBufs; b++) {
        const len = k.get(L.BUF_LEN, b);
        for (let i = 0; i < len && i < m.cfg.driver.bufMax; i++) {
          const e = k.get(L.BUF_ENT, b * m.cfg.driver.bufMax + i);
          if (e > 0 && e - 1 < P) inBuffer[e - 1] = 1;
        }
      }
      void BUF_SLOTS;
      for (let s = 0; s < MV; s++) {
        const kind = k.get(L.PTE_KIND, s);
        if (kind !== PTE_PRESENT && kind !== PTE_MIGRATION) continue;
        const v = k.get(L.PTE_VAL, s);
        if (v >= P) continue;
        if (kind === PTE_MIGRATION) mapped[v]! |= MAP_MIGRATION;
        else mapped[v]! |= MAP_PRESENT | (k.has(L.PTE_FLAGS, s, PTE_WRITE) ? MAP_WRITE : 0);
      }
      // PROTECT_WRITE of each private node's live ops (node_private_has_flag)
      for (let i = 0; i < nodes.length; i++) {
        const nid = nodes[i]!;
        const registered = k.get(L.NODE_NP, nid) !== 0;
        protect[nid] = registered && (opsFlags(m, k.get(L.NP_OPS, i)) & NP_OPS_PROTECT_WRITE) !== 0 ? 1 : 0;
      }
      let head = 0;
      for (let p = 0; p < P; p++) {
        const f = k.get(L.PG_FLAGS, p);
        if (f & PG_head) head = p;
        if (f & PG_reserved) {
          out[p] = 'offline';
          continue;
        }
        if (k.get(L.PG_BUDDY, p) !== 0 || !(f & (PG_head | PG_tail))) {
          out[p] = 'free';
          continue;
        }
        out[p] = folioState(k, head, isPrivate[head]!, protect[m.g.pfnNode[head]!] === 1);
      }
    },
  };

  function folioState(k: Kernel, h: number, priv: boolean, protectWrite: boolean): string {
    const f = k.get(L.PG_FLAGS, h);
    // the mapping flags of a multi-page folio: any of its pages
    const nr = 1 << k.get(L.PG_ORDER, h);
    let map = 0;
    for (let q = h; q < h + nr && q < P; q++) map |= mapped[q]!;
    // in the swap cache and unmapped: being evicted (or read ahead); a mapped
    // swap-cache folio is just in use where it lives
    if (f & PG_swapcache && (map & (MAP_PRESENT | MAP_MIGRATION)) === 0) return 'swapcache';
    // A folio in a per-CPU lru_add batch is on its way to the LRU (the protocol
    // does not tell the batch from the list); the batch's reference is no isolation.
    const batched = k.get(L.PG_LRU_BATCH, h) !== 0 ? 1 : 0;
    const lru = (f & PG_lru) !== 0 || batched === 1;
    const refs = k.get(L.PG_REF, h) - batched;
    const migrating = (map & MAP_MIGRATION) !== 0 || ((f & PG_locked) !== 0 && !lru && (map & MAP_PRESENT) === 0);
    if (!priv) {
      if (migrating) return 'dram_migrating';
      if (!lru && (map & MAP_PRESENT) && refs > k.get(L.PG_MAPCOUNT, h)) return 'dram_isolated';
      return map & MAP_WRITE ? 'dram_writable' : 'dram';
    }
    // Deferred free (cxl_compression_flush_cb): in a flush buffer awaiting the
    // send; 'scrubbed' once the send zeroed it and dropped it from the buffer
    // but its put did not free it (someone else held a reference, R6).
    // A bit the folio was allocated over (GA_OVER_FLUSH_BIT) is not its own: an
    // earlier folio at this pfn was freed after cram_unregister_private_node
    // cleared the ops, so its second free skipped flush_cb's test_and_clear and
    // v4 leaves the bit set until post_teardown frees the bitmap (R6). This
    // folio is a fresh allocation, not a deferred free.
    const buffered = inBuffer[h] !== 0;
    const ownFlushBit = k.get(L.PG_FLUSH_BIT, h) !== 0 && (k.get(L.GH_ALLOC, h) & GA_OVER_FLUSH_BIT) === 0;
    if ((buffered || ownFlushBit) && (map & MAP_PRESENT) === 0) {
      return buffered ? 'cram_deferred' : 'cram_scrubbed';
    }
    if (migrating) return 'cram_migrating';
    if (map & MAP_WRITE && protectWrite) return FOLIO_CRAM_WRITABLE;
    if (!lru && (map & MAP_PRESENT) && refs > k.get(L.PG_MAPCOUNT, h)) return 'cram_isolated';
    return 'cram';
  }
}

// ---------------------------------------------------------------- back-pressure

function backpressureAbstraction(m: Machine): Abstraction {
  const L = m.L;
  const nodes = privateNodes(m);
  const KSWAPD = ['none', 'sleeping', 'woken'] as const;
  return {
    spec: backpressureSpec,
    entities: nodes,
    label: (nid) => `N${nid}`,
    abstract(k, out) {
      nodes.forEach((nid, i) => {
        const p = k.get(L.CN_PRESSURE, nid);
        const pressure = p === 0 ? 'zero' : p >= CRAM_PRESSURE_MAX ? 'max' : 'mid';
        const blocked = k.get(L.NP_MIGRATION_BLOCKED, i) ? 'blocked' : 'open';
        // cram_set_pressure S4: the first zone of the node with managed pages
        let boost = 'none';
        for (let t = 0; t < MAX_NR_ZONES; t++) {
          const z = nid * MAX_NR_ZONES + t;
          const managed = k.get(L.ZONE_MANAGED, z);
          if (managed === 0) continue;
          const b = k.get(L.ZONE_BOOST, z);
          boost = b === 0 ? 'none' : b >= managed ? 'full' : 'partial';
          break;
        }
        const kswapd = KSWAPD[k.get(L.NODE_KSWAPD, nid)] ?? 'woken';
        out[i] = `blocked=${blocked},boost=${boost},kswapd=${kswapd},pressure=${pressure}`;
      });
    },
  };
}

export type MachineName = 'hotplug' | 'folio' | 'backpressure';
export const MACHINE_NAMES: readonly MachineName[] = ['hotplug', 'folio', 'backpressure'];

/** The abstraction of one machine for configuration m. */
export function abstractionFor(m: Machine, name: MachineName): Abstraction {
  return match(name)
    .with('hotplug', () => hotplugAbstraction(m))
    .with('folio', () => folioAbstraction(m))
    .with('backpressure', () => backpressureAbstraction(m))
    .exhaustive();
}

/** The named machines' abstractions over System states of configuration m. */
export function kernelAbstractions(m: Machine, names: readonly MachineName[] = MACHINE_NAMES): StateAbstraction[] {
  // Runs per transition: one Kernel, re-pointed at the state only when its buffer changes (no allocation per call).
  const sv = new StateView(m);
  const view = (state: Uint32Array): Kernel => sv.at(state);
  return names.map((n) => {
    const a = abstractionFor(m, n);
    return {
      spec: a.spec,
      entities: a.entities,
      label: (e: number) => a.label(e),
      abstractState: (state: Uint32Array, out: string[]) => a.abstract(view(state), out),
    };
  });
}
