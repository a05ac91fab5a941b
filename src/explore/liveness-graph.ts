// The stored state graph the liveness checker judges: every reachable state
// (its own exact store, tree-compressed like the safety explorer's, in BFS
// order, so a state's id is also its BFS rank and the parent links give
// shortest stems), every edge with the action that took it (compressed rows:
// the edges of state i are edgeStart[i] .. edgeStart[i+1]-1, free because BFS
// expands states in id order), and per state the set of fairness groups
// (actors with weak or strong fairness) able to step there.
//
// Compact: an edge is its target (4 bytes) and a label (2 bytes while there
// are fewer than 65,536 labels): the label stands for the pair (action,
// transition groups of the edge), interned once; the few distinct pairs are
// kept in labelAction / labelExtra / labelGroups. The columns grow in blocks
// (chunked-column.ts) and are sealed to exact-size arrays when exploration ends.
//
// Enabledness comes from the edges themselves: an actor is enabled in a state
// iff one of its actions has an edge out of it, the same definition the
// explorer uses (System.step returns true). A transition group
// (System.transitionFairness) is enabled iff one of its edges leaves the
// state; each edge records the transition groups it belongs to (its label's
// labelExtra).

import { match } from 'ts-pattern';
import { Int32Column, LabelColumn } from './chunked-column.ts';
import type { ProgressInfo, ProgressSink } from './progress.ts';
import { readableStore, type ReadableStore } from './readable-store.ts';
import { forEachSuccessor, type Fairness, type System } from './system.ts';
import { ADD_EXISTS, ADD_FULL } from './visited.ts';

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
  /** Progress while the graph grows (a run on a big config takes half an hour). */
  readonly progress?: ProgressSink | null;
  /** Polled every few thousand states: a signal stops the build (stopReason 'signal'). */
  readonly shouldStop?: () => boolean;
}

export interface StateGraph {
  readonly sys: System;
  readonly store: ReadableStore;
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
  /** Label of each edge: an index into labelAction / labelExtra / labelGroups. */
  readonly edgeLabel: Uint16Array | Uint32Array;
  /** The action of each label. */
  readonly labelAction: Int32Array;
  /** Group sets are `groupWords` 32-bit words each (bit b of word b >> 5 is group b): one word up to 32 groups. */
  readonly groupWords: number;
  /** Per label (groupWords words each): the transition groups (indices into groups) its edges also belong to, 0 for none. */
  readonly labelExtra: Int32Array;
  /** Per label (groupWords words each): every fairness group its edges count for, the actor's and the transition groups'. */
  readonly labelGroups: Int32Array;
  readonly groups: readonly FairGroup[];
  /** Fairness group of each action, -1 for actors without fairness. */
  readonly groupOfAction: Int32Array;
  /** Per state (groupWords words each): group g set iff it has an enabled action in the state. */
  readonly enabled: Int32Array;
  /** The weakly / strongly fair groups, and the finite ones (never on a fair cycle): groupWords words each. */
  readonly weakMask: Int32Array;
  readonly strongMask: Int32Array;
  readonly finiteMask: Int32Array;
  readonly transitions: number;
}

/** Group sets are a few 32-bit words per state and label; this bounds them (4 words). */
export const MAX_GROUPS = 128;

/** Words of a group set for n groups. */
export function groupWordsFor(n: number): number {
  return Math.max(1, Math.ceil(n / 32));
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
  if (groups.length > MAX_GROUPS) throw new LivenessRefusal(`${groups.length} fair actors and transition groups: the liveness checker handles at most ${MAX_GROUPS}`);
  return { groups, groupOfAction };
}

/** For each action: sets the transition groups a transition of it belongs to in `into` (cleared first); true if any. */
type GroupOf = (s: Uint32Array, next: Uint32Array, into: Int32Array) => boolean;
function transitionGroupsByAction(sys: System, groups: readonly FairGroup[]): GroupOf[] {
  const out: GroupOf[] = new Array<GroupOf>(sys.actionCount).fill((_s, _n, into) => {
    into.fill(0);
    return false;
  });
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
    out[a] = (s, n, into) => {
      into.fill(0);
      let any = false;
      for (const x of l) {
        if (!x.has(s, a, n)) continue;
        into[x.g >>> 5] |= 1 << (x.g & 31);
        any = true;
      }
      return any;
    };
  }
  return out;
}

/** May a fair cycle take edge e? Not if it belongs to a finite group. */
export function onFairCycle(g: StateGraph, e: number): boolean {
  const W = g.groupWords;
  const at = g.edgeLabel[e]! * W;
  for (let w = 0; w < W; w++) if ((g.labelExtra[at + w]! & g.finiteMask[w]!) !== 0) return false;
  return true;
}

/** OR the fairness groups edge e counts for (its actor's and its transition groups') into `into` (groupWords words). */
export function addEdgeGroups(g: StateGraph, e: number, into: Int32Array): void {
  const W = g.groupWords;
  const at = g.edgeLabel[e]! * W;
  for (let w = 0; w < W; w++) into[w] |= g.labelGroups[at + w]!;
}

/** Does edge e count for group b? */
export function edgeInGroup(g: StateGraph, e: number, b: number): boolean {
  return (g.labelGroups[g.edgeLabel[e]! * g.groupWords + (b >>> 5)]! & (1 << (b & 31))) !== 0;
}

/** Is group b enabled in state s? */
export function enabledIn(g: StateGraph, s: number, b: number): boolean {
  return (g.enabled[s * g.groupWords + (b >>> 5)]! & (1 << (b & 31))) !== 0;
}

/** Is group b in the set (groupWords words)? */
export function inGroupSet(set: Int32Array, b: number): boolean {
  return (set[b >>> 5]! & (1 << (b & 31))) !== 0;
}

/** The action that took edge e. */
export function edgeAction(g: StateGraph, e: number): number {
  return g.labelAction[g.edgeLabel[e]!]!;
}

/**
 * Interned (action, transition groups) pairs. Label a is (a, 0), so an edge
 * outside every transition group costs no lookup; the others are numbered from
 * actionCount on, first seen first.
 */
class Labels {
  private readonly index = new Map<number | string, number>();
  readonly action: number[] = [];
  /** The transition groups of each interned label, groupWords words each. */
  readonly extra: number[] = [];
  constructor(private readonly actionCount: number, private readonly words: number) {}
  /** The label of action a with transition groups `extra` (any: some bit set). */
  of(a: number, extra: Int32Array, any: boolean): number {
    if (!any) return a;
    // One word: a < 2^21 and the word as unsigned < 2^32, so the key is an exact double. More: a string.
    const key = this.words === 1 ? a * 2 ** 32 + (extra[0]! >>> 0) : `${a}:${extra.join(',')}`;
    let l = this.index.get(key);
    if (l === undefined) {
      l = this.actionCount + this.action.length;
      this.index.set(key, l);
      this.action.push(a);
      for (let w = 0; w < this.words; w++) this.extra.push(extra[w]!);
    }
    return l;
  }
}

/** Explore sys breadth-first and keep every edge. */
export function buildStateGraph(sys: System, opts: GraphOptions = {}): StateGraph {
  const { groups, groupOfAction } = fairGroups(sys);
  const W = groupWordsFor(groups.length);
  const extraOf = transitionGroupsByAction(sys, groups);
  const extra = new Int32Array(W);
  const en = new Int32Array(W);
  const maxStates = opts.maxStates ?? Infinity;
  if (sys.actionCount >= 2 ** 21) throw new LivenessRefusal(`${sys.actionCount} actions: the liveness graph labels at most 2^21`);
  const store = readableStore(sys.words, { maxAction: sys.actionCount, ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}) });
  const cur = new Uint32Array(sys.words);
  const next = new Uint32Array(sys.words);
  sys.initial(cur);
  store.add(cur, -1, 0);
  const labels = new Labels(sys.actionCount, W);
  const edgeStart = new Int32Column();
  const edgeTo = new Int32Column();
  const edgeLabel = new LabelColumn();
  const enabled = new Int32Column();
  let stopReason: string | null = null;
  let i = 0;
  const started = performance.now();
  // BFS levels, for the progress line's depth.
  let level = 0;
  let levelEnd = 1;
  const info = (): ProgressInfo => ({ states: store.size, explored: i, transitions: edgeTo.length, depth: level, queue: store.size - i, elapsedMs: performance.now() - started, storeBytes: store.bytes() });
  for (; i < store.size && stopReason === null; i++) {
    if (i === levelEnd) {
      level++;
      levelEnd = store.size;
    }
    if ((i & 4095) === 0 && i > 0) {
      // Timing feeds the progress line only, never the graph.
      opts.progress?.tick(info, performance.now());
      if (opts.shouldStop?.()) {
        stopReason = 'signal';
        break;
      }
    }
    store.read(i, cur);
    edgeStart.push(edgeTo.length);
    en.fill(0);
    forEachSuccessor(sys, cur, next, (a) => {
      const g = groupOfAction[a]!;
      if (g >= 0) en[g >>> 5] |= 1 << (g & 31);
      const any = extraOf[a]!(cur, next, extra);
      if (any) for (let w = 0; w < W; w++) en[w] |= extra[w]!;
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
      edgeLabel.push(labels.of(a, extra, any));
    });
    for (let w = 0; w < W; w++) enabled.push(en[w]!);
    if (stopReason !== null) {
      // State i's successors are not all known: drop its partial row.
      const rowStart = edgeStart.get(i);
      edgeTo.truncate(rowStart);
      edgeLabel.truncate(rowStart);
      edgeStart.truncate(i);
      enabled.truncate(i * W);
      break;
    }
  }
  opts.progress?.done();
  const expanded = stopReason === null ? store.size : i;
  edgeStart.push(edgeTo.length);
  const weakMask = new Int32Array(W);
  const strongMask = new Int32Array(W);
  const finiteMask = new Int32Array(W);
  groups.forEach((g, b) => {
    const mask = match(g.fairness)
      .with('weak', () => weakMask)
      .with('strong', () => strongMask)
      .with('finite', () => finiteMask)
      .exhaustive();
    mask[b >>> 5] |= 1 << (b & 31);
  });
  const labelAction = new Int32Array(sys.actionCount + labels.action.length);
  const labelExtra = new Int32Array(labelAction.length * W);
  for (let a = 0; a < sys.actionCount; a++) labelAction[a] = a;
  labels.action.forEach((a, k) => {
    labelAction[sys.actionCount + k] = a;
    for (let w = 0; w < W; w++) labelExtra[(sys.actionCount + k) * W + w] = labels.extra[k * W + w]!;
  });
  const labelGroups = new Int32Array(labelExtra.length);
  labelAction.forEach((a, l) => {
    for (let w = 0; w < W; w++) labelGroups[l * W + w] = labelExtra[l * W + w]!;
    const ga = groupOfAction[a]!;
    if (ga >= 0) labelGroups[l * W + (ga >>> 5)] |= 1 << (ga & 31);
  });
  const transitions = edgeTo.length;
  return {
    sys,
    store,
    states: store.size,
    expanded,
    complete: stopReason === null,
    stopReason,
    edgeStart: edgeStart.seal(),
    edgeTo: edgeTo.seal(),
    edgeLabel: edgeLabel.seal(),
    groupWords: W,
    labelAction,
    labelExtra,
    labelGroups,
    groups,
    groupOfAction,
    enabled: enabled.seal(),
    weakMask,
    strongMask,
    finiteMask,
    transitions,
  };
}

/** Bytes the graph holds (store + edges + enabled sets), for bench figures. */
export function graphBytes(g: StateGraph): number {
  return g.store.bytes() + g.edgeStart.byteLength + g.edgeTo.byteLength + g.edgeLabel.byteLength + g.enabled.byteLength + g.labelAction.byteLength + g.labelExtra.byteLength + g.labelGroups.byteLength;
}
