// The MBT engine over the BM1 System: commands are the System's own actions,
// so a shrunk counterexample is an action list that sys.step replays.
import test from 'ava';
import { bm1System, BM1_CONFIGS } from '../../models/bm1.ts';
import { runActions, runMbt } from '../../src/mbt/engine.ts';
import { makeTrace } from '../../src/trace/format.ts';
import { replaySteps } from '../../src/trace/replay.ts';

// BM1.md I1 read-only: loc[f]=CRAM implies wr[f]=0; the mutant leaves the PTE writable on Demote.
test('MBT finds BM1 mutant demote-keeps-write (I1) and its shrunk trace replays through sys.step', (t) => {
  const sys = bm1System(BM1_CONFIGS.medium, { mutant: 'demote-keeps-write' });
  const r = runMbt(sys, { runs: 200, seed: 7 });
  t.false(r.ok);
  t.truthy(r.failure);
  const f = r.failure!;
  t.is(f.property, 'BM1-I1');
  // Shortest I1 violation is Alloc, Online, Demote: shrinking must get there (BFS depth 3).
  t.is(f.actions.length, 3);
  // Replay by hand through sys.step: every action enabled, violation only at the last step.
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  f.actions.forEach((a, i) => {
    const next = new Uint32Array(sys.words);
    t.true(sys.step(cur, a, next), `step ${i + 1} enabled`);
    const bad = sys.properties.find((p) => p.id === 'BM1-I1')!.check(next);
    if (i < f.actions.length - 1) t.is(bad, null);
    else t.not(bad, null);
    cur = next;
  });
  // And through the shared trace format's replay.
  const trace = makeTrace(
    { system: 'bm1', config: 'medium', mutant: 'demote-keeps-write', fixes: [] },
    { property: f.property, source: 'BM1.md I1', steps: f.actions.map((a) => ({ action: a, ...sys.describe(a) })) },
  );
  const rep = replaySteps(sys, trace.steps, trace.expect);
  t.is(rep.outcome.kind, 'reproduced');
});

test('MBT catches every BM1 mutant with a shrunk trace that reproduces', (t) => {
  for (const mutant of ['demote-ignores-budget', 'promote-keeps-charge', 'alloc-ignores-capacity', 'offline-ignores-cram'] as const) {
    const sys = bm1System(BM1_CONFIGS.medium, { mutant });
    const r = runMbt(sys, { runs: 500, seed: 1 });
    t.false(r.ok, mutant);
    const again = runActions(sys, r.failure!.actions);
    t.is(again.violation?.id, r.failure!.property, mutant);
    t.is(again.actions.length, r.failure!.actions.length, mutant);
  }
});

test('MBT on the correct BM1 with a fixed seed passes and is deterministic', (t) => {
  const sys = bm1System(BM1_CONFIGS.large);
  const a = runMbt(sys, { runs: 100, seed: 1234 });
  const b = runMbt(bm1System(BM1_CONFIGS.large), { runs: 100, seed: 1234 });
  t.true(a.ok);
  t.is(a.failure, null);
  t.deepEqual(a, b);
  // Long enough runs to take nearly every action of the table.
  t.true(a.actionsSeen >= 0.9 * sys.actionCount, `${a.actionsSeen}/${sys.actionCount}`);
});

test('a failure is deterministic for a seed and re-runs from seed + path', (t) => {
  const sys = bm1System(BM1_CONFIGS.medium, { mutant: 'offline-ignores-cram' });
  const a = runMbt(sys, { runs: 300, seed: 99 });
  const b = runMbt(sys, { runs: 300, seed: 99 });
  t.false(a.ok);
  t.deepEqual(a.failure, b.failure);
  t.truthy(a.path);
  t.truthy(a.replayPath);
  const c = runMbt(sys, { runs: 300, seed: a.seed, path: a.path!, replayPath: a.replayPath! });
  t.false(c.ok);
  t.deepEqual(c.failure?.actions, a.failure?.actions);
});

test('--property judges one invariant only: demote-keeps-write breaks I1 (BM1.md), not I2', (t) => {
  const sys = bm1System(BM1_CONFIGS.small, { mutant: 'demote-keeps-write' });
  t.true(runMbt(sys, { runs: 200, seed: 3, property: 'BM1-I2' }).ok);
  const r = runMbt(sys, { runs: 200, seed: 3, property: 'BM1-I1' });
  t.is(r.failure?.property, 'BM1-I1');
});
