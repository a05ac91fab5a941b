// The mail form of every finding (what `cramcheck replay` prints): golden
// files under test/trace/golden/ (regenerate with CRAMCHECK_UPDATE_GOLDEN=1
// after an intended change, and read the diff), at most 75 columns, and no
// model-internal term a reviewer could not map onto the kernel.
import test from 'ava';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailLines } from '../../src/cli/narrators.ts';
import { resolveTraceSystem } from '../../src/cli/systems.ts';
import { parseTrace, type TraceFile } from '../../src/trace/format.ts';
import { MAIL_WIDTH } from '../../src/trace/mail/layout.ts';
import { renderCounterexample } from '../../src/trace/render.ts';

const DIR = join('counterexamples', 'findings');
const GOLDEN = join('test', 'trace', 'golden');
const UPDATE = process.env['CRAMCHECK_UPDATE_GOLDEN'] === '1';

/** Model internals and action-table labels that must never reach a mail. */
const FORBIDDEN: readonly RegExp[] = [
  /\bstage \d/, /\bregs \[/, /\bpc \d/, /\bghost\b/i, /step#/, /\bstep:/, /sleep\|demote\|scan/, /\bscan\(pfn/, /\bop idle\b/,
  /\bexpect \d/, /\balloc \d+\b/, /used-at-block/, /\bdrv state\b/, /\bTHR_|\bGH_|\bPG_[A-Z]/, /\bslot \d+\): folio_managed/, /\bops#\d/, /\bEV_[A-Z]/,
];

export function mailProblems(lines: readonly string[]): string[] {
  const out: string[] = [];
  lines.forEach((l, i) => {
    if ([...l].length > MAIL_WIDTH) out.push(`line ${i + 1} has ${[...l].length} columns: ${l}`);
    for (const re of FORBIDDEN) if (re.test(l)) out.push(`line ${i + 1} has model-internal ${re}: ${l}`);
  });
  return out;
}

function load(file: string): TraceFile {
  const p = parseTrace(readFileSync(file, 'utf8'));
  if (!p.ok) throw new Error(`${file}: ${p.error}`);
  return p.trace;
}

function mailOf(t: TraceFile): string[] {
  const { sys, descriptor } = resolveTraceSystem(t);
  return mailLines(sys, descriptor, t.property, t.steps.map((s) => s.action));
}

const findings = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

for (const f of findings) {
  const name = f.replace(/\.json$/, '');
  test(`mail: ${name} renders as its golden file, within ${MAIL_WIDTH} columns, without model internals`, (t) => {
    const lines = mailOf(load(join(DIR, f)));
    const text = `${lines.join('\n')}\n`;
    const golden = join(GOLDEN, `${name}.txt`);
    if (UPDATE) writeFileSync(golden, text);
    t.deepEqual(mailProblems(lines), []);
    t.is(text, readFileSync(golden, 'utf8'), `${golden} is stale: CRAMCHECK_UPDATE_GOLDEN=1 npx ava test/trace/mail.test.ts, then read the diff`);
  });
}

test('mail: the checks fail on the old verbose form (long lines, stages, registers, action labels)', (t) => {
  const tr = load(join(DIR, 'swapin-wrprotect.json'));
  const { sys, descriptor } = resolveTraceSystem(tr);
  const problems = mailProblems(renderCounterexample(sys, descriptor, tr.property, tr.steps.map((s) => s.action)));
  t.true(problems.some((p) => /columns/.test(p)));
  t.true(problems.some((p) => /stage|regs/.test(p)));
  t.true(problems.some((p) => /sleep\\\|demote/.test(p)));
});

test('mail: a race prints one column per thread (the IRQ threads of set-pressure-serialized side by side)', (t) => {
  const lines = mailOf(load(join(DIR, 'set-pressure-serialized.json')));
  t.true(lines.some((l) => /^ {4}lthresh IRQ thread +\| hthresh IRQ thread$/.test(l)), lines.join('\n'));
  // Steps are numbered in the gutter, and the hthresh thread's steps sit in the right column.
  t.true(lines.some((l) => /^ \d+ +\| cram_set_pressure\(N1, 0\):$/.test(l)), lines.join('\n'));
});

test('mail: the scenario states the machine, the programs and the fixes as "every fix but X"', (t) => {
  const text = mailOf(load(join(DIR, 'swapin-wrprotect.json'))).join('\n');
  t.regex(text, /node 0 is DRAM/);
  t.regex(text, /CPU0 \(mm0\) runs mmap\(v0, anon, rw\), write\(v0, 3\), read\(v0\)\./);
  t.regex(text, /Fixes: every fix but swapin-wrprotect\./);
  t.regex(text, /asynchronous writeback/);
  const faithful = mailOf(load(join(DIR, 'canonical-faithful.json'))).join('\n');
  t.regex(faithful, /Fixes: no fixes \(v4 as posted\)\./);
});

test('mail: swapin-wrprotect shows the writable PTE on the P folio as a state change of the last step', (t) => {
  const text = mailOf(load(join(DIR, 'swapin-wrprotect.json'))).join('\n');
  t.regex(text, /\* PTE v0: swap entry \(slot 0, exclusive\) -> pfn 2 writable/);
  t.regex(text, /INV-RO fails after step 15:/);
});
