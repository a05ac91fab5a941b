// The whole contract between a model and the engines (explorer, MBT, replay).
// The engines never see the kernel model: only this.
//
// A state is a fixed-width vector of 32-bit words. That one decision makes the
// key canonical for free (the state *is* its key), lets the explorer store
// states in typed arrays (no JS Set, no per-state objects) and lets a successor
// be written into a reused buffer, so the hot loop allocates nothing.
//
// Actions are small integers indexing a static action table fixed by the
// configuration: action 7 means the same thing in every state, so traces name
// actions stably and MBT commands are simply "try action i".

export interface Property {
  /** Stable id, e.g. 'INV-RO'. */
  readonly id: string;
  /** Where the rule comes from (RFC / kernel source). */
  readonly source: string;
  /** null if the property holds in `state`, else one line saying what is wrong. */
  check(state: Uint32Array): string | null;
}

/**
 * A reachability ("sometimes") property: some reachable state satisfies it.
 * A configuration declares what it exists to reach (a demotion to P, a flush
 * send, a teardown, ...); an exhaustive run that never reaches one is vacuous
 * and fails, so a bug that stops the interesting behaviour altogether cannot
 * leave a configuration "OK" (Stateright's `sometimes`).
 */
export interface Reachability {
  /** Stable id, e.g. 'REACH-DEMOTE-TO-P'. */
  readonly id: string;
  /** Where the behaviour comes from (RFC / kernel source). */
  readonly source: string;
  /** What reaching it shows, in words. */
  readonly description: string;
  reached(state: Uint32Array): boolean;
}

/**
 * The fairness the scheduler gives an actor (liveness checking only):
 * 'weak': an actor continuously able to step eventually steps (every kernel
 * thread and CPU); 'strong': an actor able to step infinitely often
 * eventually steps (an IRQ that stays raised is handled); 'none': the
 * environment, which may act or not (an administrator).
 */
export type Fairness = 'weak' | 'strong' | 'none';

export interface ActionInfo {
  /** Who acts: 'cpu0', 'kswapd(N0)', 'device', ... Actions of one actor share its fairness. */
  readonly actor: string;
  /** What it does, e.g. 'write(v2)=5' or 'Demote(f3)'. */
  readonly name: string;
  /** The actor's fairness (default 'none': no fairness assumed). */
  readonly fairness?: Fairness;
}

/**
 * A fairness group finer than an actor (liveness only): the transitions of
 * some actions that leave a state `has` accepts, e.g. "cpu0's access
 * completes" among cpu0's steps (a fault is another step of the same action).
 * It is enabled in a state where one of its transitions is, and steps when
 * one is taken; its fairness is owed on top of the actor's.
 */
export interface TransitionFairness {
  /** Shown where an actor would be, e.g. 'cpu0 (access completes)'. */
  readonly name: string;
  /**
   * 'weak' / 'strong' as for actors; 'finite': the group's transitions happen
   * only finitely often in a behaviour (the environment, e.g. an
   * administrator binding and unbinding a driver, eventually stops), so no
   * fair cycle takes one.
   */
  readonly fairness: Exclude<Fairness, 'none'> | 'finite';
  /** The actions some of whose transitions belong to the group. */
  readonly actions: readonly number[];
  /** Does the (enabled) transition state --a--> next belong to the group? a is one of `actions`. */
  has(state: Uint32Array, a: number, next: Uint32Array): boolean;
}

/**
 * A temporal (liveness) property, all three kinds as one leads-to:
 * 'leads-to' P ~> Q: whenever P holds, Q holds then or later;
 * 'eventually' <>Q: the initial state ~> Q;
 * 'always-eventually' []<>Q: true ~> Q (Q again and again).
 * Judged on every fair behaviour (ActionInfo.fairness).
 */
export interface Temporal {
  /** Stable id, e.g. 'LIVE-PRESSURE-RELIEF'. */
  readonly id: string;
  readonly kind: 'eventually' | 'always-eventually' | 'leads-to';
  /** Where the promise comes from (RFC / kernel source). */
  readonly source: string;
  /** The promise in words. */
  readonly description: string;
  /** leads-to only: P. */
  premise?(state: Uint32Array): boolean;
  /** Q. */
  goal(state: Uint32Array): boolean;
}

export interface System {
  readonly name: string;
  /** Words per state. */
  readonly words: number;
  /** Size of the static action table. */
  readonly actionCount: number;
  /** Write the initial state into out. */
  initial(out: Uint32Array): void;
  /**
   * Try action a in `state`: if it is enabled, write the successor into `next`
   * (same width, may be overwritten freely) and return true; else return false.
   * Pure in `state`.
   */
  step(state: Uint32Array, a: number, next: Uint32Array): boolean;
  /**
   * Optional fast path: for every enabled action in increasing action order,
   * write its successor into `next` and call emit(a). Must agree with step().
   */
  expand?(state: Uint32Array, next: Uint32Array, emit: (a: number) => void): void;
  /** Static description of action a. */
  describe(a: number): ActionInfo;
  /**
   * Re-run action a on `state` and say what the kernel did (functions called,
   * arguments, results), one line per call. For traces; may be slow.
   */
  explain(state: Uint32Array, a: number): string[];
  /** The safety properties checked on every reachable state. */
  readonly properties: readonly Property[];
  /**
   * Optional per-transition check (conformance, step properties): null if the
   * transition state --a--> next is allowed, else { id, message }.
   */
  checkTransition?(state: Uint32Array, a: number, next: Uint32Array): { id: string; message: string } | null;
  /** Reachability properties of this configuration (vacuity checks). */
  readonly sometimes?: readonly Reachability[];
  /**
   * Called on a reachable state where no action is enabled. null: a legitimate
   * end (every program finished, nothing waits); else one line naming the
   * waiting threads and what each waits for, reported as violation 'DEADLOCK'.
   */
  deadlock?(state: Uint32Array): string | null;
  /** Temporal properties, judged by the liveness checker (src/explore/liveness.ts) only. */
  readonly liveness?: readonly Temporal[];
  /** Fairness finer than per actor (liveness only; see TransitionFairness). */
  readonly transitionFairness?: readonly TransitionFairness[];
  /**
   * Optional scope report: the model's instrumented functions that ran in
   * this process so far (every step, explain and initial state of this
   * system counts) and those that never did. Kept outside the states, so it
   * never changes a state's identity; call it after a run to see what the
   * run exercised (`cramcheck explore` prints the `never` list).
   */
  coverage?(): { ran: string[]; never: string[] };
  /** Render the parts of a state a reviewer needs to see, for traces. */
  render(state: Uint32Array, focus?: string): string[];
  /**
   * Optional symmetry (`--symmetry`, src/explore/symmetry.ts): interchangeable
   * actors. canonicalize writes into `out` the representative of the orbit
   * of `state` (the same for every state of the orbit). The model promises
   * that every permutation of the group commutes with step() and leaves every
   * property, reachability, deadlock and transition-check verdict unchanged.
   * Absent: the system has no symmetry.
   */
  readonly symmetry?: SymmetryHook;
  /** Without a symmetry: why not, one line (for the refusal of --symmetry). */
  readonly noSymmetry?: string;
  /**
   * Optional access instrumentation (`--por`, src/explore/footprint.ts): while
   * a recorder is installed, every read and write of a state word by step(),
   * the properties, reachability, deadlock and transition checks is reported
   * to it (word index in [0, accessWords)). null uninstalls it.
   */
  readonly instrument?: InstrumentHook;
}

export interface SymmetryHook {
  /** What is interchangeable, one line. */
  readonly description: string;
  canonicalize(state: Uint32Array, out: Uint32Array): void;
  /**
   * The other members of state's orbit (each permutation but the identity
   * applied), for the engine's run-time check of the promise above
   * (src/explore/symmetry.ts). Optional: without it only the successors met
   * in the search are checked against their representatives.
   */
  images?(state: Uint32Array): Uint32Array[];
}

export interface AccessRecorder {
  read(word: number): void;
  write(word: number): void;
}

export interface InstrumentHook {
  /** Size of the word space accesses are reported in (the model's own word size may be finer than the state's 32-bit words). */
  readonly accessWords: number;
  /** Name of access word w, for messages ('THR_STAGE[3]'). */
  wordName(w: number): string;
  /**
   * The words a declared footprint containing w must contain: w alone for a
   * word owned by one actor (a thread's registers, an mm's page table), the
   * whole field for a word whose index depends on allocation (a pfn's flags).
   */
  widen(w: number): { readonly from: number; readonly to: number };
  /**
   * The group of action a in `state`: transitions of one group share one
   * declared footprint (e.g. one thread at one op and stage). A string key.
   */
  group(state: Uint32Array, a: number): string;
  /** The actor (thread) action a belongs to, a small integer; actions of one actor are never independent of each other. */
  actor(a: number): number;
  install(rec: AccessRecorder | null): void;
}

/** Enumerate enabled actions through step(); systems with expand() use that. */
export function forEachSuccessor(
  sys: System,
  state: Uint32Array,
  next: Uint32Array,
  emit: (a: number) => void,
): void {
  if (sys.expand) {
    sys.expand(state, next, emit);
    return;
  }
  for (let a = 0; a < sys.actionCount; a++) {
    if (sys.step(state, a, next)) emit(a);
  }
}

/**
 * The same system judged only by the properties (and transition checks) whose
 * id `keep` accepts: how `mutants` looks past known findings and `findings`
 * looks for one invariant. Everything else delegates unchanged.
 */
export function withProperties(sys: System, keep: (id: string) => boolean): System {
  const base = sys.checkTransition?.bind(sys);
  return {
    name: sys.name,
    words: sys.words,
    actionCount: sys.actionCount,
    initial: (out) => sys.initial(out),
    step: (s, a, n) => sys.step(s, a, n),
    ...(sys.expand ? { expand: sys.expand.bind(sys) } : {}),
    describe: (a) => sys.describe(a),
    explain: (s, a) => sys.explain(s, a),
    render: (s, f) => sys.render(s, f),
    properties: sys.properties.filter((p) => keep(p.id)),
    ...(sys.sometimes ? { sometimes: sys.sometimes } : {}),
    ...(sys.liveness ? { liveness: sys.liveness.filter((t) => keep(t.id)) } : {}),
    ...(sys.transitionFairness ? { transitionFairness: sys.transitionFairness } : {}),
    ...(sys.coverage ? { coverage: () => sys.coverage!() } : {}),
    ...(sys.symmetry ? { symmetry: sys.symmetry } : {}),
    ...(sys.noSymmetry ? { noSymmetry: sys.noSymmetry } : {}),
    ...(sys.instrument ? { instrument: sys.instrument } : {}),
    ...(sys.deadlock ? { deadlock: (s: Uint32Array) => (keep('DEADLOCK') ? sys.deadlock!(s) : null) } : {}),
    ...(base
      ? {
          checkTransition: (s: Uint32Array, a: number, n: Uint32Array) => {
            const t = base(s, a, n);
            return t !== null && keep(t.id) ? t : null;
          },
        }
      : {}),
  };
}
