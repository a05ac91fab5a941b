// The one versioned counterexample format, whoever found the violation
// (explorer, mutants run, MBT). A trace names the system and configuration it
// was found in (file configurations are inlined so the trace is
// self-contained), the steps as action indices plus their static descriptions
// (so a changed action table is detected as divergence, not silently replayed),
// and the verdict replay must reproduce.

import { z } from 'zod';
import { GENERATOR } from '../version.ts';

export const TRACE_FORMAT = 'cramcheck-trace';
export const TRACE_VERSION = 1;

export const TraceStepSchema = z.object({
  action: z.int().min(0),
  actor: z.string(),
  name: z.string(),
});

export const TraceExpectSchema = z.object({
  verdict: z.literal('violation'),
  property: z.string().min(1),
  /** Number of steps after which the property first fails (0: the initial state). */
  step: z.int().min(0),
});

export const TraceFileSchema = z
  .object({
    format: z.literal(TRACE_FORMAT),
    version: z.literal(TRACE_VERSION),
    system: z.enum(['kernel', 'bm1']),
    /** A named configuration, or the full inline configuration object (validated when the system is rebuilt). */
    config: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    /** BM1 parameters, e.g. { F: 4, D: 2, C: 2, P: 4 }. */
    params: z.record(z.string(), z.int()).optional(),
    mutant: z.string().nullable(),
    fixes: z.array(z.string()),
    property: z.string().min(1),
    source: z.string(),
    steps: z.array(TraceStepSchema),
    /**
     * A lasso (liveness counterexample, deadlock): the number of steps before
     * the cycle; steps[cycle..] repeat for ever (the state after the last step
     * is the state after step `cycle`). cycle = steps.length: the run ends in a
     * state where no action is enabled. Absent: a finite safety trace.
     */
    cycle: z.int().min(0).optional(),
    expect: TraceExpectSchema,
    note: z.string().optional(),
    /** The tool (and version) that wrote the trace, e.g. 'cramcheck 0.2.0'. */
    generator: z.string().optional(),
  })
  .strict()
  .refine((t) => t.expect.property === t.property, { message: 'must equal property', path: ['expect', 'property'] })
  .refine((t) => t.expect.step <= t.steps.length, { message: 'is beyond the last step', path: ['expect', 'step'] })
  .refine((t) => t.cycle === undefined || t.cycle <= t.steps.length, { message: 'is beyond the last step', path: ['cycle'] })
  .refine((t) => t.cycle === undefined || t.expect.step === t.steps.length, { message: 'of a lasso must be its last step', path: ['expect', 'step'] });

export type TraceStep = z.infer<typeof TraceStepSchema>;
export type TraceFile = z.infer<typeof TraceFileSchema>;
export type SystemKind = TraceFile['system'];

/** What identifies a system: everything a trace header records except the property. */
export interface SystemDescriptor {
  readonly system: SystemKind;
  /** Config name, or the inline config object for file configs. */
  readonly config: string | Record<string, unknown>;
  readonly params?: Record<string, number>;
  readonly mutant: string | null;
  readonly fixes: readonly string[];
}

/** Outcome of parsing a trace file's text: the trace or one line saying what is wrong. */
export type ParsedTrace = { readonly ok: true; readonly trace: TraceFile } | { readonly ok: false; readonly error: string };

/** Render a zod issue path as `steps[3].action`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** One line naming the first problem zod found. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issuePath(issue.path)}: ${issue.message}`;
}

export function parseTrace(text: string): ParsedTrace {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const r = TraceFileSchema.safeParse(raw);
  if (!r.success) return { ok: false, error: firstIssue(r.error) };
  return { ok: true, trace: r.data };
}

/** Build a trace from a violation found by an engine. Key order is fixed so files are byte-stable. */
export function makeTrace(
  d: SystemDescriptor,
  v: { readonly property: string; readonly source: string; readonly steps: readonly TraceStep[] },
  note?: string,
): TraceFile {
  const t: TraceFile = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    system: d.system,
    config: d.config,
    ...(d.params ? { params: { ...d.params } } : {}),
    mutant: d.mutant,
    fixes: [...d.fixes],
    property: v.property,
    source: v.source,
    steps: v.steps.map((s) => ({ action: s.action, actor: s.actor, name: s.name })),
    expect: { verdict: 'violation', property: v.property, step: v.steps.length },
    ...(note !== undefined ? { note } : {}),
    generator: GENERATOR,
  };
  return t;
}

/** A lasso trace: stem then cycle, with the cycle's start recorded (same version: old readers' traces are unchanged). */
export function makeLassoTrace(
  d: SystemDescriptor,
  v: { readonly property: string; readonly source: string; readonly stem: readonly TraceStep[]; readonly cycle: readonly TraceStep[] },
  note?: string,
): TraceFile {
  const t = makeTrace(d, { property: v.property, source: v.source, steps: [...v.stem, ...v.cycle] }, note);
  // Rebuilt so `cycle` sits right after `steps` (byte-stable key order).
  const { expect, note: n, ...head } = t;
  return { ...head, cycle: v.stem.length, expect, ...(n !== undefined ? { note: n } : {}) };
}

export function serializeTrace(t: TraceFile): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}
