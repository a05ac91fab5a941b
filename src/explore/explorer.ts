// The exhaustive explorer's public entry: explore(sys, options) runs one
// search strategy (bfs.ts, dfs.ts) over any System, storing visited states in
// a store with parent links, and returns counts, violations and reachability.
//
// Soundness and determinism rest on three rules:
// - a state is checked against every property exactly once, when first stored;
// - successors are visited in action order (System.expand/step contract), and
//   the store's index order is insertion order, so two runs of the same system
//   with the same options produce the same result (only `timing` differs);
// - the hot loop allocates nothing per transition: one reused `next` buffer,
//   one `emit` callback created per run, keys hashed straight from the words.

import { bfs } from './bfs.ts';
import { dfs } from './dfs.ts';
import { progressSink, ttyProgressWanted, type ProgressFn, type ProgressMode } from './progress.ts';
import { Run, type CoreOut, type ExhaustReason, type Violation } from './run.ts';
import { match } from 'ts-pattern';
import { FingerprintStore } from './fingerprint-store.ts';
import { StateStore, type StoreOptions } from './store.ts';
import { parallelBfs } from './parallel-bfs.ts';
import type { SystemRecipe } from './recipe.ts';
import { WorkerPool } from './worker-pool.ts';
import { TreeStore } from './tree-store.ts';
import type { VisitedStore } from './visited.ts';
import type { System } from './system.ts';
import { concreteTrace, withSymmetry } from './symmetry.ts';
import { learnFootprints, type PrepassOptions } from './footprint.ts';
import { porBfs, type PorStats } from './por.ts';

export type { ExhaustReason, Violation } from './run.ts';
export type Strategy = 'bfs' | 'dfs';

export interface ExploreOptions {
  readonly strategy?: Strategy;
  /** Stop once this many distinct states are stored (never exceeded). */
  readonly maxStates?: number;
  /** Do not expand states at this depth (from the initial state). */
  readonly maxDepth?: number;
  /** Default true. If false, record the first violation of each property id and go on. */
  readonly stopAtFirstViolation?: boolean;
  /** Byte budget of the visited-state store (table + keys + parent links). */
  readonly maxBytes?: number;
  /** Initial store capacity in states (tests use tiny values to force growth). */
  readonly initialCapacity?: number;
  /**
   * Progress: a mode (tty line, one log line a minute, off, auto) or a
   * callback called about every progressIntervalMs. Default: the TTY line on
   * a terminal outside CI, else off (the CLI passes 'auto').
   */
  readonly progress?: ProgressMode | ProgressFn;
  /** Without `progress`: true forces the TTY line, false turns it off (library callers). */
  readonly tty?: boolean;
  readonly progressIntervalMs?: number;
  /** Polled every few thousand expansions; true stops the run (reason 'interrupted'). */
  readonly shouldStop?: () => boolean;
  /** Report a reachable state with no enabled action via System.deadlock (default true). */
  readonly checkDeadlock?: boolean;
  /**
   * How exact states are kept: 'flat' (the words), 'tree' (tree compression,
   * for wide states), 'packed' (states of <= 2 words as ordered 64-bit keys,
   * bfs only); default: packed for <= 2 words under bfs, tree from
   * TREE_MIN_WORDS words, else flat.
   */
  readonly layout?: StoreLayout;
  /** 'exact' (default) or 'fingerprint' (64-bit hash compaction, probabilistic; bfs only). */
  readonly store?: StoreKind;
  /**
   * Threads for a level-synchronous parallel BFS (default 1): the same counts,
   * indices and counterexamples as one. Needs `recipe` (how a worker builds
   * the same System), bfs and the exact store; uses the flat layout in shared memory.
   */
  readonly workers?: number;
  readonly recipe?: SystemRecipe;
  /**
   * Symmetry reduction (src/explore/symmetry.ts): store one representative per
   * orbit of System.symmetry. Counterexamples are concrete and replayable.
   */
  readonly symmetry?: boolean;
  /** Partial-order reduction (src/explore/por.ts): bfs only. */
  readonly por?: boolean;
  /** The footprint pre-pass of --por (src/explore/footprint.ts); tests shrink it. */
  readonly porPrepass?: PrepassOptions;
}

export type StoreKind = 'exact' | 'fingerprint';

export type StoreLayout = 'flat' | 'tree' | 'packed';

/** Widths from which tree compression beats storing the words flat. */
export const TREE_MIN_WORDS = 8;

export interface ExploreResult {
  readonly system: string;
  readonly strategy: Strategy;
  /** Distinct states stored. */
  readonly states: number;
  /** States whose successors were all generated. */
  readonly explored: number;
  /** Enabled (state, action) pairs taken, including those to known states. */
  readonly transitions: number;
  /** Deepest stored state (BFS: its BFS level; DFS: its DFS-tree depth). */
  readonly depth: number;
  /** Every reachable state within the bounds expanded and no violation. */
  readonly complete: boolean;
  readonly violations: Violation[];
  /** Reachability (System.sometimes) ids reached / never reached, in declaration order. */
  readonly reached: string[];
  readonly unreached: string[];
  readonly storeBytes: number;
  readonly bytesPerState: number;
  /** Peak bytes of the BFS queue of full states kept beside a store that cannot read states back (else 0). */
  readonly queueBytes: number;
  readonly exhausted?: { readonly reason: ExhaustReason };
  /** Which store; a fingerprint store may miss states (probabilistic), with TLC's estimates. */
  readonly store: {
    readonly kind: StoreKind;
    /** How an exact store keeps states (absent for fingerprints). */
    readonly layout?: StoreLayout;
    readonly probabilistic: boolean;
    readonly missProbability?: { readonly optimistic: number; readonly actual: number };
  };
  /** Reductions in force: symmetry (what is interchangeable) and partial-order reduction (its figures). */
  readonly reductions?: { readonly symmetry?: string; readonly por?: PorStats };
  /** The only non-deterministic part of the result. */
  readonly timing: { readonly elapsedMs: number; readonly statesPerSec: number };
}

export function explore(concrete: System, opts: ExploreOptions = {}): ExploreResult {
  const sym = opts.symmetry ? withSymmetry(concrete) : null;
  const sys: System = sym ?? concrete;
  const strategy = opts.strategy ?? 'bfs';
  const maxStates = opts.maxStates ?? Infinity;
  const maxDepth = opts.maxDepth ?? Infinity;
  const p = opts.progress;
  const mode: ProgressMode = typeof p === 'string' ? p : opts.tty === true || (opts.tty !== false && ttyProgressWanted()) ? 'tty' : 'off';
  const sink = progressSink({
    mode,
    ...(typeof p === 'function' ? { callback: p } : {}),
    ...(opts.progressIntervalMs !== undefined ? { intervalMs: opts.progressIntervalMs } : {}),
  });
  const kind = opts.store ?? 'exact';
  if (kind === 'fingerprint' && strategy !== 'bfs') throw new Error('the fingerprint store supports bfs only');
  if (opts.layout === 'packed' && (strategy !== 'bfs' || sys.words > 2)) throw new Error('the packed layout supports bfs over states of at most 2 words only');
  const workers = opts.workers ?? 1;
  if (workers > 1 && (strategy !== 'bfs' || kind !== 'exact' || opts.recipe === undefined)) throw new Error('parallel workers need bfs, the exact store and a system recipe');
  if (workers > 1 && sym) throw new Error('parallel workers do not support symmetry reduction');
  const layout = kind === 'fingerprint' ? null : workers > 1 ? 'flat' : (opts.layout ?? defaultLayout(sys, strategy));
  const store = workers > 1 ? new StateStore(sys.words, { ...flatOptions(sys, opts), shared: true }) : makeStore(sys, opts, layout);
  const run = new Run(sys, store, { maxStates, maxDepth }, opts.stopAtFirstViolation ?? true, opts.checkDeadlock ?? true, opts.shouldStop, sink);
  // Symmetry: stored traces run over representatives; hand out concrete ones.
  const handOut = (v: Violation): Violation => {
    if (!sym) return v;
    const c = concreteTrace(sym, v.trace, v.property, v.kind);
    return { ...v, trace: c.trace, depth: c.trace.length, message: c.message ?? v.message };
  };

  const cur = new Uint32Array(sys.words);
  sys.initial(cur);
  store.add(cur, -1, 0);
  let stopped = run.newState(cur, 0, 0);
  // A bound of one state leaves nothing to expand: report it as the bound.
  const boundAtStart: ExhaustReason | null = !stopped && maxStates <= 1 ? 'maxStates' : null;
  if (boundAtStart) stopped = true;

  let out: CoreOut;
  let porStats: PorStats | null = null;
  if (workers > 1 && store instanceof StateStore) {
    const pool = new WorkerPool(opts.recipe!, workers - 1);
    try {
      out = parallelBfs(run, store, pool, stopped, opts.checkDeadlock ?? true);
    } finally {
      pool.close();
    }
  } else if (opts.por) {
    if (strategy !== 'bfs') throw new Error('partial-order reduction supports bfs only');
    const fp = learnFootprints(sys, opts.porPrepass);
    const o = porBfs(run, cur, stopped, fp);
    porStats = o.por;
    out = o;
  } else out = (strategy === 'bfs' ? bfs : dfs)(run, cur, stopped);
  sink?.done();
  const elapsedMs = run.elapsedMs();
  const storeBytes = store.bytes();
  const exhausted = out.exhausted ?? boundAtStart;
  return {
    system: concrete.name,
    strategy,
    states: store.size,
    explored: out.explored,
    transitions: out.transitions,
    depth: out.depth,
    complete: exhausted === null && run.violations.length === 0 && !out.stoppedEarly,
    violations: run.violations.map(handOut),
    ...run.reachability(),
    storeBytes,
    bytesPerState: store.size > 0 ? storeBytes / store.size : 0,
    queueBytes: out.queueBytes,
    ...(exhausted ? { exhausted: { reason: exhausted } } : {}),
    store:
      store instanceof FingerprintStore && !store.exact
        ? { kind, probabilistic: true, missProbability: store.missProbability(out.transitions + 1) }
        : { kind, ...(layout !== null ? { layout } : {}), probabilistic: false },
    ...(sym || porStats ? { reductions: { ...(sym ? { symmetry: sys.symmetry?.description ?? concrete.symmetry!.description } : {}), ...(porStats ? { por: porStats } : {}) } } : {}),
    timing: { elapsedMs, statesPerSec: elapsedMs > 0 ? Math.round((out.explored * 1000) / elapsedMs) : 0 },
  };
}

function defaultLayout(sys: System, strategy: Strategy): StoreLayout {
  if (sys.words <= 2 && strategy === 'bfs') return 'packed';
  return sys.words >= TREE_MIN_WORDS ? 'tree' : 'flat';
}

function makeStore(sys: System, opts: ExploreOptions, layout: StoreLayout | null): VisitedStore {
  const common = {
    maxAction: sys.actionCount - 1,
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
  };
  if (layout === null) return new FingerprintStore(sys.words, { ...common, ...(opts.initialCapacity !== undefined ? { initialCapacity: opts.initialCapacity } : {}) });
  return match(layout)
    .with('packed', () => new FingerprintStore(sys.words, { exact: true, ...common, ...(opts.initialCapacity !== undefined ? { initialCapacity: opts.initialCapacity } : {}) }))
    .with('tree', () => new TreeStore(sys.words, { initialCapacity: opts.initialCapacity ?? 1 << 12, ...common }))
    .with('flat', () => new StateStore(sys.words, flatOptions(sys, opts)))
    .exhaustive();
}

function flatOptions(sys: System, opts: ExploreOptions): StoreOptions {
  return {
    // Start near 1 MiB of keys whatever the width.
    initialCapacity: opts.initialCapacity ?? Math.max(16, Math.min(1 << 15, Math.floor((1 << 20) / (4 * sys.words)))),
    maxAction: sys.actionCount - 1,
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
  };
}
