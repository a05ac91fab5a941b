// Symmetry reduction (src/explore/symmetry.ts, src/kernel/symmetry.ts): the
// soundness conditions checked on sampled reachable states, verdicts equal
// with and without the reduction, concrete replayable counterexamples, and
// the refusals (race2: CPU 0 is distinguished; liveness).
import test from 'ava';
import { explore } from '../../src/explore/explorer.ts';
import { kernelActions, kernelSystem, type KernelSystem } from '../../models/kernel.system.ts';
import { makeConfig } from '../../src/kernel/configs.ts';
import { kernelCatalog } from '../../src/cli/kernel-systems.ts';
import { withConformance } from '../../models/conformance.ts';
import { kernelSymmetry } from '../../src/kernel/symmetry.ts';
import { replaySteps } from '../../src/trace/replay.ts';
import { resolveSystem } from '../../src/cli/systems.ts';
import { runCli } from '../../src/cli/main.ts';
import type { System } from '../../src/explore/system.ts';

/** Three CPUs running one program: CPUs 1 and 2 are interchangeable (CPU 0 hosts the kernel threads). */
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

for (const fixes of ['none', 'all'] as const) {
  test(`sym3 --fix ${fixes}: every verdict is invariant and the transition relation commutes with every permutation`, (t) => {
    const k = sym3(fixes);
    const sys = withConformance(k, k.machine);
    const m = k.machine;
    const sym = kernelSymmetry(m)!;
    t.deepEqual(sym.cpus, [1, 2]);
    const acts = kernelActions(m);
    const actIndex = new Map(acts.map((a, i) => [a.kind === 'thread' ? `${a.tid}:${a.choice}` : a.kind, i]));
    const n16 = m.L.words16;
    const w16 = (s: Uint32Array) => new Uint16Array(s.buffer, s.byteOffset, n16);
    let checked = 0;
    for (const perm of sym.perms.slice(1)) {
      const P = (s: Uint32Array): Uint32Array => {
        const o = new Uint32Array(sys.words);
        sym.apply(w16(s), perm, w16(o));
        return o;
      };
      const permAction = (a: number): number => {
        const x = acts[a]!;
        return x.kind === 'thread' ? actIndex.get(`${sym.thread(perm, x.tid)}:${x.choice}`)! : a;
      };
      const init = new Uint32Array(sys.words);
      sys.initial(init);
      t.deepEqual([...P(init)], [...init], 'the initial state is a fixed point');
      for (const s of sample(sys, 1500)) {
        const ps = P(s);
        for (const p of sys.properties) t.is(p.check(ps) === null, p.check(s) === null, p.id);
        for (const r of sys.sometimes ?? []) t.is(r.reached(ps), r.reached(s), r.id);
        t.is(sys.deadlock!(ps) === null, sys.deadlock!(s) === null, 'DEADLOCK');
        const succ = new Map<string, number>();
        const next = new Uint32Array(sys.words);
        for (let a = 0; a < sys.actionCount; a++) {
          if (!sys.step(s, a, next)) continue;
          const tv = sys.checkTransition!(s, a, next)?.id ?? null;
          const pn = P(next);
          succ.set(`${permAction(a)}>${pn.join(',')}`, 1);
          const pa = permAction(a);
          const n2 = new Uint32Array(sys.words);
          t.true(sys.step(ps, pa, n2), `action ${sys.describe(pa).actor} enabled on the image`);
          t.is(n2.join(','), pn.join(','), `perm(succ) = succ(perm) for ${sys.describe(a).actor}`);
          t.is(sys.checkTransition!(ps, pa, n2)?.id ?? null, tv, 'transition check');
        }
        let enabledOnImage = 0;
        for (let a = 0; a < sys.actionCount; a++) if (sys.step(ps, a, next)) enabledOnImage++;
        t.is(enabledOnImage, succ.size, 'no extra action on the image');
        checked++;
      }
    }
    t.true(checked >= 1500);
  });
}

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

test('race2 has no symmetry: kernel threads free into CPU 0\'s flush buffer, so CPU 0 is not interchangeable', (t) => {
  const { sys } = resolveSystem({ system: 'kernel', config: 'race2', mutant: null, fixes: ['all'] });
  t.is(sys.symmetry, undefined);
  t.regex(sys.noSymmetry ?? '', /CPU 0/);
});

test('cli: --symmetry is refused with exit 2 and one line where there is no symmetry, and by liveness', async (t) => {
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) });
    return { code, out: out.join(''), err: err.join('') };
  };
  const a = await run('explore', '--config', 'race2', '--symmetry');
  t.is(a.code, 2);
  t.regex(a.err, /^cramcheck: --symmetry: race2 has no interchangeable actors \(.*CPU 0/);
  t.is(a.err.trim().split('\n').length, 1);
  const b = await run('liveness', '--config', 'tiny', '--symmetry');
  t.is(b.code, 2);
  t.regex(b.err, /--symmetry/);
});
