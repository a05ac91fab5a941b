// Export of a trace to the Informal Trace Format (ITF) that Apalache and
// Quint write and the ITF trace viewer reads (apalache ADR-015): `#meta`,
// `vars`, `states` with `#meta.index`, Quint's `mbt::actionTaken` per state.
// The state variables are the model's named facts grouped by topic (each a
// `#map` from the fact's key to a record of its fields) plus any extra
// variables the caller adds (the protocol machines' states). Integers are
// written as `{"#bigint": "..."}` (ADR-015 allows it for every integer, and
// it is what Quint writes); flag sets as `#set`.
//
// The trace header (system, config, fixes, property, expected step) travels
// in the top-level `#meta.cramcheck`, and each state's action index in its
// `#meta.action`, so an exported trace can be read back into the trace
// format and replayed (importItf).

import { z } from 'zod';
import type { System } from '../explore/system.ts';
import { firstIssue, makeTrace, type TraceFile, TraceFileSchema, type TraceStep } from './format.ts';
import type { Fact } from './mail/facts.ts';

export const ACTION_TAKEN = 'mbt::actionTaken';
const ITF_SPEC = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

export type ItfValue =
  | boolean
  | string
  | { readonly '#bigint': string }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | readonly ItfValue[]
  | { readonly [field: string]: ItfValue };

export interface ItfState {
  readonly '#meta': { readonly index: number; readonly action?: number };
  readonly [variable: string]: ItfValue | { readonly index: number; readonly action?: number };
}

export interface ItfTrace {
  readonly '#meta': Record<string, unknown>;
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
}

function int(n: number): ItfValue {
  return { '#bigint': String(n) };
}

function scalar(v: string): ItfValue {
  if (v === 'true' || v === 'false') return v === 'true';
  return /^-?\d+$/.test(v) ? int(Number(v)) : v;
}

/** One fact as an ITF record: field name -> value ('value' for an unnamed field). */
function factRecord(f: Fact): ItfValue {
  const rec: Record<string, ItfValue> = {};
  for (const x of f.fields) rec[x.name === '' ? 'value' : x.name] = typeof x.value === 'string' ? scalar(x.value) : { '#set': [...x.value] };
  return rec;
}

export interface ItfSources {
  /** The state as named facts. */
  facts(state: Uint32Array): Fact[];
  /** Variables beyond the fact topics (e.g. protocol machine states), the same names in every state. */
  extra?(state: Uint32Array): Record<string, ItfValue>;
}

/** The ITF form of trace t, replayed on sys (which must be the system t was recorded on). */
export function toItf(sys: System, t: TraceFile, src: ItfSources, source: string): ItfTrace {
  const states: Uint32Array[] = [];
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  states.push(cur);
  for (const s of t.steps) {
    const next = new Uint32Array(sys.words);
    if (!sys.step(cur, s.action, next)) throw new Error(`step ${states.length}: action ${s.action} (${s.actor} ${s.name}) is not enabled`);
    states.push(next);
    cur = next;
  }
  const facts = states.map((st) => src.facts(st));
  const extras = states.map((st) => src.extra?.(st) ?? {});
  const topics = [...new Set(facts.flatMap((fs) => fs.map((f) => f.topic)))].sort();
  const extraVars = Object.keys(extras[0] ?? {});
  const vars = [...topics, ...extraVars, ACTION_TAKEN];
  const out: ItfState[] = states.map((_, i) => {
    const st: Record<string, ItfValue | { index: number; action?: number }> = {
      '#meta': i === 0 ? { index: 0 } : { index: i, action: t.steps[i - 1]!.action },
    };
    for (const topic of topics) st[topic] = { '#map': facts[i]!.filter((f) => f.topic === topic).map((f) => [f.key, factRecord(f)] as const) };
    for (const v of extraVars) st[v] = extras[i]![v]!;
    st[ACTION_TAKEN] = i === 0 ? 'init' : `${t.steps[i - 1]!.actor} ${t.steps[i - 1]!.name}`;
    return st as ItfState;
  });
  const { steps: _steps, ...header } = t;
  return {
    '#meta': {
      format: 'ITF',
      'format-description': ITF_SPEC,
      source,
      description: `cramcheck trace: ${t.property} fails after step ${t.expect.step}`,
      cramcheck: header,
    },
    vars,
    states: out,
  };
}

export function serializeItf(t: ItfTrace): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

const ItfInputSchema = z.object({
  '#meta': z.object({ cramcheck: z.record(z.string(), z.unknown()) }).passthrough(),
  vars: z.array(z.string()),
  states: z.array(z.object({ '#meta': z.object({ index: z.int().min(0), action: z.int().min(0).optional() }).passthrough() }).passthrough()).min(1),
});

export type ImportedItf = { readonly ok: true; readonly trace: TraceFile } | { readonly ok: false; readonly error: string };

/**
 * Read an exported ITF trace back into the trace format: the header from
 * `#meta.cramcheck`, each step's action from the state's `#meta.action`, or,
 * when a tool dropped it, from `mbt::actionTaken` matched against sys's
 * action table ('actor name').
 */
export function importItf(text: string, sysFor: (t: TraceFile) => System): ImportedItf {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const p = ItfInputSchema.safeParse(raw);
  if (!p.success) return { ok: false, error: firstIssue(p.error) };
  const head = TraceFileSchema.safeParse({ ...p.data['#meta'].cramcheck, steps: [], expect: { ...(p.data['#meta'].cramcheck['expect'] as object), step: 0 } });
  if (!head.success) return { ok: false, error: `#meta.cramcheck: ${firstIssue(head.error)}` };
  const sys = sysFor(head.data);
  const byName = new Map<string, number>();
  for (let a = sys.actionCount - 1; a >= 0; a--) {
    const d = sys.describe(a);
    byName.set(`${d.actor} ${d.name}`, a);
  }
  const steps: TraceStep[] = [];
  for (const [i, st] of p.data.states.entries()) {
    if (i === 0) continue;
    const taken = (st as Record<string, unknown>)[ACTION_TAKEN];
    const a = st['#meta'].action ?? (typeof taken === 'string' ? byName.get(taken) : undefined);
    if (a === undefined || a >= sys.actionCount) return { ok: false, error: `states[${i}]: no action (neither #meta.action nor a known ${ACTION_TAKEN})` };
    steps.push({ action: a, ...sys.describe(a) });
  }
  const h = p.data['#meta'].cramcheck;
  const expect = h['expect'] as { step?: unknown } | undefined;
  const step = typeof expect?.step === 'number' ? expect.step : steps.length;
  const t = makeTrace(
    { system: head.data.system, config: head.data.config, ...(head.data.params ? { params: head.data.params } : {}), mutant: head.data.mutant, fixes: head.data.fixes },
    { property: head.data.property, source: head.data.source, steps },
    head.data.note,
  );
  const full = TraceFileSchema.safeParse({ ...t, expect: { ...t.expect, step } });
  return full.success ? { ok: true, trace: full.data } : { ok: false, error: firstIssue(full.error) };
}
