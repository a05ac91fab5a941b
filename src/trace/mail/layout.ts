// The mail text of a narrated trace: at most `width` columns (kernel mail
// wraps near 75), the scenario first, the steps as the kernel's own race
// diagrams draw them (one column per thread, time going down; a stretch where
// a single thread runs takes the whole width), the changed state under each
// call, the broken property last.

import type { MailStep, MailTrace } from './narrate.ts';

export const MAIL_WIDTH = 75;
/** Step numbers: '%3d ' before each step's first line. */
const GUTTER = 4;
const SEP = ' | ';
/** State changes under a step's calls. */
const CHANGE_MARK = '* ';

/** Break one line into pieces of at most `width`, continuation lines indented two more than the first. */
export function wrapLine(line: string, width: number): string[] {
  const indent = /^ */.exec(line)![0].length;
  const out: string[] = [];
  let rest = line;
  let pad = '';
  while (pad.length + rest.length > width) {
    const room = width - pad.length;
    let cut = -1;
    // Prefer a space, then a break after '|' or ',' (long flag lists, argument lists).
    for (const re of [/ /g, /[|,]/g]) {
      let m: RegExpExecArray | null;
      while ((m = re.exec(rest)) !== null) {
        const at = m[0] === ' ' ? m.index : m.index + 1;
        if (at > indent && at <= room) cut = at;
        if (m.index > room) break;
      }
      if (cut > 0) break;
    }
    if (cut <= 0) cut = room;
    out.push(pad + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    pad = ' '.repeat(Math.min(indent + 2, Math.floor(width / 2)));
  }
  out.push(pad + rest);
  return out;
}

/** Wrap a paragraph (no leading indent) to width. */
export function wrapParagraph(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/).filter((x) => x !== '')) {
    if (cur === '') cur = w;
    else if (cur.length + 1 + w.length <= width) cur += ` ${w}`;
    else {
      out.push(cur);
      cur = w;
    }
  }
  if (cur !== '') out.push(...wrapLine(cur, width));
  return out;
}

/** Consecutive steps split into stretches with at most two threads each (greedy: fewest stretches). */
export function stretches(steps: readonly MailStep[]): MailStep[][] {
  const out: MailStep[][] = [];
  let cur: MailStep[] = [];
  let actors = new Set<string>();
  for (const s of steps) {
    if (!actors.has(s.actor) && actors.size === 2) {
      out.push(cur);
      cur = [];
      actors = new Set();
    }
    actors.add(s.actor);
    cur.push(s);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** The function a call line is about: `cram_fault` of `cram_fault: folio_isolate_lru(...)`. */
function callContext(line: string): { ctx: string; rest: string } | null {
  const m = /^([A-Za-z_][\w.]*)(\([^()]*\))?: (.+)$/.exec(line);
  return m ? { ctx: m[1]!, rest: m[3]! } : null;
}

/**
 * A step's lines in one column: each call (a call continuing the function the
 * column's previous line was in drops the repeated name), then the changes.
 */
function stepLines(s: MailStep, width: number, last: { ctx: string | null }): string[] {
  const out: string[] = [];
  for (const c of s.calls) {
    const cc = callContext(c);
    if (cc && cc.ctx === last.ctx) out.push(...wrapLine(`  ${cc.rest}`, width));
    else {
      out.push(...wrapLine(c, width));
      last.ctx = cc ? cc.ctx : null;
    }
  }
  for (const ch of s.changes) out.push(...wrapLine(`${CHANGE_MARK}${ch}`, width));
  return out;
}

function gutter(n: number | null): string {
  return n === null ? ' '.repeat(GUTTER) : `${String(n).padStart(GUTTER - 1)} `;
}

function stretchLines(block: readonly MailStep[], titleOf: (actor: string) => string, width: number, contexts: Map<string, { ctx: string | null }>): string[] {
  const actors: string[] = [];
  for (const s of block) if (!actors.includes(s.actor)) actors.push(s.actor);
  const colW = actors.length === 1 ? width - GUTTER : Math.floor((width - GUTTER - SEP.length) / 2);
  const row = (cells: readonly string[]) => (actors.length === 1 ? cells[0]! : `${cells[0]!.padEnd(colW)}${SEP}${cells[1]!}`).trimEnd();
  const titles = actors.map((a) => titleOf(a).slice(0, colW));
  const out = [gutter(null) + row(titles), gutter(null) + row(titles.map((t) => '-'.repeat(t.length)))];
  for (const s of block) {
    const col = actors.indexOf(s.actor);
    let last = contexts.get(s.actor);
    if (!last) contexts.set(s.actor, (last = { ctx: null }));
    const lines = stepLines(s, colW, last);
    if (lines.length === 0) lines.push('');
    lines.forEach((l, i) => {
      const cells = actors.map((_, c) => (c === col ? l : ''));
      out.push((gutter(i === 0 ? s.n : null) + row(cells)).trimEnd());
    });
  }
  return out;
}

export interface MailOptions {
  readonly title: string;
  readonly titleOf: (actor: string) => string;
  readonly width?: number;
}

export function layoutMail(m: MailTrace, o: MailOptions): string[] {
  const width = o.width ?? MAIL_WIDTH;
  const out: string[] = [...wrapParagraph(o.title, width), ''];
  for (const p of m.scenario) out.push(...wrapParagraph(p, width), '');
  const contexts = new Map<string, { ctx: string | null }>();
  for (const b of stretches(m.steps)) out.push(...stretchLines(b, o.titleOf, width, contexts), '');
  if (m.stoppedAt !== null) {
    out.push(...wrapParagraph(`Step ${m.stoppedAt} is not enabled in this model: the trace no longer replays.`, width));
    return out;
  }
  const after = m.steps.length === 0 ? 'in the initial state' : `after step ${m.steps.length}`;
  out.push(...wrapParagraph(m.message === null ? `${m.property} holds ${after} (expected to fail).` : `${m.property} fails ${after}:`, width));
  if (m.message !== null) out.push(...wrapLine(`  ${m.message}`, width));
  out.push(...wrapParagraph(`(${m.source})`, width));
  return out;
}
