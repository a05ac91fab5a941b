// `npm run bench`: cramcheck's explorer beside the hand-written reference
// (../shared/bench/js/bm1-bfs.mjs) on BM1, each in its own process, plus the
// kernel system on `canonical` when it exists. Each target also runs the other
// stores side by side (BM1: packed default, flat, fingerprint; kernel: tree
// default, flat, fingerprint) and checks that their counts agree.
// Flags: --only medium[,large|small|xlarge|kernel|reductions] (repeatable), --max-states N,
// --kernel-max-states N (default 100000; 0 = unbounded), --repeat N (best of N
// alternating runs per tool; default 1).
// Targets (ARCHITECTURE.md): states/s >= 0.5x the reference, bytes/state <= 2x.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lastJsonLine, parseCramcheck, parseReference, type BenchFigures } from './figures.ts';
import { printLivenessBench } from './liveness.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const reference = fileURLToPath(new URL('../../shared/bench/js/bm1-bfs.mjs', import.meta.url));
const TARGET_SPEED = 0.5;
const TARGET_BYTES = 2;

const argv = process.argv.slice(2);
const only: string[] = [];
let maxStates: string | null = null;
// The kernel system's canonical space runs to millions of ~1 KiB states at a
// few thousand states/s, so by default it is measured on a bounded prefix.
let kernelMax = '100000';
let repeat = 1;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--only' && argv[i + 1]) only.push(...argv[++i]!.split(','));
  else if (argv[i] === '--max-states' && argv[i + 1]) maxStates = argv[++i]!;
  else if (argv[i] === '--kernel-max-states' && argv[i + 1]) kernelMax = argv[++i]!;
  else if (argv[i] === '--repeat' && argv[i + 1] && Number(argv[i + 1]) >= 1) repeat = Math.floor(Number(argv[++i]));
  else {
    console.error(`bench: unknown argument '${argv[i]}' (flags: --only medium,large,kernel,reductions  --max-states N  --kernel-max-states N  --repeat N)`);
    process.exit(2);
  }
}
const targets = only.length > 0 ? only : ['medium', 'large', 'kernel', 'reductions'];
const extra = maxStates !== null ? ['--max-states', maxStates] : [];

// stderr passes through: the child's live progress line on a terminal, its errors.
function runChild(args: string[]): { status: number | null; line: string | null } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  return { status: r.status, line: lastJsonLine(r.stdout ?? '') };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
let failed = false;

// Non-default stores run once each beside the default one.
const BM1_VARIANTS: readonly (readonly string[])[] = [['--layout', 'flat'], ['--store', 'fingerprint'], ['--workers', '2']];
/** Issue 11: --workers 2 at least this much faster than one thread (same flat store). */
const TARGET_WORKERS = 1.6;
const KERNEL_VARIANTS: readonly (readonly string[])[] = [['--layout', 'flat'], ['--store', 'fingerprint']];

function variantRows(child: string, target: string, bound: readonly string[], variants: readonly (readonly string[])[], base: BenchFigures): void {
  const byStore = new Map<string, BenchFigures>();
  for (const v of variants) {
    const c = runChild(['--import', 'tsx', child, target, ...bound, ...v]);
    if (c.line === null) {
      console.log(`  cramcheck ${v.join(' ')} FAILED (exit ${c.status})`);
      failed = true;
      continue;
    }
    const f = parseCramcheck(c.line);
    console.log(row(f));
    if (f.store !== undefined) byStore.set(f.store, f);
    if (f.distinct !== base.distinct || f.transitions !== base.transitions || f.depth !== base.depth) {
      console.log(`  !!!!!!!! MISMATCH: ${f.store} ${fmt(f.distinct)} states / ${fmt(f.transitions)} transitions vs ${base.store} ${fmt(base.distinct)} / ${fmt(base.transitions)} !!!!!!!!`);
      failed = true;
    }
  }
  const one = byStore.get('exact/flat'), two = byStore.get('exact/flat x2');
  if (one && two) {
    const sp = two.statesPerSec / one.statesPerSec;
    console.log(`  workers    2 threads / 1 (flat store): ${sp.toFixed(2)}x states/s (target >= ${TARGET_WORKERS}x: ${sp >= TARGET_WORKERS ? 'met' : 'MISSED'})`);
  }
}

function row(f: BenchFigures): string {
  const tool = f.store !== undefined ? `${f.tool} ${f.store}` : f.tool;
  const queue = f.queueBytes !== undefined && f.distinct > 0 ? `  +queue ${(f.queueBytes / f.distinct).toFixed(1)} B/state` : '';
  return `  ${tool.padEnd(24)} distinct ${fmt(f.distinct).padStart(12)}  depth ${String(f.depth).padStart(3)}  ${f.seconds.toFixed(2).padStart(7)} s  ${fmt(f.statesPerSec).padStart(10)} states/s  ${f.bytesPerState.toFixed(1).padStart(6)} B/state${queue}  store ${(f.storeBytes / 2 ** 20).toFixed(0)} MiB  rss ${f.rssMiB.toFixed(0)} MiB${f.complete ? '' : `  INCOMPLETE${f.exhausted ? ` (${f.exhausted})` : ''}`}`;
}

/**
 * Issue 11: state counts and time with and without each reduction, side by
 * side, in one run. canonical --fix all exhaustively; the two-CPU configs
 * bounded (race2 does not finish here without --symmetry); symmetry on
 * race2small (CPUs 0 and 1 interchangeable since kernel threads choose their
 * CPU, src/kernel/kthread_cpu.ts) and on race2small with three CPUs (all
 * three), bounded by depth so both counts cover the same levels.
 */
const REDUCTION_ROWS: readonly { readonly title: string; readonly args: readonly string[]; readonly variants: readonly (readonly string[])[] }[] = [
  { title: 'canonical --fix all (exhaustive)', args: ['canonical', '--fix', 'all'], variants: [[], ['--por']] },
  { title: 'race2small --fix all (two CPUs, first 300,000 states)', args: ['race2small', '--fix', 'all', '--max-states', '300000'], variants: [[], ['--por']] },
  { title: 'race2 --fix all (first 300,000 states)', args: ['race2', '--fix', 'all', '--max-states', '300000'], variants: [[], ['--por']] },
  { title: 'race2small --fix all (depth <= 40)', args: ['race2small', '--fix', 'all', '--max-depth', '40'], variants: [[], ['--symmetry']] },
  { title: 'race2small with 3 CPUs --fix all (depth <= 16)', args: ['race2small', '--cpus', '3', '--fix', 'all', '--max-depth', '16'], variants: [[], ['--symmetry'], ['--por'], ['--symmetry', '--por']] },
];

function printReductionBench(): void {
  for (const row0 of REDUCTION_ROWS) {
    console.log(`reductions: ${row0.title}`);
    let base: BenchFigures | null = null;
    for (const v of row0.variants) {
      const c = runChild(['--import', 'tsx', 'bench/kernel-child.ts', ...row0.args, ...v]);
      if (c.line === null) {
        console.log(`  cramcheck ${v.join(' ') || '(no reduction)'} FAILED (exit ${c.status})`);
        failed = true;
        continue;
      }
      const f = parseCramcheck(c.line);
      console.log(`${row(f)}${f.violations ? `  violations ${f.violations.join(',')}` : ''}`);
      if (base === null) base = f;
      else {
        console.log(`    ${v.join(' ')}: ${ratio(f.distinct, base.distinct)} the states, ${ratio(f.seconds, base.seconds)} the time`);
        const vs = (x: BenchFigures): string => [...(x.violations ?? [])].sort().join(',');
        if (base.exhausted === undefined && f.exhausted === undefined && vs(f) !== vs(base)) {
          console.log(`  !!!!!!!! VERDICT MISMATCH with ${v.join(' ')}: ${(f.violations ?? []).join(',') || 'none'} vs ${(base.violations ?? []).join(',') || 'none'} !!!!!!!!`);
          failed = true;
        }
      }
    }
  }
}

for (const t of targets) {
  if (t === 'reductions') {
    printReductionBench();
    continue;
  }
  if (t === 'kernel') {
    const bound = maxStates ?? kernelMax;
    console.log(`kernel system (canonical${bound !== '0' ? `, first ${bound} states` : ''}):`);
    if (!existsSync(`${root}models/kernel.system.ts`)) {
      console.log('  kernel system: not available yet');
      continue;
    }
    const kBound = bound !== '0' ? ['--max-states', bound] : [];
    const k = runChild(['--import', 'tsx', 'bench/kernel-child.ts', 'canonical', ...kBound]);
    if (k.line === null) {
      console.log(`  kernel system: FAILED (exit ${k.status})`);
      failed = true;
    } else {
      const kf = parseCramcheck(k.line);
      console.log(row(kf));
      if (kf.violations) console.log(`  violations: ${kf.violations.join(', ')}`);
      variantRows('bench/kernel-child.ts', 'canonical', kBound, KERNEL_VARIANTS, kf);
    }
    if (!printLivenessBench(root, 'canonical', bound)) failed = true;
    continue;
  }
  console.log(`BM1 ${t}:`);
  // Alternate the two tools and keep each one's fastest run, so load from
  // other processes on the machine hits both alike.
  let mine: BenchFigures | null = null;
  let ref: BenchFigures | null = null;
  let refMissing = false;
  for (let rep = 0; rep < repeat; rep++) {
    const c = runChild(['--import', 'tsx', 'bench/bm1-child.ts', t, ...extra]);
    if (c.line === null) {
      console.log(`  cramcheck FAILED (exit ${c.status})`);
      failed = true;
      break;
    }
    const f = parseCramcheck(c.line);
    if (mine === null || f.statesPerSec > mine.statesPerSec) mine = f;
    if (!existsSync(reference)) {
      refMissing = true;
      continue;
    }
    // The reference takes F,D,C,P positionally for explicit configurations.
    const m = /^F=(\d+),D=(\d+),C=(\d+),P=(\d+)$/.exec(f.config);
    const r = runChild([reference, m ? `${m[1]},${m[2]},${m[3]},${m[4]}` : t, ...extra]);
    if (r.line === null) {
      console.log(`  reference FAILED (exit ${r.status})`);
      failed = true;
      break;
    }
    const g = parseReference(r.line);
    if (ref === null || g.statesPerSec > ref.statesPerSec) ref = g;
  }
  if (mine === null) continue;
  console.log(row(mine));
  variantRows('bench/bm1-child.ts', t, extra, BM1_VARIANTS, mine);
  if (refMissing || ref === null) {
    if (refMissing) console.log(`  reference: skipped (${reference} not found)`);
    continue;
  }
  console.log(row(ref));
  if (maxStates !== null) {
    // The reference checks its bound after each expansion and overshoots it;
    // cramcheck never exceeds it. Bounded counts are not comparable.
    console.log('  (bounded run: distinct counts not compared)');
  } else if (ref.distinct !== mine.distinct || ref.depth !== mine.depth) {
    console.log(`  !!!!!!!! MISMATCH: cramcheck ${fmt(mine.distinct)} states (depth ${mine.depth}) vs reference ${fmt(ref.distinct)} (depth ${ref.depth}) !!!!!!!!`);
    failed = true;
  }
  const speed = mine.statesPerSec / ref.statesPerSec;
  const bytes = mine.bytesPerState / ref.bytesPerState;
  const sOk = speed >= TARGET_SPEED, bOk = bytes <= TARGET_BYTES;
  console.log(`  ratio      states/s ${ratio(mine.statesPerSec, ref.statesPerSec)} (target >= ${TARGET_SPEED}x: ${sOk ? 'met' : 'MISSED'})  bytes/state ${ratio(mine.bytesPerState, ref.bytesPerState)}${mine.queueBytes ? ` (${ratio(mine.bytesPerState + mine.queueBytes / mine.distinct, ref.bytesPerState)} with the BFS queue)` : ''} (target <= ${TARGET_BYTES}x: ${bOk ? 'met' : 'MISSED'})`);
}
process.exit(failed ? 1 : 0);
