// The liveness strategy: judge every Temporal property of a System on its
// stored state graph (liveness-graph.ts) under the fairness its actions
// declare, and return a lasso (stem + cycle) for each violation.
//
// Every kind is a leads-to P ~> Q ('eventually': P = the initial state,
// 'always-eventually': P = true). P ~> Q fails iff some reachable state
// satisfies P and not Q and from it a fair behaviour stays in not-Q forever.
// Such a behaviour ends, in the finite graph, in a fair strongly connected
// component of the not-Q region, or in a not-Q state where no fair actor is
// enabled (the behaviour may stutter there: nobody is owed a step; actors
// without fairness, an administrator, may never act). So:
//   1. SCCs of the not-Q region (iterative Tarjan, scc.ts);
//   2. keep the fair ones: a component C admits a fair cycle iff
//      - weak fairness: every weakly fair actor enabled in every state of C
//        takes a step inside C (a cycle through all of C's states and edges
//        is then fair, and no cycle within C can be if this fails);
//      - strong fairness: every strongly fair actor enabled somewhere in C
//        steps inside C; if one does not, no fair cycle may visit the states
//        where it is enabled: remove them and judge the SCCs of the rest
//        (the Emerson-Lei refinement);
//   3. states of the not-Q region that reach a fair component inside it;
//   4. a violation is a P-state among them: the one of least BFS rank, so the
//      stem (parent links) is shortest.
// The cycle of the lasso walks, inside the component, through one step of
// every fair actor that steps there and one state where every other weakly
// fair actor is disabled, and back: it is itself a fair cycle.
//
// Soundness: the graph must be the full, unreduced, exact state graph.
// Symmetry and partial-order reduction drop interleavings a liveness argument
// needs (the TLC complaint), and a fingerprint store may merge states (a false
// cycle) or drop one, so the checker refuses them (assertLivenessSound).
// On an incomplete graph (bounds hit) only expanded states are judged: a lasso
// found there is real, a property that holds is 'unknown'.

import type { Temporal } from './system.ts';
import type { StateGraph } from './liveness-graph.ts';
import { addEdgeGroups, inGroupSet, LivenessRefusal, onFairCycle } from './liveness-graph.ts';
import { forEachScc, hasSelfLoop, sccScratch, type SccScratch } from './scc.ts';
import { buildLasso, type Lasso } from './liveness-lasso.ts';

export type { Lasso } from './liveness-lasso.ts';

export interface TemporalVerdict {
  readonly id: string;
  readonly kind: Temporal['kind'];
  readonly source: string;
  readonly description: string;
  readonly status: 'holds' | 'violated' | 'unknown';
  /** Reachable states where the premise holds (vacuity: 0 means the property proves nothing). */
  readonly premiseStates: number;
  readonly lasso: Lasso | null;
  /** One line: what the lasso shows, or why the verdict is what it is. */
  readonly message: string;
}

/** Reductions the caller wants; the liveness checker refuses every one it is not sound with. */
export interface ReductionRequest {
  readonly symmetry?: boolean;
  readonly por?: boolean;
  /** The visited-state store asked for (explore's --store): only 'exact' is sound here. */
  readonly store?: string;
}

export function assertLivenessSound(r: ReductionRequest): void {
  if (r.symmetry) {
    throw new LivenessRefusal('liveness checking with --symmetry is refused: symmetry reduction merges states whose fair cycles differ (the checker needs the unreduced graph)');
  }
  if (r.por) {
    throw new LivenessRefusal('liveness checking with --por is refused: partial-order reduction drops interleavings a fair cycle may need (no cycle proviso for liveness here)');
  }
  if (r.store !== undefined && r.store !== 'exact') {
    throw new LivenessRefusal(`liveness checking with --store ${r.store} is refused: the checker reads every state back to label it, and hash compaction could merge two states into a cycle that does not exist or lose one a fair cycle needs (the graph is always exact, tree-compressed)`);
  }
}

/** Reverse edges (who reaches whom), built once per graph. */
interface Reverse {
  readonly start: Int32Array;
  readonly from: Int32Array;
}
const reverseCache = new WeakMap<StateGraph, Reverse>();

function reverseOf(g: StateGraph): Reverse {
  let r = reverseCache.get(g);
  if (r) return r;
  const n = g.expanded;
  const start = new Int32Array(g.states + 1);
  for (let s = 0; s < n; s++) for (let e = g.edgeStart[s]!; e < g.edgeStart[s + 1]!; e++) start[g.edgeTo[e]! + 1]!++;
  for (let i = 0; i < g.states; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, g.states);
  const from = new Int32Array(g.transitions);
  for (let s = 0; s < n; s++) for (let e = g.edgeStart[s]!; e < g.edgeStart[s + 1]!; e++) from[fill[g.edgeTo[e]!]!++] = s;
  r = { start, from };
  reverseCache.set(g, r);
  return r;
}

const scratchCache = new WeakMap<StateGraph, SccScratch>();
function scratchOf(g: StateGraph): SccScratch {
  let s = scratchCache.get(g);
  if (!s) {
    s = sccScratch(g.states);
    scratchCache.set(g, s);
  }
  return s;
}

/** A fair component: its states and the fair actors stepping inside it (no states: never). */
export interface FairComponent {
  readonly members: Int32Array;
  /** The groups some edge inside the component counts for (groupWords words). */
  readonly stepped: Int32Array;
  /** A single state where no fair actor is enabled: the behaviour may stutter there for ever. */
  readonly terminal: boolean;
}

class Stamps {
  readonly a: Int32Array;
  private next = 1;
  constructor(n: number) {
    this.a = new Int32Array(n);
  }
  fresh(): number {
    return this.next++;
  }
}

function isTerminal(g: StateGraph, s: number): boolean {
  return g.edgeStart[s] === g.edgeStart[s + 1];
}

/** No fair actor can step in s (nothing enabled, or only actors without fairness or finite groups): the run may stop there. */
function mayStop(g: StateGraph, s: number): boolean {
  const W = g.groupWords;
  for (let w = 0; w < W; w++) if ((g.enabled[s * W + w]! & ~g.finiteMask[w]!) !== 0) return false;
  return true;
}

/**
 * The fair components inside the region (region.a[s] === stamp): accepted
 * outer SCCs or, under strong fairness, sub-components of them.
 */
function fairComponents(g: StateGraph, region: Stamps, stamp: number): FairComponent[] {
  const sc = scratchOf(g);
  const candidates: Int32Array[] = [];
  const roots = { [Symbol.iterator]: function* () { for (let s = 0; s < g.expanded; s++) yield s; } };
  // A fair cycle never takes a transition of a finite group: those edges are not part of any component.
  const skip = g.finiteMask.every((w) => w === 0) ? undefined : (e: number) => !onFairCycle(g, e);
  forEachScc(g, region.a, stamp, roots, sc, (m) => {
    if (m.length > 1 || hasSelfLoop(g, m[0]!, skip) || mayStop(g, m[0]!)) candidates.push(m);
  }, skip);
  // A state where no fair actor can step lets the run stop there (stutter for
  // ever): nobody is owed a step. Such states are fair ends whatever their SCC.
  const out: FairComponent[] = [];
  for (const c of candidates) for (const s of c) if (c.length > 1 && mayStop(g, s)) out.push({ members: Int32Array.of(s), stepped: new Int32Array(g.groupWords), terminal: true });
  const inner = new Stamps(g.states);
  const work = candidates;
  while (work.length > 0) {
    const c = work.pop()!;
    if (c.length === 1 && mayStop(g, c[0]!)) {
      out.push({ members: c, stepped: new Int32Array(g.groupWords), terminal: true });
      continue;
    }
    if (c.length === 1 && !hasSelfLoop(g, c[0]!, skip)) continue;
    const inC = inner.fresh();
    for (const s of c) inner.a[s] = inC;
    const W = g.groupWords;
    const stepped = new Int32Array(W);
    const enAll = new Int32Array(W).fill(-1);
    const enAny = new Int32Array(W);
    for (const s of c) {
      for (let w = 0; w < W; w++) {
        const en = g.enabled[s * W + w]!;
        enAll[w] &= en;
        enAny[w] |= en;
      }
      for (let e = g.edgeStart[s]!; e < g.edgeStart[s + 1]!; e++) {
        if (inner.a[g.edgeTo[e]!] !== inC || (skip !== undefined && skip(e))) continue;
        addEdgeGroups(g, e, stepped);
      }
    }
    let weakStarved = false;
    for (let w = 0; w < W; w++) if ((g.weakMask[w]! & enAll[w]! & ~stepped[w]!) !== 0) weakStarved = true;
    if (weakStarved) continue;
    const starved = new Int32Array(W);
    let anyStarved = false;
    for (let w = 0; w < W; w++) {
      starved[w] = g.strongMask[w]! & enAny[w]! & ~stepped[w]!;
      if (starved[w] !== 0) anyStarved = true;
    }
    if (!anyStarved) {
      out.push({ members: c, stepped, terminal: false });
      continue;
    }
    const sub = inner.fresh();
    const keep: number[] = [];
    for (const s of c) {
      let hit = false;
      for (let w = 0; w < W; w++) if ((g.enabled[s * W + w]! & starved[w]!) !== 0) hit = true;
      if (!hit) {
        inner.a[s] = sub;
        keep.push(s);
      }
    }
    forEachScc(g, inner.a, sub, keep, sc, (m) => {
      if (m.length > 1 || hasSelfLoop(g, m[0]!, skip)) work.push(m);
    }, skip);
  }
  return out;
}

/** Premise and goal of a property in every stored state, one bit a state (bit s set: holds in s; read with bitAt). */
export interface Labels {
  readonly premise: Uint8Array;
  readonly goal: Uint8Array;
}

/** Bit s of a bit set. */
export function bitAt(bits: Uint8Array, s: number): boolean {
  return ((bits[s >>> 3]! >>> (s & 7)) & 1) !== 0;
}

/**
 * Label every stored state for every property in ONE pass over the store (a
 * state is read once, not once per property): the predicates are the costly
 * part of a kernel liveness run.
 */
export function labelStates(g: StateGraph, ts: readonly Temporal[]): Labels[] {
  const buf = new Uint32Array(g.sys.words);
  const bytes = (g.states + 7) >>> 3;
  const out = ts.map(() => ({ premise: new Uint8Array(bytes), goal: new Uint8Array(bytes) }));
  for (let s = 0; s < g.states; s++) {
    g.store.read(s, buf);
    const byte = s >>> 3, bit = 1 << (s & 7);
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      const l = out[i]!;
      const p = t.kind === 'eventually' ? s === 0 : t.kind === 'always-eventually' ? true : t.premise ? t.premise(buf) : true;
      if (p) l.premise[byte]! |= bit;
      if (t.goal(buf)) l.goal[byte]! |= bit;
    }
  }
  return out;
}

/** Judge every temporal property on the graph (states labelled once). */
export function checkTemporals(g: StateGraph, ts: readonly Temporal[]): TemporalVerdict[] {
  const labels = labelStates(g, ts);
  return ts.map((t, i) => checkTemporal(g, t, labels[i]));
}

/** Judge one temporal property on the graph (labels: from labelStates, else computed here). */
export function checkTemporal(g: StateGraph, t: Temporal, labels?: Labels): TemporalVerdict {
  const { premise, goal } = labels ?? labelStates(g, [t])[0]!;
  const n = g.expanded;
  const region = new Stamps(g.states);
  const notQ = region.fresh();
  let premiseStates = 0;
  for (let s = 0; s < g.states; s++) {
    if (bitAt(premise, s)) premiseStates++;
    if (s < n && !bitAt(goal, s)) region.a[s] = notQ;
  }
  const head = { id: t.id, kind: t.kind, source: t.source, description: t.description, premiseStates };
  const comps = fairComponents(g, region, notQ);
  // Which component each state belongs to (-1: none), and backward reachability inside not-Q.
  const compOf = new Int32Array(g.states).fill(-1);
  const bad = new Uint8Array(g.states);
  const queue = new Int32Array(g.states);
  let qt = 0;
  comps.forEach((c, i) => {
    for (const s of c.members) {
      compOf[s] = i;
      if (!bad[s]) {
        bad[s] = 1;
        queue[qt++] = s;
      }
    }
  });
  const rev = reverseOf(g);
  for (let qh = 0; qh < qt; qh++) {
    const s = queue[qh]!;
    for (let e = rev.start[s]!; e < rev.start[s + 1]!; e++) {
      const u = rev.from[e]!;
      if (!bad[u] && region.a[u] === notQ) {
        bad[u] = 1;
        queue[qt++] = u;
      }
    }
  }
  let witness = -1;
  for (let s = 0; s < n; s++) {
    if (bad[s] && bitAt(premise, s)) {
      witness = s;
      break;
    }
  }
  if (witness < 0) {
    const why = premiseStates === 0 ? 'premise never reached (vacuous)' : g.complete ? 'holds on every fair behaviour' : `no violation among ${n} expanded states (graph incomplete: ${g.stopReason})`;
    return { ...head, status: g.complete ? 'holds' : 'unknown', lasso: null, message: why };
  }
  const { lasso, premiseStep, comp } = buildLasso(g, witness, (x) => region.a[x] === notQ, compOf, comps);
  const c = comps[comp]!;
  const actors = g.groups.filter((_, b) => inGroupSet(c.stepped, b)).map((x) => x.actor);
  const what = c.terminal
    ? 'and the run ends in a state where no fair actor can step'
    : `and the run loops for ever (${lasso.cycle.length}-step cycle from step ${lasso.stem.length}${actors.length ? `, stepping ${actors.join(', ')}` : ''})`;
  const from = t.kind === 'leads-to' ? `premise holds at step ${premiseStep}` : t.kind === 'eventually' ? 'from the initial state' : `from step ${premiseStep}`;
  return { ...head, status: 'violated', lasso, message: `${from}, the goal never holds again ${what}` };
}

export interface DeadlockVerdict {
  /** Reachable states with no enabled action. */
  readonly terminalStates: number;
  /** The first (least BFS rank) terminal state System.deadlock judges a deadlock, as a stem, with its message; null if none. */
  readonly deadlock: { readonly stem: readonly number[]; readonly message: string } | null;
}

/** Judge the states with no enabled action by System.deadlock. */
export function checkDeadlocks(g: StateGraph): DeadlockVerdict {
  const buf = new Uint32Array(g.sys.words);
  let terminalStates = 0;
  let deadlock: DeadlockVerdict['deadlock'] = null;
  for (let s = 0; s < g.expanded; s++) {
    if (!isTerminal(g, s)) continue;
    terminalStates++;
    if (deadlock !== null || !g.sys.deadlock) continue;
    g.store.read(s, buf);
    const m = g.sys.deadlock(buf);
    if (m !== null) deadlock = { stem: g.store.traceTo(s), message: m };
  }
  return { terminalStates, deadlock };
}
