// Symmetry reduction (src/explore/symmetry.ts, src/kernel/symmetry.ts): the
// soundness conditions checked on sampled reachable states, verdicts equal
// with and without the reduction, concrete replayable counterexamples, and
// the refusals (the flush kthread, one CPU; liveness).
import test, { type ExecutionContext } from 'ava';
import { explore } from '../../src/explore/explorer.ts';
import { kernelActions, kernelSystem, type KernelSystem } from '../../models/kernel.system.ts';
import { KERNEL_CONFIG_NAMES, configByName, makeConfig } from '../../src/kernel/configs.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadChoices } from '../../src/kernel/sched.ts';
import { kernelCatalog } from '../../src/cli/kernel-systems.ts';
import { withConformance } from '../../models/conformance.ts';
import { kernelSymmetry } from '../../src/kernel/symmetry.ts';
import { replaySteps } from '../../src/trace/replay.ts';
import { resolveSystem } from '../../src/cli/systems.ts';
import { runCli } from '../../src/cli/main.ts';
import type { System } from '../../src/explore/system.ts';

/** Three CPUs running one program, each in its own mm: all three interchangeable (kernel threads choose their CPU). */
function sym3(fixes: 'all' | 'none'): KernelSystem {
  return kernelSystem(makeConfig({ name: 'sym3', cpus: 3, anonPages: 1, filePages: 0, flush: false, sameProgram: true, fixes: fixes === 'all' ? kernelCatalog().fixes : [] }));
}

/** Reachable states in BFS order, up to n. */
function sample(sys: System, n: number): Uint32Array[] {
  const init = new Uint32Array(sys.words);
  sys.initial(init);
  const seen = new Set<string>([init.join(',')]);
  const out = [init];
  const next = new Uint32Array(sys.words);
  for (let h = 0; h < out.length && out.length < n; h++) {
    for (let a = 0; a < sys.actionCount; a++) {
      if (!sys.step(out[h]!, a, next)) continue;
      const k = next.join(',');
      if (!seen.has(k)) {
        seen.add(k);
        out.push(next.slice());
      }
    }
  }
  return out;
}

/** Up to n states reached by seeded random walks of at most depth steps (deep states BFS samples miss). */
function walks(sys: System, n: number, depth: number, seed: number): Uint32Array[] {
  let x = seed;
  const rnd = (k: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % k;
  };
  const out: Uint32Array[] = [];
  while (out.length < n) {
    let s: Uint32Array = new Uint32Array(sys.words);
    sys.initial(s);
    for (let d = 0; d < depth && out.length < n; d++) {
      out.push(s);
      const en: Uint32Array[] = [];
      for (let a = 0; a < sys.actionCount; a++) {
        const next = new Uint32Array(sys.words);
        if (sys.step(s, a, next)) en.push(next);
      }
      if (!en.length) break;
      s = en[rnd(en.length)]!;
    }
  }
  return out;
}

/**
 * On every sampled state s and every permutation: every property,
 * reachability and deadlock verdict is the same on s and perm(s), and the
 * successors commute as sets: {(thread', choice, perm(next), verdict) | s -a-> next}
 * = {(thread, choice, next', verdict) | perm(s) -a-> next'}, where thread' is
 * the image of a's thread and choice is a's choice without its CPU
 * (kthread_cpu.ts: a kernel thread's step on another CPU is its own action).
 * Returns how many steps ran on a kernel thread's non-first CPU.
 */
function checkCommutes(t: ExecutionContext, k: KernelSystem, states: readonly Uint32Array[]): number {
  const sys = withConformance(k, k.machine);
  const m = k.machine;
  const sym = kernelSymmetry(m)!;
  const acts = kernelActions(m);
  const n16 = m.L.words16;
  const w16 = (s: Uint32Array) => new Uint16Array(s.buffer, s.byteOffset, n16);
  const base = (tid: number, choice: number): number => choice % threadChoices(m, tid);
  let onOtherCpu = 0;
  let moved = 0;
  for (const perm of sym.perms.slice(1)) {
    const P = (s: Uint32Array): Uint32Array => {
      const o = new Uint32Array(sys.words);
      sym.apply(w16(s), perm, w16(o));
      return o;
    };
    const init = new Uint32Array(sys.words);
    sys.initial(init);
    t.deepEqual([...P(init)], [...init], 'the initial state is a fixed point');
    let bad = 0;
    for (const s of states) {
      const ps = P(s);
      if (ps.join(',') !== s.join(',')) moved++;
      for (const p of sys.properties) t.is(p.check(ps) === null, p.check(s) === null, p.id);
      for (const r of sys.sometimes ?? []) t.is(r.reached(ps), r.reached(s), r.id);
      t.is(sys.deadlock!(ps) === null, sys.deadlock!(s) === null, 'DEADLOCK');
      const mine = new Set<string>();
      const image = new Set<string>();
      const next = new Uint32Array(sys.words);
      for (let a = 0; a < sys.actionCount; a++) {
        const x = acts[a]!;
        if (sys.step(s, a, next)) {
          const tv = sys.checkTransition!(s, a, next)?.id ?? null;
          if (x.kind === 'thread' && x.choice >= threadChoices(m, x.tid)) onOtherCpu++;
          const who = x.kind === 'thread' ? `${sym.thread(perm, x.tid)}:${base(x.tid, x.choice)}` : `${a}`;
          mine.add(`${who}>${P(next).join(',')}>${tv}`);
        }
        if (sys.step(ps, a, next)) {
          const tv = sys.checkTransition!(ps, a, next)?.id ?? null;
          const who = x.kind === 'thread' ? `${x.tid}:${base(x.tid, x.choice)}` : `${a}`;
          image.add(`${who}>${next.join(',')}>${tv}`);
        }
      }
      const same = mine.size === image.size && [...mine].every((e) => image.has(e));
      if (!same && bad++ < 3) t.fail(`succ(perm(s)) != perm(succ(s)): ${[...mine].filter((e) => !image.has(e)).length} successor(s) of s have no image`);
    }
    t.is(bad, 0, 'the transition relation commutes with the permutation');
  }
  t.true(moved > 0, 'some sampled state is not its own image');
  return onOtherCpu;
}

for (const fixes of ['none', 'all'] as const) {
  test(`sym3 --fix ${fixes}: every verdict is invariant and the transition relation commutes with every permutation`, (t) => {
    const k = sym3(fixes);
    t.deepEqual(kernelSymmetry(k.machine)!.cpus, [0, 1, 2]);
    const states = sample(withConformance(k, k.machine), 1500);
    t.true(states.length >= 1500);
    checkCommutes(t, k, states);
  });
}

// race2: two CPUs, kswapd, the device and its IRQ threads. Before the kernel
// threads chose their CPU (kthread_cpu.ts), kswapd(P)'s reclaim freed into CPU 0's
// flush buffer with no mirror image; the random walks reach that depth.
test('race2 --fix all: CPUs 0 and 1 are interchangeable; verdicts invariant and the relation commutes on sampled deep states', (t) => {
  const { sys } = resolveSystem({ system: 'kernel', config: 'race2', mutant: null, fixes: ['all'] });
  const k = sys as KernelSystem;
  t.deepEqual(kernelSymmetry(k.machine)!.cpus, [0, 1]);
  const c = withConformance(k, k.machine);
  const onOtherCpu = checkCommutes(t, k, [...sample(c, 300), ...walks(c, 1700, 120, 7)]);
  t.true(onOtherCpu > 0, 'some kernel thread step ran on cpu1 (a free into its flush buffer)');
});

test('race2small --fix none: verdicts invariant and the relation commutes on sampled deep states', (t) => {
  const k = kernelSystem(configByName('race2small'));
  t.deepEqual(kernelSymmetry(k.machine)!.cpus, [0, 1]);
  const c = withConformance(k, k.machine);
  checkCommutes(t, k, [...sample(c, 300), ...walks(c, 900, 120, 11)]);
});

test('sym3 depth-bounded: the same violations with and without --symmetry, fewer states, concrete replayable traces', (t) => {
  const k = sym3('none');
  const sys = withConformance(k, k.machine);
  const plain = explore(sys, { maxDepth: 13, stopAtFirstViolation: false, progress: 'off' });
  const red = explore(sys, { maxDepth: 13, stopAtFirstViolation: false, progress: 'off', symmetry: true });
  t.deepEqual(red.violations.map((v) => v.property).sort(), plain.violations.map((v) => v.property).sort());
  t.true(plain.violations.length > 0);
  t.true(red.states < plain.states * 0.6, `${red.states} vs ${plain.states}`);
  for (const v of red.violations) {
    const steps = v.trace.map((a) => ({ action: a, ...sys.describe(a) }));
    const r = replaySteps(sys, steps, { property: v.property, step: v.trace.length });
    t.is(r.outcome.kind, 'reproduced', v.property);
    // Same BFS levels: the shortest counterexample keeps its length.
    t.is(v.trace.length, plain.violations.find((x) => x.property === v.property)!.trace.length);
  }
});

// race2small (the two-CPU CI config) bounded by depth: symmetry keeps BFS levels, so the
// violations and the shortest length of each must be those of the unreduced search: v4 as
// posted, and every fix with a seeded bug that only two-CPU interleavings reach in this config.
for (const [label, mutant, fixes, depth] of [['--fix none', null, [], 14], ['--fix all --mutant migrate-copy-skipped', 'migrate-copy-skipped', ['all'], 11]] as const) {
  test(`race2small ${label}, depth <= ${depth}: the same violations and lengths with and without --symmetry, replayable traces`, (t) => {
    const { sys } = resolveSystem({ system: 'kernel', config: 'race2small', mutant, fixes: [...fixes] });
    const plain = explore(sys, { maxDepth: depth, stopAtFirstViolation: false, progress: 'off' });
    const red = explore(sys, { maxDepth: depth, stopAtFirstViolation: false, progress: 'off', symmetry: true });
    const lengths = (r: typeof plain) => r.violations.map((v) => `${v.property}:${v.trace.length}`).sort();
    t.true(plain.violations.length > 0);
    t.deepEqual(lengths(red), lengths(plain));
    t.true(red.states < plain.states, `${red.states} vs ${plain.states}`);
    for (const v of red.violations) {
      const steps = v.trace.map((a) => ({ action: a, ...sys.describe(a) }));
      t.is(replaySteps(sys, steps, { property: v.property, step: v.trace.length }).outcome.kind, 'reproduced', v.property);
    }
  });
}

// Depth-bounded: exact for symmetry (levels kept); for --por it relies on the reduction keeping these
// short violations within the bound (the kernel's ample sets are rare, see por.ts).
test('sym3 depth-bounded with --symmetry and --por together: the same violations, replayable traces', (t) => {
  const k = sym3('none');
  const sys = withConformance(k, k.machine);
  const plain = explore(sys, { maxDepth: 12, stopAtFirstViolation: false, progress: 'off' });
  const red = explore(sys, { maxDepth: 12, stopAtFirstViolation: false, progress: 'off', symmetry: true, por: true, porPrepass: { bfsStates: 2000, walks: 30 } });
  t.deepEqual(red.violations.map((v) => v.property).sort(), plain.violations.map((v) => v.property).sort());
  for (const v of red.violations) {
    const steps = v.trace.map((a) => ({ action: a, ...sys.describe(a) }));
    t.is(replaySteps(sys, steps, { property: v.property, step: v.trace.length }).outcome.kind, 'reproduced', v.property);
  }
});

test('a trace found through a CPU 2 state is handed out as concrete steps (not the representative\'s actors)', (t) => {
  const k = sym3('none');
  // Reached only by runs where some CPU other than 0 faulted: canonicalisation may store it as the other CPU.
  const r = explore(k, { maxDepth: 13, stopAtFirstViolation: false, progress: 'off', symmetry: true });
  for (const v of r.violations) {
    const steps = v.trace.map((a) => ({ action: a, ...k.describe(a) }));
    t.is(replaySteps(k, steps, { property: v.property, step: v.trace.length }).outcome.kind, 'reproduced');
  }
});

test('race2 has symmetry now; a configuration with several CPUs and the flush kthread is still refused', (t) => {
  const { sys } = resolveSystem({ system: 'kernel', config: 'race2', mutant: null, fixes: ['all'] });
  t.truthy(sys.symmetry);
  const large = resolveSystem({ system: 'kernel', config: 'large', mutant: null, fixes: [] }).sys;
  t.is(large.symmetry, undefined);
  t.regex(large.noSymmetry ?? '', /flush kthread/);
});

test('cli: --symmetry is refused with exit 2 and one line where there is no symmetry, and by liveness', async (t) => {
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) });
    return { code, out: out.join(''), err: err.join('') };
  };
  const a = await run('explore', '--config', 'canonical', '--symmetry');
  t.is(a.code, 2);
  t.regex(a.err, /^cramcheck: --symmetry: canonical has no interchangeable actors \(/);
  t.is(a.err.trim().split('\n').length, 1);
  const b = await run('liveness', '--config', 'tiny', '--symmetry');
  t.is(b.code, 2);
  t.regex(b.err, /--symmetry/);
});

// memcgoom (two CPUs, one program, each in its own mm) had a symmetry no
// commutation test covered: select_bad_process keeps the last task of equal
// badness, so which CPU's process the OOM kills on a tie depends on task
// order, and the orbit merge (45,693 states for 108,932; below half, which no
// 2-CPU symmetry can give) hid the seeded zap-keeps-migration-entry.
test('every named config with a symmetry is one the commutation tests above cover; the OOM killer refuses it', (t) => {
  const withSymmetry = KERNEL_CONFIG_NAMES.filter((c) => resolveSystem({ system: 'kernel', config: c, mutant: null, fixes: [] }).sys.symmetry !== undefined);
  t.deepEqual([...withSymmetry].sort(), ['race2', 'race2small']);
  const oom = resolveSystem({ system: 'kernel', config: 'memcgoom', mutant: null, fixes: ['all'] }).sys;
  t.is(oom.symmetry, undefined);
  t.regex(oom.noSymmetry ?? '', /OOM killer breaks badness ties by task-list order/);
});

test('mutants --symmetry: zap-keeps-migration-entry on memcgoom is caught (the unsound orbit merge missed it)', async (t) => {
  const out: string[] = [];
  const code = await runCli(['mutants', '--only', 'zap-keeps-migration-entry', '--symmetry', '--out-dir', mkdtempSync(join(tmpdir(), 'cramcheck-sym-'))], { out: (s: string) => void out.push(s), err: () => undefined });
  t.is(code, 0, out.join(''));
  t.regex(out.join(''), /zap-keeps-migration-entry +caught by INV-MIGRATE-POST/);
});
