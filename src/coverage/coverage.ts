// Machine coverage: which transitions of each protocol machine a concrete
// system actually takes.
//
// 1. @xstate/graph gives each machine's transitions (adjacency), shortest paths
//    (and simple paths for small machines) — the abstract scenarios.
// 2. One BFS of the concrete system (the explorer itself) watches every
//    concrete transition through the abstraction: the first time an abstract
//    edge (from -> to of one entity) appears, the transition is reported to the
//    explorer as a pseudo-violation, which buys its shortest concrete trace.
//    Refusals (self-loops guarded by an errno) are recognised from the kernel
//    trace lines of the step (System.explain), e.g. `node_private_unregister(2) = -EBUSY`.
// 3. A machine transition the BFS did not reach gets a targeted search
//    (scenario.ts): the machine's shortest path to it, followed step by step.
// 4. Every witness is replayed through sys.step and the abstraction must follow
//    the machine edge at its last step. A transition is covered only then;
//    otherwise it must be listed with a reason (reasons.ts), or the report fails.

import { getShortestPaths, getSimplePaths } from '@xstate/graph';
import type { StateValue } from 'xstate';
import { explore } from '../explore/explorer.ts';
import type { System } from '../explore/system.ts';
import { buildRelation, edgeRealizes, eventKey, machineTransitions, stateKey, type MachineEdge, type MachineSpec, type ProtocolEvent, type Relation, type StateAbstraction } from '../../models/machine_graph.ts';
import { machinePath } from './scenario.ts';
import { findScenario } from './scenario.ts';
import { unreachableReason } from './reasons.ts';

export type { StateAbstraction } from '../../models/machine_graph.ts';

export interface EdgeCoverage {
  readonly label: string;
  /** The system whose run covered it (several systems: see mergeCoverage). */
  readonly system?: string;
  readonly from: string;
  readonly event: string;
  readonly to: string;
  readonly covered: boolean;
  /** Concrete witness: actions from the initial state, the last one takes the edge. */
  readonly witness: readonly number[] | null;
  readonly entity: string | null;
  /** How it was found: 'bfs' | 'targeted' */
  readonly via: 'bfs' | 'targeted' | 'finding' | null;
  /** via 'finding': which recorded path. */
  readonly scenario?: string;
  /** Why an uncovered edge is unreachable in this system, or null (then it is a coverage gap). */
  readonly reason: string | null;
}

export interface MachineCoverage {
  readonly machine: string;
  readonly states: readonly string[];
  readonly statesReached: readonly string[];
  readonly shortestPaths: number;
  /** null when not enumerated (too many states for simple paths). */
  readonly simplePaths: number | null;
  /** The machine's written transitions (state node `on` entries): what coverage counts. */
  readonly edges: readonly EdgeCoverage[];
  /** Edges of the state graph (for a parallel machine: of the product of its regions). */
  readonly graphEdges: number;
  readonly graphEdgesCovered: number;
  readonly covered: number;
  readonly unreachable: number;
  readonly gaps: number;
}

export interface CoverageReport {
  readonly system: string;
  readonly concreteStates: number;
  readonly complete: boolean;
  readonly machines: readonly MachineCoverage[];
  /** Every transition covered or explained. */
  readonly ok: boolean;
}

export interface CoverageOptions {
  /** BFS bound on concrete states. */
  readonly maxStates?: number;
  /** Budget of each targeted search. */
  readonly targetedStates?: number;
  /**
   * Cap on System.explain calls spent on one abstract pair (machine, from -> to)
   * while some transition between them is still unwitnessed: a pair whose
   * steps never show the open event stops costing explains after this many.
   */
  readonly explainBudget?: number;
  /**
   * Recorded paths of this system (a finding's trace): a transition the BFS
   * and the targeted search leave uncovered is covered by the first step of
   * one of them that realizes it. A finding can sit deeper than the bound.
   */
  readonly scenarios?: readonly Scenario[];
  /** Machines with more states than this get no simple-path enumeration. */
  readonly simplePathLimit?: number;
}

interface Witness {
  readonly m: number;
  readonly edge: MachineEdge;
  readonly entity: number;
}

/**
 * Does one of the step's trace lines show the event (its kernel function with
 * that result)? A name matches as a whole word (`cram_set_pressure S2:` and
 * `add_to_swap(pfn 2)` both show their function; `__alloc_pages` does not show
 * `alloc_pages`).
 */
export function traceShows(spec: MachineSpec, ev: ProtocolEvent, lines: readonly string[]): boolean {
  const fns = spec.traceFns[ev.type] ?? [];
  const ret = ev.ret ?? 0;
  for (const line of lines) {
    for (const fn of fns) {
      const i = wordAt(line, fn);
      if (i < 0) continue;
      if (ret === 0) return true;
      // refusals: the line must end with the errno (`= -16` or `= -EBUSY`)
      const m = /=\s*(-?[A-Z0-9]+)\b/.exec(line.slice(i));
      if (m && (m[1] === String(ret) || errnoMatches(m[1]!, ret))) return true;
    }
  }
  return false;
}

const WORD = /[A-Za-z0-9_]/;
/** Index of the first whole-word occurrence of name in line, or -1. */
function wordAt(line: string, name: string): number {
  for (let i = line.indexOf(name); i >= 0; i = line.indexOf(name, i + 1)) {
    const before = i > 0 ? line[i - 1]! : ' ';
    const after = i + name.length < line.length ? line[i + name.length]! : ' ';
    if (!WORD.test(before) && !WORD.test(after)) return i;
  }
  return -1;
}

const ERRNO: Record<string, number> = { EPERM: 1, ENOENT: 2, EINTR: 4, EAGAIN: 11, ENOMEM: 12, EBUSY: 16, EEXIST: 17, ENODEV: 19, EINVAL: 22, ENOSPC: 28 };
function errnoMatches(text: string, ret: number): boolean {
  const name = text.replace(/^-/, '');
  return ERRNO[name] !== undefined && -ERRNO[name]! === ret;
}

/** Count paths @xstate/graph enumerates for the machine. */
function pathCounts(spec: MachineSpec, rel: Relation, simpleLimit: number): { shortest: number; simple: number | null } {
  const opts = {
    events: spec.events as ProtocolEvent[],
    serializeState: (s: { value: StateValue }) => stateKey(s.value),
    serializeEvent: (e: ProtocolEvent) => eventKey(e) as never,
  };
  const shortest = getShortestPaths(spec.machine, opts as never).length;
  const simple = rel.states.length <= simpleLimit ? getSimplePaths(spec.machine, opts as never).length : null;
  return { shortest, simple };
}

export function machineCoverage(sys: System, abstractions: readonly StateAbstraction[], opts: CoverageOptions = {}): CoverageReport {
  const maxStates = opts.maxStates ?? 200_000;
  const pairBudget = opts.explainBudget ?? 5_000;
  const spent = new Map<string, number>();
  const rels = abstractions.map((a) => buildRelation(a.spec));
  const witnessed = rels.map(() => new Map<string, Witness>());
  const reached = rels.map(() => new Set<string>());
  const before = abstractions.map(() => [] as string[]);
  const after = abstractions.map(() => [] as string[]);
  // Edges by abstract pair, and refusal self-loops by state.
  const byPair = rels.map((r) => {
    const m = new Map<string, MachineEdge[]>();
    for (const e of r.edges) {
      const k = `${e.from}->${e.to}`;
      const l = m.get(k) ?? [];
      l.push(e);
      m.set(k, l);
    }
    return m;
  });
  const pendingIds = new Map<string, Witness[]>();
  let nextId = 0;

  const init = new Uint32Array(sys.words);
  sys.initial(init);
  abstractions.forEach((a, i) => {
    a.abstractState(init, before[i]!);
    for (const s of before[i]!) reached[i]!.add(s);
  });

  const observe = (state: Uint32Array, a: number, next: Uint32Array): { id: string; message: string } | null => {
    const fresh: Witness[] = [];
    let lines: string[] | null = null;
    const explainOnce = (): string[] => {
      if (lines === null) lines = sys.explain(state, a);
      return lines;
    };
    abstractions.forEach((abs, i) => {
      abs.abstractState(state, before[i]!);
      abs.abstractState(next, after[i]!);
      const seen = witnessed[i]!;
      abs.entities.forEach((ent, e) => {
        const from = before[i]![e]!;
        const to = after[i]![e]!;
        reached[i]!.add(to);
        const cands = byPair[i]!.get(`${from}->${to}`);
        if (!cands) return;
        const open = cands.filter((c) => !seen.has(c.label));
        if (open.length === 0) return;
        // The step's kernel trace must show the edge's event (a refusal: its
        // errno): a folio that leaves isolation for the swap cache through
        // MADV_DONTNEED does not cover add_to_swap, though the pair is the same.
        const pk = `${i}|${from}->${to}`;
        const n = spent.get(pk) ?? 0;
        if (n >= pairBudget) return;
        spent.set(pk, n + 1);
        const hit = open.filter((c) => traceShows(abs.spec, c.event, explainOnce()));
        for (const edge of hit) {
          const w = { m: i, edge, entity: ent };
          seen.set(edge.label, w);
          fresh.push(w);
        }
      });
    });
    if (fresh.length === 0) return null;
    const id = `COVER#${nextId++}`;
    pendingIds.set(id, fresh);
    return { id, message: fresh.map((w) => w.edge.label).join('; ') };
  };

  const probe: System = Object.create(sys) as System;
  Object.defineProperty(probe, 'properties', { value: [] });
  Object.defineProperty(probe, 'checkTransition', { value: observe });
  const res = explore(probe, { strategy: 'bfs', maxStates, stopAtFirstViolation: false, tty: false });
  const traces = new Map<string, number[]>(); // `${m}|${edge}` -> trace
  for (const v of res.violations) {
    for (const w of pendingIds.get(v.property) ?? []) traces.set(`${w.m}|${w.edge.label}`, v.trace);
  }

  const machines: MachineCoverage[] = abstractions.map((abs, i) => {
    const rel = rels[i]!;
    const counts = pathCounts(abs.spec, rel, opts.simplePathLimit ?? 16);
    // Graph edges first: which the BFS reached, each with its witness.
    const graphWitness = new Map<string, { trace: number[]; entity: number }>();
    for (const edge of rel.edges) {
      const w = witnessed[i]!.get(edge.label);
      const trace = w ? traces.get(`${i}|${edge.label}`) : undefined;
      if (w && trace && replayConfirms(sys, abs, edge, trace)) graphWitness.set(edge.label, { trace, entity: w.entity });
    }
    const depth = new Map<string, number>();
    const pathLen = (s: string): number => {
      let d = depth.get(s);
      if (d === undefined) {
        d = machinePath(rel, rel.initial, s)?.length ?? 1e9;
        depth.set(s, d);
      }
      return d;
    };
    const edges: EdgeCoverage[] = machineTransitions(abs.spec).map((t) => {
      const realizing = rel.edges.filter((e) => edgeRealizes(e, t));
      let best: { trace: number[]; entity: number } | null = null;
      for (const e of realizing) {
        const g = graphWitness.get(e.label);
        if (g && (!best || g.trace.length < best.trace.length)) best = g;
      }
      let via: EdgeCoverage['via'] = best ? 'bfs' : null;
      let scenario: string | undefined;
      if (!best) {
        // Targeted search along the machine's shortest paths to the few nearest realizing edges.
        const cands = realizing.filter((e) => e.from !== e.to).sort((a, b) => pathLen(a.from) - pathLen(b.from)).slice(0, 2);
        for (const e of cands) {
          const found = findScenario(sys, abs, rel, e, opts.targetedStates ?? 5_000);
          if (found && replayConfirms(sys, abs, e, found.actions)) {
            best = { trace: found.actions, entity: found.entity };
            via = 'targeted';
            break;
          }
        }
      }
      if (!best) {
        for (const e of realizing) {
          const found = scenarioWitness(sys, abs, e, opts.scenarios ?? []);
          if (found) {
            best = found;
            via = 'finding';
            scenario = found.name;
            break;
          }
        }
      }
      const covered = best !== null;
      const asEdge: MachineEdge = { from: t.from, event: t.event, to: t.to, label: t.label };
      const reason = covered ? null : unreachableReason(abs.spec.name, asEdge);
      return { label: t.label, from: t.from, event: t.event.type, to: t.to, covered, witness: best ? best.trace : null, entity: best ? abs.label(best.entity) : null, via, ...(scenario !== undefined ? { scenario } : {}), reason };
    });
    const covered = edges.filter((e) => e.covered).length;
    const unreachable = edges.filter((e) => !e.covered && e.reason !== null).length;
    return {
      machine: abs.spec.name,
      states: rel.states,
      statesReached: rel.states.filter((s) => reached[i]!.has(s)),
      shortestPaths: counts.shortest,
      simplePaths: counts.simple,
      edges,
      graphEdges: rel.edges.length,
      graphEdgesCovered: graphWitness.size,
      covered,
      unreachable,
      gaps: edges.length - covered - unreachable,
    };
  });
  return {
    system: sys.name,
    concreteStates: res.states,
    complete: res.exhausted === undefined,
    machines,
    ok: machines.every((m) => m.gaps === 0),
  };
}

/** A recorded path of a system, e.g. a finding's trace. */
export interface Scenario {
  readonly name: string;
  readonly actions: readonly number[];
}

/** The shortest prefix of a scenario whose last step realizes `edge` (replayConfirms holds), or null. */
function scenarioWitness(sys: System, abs: StateAbstraction, edge: MachineEdge, scenarios: readonly Scenario[]): { trace: number[]; entity: number; name: string } | null {
  const a0: string[] = [];
  const a1: string[] = [];
  for (const { name, actions } of scenarios) {
    let cur = new Uint32Array(sys.words);
    sys.initial(cur);
    for (let i = 0; i < actions.length; i++) {
      const next = new Uint32Array(sys.words);
      if (!sys.step(cur, actions[i]!, next)) break;
      abs.abstractState(cur, a0);
      abs.abstractState(next, a1);
      const entity = abs.entities.findIndex((_, e) => a0[e] === edge.from && a1[e] === edge.to);
      if (entity >= 0 && traceShows(abs.spec, edge.event, sys.explain(cur, actions[i]!))) return { trace: actions.slice(0, i + 1), entity, name };
      cur = next;
    }
  }
  return null;
}

/**
 * Replay a witness through sys.step: every step enabled, and at the last step
 * some entity moves along the edge, and the kernel trace of that step shows the event (a refusal: its errno).
 */
export function replayConfirms(sys: System, abs: StateAbstraction, edge: MachineEdge, actions: readonly number[]): boolean {
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  const a0: string[] = [];
  const a1: string[] = [];
  for (let i = 0; i < actions.length; i++) {
    const next = new Uint32Array(sys.words);
    if (!sys.step(cur, actions[i]!, next)) return false;
    if (i === actions.length - 1) {
      abs.abstractState(cur, a0);
      abs.abstractState(next, a1);
      const moved = abs.entities.some((_, e) => a0[e] === edge.from && a1[e] === edge.to);
      if (!moved) return false;
      // the last step's kernel trace must show the event (a refusal: its errno)
      return traceShows(abs.spec, edge.event, sys.explain(cur, actions[i]!));
    }
    cur = next;
  }
  return false;
}

/**
 * Union of coverage reports of several systems (configurations) judged by the
 * same machines: a transition is covered if some system covers it (the
 * shortest witness wins, named with its system), else it keeps its reason.
 */
export function mergeCoverage(reports: readonly CoverageReport[]): CoverageReport {
  const first = reports[0];
  if (!first) throw new Error('mergeCoverage: no reports');
  const machines = first.machines.map((m0, i) => {
    const all = reports.map((r) => r.machines[i]!);
    const edges = m0.edges.map((e0, j) => {
      let best: EdgeCoverage | null = null;
      all.forEach((m, r) => {
        const e = m.edges[j]!;
        if (e.covered && (!best || e.witness!.length < best.witness!.length)) best = { ...e, system: reports[r]!.system };
      });
      return best ?? e0;
    });
    const reached = new Set(all.flatMap((m) => m.statesReached));
    const covered = edges.filter((e) => e.covered).length;
    const unreachable = edges.filter((e) => !e.covered && e.reason !== null).length;
    return {
      ...m0,
      statesReached: m0.states.filter((s) => reached.has(s)),
      edges,
      graphEdgesCovered: Math.max(...all.map((m) => m.graphEdgesCovered)),
      covered,
      unreachable,
      gaps: edges.length - covered - unreachable,
    };
  });
  return {
    system: reports.map((r) => r.system).join(' + '),
    concreteStates: reports.reduce((n, r) => n + r.concreteStates, 0),
    complete: reports.every((r) => r.complete),
    machines,
    ok: machines.every((m) => m.gaps === 0),
  };
}

/**
 * Fill a report's gaps from recorded paths of another system (a finding's
 * trace on its own config and fixes): a gap is covered by the first step of a
 * scenario that realizes it. Used after the bounded BFS, for transitions that
 * only a deep path (a finding's) reaches.
 */
export function coverGapsByScenarios(report: CoverageReport, sys: System, abstractions: readonly StateAbstraction[], scenarios: readonly Scenario[]): CoverageReport {
  const machines = report.machines.map((m) => {
    const abs = abstractions.find((a) => a.spec.name === m.machine);
    if (!abs || m.gaps === 0) return m;
    const rel = buildRelation(abs.spec);
    const transitions = machineTransitions(abs.spec);
    const edges = m.edges.map((e, j): EdgeCoverage => {
      if (e.covered || e.reason !== null) return e;
      const t = transitions[j]!;
      for (const re of rel.edges.filter((x) => edgeRealizes(x, t))) {
        const found = scenarioWitness(sys, abs, re, scenarios);
        if (found) return { ...e, covered: true, witness: found.trace, entity: abs.label(found.entity), via: 'finding', scenario: found.name, system: sys.name };
      }
      return e;
    });
    const covered = edges.filter((e) => e.covered).length;
    const unreachable = edges.filter((e) => !e.covered && e.reason !== null).length;
    return { ...m, edges, covered, unreachable, gaps: edges.length - covered - unreachable };
  });
  return { ...report, machines, ok: machines.every((m) => m.gaps === 0) };
}
