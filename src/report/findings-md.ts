// A finding's .md, generated: the hand-written prose (counterexamples/
// findings/<fix>.prose.md: title, what breaks, the v4 code, the fix) with the
// parts that come from the corpus filled in, so they cannot go stale: the
// header (fix, invariant, config, length, which fixes were off) at
// `<!-- cramcheck:header -->` and the trace in mail form at
// `<!-- cramcheck:trace -->`. `cramcheck findings` and `cramcheck report`
// both write it through this file.

import type { TraceFile } from '../trace/format.ts';

export const HEADER_MARK = '<!-- cramcheck:header -->';
export const TRACE_MARK = '<!-- cramcheck:trace -->';

/** One finding of the corpus: its fix, its trace, its prose and its trace in mail form. */
export interface FindingDoc {
  readonly fix: string;
  readonly trace: TraceFile;
  readonly prose: string;
  readonly mail: readonly string[];
}

function configName(t: TraceFile): string {
  return typeof t.config === 'string' ? t.config : String(t.config['name'] ?? '(inline)');
}

/** Fixes of the catalogue that were off when the trace was recorded. */
export function fixesOff(t: TraceFile, catalogue: readonly string[]): string[] {
  return catalogue.filter((f) => !t.fixes.includes(f));
}

export function headerText(d: FindingDoc, catalogue: readonly string[], dir: string): string {
  const t = d.trace;
  const off = fixesOff(t, catalogue).map((f) => `\`${f}\``);
  return [
    `Fix: \`${d.fix}\` · invariant: \`${t.property}\` · config: \`${configName(t)}\` · ${t.steps.length} steps ·`,
    `trace: [\`${d.fix}.json\`](${d.fix}.json) (every fix on except ${off.join(', ')}).`,
    `Replay: \`npx cramcheck replay ${dir}/${d.fix}.json\`.`,
  ].join('\n');
}

export function traceBlock(mail: readonly string[]): string {
  return ['```text', ...mail, '```'].join('\n');
}

/** The title line of a prose file, without '# '. */
export function proseTitle(prose: string): string {
  const first = prose.split('\n')[0] ?? '';
  return first.startsWith('# ') ? first.slice(2) : first;
}

/** The generated .md; throws if the prose lacks a marker (the prose file is wrong, not the input). */
export function findingMarkdown(d: FindingDoc, catalogue: readonly string[], dir: string): string {
  for (const mark of [HEADER_MARK, TRACE_MARK]) {
    if (!d.prose.includes(mark)) throw new Error(`${d.fix}.prose.md: no ${mark} line`);
  }
  const body = d.prose.replace(HEADER_MARK, headerText(d, catalogue, dir)).replace(TRACE_MARK, traceBlock(d.mail));
  return body.endsWith('\n') ? body : `${body}\n`;
}

/**
 * A level-2 section of the prose whose heading matches `heading` (up to the
 * next level-2 heading), without its heading line; null if there is none.
 */
export function proseSection(prose: string, heading: RegExp): string | null {
  const lines = prose.split('\n');
  const start = lines.findIndex((l) => l.startsWith('## ') && heading.test(l.slice(3)));
  if (start < 0) return null;
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  return lines.slice(start + 1, end).join('\n').trim();
}
