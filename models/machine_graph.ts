// Shared machinery for the protocol machines: canonical keys for machine
// states and the machine's transition relation, precomputed once from the
// @xstate/graph adjacency map. Conformance and coverage both need "which
// abstract state may follow which" as a cheap set lookup, not a call into
// xstate per explored transition.

import { getAdjacencyMap } from '@xstate/graph';
import { initialTransition, type AnyStateMachine, type StateValue } from 'xstate';

/** Every machine event carries the kernel return value of the call it names (0 = success). */
export interface ProtocolEvent {
  readonly type: string;
  readonly ret?: number;
}

/** Static description of one protocol machine and how it shows up in kernel traces. */
export interface MachineSpec {
  /** 'hotplug' | 'folio' | 'backpressure' (conformance ids are CONFORMANCE-<name>). */
  readonly name: string;
  readonly machine: AnyStateMachine;
  /** The event alphabet the graph traversal tries in every state. */
  readonly events: readonly ProtocolEvent[];
  /**
   * Kernel functions (C names) whose trace line `fn(args) = ret` shows that the
   * event happened; used to attribute a concrete step to one event when several
   * events join the same two abstract states, and to spot refusals (self-loops).
   */
  readonly traceFns: Readonly<Record<string, readonly string[]>>;
}

/** Canonical text of a machine state value: 'online' or 'memory=online,np=registered,...' (regions sorted). */
export function stateKey(v: StateValue): string {
  if (typeof v === 'string') return v;
  return Object.keys(v)
    .sort()
    .map((k) => {
      const sub = v[k];
      return sub === undefined ? k : `${k}=${stateKey(sub)}`;
    })
    .join(',');
}

/** Canonical text of an event: 'node_private_unregister' or 'node_private_unregister=-16'. */
export function eventKey(e: ProtocolEvent): string {
  return e.ret === undefined || e.ret === 0 ? e.type : `${e.type}=${e.ret}`;
}

export interface MachineEdge {
  readonly from: string;
  readonly event: ProtocolEvent;
  readonly to: string;
  /** 'from --event--> to' */
  readonly label: string;
}

export interface Relation {
  readonly spec: MachineSpec;
  readonly initial: string;
  /** Reachable machine states in discovery order. */
  readonly states: readonly string[];
  /** Every (state, event) that the machine accepts, self-loops included. */
  readonly edges: readonly MachineEdge[];
  /** 'from->to' for every non-stutter edge. */
  readonly allowed: ReadonlySet<string>;
}

export function pairKey(from: string, to: string): string {
  return `${from}->${to}`;
}

/**
 * Enumerate the machine's reachable states and transitions with @xstate/graph.
 * An event that the machine ignores in a state (no enabled transition) is not
 * an edge: xstate returns the same snapshot, and we keep only snapshots whose
 * transition was actually taken (the machine's `can`).
 */
export function buildRelation(spec: MachineSpec): Relation {
  const adj = getAdjacencyMap(spec.machine, {
    events: spec.events as ProtocolEvent[],
    serializeState: (s) => stateKey((s as { value: StateValue }).value),
    serializeEvent: (e) => eventKey(e as ProtocolEvent) as never,
  });
  const states: string[] = [];
  const edges: MachineEdge[] = [];
  const allowed = new Set<string>();
  const initial = stateKey((initialTransition(spec.machine)[0] as { value: StateValue }).value);
  for (const v of Object.values(adj)) {
    const from = stateKey((v.state as { value: StateValue }).value);
    states.push(from);
    const snap = v.state as { can(e: ProtocolEvent): boolean };
    for (const t of Object.values(v.transitions) as { event: unknown; state: unknown }[]) {
      const ev = t.event as ProtocolEvent;
      if (!snap.can(ev)) continue;
      const to = stateKey((t.state as { value: StateValue }).value);
      edges.push({ from, event: ev, to, label: `${from} --${eventKey(ev)}--> ${to}` });
      if (from !== to) allowed.add(pairKey(from, to));
    }
  }
  return { spec, initial, states, edges, allowed };
}

/** One machine's abstraction over System states (kernel or BM1): used by coverage and MBT. */
export interface StateAbstraction {
  readonly spec: MachineSpec;
  readonly entities: readonly number[];
  label(entity: number): string;
  abstractState(state: Uint32Array, out: string[]): void;
}

/**
 * One transition as written in the machine (a state node's `on` entry), the
 * unit coverage counts. For a parallel machine `from`/`to` are region-local
 * ('pressure=zero'; 'pressure=*' for a region-level `on`), for a flat machine
 * the state names.
 */
export interface MachineTransition {
  readonly label: string;
  readonly region: string;
  readonly from: string;
  readonly to: string;
  readonly event: ProtocolEvent;
  readonly guard: string;
}

interface NodeLike {
  readonly path: readonly string[];
  readonly type: string;
  readonly transitions: Map<string, readonly { target?: readonly { path: readonly string[] }[]; guard?: unknown }[]>;
  readonly states: Record<string, NodeLike>;
}

function guardName(g: unknown): string {
  if (g === undefined) return '';
  if (typeof g === 'string') return g;
  if (typeof g === 'object' && g !== null && 'type' in g && typeof (g as { type: unknown }).type === 'string') return (g as { type: string }).type;
  if (typeof g === 'function') return g.name && g.name !== 'guard' ? g.name : 'guard';
  return 'guard';
}

/** The machine's written transitions, in definition order. */
export function machineTransitions(spec: MachineSpec): MachineTransition[] {
  const root = spec.machine.root as unknown as NodeLike;
  const parallel = root.type === 'parallel';
  const out: MachineTransition[] = [];
  const visit = (n: NodeLike): void => {
    if (n.path.length > 0) {
      const region = parallel ? n.path[0]! : '';
      const leaf = parallel ? n.path[1] : n.path[0];
      const fromText = parallel ? `${region}=${leaf ?? '*'}` : leaf!;
      for (const [type, defs] of n.transitions) {
        for (const d of defs) {
          const t = d.target?.[0]?.path;
          const toLeaf = t ? (parallel ? t[1] : t[0]) : leaf;
          const toText = parallel ? `${region}=${toLeaf ?? '*'}` : toLeaf!;
          const guard = guardName(d.guard);
          out.push({ label: `${fromText} --${type}${guard ? `[${guard}]` : ''}--> ${toText}`, region, from: fromText, to: toText, event: { type }, guard });
        }
      }
    }
    for (const c of Object.values(n.states)) visit(c);
  };
  visit(root);
  return out;
}

function regionValue(key: string, region: string): string {
  if (region === '') return key;
  for (const kv of key.split(',')) {
    const [k, v] = kv.split('=');
    if (k === region) return `${region}=${v}`;
  }
  return '';
}

/** Does the product edge take the written transition t (same event, its region moves as t says)? */
export function edgeRealizes(e: MachineEdge, t: MachineTransition): boolean {
  if (e.event.type !== t.event.type) return false;
  const from = regionValue(e.from, t.region);
  const to = regionValue(e.to, t.region);
  const fromOk = t.from.endsWith('=*') ? true : from === t.from;
  return fromOk && to === t.to;
}
