// A trace told as a review mail tells it: the scenario, then each step as the
// calls its thread made and the facts that changed, then the broken property.
// The Narrator is the model's side (its scenario, its call log cleaned up, its
// state as named facts); this file replays the trace through it and knows no
// model. layout.ts turns the result into text.

import type { System } from '../../explore/system.ts';
import type { SystemDescriptor } from '../format.ts';
import { describeSystem, describeVariant } from '../render.ts';
import { checkProperty, propertySource } from '../replay.ts';
import { diffFacts, type Fact } from './facts.ts';

export interface Narrator {
  /** Paragraphs describing what runs: nodes, CPUs and their programs, the device, the fixes. */
  scenario(): string[];
  /** Column heading for an actor of the action table ('cpu0' -> 'CPU0'). */
  actorTitle(actor: string): string;
  /** What action a did from `state`: one line per call, with arguments and results. */
  calls(state: Uint32Array, a: number): string[];
  /** The state as named facts (diffed between steps). */
  facts(state: Uint32Array): Fact[];
  /** The fact topics that matter to a property (undefined: every topic). */
  topics(property: string): ReadonlySet<string> | undefined;
  /** A property's message in the model's terms rewritten for a reviewer (default: as is). */
  message?(text: string): string;
}

export interface MailStep {
  /** 1-based step number, as in the trace file and replay. */
  readonly n: number;
  readonly actor: string;
  readonly calls: readonly string[];
  readonly changes: readonly string[];
}

export interface MailTrace {
  readonly property: string;
  readonly source: string;
  readonly scenario: readonly string[];
  readonly steps: readonly MailStep[];
  /** The property's message on the last state (null: it holds there). */
  readonly message: string | null;
  /** Set when a step was not enabled: replay stopped there. */
  readonly stoppedAt: number | null;
}

/** `mmap` of a bare call line `mmap(v0, anon, rw)` (no result), else null. */
function bareCall(l: string): string | null {
  const m = /^([\w.]+)\([^()]*\)$/.exec(l);
  return m ? m[1]! : null;
}

/**
 * Drop repeated lines, lines a later line of the same step merely extends
 * ('write(v0, 3)' before 'write(v0, 3) -> pfn 0'), and a bare call followed
 * by the same function's call with its result ('mmap(v0, anon, rw)' before
 * 'mmap(mm 0, v0, anon) = 0').
 */
export function dedupeCalls(lines: readonly string[]): string[] {
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (l === '' || out.includes(l)) return;
    const later = lines.slice(i + 1);
    const extended = later.some((m) => m.length > l.length && m.startsWith(l) && /^[\s:=-]/.test(m.slice(l.length)));
    const fn = bareCall(l);
    const resulted = fn !== null && later[0] !== undefined && later[0].startsWith(`${fn}(`);
    if (!extended && !resulted) out.push(l);
  });
  return out;
}

function reword(n: Narrator, m: string | null): string | null {
  return m === null || !n.message ? m : n.message(m);
}

export function narrateTrace(sys: System, narrator: Narrator, property: string, actions: readonly number[]): MailTrace {
  const topics = narrator.topics(property);
  const steps: MailStep[] = [];
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  let facts = narrator.facts(cur);
  let prev: Uint32Array | null = null;
  let last = -1;
  let stoppedAt: number | null = null;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    const next = new Uint32Array(sys.words);
    const actor = a < sys.actionCount ? sys.describe(a).actor : '?';
    if (a >= sys.actionCount || !sys.step(cur, a, next)) {
      stoppedAt = i + 1;
      break;
    }
    const after = narrator.facts(next);
    steps.push({ n: i + 1, actor, calls: dedupeCalls(narrator.calls(cur, a)), changes: diffFacts(facts, after, topics) });
    facts = after;
    prev = cur;
    cur = next;
    last = a;
  }
  return {
    property,
    source: propertySource(sys, property),
    scenario: narrator.scenario(),
    steps,
    message: stoppedAt === null ? reword(narrator, checkProperty(sys, property, cur, prev, last)) : null,
    stoppedAt,
  };
}

/** For systems without a model-specific narrator: the explain lines, no facts. */
export function genericNarrator(sys: System, d: SystemDescriptor): Narrator {
  return {
    scenario: () => [`${describeSystem(d)}, ${describeVariant(d)}.`],
    actorTitle: (actor) => actor,
    calls: (state, a) => {
      const info = sys.describe(a);
      return sys.explain(state, a).map((l) => l.replace(`${info.actor}: `, ''));
    },
    facts: () => [],
    topics: () => undefined,
  };
}
