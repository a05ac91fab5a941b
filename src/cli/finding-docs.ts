// The findings corpus as documents: each <fix>.json of the findings directory
// with its <fix>.prose.md and its trace in mail form, and the .md generated
// from them (src/report/findings-md.ts). Shared by `cramcheck findings`,
// `cramcheck report` and the test that the committed .md files are current.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXES } from '../kernel/fixes.ts';
import { findingMarkdown, HEADER_MARK, TRACE_MARK, type FindingDoc } from '../report/findings-md.ts';
import { parseTrace } from '../trace/format.ts';
import { UsageError } from './args.ts';
import { mailLines } from './narrators.ts';
import { resolveTraceSystem } from './systems.ts';

export const FINDINGS_DIR = join('counterexamples', 'findings');

/** The prose of a fix nobody has written up yet: its catalogue description, the header and the trace. */
function stubProse(description: string): string {
  return `# ${description}\n\n${HEADER_MARK}\n\n## Trace\n\n${TRACE_MARK}\n`;
}

/**
 * Every fix of the catalogue that has a trace in dir, in catalogue order,
 * with its prose from proseDir (the committed corpus: prose is source, traces
 * are output) or a stub when none is written yet.
 */
export function loadFindingDocs(dir: string = FINDINGS_DIR, only?: readonly string[], proseDir: string = FINDINGS_DIR): FindingDoc[] {
  const out: FindingDoc[] = [];
  const have = existsSync(dir) ? readdirSync(dir) : [];
  for (const f of FIXES) {
    if (only && !only.includes(f.name)) continue;
    if (!have.includes(`${f.name}.json`)) continue;
    // A liveness finding's lasso has no mail form here: its .md is written by hand (counterexamples/liveness/findings/).
    if (f.mends.startsWith('LIVE-')) continue;
    const file = join(dir, `${f.name}.json`);
    const parsed = parseTrace(readFileSync(file, 'utf8'));
    if (!parsed.ok) throw new UsageError(`${file}: invalid trace: ${parsed.error}`);
    const proseFile = join(proseDir, `${f.name}.prose.md`);
    const prose = existsSync(proseFile) ? readFileSync(proseFile, 'utf8') : stubProse(f.description);
    const t = parsed.trace;
    const { sys, descriptor } = resolveTraceSystem(t);
    out.push({ fix: f.name, trace: t, prose, mail: mailLines(sys, descriptor, t.property, t.steps.map((s) => s.action)) });
  }
  return out;
}

/** The .md files to write: path and text. `dir` as it appears in the replay command of each header. */
export function findingMarkdownFiles(docs: readonly FindingDoc[], dir: string = FINDINGS_DIR): { file: string; text: string }[] {
  const catalogue = FIXES.map((f) => f.name);
  return docs.map((d) => {
    try {
      return { file: join(dir, `${d.fix}.md`), text: findingMarkdown(d, catalogue, dir) };
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  });
}
