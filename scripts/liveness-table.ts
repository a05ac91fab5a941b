// The verdict table of counterexamples/liveness/README.md: `cramcheck liveness
// --config NAME --fix all --json` on every named configuration (one child
// process each, one at a time: the machine is shared), bounded where the
// graph may not fit (the caps below; a capped run's "holds" is "unknown").
// Rows are appended to a JSON-lines file as they finish, so an interrupted run
// keeps what it measured; the table is printed (or written between the
// markers of the README with --write) from that file.
//
//   npx tsx scripts/liveness-table.ts run [--v4] [--cap N] [CONFIG...]   # measure (appends to out/liveness-table[-v4].jsonl)
//   npx tsx scripts/liveness-table.ts triage [CONFIG...]   # v4 rows with a violation: which fix mends each (cramcheck triage --liveness)
//   npx tsx scripts/liveness-table.ts table [--v4] [--write]   # render
//
// --v4 is the same with v4 as posted (`--fix none`): the table of the README's
// "Faithful v4" section. Every violation there is attributed to the catalogue
// by `triage`: a lasso that no fix mends would be a new finding.
//
// Times are the child's wall clock on whatever machine ran it: indicative only.

import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { KERNEL_CONFIG_NAMES } from '../src/kernel/configs.ts';

const README = 'counterexamples/liveness/README.md';
const TRIAGE_ROWS = 'out/liveness-triage.jsonl';
interface Mode { readonly fix: 'all' | 'none'; readonly rows: string; readonly begin: string; readonly end: string }
const MODES: Readonly<Record<'all' | 'v4', Mode>> = {
  all: { fix: 'all', rows: 'out/liveness-table.jsonl', begin: '<!-- liveness-table: begin (scripts/liveness-table.ts) -->', end: '<!-- liveness-table: end -->' },
  v4: { fix: 'none', rows: 'out/liveness-table-v4.jsonl', begin: '<!-- liveness-table-v4: begin (scripts/liveness-table.ts --v4) -->', end: '<!-- liveness-table-v4: end -->' },
};
/**
 * Configurations whose graph may not fit whole: state cap. The compact graph
 * (tree-compressed states, 6-byte edges) costs ~76 bytes/state and the check
 * ~65 more, so 40M states is ~6 GiB: the bound of one run on the shared
 * machine. `--cap N` replaces these caps for one run (e.g. a quick first pass).
 * `large` is MBT only.
 */
const CAPS: Readonly<Record<string, number>> = {
  cycles: 40_000_000, swapfull: 40_000_000, swapdram: 40_000_000, swapteardown: 40_000_000, flush: 40_000_000, dontneed: 40_000_000,
  shared: 40_000_000, nomig: 40_000_000, pressure: 40_000_000, race2: 40_000_000,
};
const SKIP = ['large'];
/**
 * Configurations whose liveness verdicts would be about test scaffolding, not
 * v4 or CRAM: not run; the table says why.
 */
const EXCLUDED: Readonly<Record<string, string>> = {
  nomig: 'excluded: a safety scenario (the migration gates with a table lacking NP_OPS_MIGRATION, R4); its second thread installs a test ops table whose handle_fault is the model\'s stub (returns 0, resolves nothing), so an access that faults into it refaults for ever by construction. v4 trusts a handle_fault callback to resolve the fault; no v4 or CRAM code is judged there (test/models/kernel-liveness.test.ts keeps it as the check that the fairness hides no endless refault)',
};

interface Prop { id: string; status: 'holds' | 'violated' | 'unknown'; vacuous: boolean; lasso: { stem: number[]; cycle: number[] } | null }
interface Row {
  config: string;
  cap: number | null;
  states: number;
  transitions: number;
  complete: boolean;
  seconds: number;
  mib: number;
  terminalStates: number;
  deadlock: boolean;
  properties: Prop[];
}

function run(configs: readonly string[], capOverride: number | null, mode: Mode): void {
  mkdirSync('out', { recursive: true });
  for (const c of configs) {
    const cap = capOverride ?? CAPS[c] ?? null;
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'liveness', '--config', c, '--fix', mode.fix, '--json', ...(cap ? ['--max-states', String(cap)] : [])];
    // The child's progress lines go to out/liveness-<config>.log as they come, so a long run can be watched.
    const log = `out/liveness-${c}${mode.fix === 'none' ? '-v4' : ''}.log`;
    const fd = openSync(log, 'w');
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', fd], env: { ...process.env, CI: '1' } });
    closeSync(fd);
    const stderr = readFileSync(log, 'utf8');
    const m = /liveness: \d+ states, \d+ transitions, (\d+) MiB graph, ([\d.]+) s/.exec(stderr);
    if (!r.stdout || !m) {
      process.stderr.write(`${c}: no result (exit ${r.status}): ${stderr.slice(-400)}\n`);
      continue;
    }
    const j = JSON.parse(r.stdout) as { states: number; transitions: number; complete: boolean; terminalStates: number; deadlock: unknown; properties: Prop[] };
    const row: Row = {
      config: c, cap, states: j.states, transitions: j.transitions, complete: j.complete, seconds: Number(m[2]), mib: Number(m[1]),
      terminalStates: j.terminalStates, deadlock: j.deadlock !== null,
      properties: j.properties.map((p) => ({ id: p.id, status: p.status, vacuous: p.vacuous, lasso: p.lasso ? { stem: p.lasso.stem, cycle: p.lasso.cycle } : null })),
    };
    appendFileSync(mode.rows, `${JSON.stringify(row)}\n`);
    process.stderr.write(`${c}: ${j.states} states, ${m[2]} s\n`);
  }
}

const short = (id: string): string => id.replace(/^LIVE-/, '');

interface TriageLine { config: string; complete: boolean; rows: { property: string; inV4: boolean; withAll: boolean; necessary: string[] }[] }

/** `cramcheck triage --liveness` on each config whose v4 row has a violation; rows appended to out/liveness-triage.jsonl. */
function triageRuns(configs: readonly string[]): void {
  const v4 = readRows(MODES.v4.rows);
  const todo = configs.length ? configs : [...v4.values()].filter((r) => r.deadlock || r.properties.some((p) => p.status === 'violated')).map((r) => r.config);
  for (const c of todo) {
    const cap = CAPS[c] ?? null;
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'triage', '--liveness', '--config', c, '--json', ...(cap ? ['--max-states', String(cap)] : [])];
    const log = `out/liveness-triage-${c}.log`;
    const fd = openSync(log, 'w');
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', fd], env: { ...process.env, CI: '1' } });
    closeSync(fd);
    if (!r.stdout) {
      process.stderr.write(`${c}: no triage (exit ${r.status}): ${readFileSync(log, 'utf8').slice(-400)}\n`);
      continue;
    }
    const j = JSON.parse(r.stdout) as TriageLine;
    appendFileSync(TRIAGE_ROWS, `${JSON.stringify({ config: c, complete: j.complete, rows: j.rows })}\n`);
    process.stderr.write(`${c}: triaged (${j.rows.length} properties)\n`);
  }
}

function readRows(file: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  if (!existsSync(file)) return rows;
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) rows.set((JSON.parse(line) as Row).config, JSON.parse(line) as Row);
  return rows;
}

/** Which fixes mend property id of config (triage), as table text. */
function mendedBy(triaged: Map<string, TriageLine>, config: string, id: string): string {
  const t = triaged.get(config);
  const row = t?.rows.find((r) => r.property === id);
  if (!row) return 'not triaged';
  if (row.withAll) return '**no fix: NEW**';
  if (row.necessary.length) return `mended by ${row.necessary.join(', ')}`;
  return t!.complete ? 'mended (no single fix necessary)' : 'mended within the bound';
}

function table(mode: Mode): string[] {
  const rows = readRows(mode.rows);
  const triaged = new Map<string, TriageLine>();
  if (mode.fix === 'none' && existsSync(TRIAGE_ROWS)) {
    for (const line of readFileSync(TRIAGE_ROWS, 'utf8').split('\n')) if (line.trim()) triaged.set((JSON.parse(line) as TriageLine).config, JSON.parse(line) as TriageLine);
  }
  const out = [
    '| config | states | transitions | complete | time | graph | deadlock | violated (stem+cycle) | hold (vacuous) | unknown |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of KERNEL_CONFIG_NAMES) {
    if (EXCLUDED[c]) {
      out.push(`| ${c} | - | - | - | - | - | - | ${EXCLUDED[c]} | - | - |`);
      continue;
    }
    const r = rows.get(c);
    if (!r) {
      if (mode.fix === 'none') continue;
      if (!SKIP.includes(c)) out.push(`| ${c} | - | - | - | - | - | - | not measured here (its liveness graph would exceed the ~3 GiB a process may use on the shared machine) | - | - |`);
      continue;
    }
    const attr = (id: string): string => (mode.fix === 'none' ? `: ${mendedBy(triaged, c, id)}` : '');
    const v = [
      ...(r.deadlock && mode.fix === 'none' ? [`DEADLOCK${attr('DEADLOCK')}`] : []),
      ...r.properties.filter((p) => p.status === 'violated').map((p) => `${short(p.id)} (${p.lasso!.stem.length}+${p.lasso!.cycle.length})${attr(p.id)}`),
    ];
    const h = r.properties.filter((p) => p.status === 'holds');
    const vac = r.properties.filter((p) => p.vacuous).map((p) => short(p.id));
    const u = r.properties.filter((p) => p.status === 'unknown' && !p.vacuous).map((p) => short(p.id));
    out.push([
      c, r.states.toLocaleString('en-US'), r.transitions.toLocaleString('en-US'),
      r.complete ? 'yes' : `no (capped at ${r.cap?.toLocaleString('en-US')})`, `${r.seconds.toFixed(1)} s`, `${r.mib} MiB`,
      r.deadlock ? 'FOUND' : `none (${r.terminalStates} ends)`, v.join(', ') || '-',
      `${h.length} (${vac.length}${vac.length ? `: ${vac.join(', ')}` : ''})`, u.length ? `${u.length}: ${u.join(', ')}` : '-',
    ].join(' | ').replace(/^/, '| ').replace(/$/, ' |'));
  }
  return out;
}

const [cmd, ...args] = process.argv.slice(2);
const mode = args.includes('--v4') ? MODES.v4 : MODES.all;
const rest = args.filter((a) => a !== '--v4');
if (cmd === 'run') {
  const k = rest.indexOf('--cap');
  const cap = k >= 0 ? Number(rest[k + 1]) : null;
  if (cap !== null && !(Number.isInteger(cap) && cap > 0)) {
    process.stderr.write('--cap: expected a positive integer\n');
    process.exit(2);
  }
  const names = k >= 0 ? rest.filter((_, i) => i !== k && i !== k + 1) : rest;
  run(names.length ? names : KERNEL_CONFIG_NAMES.filter((c) => !SKIP.includes(c) && !EXCLUDED[c]), cap, mode);
}
else if (cmd === 'triage') {
  triageRuns(rest);
}
else if (cmd === 'table') {
  const t = table(mode);
  if (rest.includes('--write')) {
    const text = readFileSync(README, 'utf8');
    const a = text.indexOf(mode.begin);
    const b = text.indexOf(mode.end);
    if (a < 0 || b < a) throw new Error(`${README}: markers missing`);
    writeFileSync(README, `${text.slice(0, a + mode.begin.length)}\n${t.join('\n')}\n${text.slice(b)}`);
  } else process.stdout.write(`${t.join('\n')}\n`);
} else {
  process.stderr.write('usage: npx tsx scripts/liveness-table.ts run [--v4] [--cap N] [CONFIG...] | triage [CONFIG...] | table [--v4] [--write]\n');
  process.exit(2);
}

