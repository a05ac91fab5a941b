// What every search strategy shares: the run's bookkeeping (violations, the
// first per property id), the checks made on a newly stored state (safety
// properties, reachability), on a state with no enabled action (deadlock), on
// a transition, and the cheap periodic poll (progress, interruption).
//
// A strategy calls newState() exactly once per stored state, deadState() once
// per expanded state that had no successor, and poll() every POLL_MASK+1
// expansions; it never decides a verdict itself.

import type { ProgressInfo, ProgressSink } from './progress.ts';
import type { System } from './system.ts';
import type { VisitedStore } from './visited.ts';

export type ExhaustReason = 'memory' | 'maxStates' | 'maxDepth' | 'interrupted';

export interface Violation {
  /** Property id (or the id checkTransition returned, or 'DEADLOCK'). */
  readonly property: string;
  readonly message: string;
  /** Store index of the violating state (for a transition check: the target, -1 if unknown). */
  readonly stateIndex: number;
  /** Length of trace. */
  readonly depth: number;
  /** Action ids from the initial state; the last one is the offending step. */
  readonly trace: number[];
  /** 'state' for a Property or a deadlock, 'transition' for checkTransition. */
  readonly kind: 'state' | 'transition';
}

/** Poll interruption and progress every 4096 expansions (a clock read is ~50 ns). */
export const POLL_MASK = 0xfff;

export interface Limits {
  readonly maxStates: number;
  readonly maxDepth: number;
}

export class Run {
  readonly violations: Violation[] = [];
  private readonly seen = new Set<string>();
  /** Indices into sys.sometimes not reached yet, in declaration order. */
  private pending: number[];
  private readonly reachedFlags: boolean[];
  private readonly t0 = performance.now();
  /** Set by poll() when shouldStop() said so. */
  interrupted = false;

  constructor(
    readonly sys: System,
    readonly store: VisitedStore,
    readonly limits: Limits,
    private readonly stopFirst: boolean,
    private readonly checkDeadlock: boolean,
    private readonly shouldStop: (() => boolean) | undefined,
    private readonly progress: ProgressSink | null,
  ) {
    const n = sys.sometimes?.length ?? 0;
    this.pending = Array.from({ length: n }, (_, i) => i);
    this.reachedFlags = new Array<boolean>(n).fill(false);
  }

  /** Whether a recorded violation stops the run (record() returns this). */
  get stopsAtFirstViolation(): boolean {
    return this.stopFirst;
  }

  elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /** Record a violation (first per property id); true if exploration must stop. */
  record(v: Violation): boolean {
    if (!this.seen.has(v.property)) {
      this.seen.add(v.property);
      this.violations.push(v);
    }
    return this.stopFirst;
  }

  /** Checks on a newly stored state; true if exploration must stop. */
  newState(state: Uint32Array, idx: number, depth: number): boolean {
    if (this.pending.length > 0) this.reach(state);
    const props = this.sys.properties;
    for (let i = 0; i < props.length; i++) {
      const p = props[i]!;
      const msg = p.check(state);
      if (msg !== null && this.record({ property: p.id, message: msg, stateIndex: idx, depth, trace: this.store.traceTo(idx), kind: 'state' })) return true;
    }
    return false;
  }

  /** newState() with the property checks already made elsewhere (parallel BFS): failures in property order. */
  newStateChecked(state: Uint32Array, idx: number, depth: number, failures: readonly { readonly id: string; readonly message: string }[]): boolean {
    if (this.pending.length > 0) this.reach(state);
    for (const f of failures) {
      if (this.record({ property: f.id, message: f.message, stateIndex: idx, depth, trace: this.store.traceTo(idx), kind: 'state' })) return true;
    }
    return false;
  }

  /** Reachability indices (into sys.sometimes) not reached yet: parallel BFS evaluates them off the main thread. */
  pendingReachability(): readonly number[] {
    return this.pending;
  }

  /** Parallel BFS: these reachability indices were reached by states it stored. */
  markReached(ks: readonly number[]): void {
    if (ks.length === 0) return;
    for (const k of ks) this.reachedFlags[k] = true;
    this.pending = this.pending.filter((k) => !this.reachedFlags[k]);
  }

  // Evaluate only the reachability properties not reached yet, so a run where
  // all are reached early pays nothing afterwards.
  private reach(state: Uint32Array): void {
    const sometimes = this.sys.sometimes!;
    let kept = 0;
    for (let i = 0; i < this.pending.length; i++) {
      const k = this.pending[i]!;
      if (sometimes[k]!.reached(state)) this.reachedFlags[k] = true;
      else this.pending[kept++] = k;
    }
    this.pending.length = kept;
  }

  /** An expanded state with no enabled action; true if exploration must stop. */
  deadState(state: Uint32Array, idx: number, depth: number): boolean {
    if (!this.checkDeadlock || !this.sys.deadlock) return false;
    const msg = this.sys.deadlock(state);
    return msg !== null && this.record({ property: 'DEADLOCK', message: msg, stateIndex: idx, depth, trace: this.store.traceTo(idx), kind: 'state' });
  }

  /** A checkTransition failure on parentIdx --a--> target; true if exploration must stop. */
  transitionViolation(parentIdx: number, a: number, targetIdx: number, depth: number, id: string, message: string): boolean {
    const trace = this.store.traceTo(parentIdx);
    trace.push(a);
    return this.record({ property: id, message, stateIndex: targetIdx, depth, trace, kind: 'transition' });
  }

  /** Periodic: progress report and interruption; true if exploration must stop. */
  poll(info: () => ProgressInfo): boolean {
    if (this.progress) this.progress.tick(info, this.elapsedMs());
    if (this.shouldStop && this.shouldStop()) {
      this.interrupted = true;
      return true;
    }
    return false;
  }

  /** Reachability ids reached / not reached, in declaration order. */
  reachability(): { reached: string[]; unreached: string[] } {
    const ids = (this.sys.sometimes ?? []).map((r) => r.id);
    return { reached: ids.filter((_, i) => this.reachedFlags[i]), unreached: ids.filter((_, i) => !this.reachedFlags[i]) };
  }
}

/** What a strategy hands back to explore(). */
export interface CoreOut {
  readonly explored: number;
  readonly transitions: number;
  readonly depth: number;
  readonly exhausted: ExhaustReason | null;
  /** Stopped (by a violation) before the frontier was empty. */
  readonly stoppedEarly: boolean;
  /** Peak bytes of a queue of full states the strategy kept beside the store (0 if none). */
  readonly queueBytes: number;
}
