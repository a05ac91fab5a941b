// Conformance: every concrete step must be a step of the protocol machines.
//
// For each explored transition s --a--> s' and each entity of each machine,
// abstract(s') must equal abstract(s) (a stutter: the step did not concern it)
// or be reachable from abstract(s) by ONE machine transition. The relation is
// precomputed from the @xstate/graph adjacency map (machine_graph.ts), so the
// check per transition is two abstractions and a set lookup per entity.
// A mismatch is { id: 'CONFORMANCE-<machine>', message } — the explorer treats
// it like a property violation and gives it a shortest trace.

import type { Machine } from '../src/kernel/kernel.ts';
import type { System } from '../src/explore/system.ts';
import { kernelAbstractions, MACHINE_NAMES, type MachineName } from './abstraction.ts';
import { buildRelation, pairKey, type Relation, type StateAbstraction } from './machine_graph.ts';

export interface ConformanceViolation {
  readonly id: string;
  readonly message: string;
}

export interface MachineCheck {
  readonly abs: StateAbstraction;
  readonly rel: Relation;
}

/** Judge one pair of abstract states of one entity; null if allowed. */
export function judgeStep(mc: MachineCheck, entity: number, from: string, to: string): ConformanceViolation | null {
  const id = `CONFORMANCE-${mc.rel.spec.name}`;
  const states = mc.rel.states;
  if (!states.includes(from)) {
    return { id, message: `${mc.abs.label(entity)}: '${from}' is not a ${mc.rel.spec.name} machine state` };
  }
  if (from === to) return null;
  if (mc.rel.allowed.has(pairKey(from, to))) return null;
  const next = [...new Set(mc.rel.edges.filter((e) => e.from === from && e.to !== from).map((e) => e.to))];
  const what = states.includes(to) ? `is not one ${mc.rel.spec.name} transition` : `reaches '${to}', not a ${mc.rel.spec.name} machine state`;
  return {
    id,
    message: `${mc.abs.label(entity)}: ${from} -> ${to} ${what} (allowed from there: ${next.join(' | ') || 'none'})`,
  };
}

/**
 * Checks transitions against machines: the kernel's named machines for a
 * kernel Machine, or any list of abstractions (BM1's, a test's).
 */
export class ConformanceChecker {
  readonly machines: readonly MachineCheck[];
  private readonly before: string[][];
  private readonly after: string[][];
  // Reuse of the previous source state's abstraction: the explorer expands all
  // successors of one state in a row. Compared by content, so never stale.
  private last: Uint32Array | null = null;

  constructor(src: Machine | readonly StateAbstraction[], names: readonly MachineName[] = MACHINE_NAMES) {
    const abstractions = Array.isArray(src) ? (src as readonly StateAbstraction[]) : kernelAbstractions(src as Machine, names);
    this.machines = abstractions.map((abs) => ({ abs, rel: buildRelation(abs.spec) }));
    this.before = this.machines.map(() => []);
    this.after = this.machines.map(() => []);
  }

  /** Abstract states of every machine's entities in `state`. */
  abstractAll(state: Uint32Array): string[][] {
    return this.machines.map((mc) => {
      const out: string[] = [];
      mc.abs.abstractState(state, out);
      return out;
    });
  }

  check(state: Uint32Array, next: Uint32Array): ConformanceViolation | null {
    if (!this.last || !sameWords(this.last, state)) {
      this.machines.forEach((mc, i) => mc.abs.abstractState(state, this.before[i]!));
      this.last = state.slice();
    }
    for (let i = 0; i < this.machines.length; i++) {
      const mc = this.machines[i]!;
      const a = this.before[i]!;
      const b = this.after[i]!;
      mc.abs.abstractState(next, b);
      for (let e = 0; e < mc.abs.entities.length; e++) {
        const v = judgeStep(mc, mc.abs.entities[e]!, a[e]!, b[e]!);
        if (v) return v;
      }
    }
    return null;
  }
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * sys with every transition also judged by the machines (`checkTransition`).
 * An existing checkTransition of sys runs first. m is the kernel machine the
 * system's states belong to (the state words are the kernel's Uint16Array),
 * or the abstractions to judge by.
 */
export function withConformance(sys: System, m: Machine | readonly StateAbstraction[], names: readonly MachineName[] = MACHINE_NAMES): System & { readonly conformance: ConformanceChecker } {
  const checker = new ConformanceChecker(m, names);
  const inner = sys.checkTransition?.bind(sys);
  const wrapped: System & { readonly conformance: ConformanceChecker } = Object.create(sys) as System & { conformance: ConformanceChecker };
  Object.defineProperty(wrapped, 'conformance', { value: checker });
  Object.defineProperty(wrapped, 'name', { value: `${sys.name}+conformance` });
  Object.defineProperty(wrapped, 'checkTransition', {
    value: (state: Uint32Array, a: number, next: Uint32Array) => {
      const v = inner ? inner(state, a, next) : null;
      return v ?? checker.check(state, next);
    },
  });
  return wrapped;
}
