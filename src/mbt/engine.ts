// Model-based testing over any System with fast-check.
//
// Commands are actions of the System's static action table — the SAME
// actions the explorer takes (sys.step), not a second copy of the kernel.
// Two generation modes:
//   'enabled' (default): command #k*b takes the k-th ENABLED action of the
//       current state (k mod the number of enabled actions, enumerated with
//       forEachSuccessor), b times in a row while it stays enabled
//       (EnabledCommand). Every command makes progress, so runs reach the
//       depth the system allows and each actor gets a share in proportion to
//       what it can actually do now. In the uniform mode most commands of the
//       kernel's small tables were disabled and skipped, so runs stayed
//       shallow and mutants needing 25+ steps of interleaved background work
//       (kswapd, the pressure IRQs) were missed.
//   'uniform': command i is action i of the table, skipped when disabled.
//   'swarm': 'enabled' over a per-run subset of the actors (swarm testing,
//       Groce et al., ISSTA 2012): each run draws which actors may be chosen
//       and picks among their enabled actions, falling back to every enabled
//       action when none of them can step. Leaving actors out of a run makes
//       the long same-actor stretches a race needs (a CPU's whole fault, then
//       kswapd's whole demotion) likelier than a fair mix of all actors does.
// In both modes:
//   check(model) = the command can take a step in model.state
//   run(model)   = take the step, then judge the successor with every property
//                  and the transition check (conformance when the system is
//                  wrapped by withConformance), and advance the model.
// With machines given, the model also carries each machine's abstract state
// per entity and each run asserts the machine allows the move (the machines
// are the model; the system is the real thing). The system is pure, so the
// "real" side holds nothing but the trail of actions taken.
//
// fast-check shrinks a failing command sequence (fewer commands, smaller k,
// shorter bursts); the shrunk trace is the sequence of concrete action ids it
// runs until the first violation, a plain action list that sys.step (and
// `cramcheck replay`) reproduces. In 'enabled' mode a command's action depends on the
// state it runs in, so the ids are recovered by re-running the shrunk
// choices from the initial state (runChoices), not read off the commands.

import fc from 'fast-check';
import { match } from 'ts-pattern';
import { forEachSuccessor, type System } from '../explore/system.ts';

/** How commands pick their action: see the header. */
export type MbtMode = 'enabled' | 'uniform' | 'swarm';
export const MBT_MODES: readonly MbtMode[] = ['enabled', 'uniform', 'swarm'];

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
  /** Enabled actions of `state` in increasing order ('enabled' mode only, else null). */
  enabled: number[] | null;
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

/** What a command needs besides its own choice: shared by every command of one runMbt. */
interface CommandContext {
  readonly sys: System;
  readonly scratch: Uint32Array;
  readonly machines: MbtMachines | null;
  readonly seen: Uint8Array;
  readonly only: string | null;
  readonly trackEnabled: boolean;
  /** 'swarm': actor index of each action, and this run's chosen actors (null: every actor). */
  readonly actorOf: Int32Array;
  active: readonly boolean[] | null;
}

/** The enabled actions of `state`, in increasing order (scratch is overwritten). */
export function enabledActions(sys: System, state: Uint32Array, scratch: Uint32Array): number[] {
  const out: number[] = [];
  forEachSuccessor(sys, state, scratch, (a) => out.push(a));
  return out;
}

/** Actor index of each action (actors numbered in order of first appearance in the table). */
export function actorIndex(sys: System): { actorOf: Int32Array; actors: string[] } {
  const actors: string[] = [];
  const byName = new Map<string, number>();
  const actorOf = new Int32Array(sys.actionCount);
  for (let a = 0; a < sys.actionCount; a++) {
    const name = sys.describe(a).actor;
    let i = byName.get(name);
    if (i === undefined) {
      i = actors.length;
      byName.set(name, i);
      actors.push(name);
    }
    actorOf[a] = i;
  }
  return { actorOf, actors };
}

/**
 * The actions a command may choose in `state`: the enabled ones of the run's
 * active actors ('swarm'), or every enabled one when there is no swarm or none
 * of the active actors can step (so a run never stalls while something can move,
 * and the list is empty exactly when nothing is enabled).
 */
export function choosableActions(sys: System, state: Uint32Array, scratch: Uint32Array, actorOf: Int32Array, active: readonly boolean[] | null): number[] {
  const en = enabledActions(sys, state, scratch);
  if (active === null) return en;
  const sub = en.filter((a) => active[actorOf[a]!] === true);
  return sub.length > 0 ? sub : en;
}

/**
 * DEADLOCK as the explorer judges it: nothing is enabled in `state` and the
 * system says some thread has not finished (System.deadlock). null otherwise,
 * or when `only` names another property.
 */
export function deadlockIn(sys: System, state: Uint32Array, scratch: Uint32Array, only: string | null, enabled: readonly number[] | null = null): { id: string; message: string } | null {
  if (!sys.deadlock || (only !== null && only !== 'DEADLOCK')) return null;
  if ((enabled ?? enabledActions(sys, state, scratch)).length > 0) return null;
  const msg = sys.deadlock(state);
  return msg === null ? null : { id: 'DEADLOCK', message: msg };
}

/** Take enabled action a from m (the common run of both command kinds). */
function advance(ctx: CommandContext, m: MbtModel, r: MbtReal, a: number): void {
  const next = new Uint32Array(ctx.sys.words);
  if (!ctx.sys.step(m.state, a, next)) return;
  r.trail.push(a);
  ctx.seen[a] = 1;
  const v = judge(ctx.sys, m.state, a, next, ctx.machines, ctx.only);
  if (v) throw new MbtViolation(v.id, v.message, m.depth + 1);
  m.state = next;
  m.depth++;
  if (ctx.machines) m.abstract = ctx.machines.abstractAll(next);
  if (ctx.trackEnabled) m.enabled = choosableActions(ctx.sys, next, ctx.scratch, ctx.actorOf, ctx.active);
  const d = deadlockIn(ctx.sys, next, ctx.scratch, ctx.only, m.enabled);
  if (d) throw new MbtViolation(d.id, d.message, m.depth);
}

/** 'uniform' mode: action a of the table, skipped when disabled. toString starts with the action id. */
class ActionCommand implements fc.Command<MbtModel, MbtReal> {
  constructor(
    private readonly ctx: CommandContext,
    private readonly a: number,
  ) {}

  check(m: Readonly<MbtModel>): boolean {
    return this.ctx.sys.step(m.state, this.a, this.ctx.scratch);
  }

  run(m: MbtModel, r: MbtReal): void {
    advance(this.ctx, m, r, this.a);
  }

  toString(): string {
    const d = this.ctx.sys.describe(this.a);
    return `${this.a}:${d.actor}:${d.name}`;
  }
}

/** One 'enabled'-mode choice: the k-th enabled action, taken up to `burst` times in a row. */
export interface Choice {
  readonly k: number;
  readonly burst: number;
}

/**
 * 'enabled' mode: the k-th enabled action of the state the command runs in
 * (k mod their number), then the same action again while it stays enabled,
 * `burst` steps in all. Bursts matter because the kernel's threads advance
 * one lock-to-lock step at a time: a demotion is four kswapd steps, a
 * cram_set_pressure four IRQ-thread steps, and the shortest counterexamples
 * run such sequences uninterrupted. A uniform pick among 2-4 enabled actions
 * rarely does. Only a deadlocked state (nothing enabled) skips the command.
 * toString is `#k*burst`: the action is a function of the state, not of the
 * command, so the trace is rebuilt by runChoices.
 */
class EnabledCommand implements fc.Command<MbtModel, MbtReal> {
  constructor(
    private readonly ctx: CommandContext,
    readonly choice: Choice,
  ) {}

  check(m: Readonly<MbtModel>): boolean {
    return m.enabled !== null && m.enabled.length > 0;
  }

  run(m: MbtModel, r: MbtReal): void {
    const en = m.enabled!;
    const a = en[this.choice.k % en.length]!;
    advance(this.ctx, m, r, a);
    for (let i = 1; i < this.choice.burst && m.enabled!.includes(a); i++) advance(this.ctx, m, r, a);
  }

  toString(): string {
    return `#${this.choice.k}*${this.choice.burst}`;
  }
}

export interface MbtOptions {
  readonly runs?: number;
  readonly seed?: number;
  /** Maximal generated commands per run ('uniform' skips disabled ones, so its runs are shorter). */
  readonly maxCommands?: number;
  /** How commands choose their action (default 'enabled'). */
  readonly mode?: MbtMode;
  /** 'enabled' mode: most steps one command takes of its action in a row (default 4; 1 = no bursts). */
  readonly maxBurst?: number;
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
  /** Commands in fast-check's shrunk counterexample ('uniform': action ids, enabled or not; 'enabled': #k choices). */
  readonly commands: string;
}

export interface MbtResult {
  readonly system: string;
  readonly mode: MbtMode;
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
  let cur: Uint32Array = new Uint32Array(sys.words);
  sys.initial(cur);
  const taken: number[] = [];
  const v0 = judge(sys, null, -1, cur, machines, only);
  if (v0) return { actions: taken, violation: v0 };
  for (const a of actions) {
    const r = takeStep(sys, cur, a, taken, machines, only);
    if (r.violation) return { actions: taken, violation: r.violation };
    if (r.next) cur = r.next;
  }
  // A deadlocked state enables nothing, so every later action was skipped: it is the last state.
  return { actions: taken, violation: deadlockIn(sys, cur, new Uint32Array(sys.words), only) };
}

/**
 * One step of a replay: if action a is enabled in cur, record it in `taken`
 * and judge the transition. next is null when a is disabled.
 */
function takeStep(sys: System, cur: Uint32Array, a: number, taken: number[], machines: MbtMachines | null, only: string | null): { next: Uint32Array | null; violation: { id: string; message: string } | null } {
  const next = new Uint32Array(sys.words);
  if (!sys.step(cur, a, next)) return { next: null, violation: null };
  taken.push(a);
  return { next, violation: judge(sys, cur, a, next, machines, only) };
}

/**
 * Run 'enabled'-mode choices from the initial state, as EnabledCommand does:
 * choice k takes the k-th enabled action (mod their number), repeated while
 * enabled up to its burst; stops at the first violation or when nothing is
 * enabled ('swarm': among the active actors' enabled actions, as
 * choosableActions). Returns the concrete action ids taken, so the result is a plain
 * trace that runActions, sys.step and `cramcheck replay` reproduce.
 */
export function runChoices(
  sys: System,
  choices: readonly Choice[],
  machines: MbtMachines | null = null,
  only: string | null = null,
  active: readonly boolean[] | null = null,
): { actions: number[]; violation: { id: string; message: string } | null } {
  const { actorOf } = actorIndex(sys);
  let cur: Uint32Array = new Uint32Array(sys.words);
  sys.initial(cur);
  const scratch = new Uint32Array(sys.words);
  const taken: number[] = [];
  const v0 = judge(sys, null, -1, cur, machines, only);
  if (v0) return { actions: taken, violation: v0 };
  for (const c of choices) {
    const en = choosableActions(sys, cur, scratch, actorOf, active);
    if (en.length === 0) return { actions: taken, violation: deadlockIn(sys, cur, scratch, only, en) };
    const a = en[c.k % en.length]!;
    for (let i = 0; i < c.burst; i++) {
      const r = takeStep(sys, cur, a, taken, machines, only);
      if (r.violation) return { actions: taken, violation: r.violation };
      if (!r.next) break;
      cur = r.next;
    }
  }
  return { actions: taken, violation: deadlockIn(sys, cur, scratch, only) };
}

/** `#k*burst` (EnabledCommand.toString) back to its choice. */
function parseChoice(text: string): Choice {
  const m = /^#(\d+)\*(\d+)$/.exec(text);
  if (!m) throw new Error(`not an enabled-mode command: ${text}`);
  return { k: Number(m[1]), burst: Number(m[2]) };
}

/** Model-based test of sys: deterministic for a seed. */
export function runMbt(sys: System, opts: MbtOptions = {}): MbtResult {
  const runs = opts.runs ?? 100;
  const seed = opts.seed ?? 42;
  const maxCommands = opts.maxCommands ?? 200;
  const machines = opts.machines ?? null;
  const only = opts.property ?? null;
  const mode = opts.mode ?? 'enabled';
  const maxBurst = opts.maxBurst ?? 4;
  const seen = new Uint8Array(sys.actionCount);
  const { actorOf, actors } = actorIndex(sys);
  const ctx: CommandContext = { sys, scratch: new Uint32Array(sys.words), machines, seen, only, trackEnabled: mode !== 'uniform', actorOf, active: null };

  // A violation in the initial state needs no command at all.
  const init = runActions(sys, [], machines, only);
  if (init.violation) {
    return {
      system: sys.name, mode, ok: false, runs: 0, seed, path: null, replayPath: null, shrinks: 0, actionsSeen: 0,
      failure: { property: init.violation.id, message: init.violation.message, actions: [], commands: '' },
    };
  }

  const top = Math.max(0, sys.actionCount - 1);
  const command = match(mode)
    .with('uniform', () => {
      const table = Array.from({ length: sys.actionCount }, (_, a) => new ActionCommand(ctx, a));
      return fc.integer({ min: 0, max: top }).map((a): fc.Command<MbtModel, MbtReal> => table[a]!);
    })
    // k ranges over the table size: at least as many as can be enabled, so
    // every enabled action is reachable, and small, so shrinking k is short.
    .with('enabled', 'swarm', () =>
      fc
        .record({ k: fc.integer({ min: 0, max: top }), burst: fc.integer({ min: 1, max: maxBurst }) })
        .map((c): fc.Command<MbtModel, MbtReal> => new EnabledCommand(ctx, c)),
    )
    .exhaustive();
  const arb = fc.commands([command], {
    maxCommands,
    size: 'max',
    ...(opts.replayPath !== undefined ? { replayPath: opts.replayPath } : {}),
  });
  // 'swarm': which actors this run may choose (shrinks towards fewer).
  const swarm = mode === 'swarm' ? fc.array(fc.boolean(), { minLength: actors.length, maxLength: actors.length }) : fc.constant(null);
  const prop = fc.property(swarm, arb, (active, cmds) => {
    ctx.active = active;
    const setup = () => ({ model: freshModel(ctx), real: { trail: [] as number[] } });
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
    replayPath = /replayPath="([^"]*)"/.exec(String(details.counterexample[1]))?.[1] ?? null;
    const active = details.counterexample[0];
    // The iterable yields fast-check's wrappers; their names start with the
    // action id ('uniform') or are `#k` ('enabled'). Commands that did not run
    // are harmless: runActions skips disabled actions, runChoices stops at the
    // violation.
    const cmds = [...details.counterexample[1]].map(String);
    const r = match(mode)
      .with('uniform', () => runActions(sys, cmds.map((c) => Number.parseInt(c, 10)), machines, only))
      .with('enabled', 'swarm', () => runChoices(sys, cmds.map(parseChoice), machines, only, active))
      .exhaustive();
    const swarmText = active === null ? '' : `swarm [${actors.filter((_, i) => active[i]).join(', ')}]: `;
    const err = details.errorInstance;
    if (r.violation) {
      failure = { property: r.violation.id, message: r.violation.message, actions: r.actions, commands: swarmText + cmds.join(', ') };
    } else {
      // Not a property violation: an exception inside the model (a crash of the kernel model).
      const msg = err instanceof Error ? err.message : String(err);
      failure = { property: 'EXCEPTION', message: msg, actions: r.actions, commands: swarmText + cmds.join(', ') };
    }
  }
  return {
    system: sys.name,
    mode,
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

function freshModel(ctx: CommandContext): MbtModel {
  const state = new Uint32Array(ctx.sys.words);
  ctx.sys.initial(state);
  return {
    state,
    abstract: ctx.machines ? ctx.machines.abstractAll(state) : null,
    depth: 0,
    enabled: ctx.trackEnabled ? choosableActions(ctx.sys, state, ctx.scratch, ctx.actorOf, ctx.active) : null,
  };
}
