// --baseline DIR: "no violation beyond the known ones", for the CI of a kernel
// tree. The baseline is a corpus of trace files (counterexamples/findings/ is
// one); a violation is known when some baseline trace breaks the same
// property. Properties, not traces, are compared: the same defect is reached
// by different shortest traces in different configurations, so comparing
// steps would call a known finding new whenever the config changes.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrace } from '../trace/format.ts';
import { UsageError } from './args.ts';

export interface Baseline {
  readonly dir: string;
  /** property id -> the baseline trace files that break it (sorted). */
  readonly known: ReadonlyMap<string, readonly string[]>;
}

/** Read every *.json trace of DIR; a file that is not a trace is bad input. */
export function loadBaseline(dir: string): Baseline {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--baseline: '${dir}' is not a directory`);
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--baseline: cannot read directory '${dir}' (${(e as { code?: string }).code ?? 'error'})`);
  }
  if (names.length === 0) throw new UsageError(`--baseline: no trace files (*.json) in '${dir}'`);
  const known = new Map<string, string[]>();
  for (const n of names) {
    const path = join(dir, n);
    const parsed = parseTrace(readFileSync(path, 'utf8'));
    if (!parsed.ok) throw new UsageError(`--baseline: ${path}: not a cramcheck trace (${parsed.error})`);
    const list = known.get(parsed.trace.property) ?? [];
    list.push(path);
    known.set(parsed.trace.property, list);
  }
  return { dir, known };
}

/** The violated properties the baseline does not know. */
export function newViolations(b: Baseline, violated: readonly string[]): string[] {
  return violated.filter((p) => !b.known.has(p));
}
