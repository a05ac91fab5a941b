// Model-based testing over any System with fast-check.
//
// Command i is action i of the System's static action table — the SAME
// actions the explorer takes, not a second copy of the kernel:
//   check(model) = sys.step(model.state, i, scratch) returned true (enabled)
//   run(model)   = take the step, then judge the successor with every property
//                  and the transition check (conformance when the system is
//                  wrapped by withConformance), and advance the model.
// With machines given, the model also carries each machine's abstract state
// per entity and each run asserts the machine allows the move (the machines
// are the model; the system is the real thing). The system is pure, so the
// "real" side holds nothing but the trail of actions taken.
//
// fast-check shrinks a failing command sequence; the shrunk trace is the
// sequence of ENABLED actions it runs until the first violation, which is a
// plain action list that sys.step (and `cramcheck replay`) reproduces.

import fc from 'fast-check';
import type { System } from '../explore/system.ts';

/** Machines as the MBT model: abstract states per machine per entity, and the judge of one step. */
export interface MbtMachines {
  abstractAll(state: Uint32Array): string[][];
  check(state: Uint32Array, next: Uint32Array): { id: string; message: string } | null;
}

export interface MbtModel {
  state: Uint32Array;
  /** Abstract machine states (when machines are given). */
  abstract: string[][] | null;
  depth: number;
}

export interface MbtReal {
  readonly trail: number[];
}

/** Thrown by a command's run to fail the fast-check property. */
export class MbtViolation extends Error {
  constructor(
    readonly property: string,
    readonly detail: string,
    readonly step: number,
  ) {
    super(`${property} at step ${step}: ${detail}`);
    this.name = 'MbtViolation';
  }
}

/**
 * First violation of sys's properties in `next` (reached from prev by a), or
 * null. With `only`, every other property id is ignored (a mutant run that
 * looks for the invariant it was seeded for, past unrelated v4 findings).
 */
export function judge(sys: System, prev: Uint32Array | null, a: number, next: Uint32Array, machines: MbtMachines | null, only: string | null = null): { id: string; message: string } | null {
  for (const p of sys.properties) {
    if (only !== null && p.id !== only) continue;
    const m = p.check(next);
    if (m !== null) return { id: p.id, message: m };
  }
  if (prev !== null) {
    const t = sys.checkTransition ? sys.checkTransition(prev, a, next) : null;
    if (t && (only === null || t.id === only)) return t;
    if (machines) {
      const c = machines.check(prev, next);
      if (c && (only === null || c.id === only)) return c;
    }
  }
  return null;
}

class ActionCommand implements fc.Command<MbtModel, MbtReal> {
  constructor(
    private readonly sys: System,
    private readonly a: number,
    private readonly scratch: Uint32Array,
    private readonly machines: MbtMachines | null,
    private readonly seen: Uint8Array,
    private readonly only: string | null,
  ) {}

  check(m: Readonly<MbtModel>): boolean {
    return this.sys.step(m.state, this.a, this.scratch);
  }

  run(m: MbtModel, r: MbtReal): void {
    const next = new Uint32Array(this.sys.words);
    if (!this.sys.step(m.state, this.a, next)) return;
    r.trail.push(this.a);
    this.seen[this.a] = 1;
    const v = judge(this.sys, m.state, this.a, next, this.machines, this.only);
    if (v) throw new MbtViolation(v.id, v.message, m.depth + 1);
    m.state = next;
    m.depth++;
    if (this.machines) m.abstract = this.machines.abstractAll(next);
  }

  toString(): string {
    const d = this.sys.describe(this.a);
    return `${this.a}:${d.actor}:${d.name}`;
  }
}

export interface MbtOptions {
  readonly runs?: number;
  readonly seed?: number;
  /** Maximal generated commands per run (disabled ones are skipped, so runs are shorter). */
  readonly maxCommands?: number;
  /** fast-check replay path (with the same seed) to re-run one failing case directly. */
  readonly path?: string;
  /** fast-check's commands replay path (printed with the counterexample), with `path`. */
  readonly replayPath?: string;
  readonly machines?: MbtMachines | null;
  /** Judge only this property id (others are ignored). */
  readonly property?: string;
}

export interface MbtFailure {
  readonly property: string;
  readonly message: string;
  /** The shrunk trace: enabled actions from the initial state; the last one violates. */
  readonly actions: number[];
  /** Commands in fast-check's shrunk counterexample (enabled or not). */
  readonly commands: string;
}

export interface MbtResult {
  readonly system: string;
  readonly ok: boolean;
  readonly runs: number;
  readonly seed: number;
  /** fast-check's counterexample path, for `--seed S --path P`. */
  readonly path: string | null;
  /** fc.commands' own replay path: needed with `path` to rebuild the shrunk commands. */
  readonly replayPath: string | null;
  readonly shrinks: number;
  readonly failure: MbtFailure | null;
  /** Distinct actions taken over all runs (a coarse coverage figure). */
  readonly actionsSeen: number;
}

/** Run a fixed command sequence from the initial state; the first violation and the enabled actions up to it. */
export function runActions(sys: System, actions: readonly number[], machines: MbtMachines | null = null, only: string | null = null): { actions: number[]; violation: { id: string; message: string } | null } {
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  const taken: number[] = [];
  const v0 = judge(sys, null, -1, cur, machines, only);
  if (v0) return { actions: taken, violation: v0 };
  for (const a of actions) {
    const next = new Uint32Array(sys.words);
    if (!sys.step(cur, a, next)) continue;
    taken.push(a);
    const v = judge(sys, cur, a, next, machines, only);
    if (v) return { actions: taken, violation: v };
    cur = next;
  }
  return { actions: taken, violation: null };
}

/** Model-based test of sys: deterministic for a seed. */
export function runMbt(sys: System, opts: MbtOptions = {}): MbtResult {
  const runs = opts.runs ?? 100;
  const seed = opts.seed ?? 42;
  const maxCommands = opts.maxCommands ?? 200;
  const machines = opts.machines ?? null;
  const only = opts.property ?? null;
  const scratch = new Uint32Array(sys.words);
  const seen = new Uint8Array(sys.actionCount);
  const table = Array.from({ length: sys.actionCount }, (_, a) => new ActionCommand(sys, a, scratch, machines, seen, only));

  // A violation in the initial state needs no command at all.
  const init = runActions(sys, [], machines, only);
  if (init.violation) {
    return {
      system: sys.name, ok: false, runs: 0, seed, path: null, replayPath: null, shrinks: 0, actionsSeen: 0,
      failure: { property: init.violation.id, message: init.violation.message, actions: [], commands: '' },
    };
  }

  const arb = fc.commands([fc.integer({ min: 0, max: Math.max(0, sys.actionCount - 1) }).map((a) => table[a]!)], {
    maxCommands,
    size: 'max',
    ...(opts.replayPath !== undefined ? { replayPath: opts.replayPath } : {}),
  });
  const prop = fc.property(arb, (cmds) => {
    const setup = () => ({ model: freshModel(sys, machines), real: { trail: [] as number[] } });
    fc.modelRun(setup, cmds);
    return true;
  });
  const details = fc.check(prop, {
    numRuns: runs,
    seed,
    ...(opts.path !== undefined ? { path: opts.path, endOnFailure: true } : {}),
  });
  let failure: MbtFailure | null = null;
  let replayPath: string | null = null;
  if (details.failed && details.counterexample) {
    replayPath = /replayPath="([^"]*)"/.exec(String(details.counterexample[0]))?.[1] ?? null;
    // The iterable yields fast-check's wrappers; their names start with the action id.
    const cmds = [...details.counterexample[0]].map(String);
    const actions = cmds.map((c) => Number.parseInt(c, 10));
    const r = runActions(sys, actions, machines, only);
    const err = details.errorInstance;
    if (r.violation) {
      failure = { property: r.violation.id, message: r.violation.message, actions: r.actions, commands: cmds.join(', ') };
    } else {
      // Not a property violation: an exception inside the model (a crash of the kernel model).
      const msg = err instanceof Error ? err.message : String(err);
      failure = { property: 'EXCEPTION', message: msg, actions: r.actions, commands: cmds.join(', ') };
    }
  }
  return {
    system: sys.name,
    ok: !details.failed,
    runs: details.numRuns,
    seed: details.seed,
    path: details.counterexamplePath,
    replayPath,
    shrinks: details.numShrinks,
    failure,
    actionsSeen: seen.reduce((s, x) => s + x, 0),
  };
}

function freshModel(sys: System, machines: MbtMachines | null): MbtModel {
  const state = new Uint32Array(sys.words);
  sys.initial(state);
  return { state, abstract: machines ? machines.abstractAll(state) : null, depth: 0 };
}
