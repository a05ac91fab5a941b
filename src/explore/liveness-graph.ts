// The stored state graph the liveness checker judges: every reachable state
// (its own StateStore, BFS order, so a state's id is also its BFS rank and the
// parent links give shortest stems), every edge with the action that took it
// (compressed rows: the edges of state i are edgeStart[i] .. edgeStart[i+1]-1,
// free because BFS expands states in id order), and per state the set of
// fairness groups (actors with weak or strong fairness) able to step there.
//
// Enabledness comes from the edges themselves: an actor is enabled in a state
// iff one of its actions has an edge out of it, the same definition the
// explorer uses (System.step returns true). A transition group
// (System.transitionFairness) is enabled iff one of its edges leaves the
// state; each edge records the transition groups it belongs to (edgeExtra).

import { match } from 'ts-pattern';
import { ADD_EXISTS, ADD_FULL, StateStore } from './store.ts';
import { forEachSuccessor, type Fairness, type System } from './system.ts';

/** A bad combination of options or system (the CLI turns it into a usage error, exit 2). */
export class LivenessRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LivenessRefusal';
  }
}

/** An actor the scheduler treats fairly (every action of `actor` belongs to it), or a transition group (`actor` is its name). */
export interface FairGroup {
  readonly actor: string;
  /** 'finite': a transition group no fair cycle may take (System.transitionFairness). */
  readonly fairness: Exclude<Fairness, 'none'> | 'finite';
}

export interface GraphOptions {
  /** Stop after this many distinct states (the graph is then incomplete). */
  readonly maxStates?: number;
  /** Byte budget of the state store. */
  readonly maxBytes?: number;
}

/** Growable Int32 column. */
class Column {
  data: Int32Array;
  length = 0;
  constructor(cap: number) {
    this.data = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  trim(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

export interface StateGraph {
  readonly sys: System;
  readonly store: StateStore;
  /** States stored (reachable). */
  readonly states: number;
  /** States whose successors are all known: ids 0 .. expanded-1. */
  readonly expanded: number;
  /** Every reachable state was expanded. */
  readonly complete: boolean;
  /** Why it is incomplete ('max-states', 'memory'), or null. */
  readonly stopReason: string | null;
  readonly edgeStart: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeAction: Int32Array;
  /** Bits of the transition groups (indices into groups) each edge also belongs to, 0 for none. */
  readonly edgeExtra: Int32Array;
  readonly groups: readonly FairGroup[];
  /** Fairness group of each action, -1 for actors without fairness. */
  readonly groupOfAction: Int32Array;
  /** Bit g set: group g has an enabled action in this state. */
  readonly enabled: Int32Array;
  /** Bits of the weakly / strongly fair groups, and of the finite ones (never on a fair cycle). */
  readonly weakMask: number;
  readonly strongMask: number;
  readonly finiteMask: number;
  readonly transitions: number;
}

/** The fairness groups of a system's action table, and each action's group. */
export function fairGroups(sys: System): { groups: FairGroup[]; groupOfAction: Int32Array } {
  const groups: FairGroup[] = [];
  const index = new Map<string, number>();
  const groupOfAction = new Int32Array(sys.actionCount).fill(-1);
  for (let a = 0; a < sys.actionCount; a++) {
    const info = sys.describe(a);
    const f = info.fairness ?? 'none';
    if (f === 'none') continue;
    let g = index.get(info.actor);
    if (g === undefined) {
      g = groups.length;
      groups.push({ actor: info.actor, fairness: f });
      index.set(info.actor, g);
    } else if (groups[g]!.fairness !== f) {
      throw new LivenessRefusal(`actor '${info.actor}' has actions with ${groups[g]!.fairness} and ${f} fairness (one actor, one fairness)`);
    }
    groupOfAction[a] = g;
  }
  for (const t of sys.transitionFairness ?? []) {
    if (index.has(t.name)) throw new LivenessRefusal(`transition group '${t.name}' has the name of an actor`);
    index.set(t.name, groups.length);
    groups.push({ actor: t.name, fairness: t.fairness });
  }
  if (groups.length > 31) throw new LivenessRefusal(`${groups.length} fair actors and transition groups: the liveness checker handles at most 31`);
  return { groups, groupOfAction };
}

/** For each action, the bits of the transition groups a transition of it belongs to. */
type GroupOf = (s: Uint32Array, next: Uint32Array) => number;
function transitionGroupsByAction(sys: System, groups: readonly FairGroup[]): GroupOf[] {
  const out: GroupOf[] = new Array<GroupOf>(sys.actionCount).fill(() => 0);
  const byAction = new Map<number, { g: number; has: (s: Uint32Array, a: number, n: Uint32Array) => boolean }[]>();
  for (const t of sys.transitionFairness ?? []) {
    const g = groups.findIndex((x) => x.actor === t.name);
    for (const a of t.actions) {
      const l = byAction.get(a) ?? [];
      l.push({ g, has: (s, x, n) => t.has(s, x, n) });
      byAction.set(a, l);
    }
  }
  for (const [a, l] of byAction) {
    out[a] = (s, n) => {
      let bits = 0;
      for (const x of l) if (x.has(s, a, n)) bits |= 1 << x.g;
      return bits;
    };
  }
  return out;
}

/** May a fair cycle take edge e? Not if it belongs to a finite group. */
export function onFairCycle(g: StateGraph, e: number): boolean {
  return (g.edgeExtra[e]! & g.finiteMask) === 0;
}

/** The fairness groups edge e counts for: its actor's and its transition groups' (bit mask). */
export function edgeGroups(g: StateGraph, e: number): number {
  const a = g.groupOfAction[g.edgeAction[e]!]!;
  return (a >= 0 ? 1 << a : 0) | g.edgeExtra[e]!;
}

/** Explore sys breadth-first and keep every edge. */
export function buildStateGraph(sys: System, opts: GraphOptions = {}): StateGraph {
  const { groups, groupOfAction } = fairGroups(sys);
  const extraOf = transitionGroupsByAction(sys, groups);
  const maxStates = opts.maxStates ?? Infinity;
  const store = new StateStore(sys.words, { maxAction: sys.actionCount, ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}) });
  const cur = new Uint32Array(sys.words);
  const next = new Uint32Array(sys.words);
  sys.initial(cur);
  store.add(cur, -1, 0);
  const edgeStart = new Column(1 << 12);
  const edgeTo = new Column(1 << 14);
  const edgeAction = new Column(1 << 14);
  const edgeExtra = new Column(1 << 14);
  const enabled = new Column(1 << 12);
  let stopReason: string | null = null;
  let i = 0;
  for (; i < store.size && stopReason === null; i++) {
    store.read(i, cur);
    edgeStart.push(edgeTo.length);
    let en = 0;
    forEachSuccessor(sys, cur, next, (a) => {
      const g = groupOfAction[a]!;
      if (g >= 0) en |= 1 << g;
      const x = extraOf[a]!(cur, next);
      en |= x;
      let id = store.find(next);
      if (id < 0) {
        if (store.size >= maxStates) {
          stopReason = 'max-states';
          return;
        }
        const r = store.add(next, i, a);
        if (r === ADD_FULL) {
          stopReason = 'memory';
          return;
        }
        id = r === ADD_EXISTS ? store.find(next) : r;
      }
      edgeTo.push(id);
      edgeAction.push(a);
      edgeExtra.push(x);
    });
    enabled.push(en);
    if (stopReason !== null) {
      // State i's successors are not all known: drop its partial row.
      edgeTo.length = edgeStart.data[i]!;
      edgeAction.length = edgeStart.data[i]!;
      edgeExtra.length = edgeStart.data[i]!;
      edgeStart.length = i;
      enabled.length = i;
      break;
    }
  }
  const expanded = stopReason === null ? store.size : i;
  edgeStart.push(edgeTo.length);
  let weakMask = 0;
  let strongMask = 0;
  let finiteMask = 0;
  groups.forEach((g, b) => {
    match(g.fairness)
      .with('weak', () => (weakMask |= 1 << b))
      .with('strong', () => (strongMask |= 1 << b))
      .with('finite', () => (finiteMask |= 1 << b))
      .exhaustive();
  });
  return {
    sys,
    store,
    states: store.size,
    expanded,
    complete: stopReason === null,
    stopReason,
    edgeStart: edgeStart.trim(),
    edgeTo: edgeTo.trim(),
    edgeAction: edgeAction.trim(),
    edgeExtra: edgeExtra.trim(),
    groups,
    groupOfAction,
    enabled: enabled.trim(),
    weakMask,
    strongMask,
    finiteMask,
    transitions: edgeTo.length,
  };
}

/** Bytes the graph holds (store + edges + enabled sets), for bench figures. */
export function graphBytes(g: StateGraph): number {
  return g.store.bytes() + g.edgeStart.byteLength + g.edgeTo.byteLength + g.edgeAction.byteLength + g.edgeExtra.byteLength + g.enabled.byteLength;
}
