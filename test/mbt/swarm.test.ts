// 'swarm' mode (swarm testing): each run chooses only among the enabled actions
// of a random subset of the actors, falling back to every enabled action when
// none of them can step.
import test from 'ava';
import { mutantRun } from './mutant-run.ts';
import { actorIndex, choosableActions, enabledActions, runChoices, runMbt, type MbtOptions } from '../../src/mbt/engine.ts';
import { replaySteps } from '../../src/trace/replay.ts';
import { bm1System, BM1_CONFIGS } from '../../models/bm1.ts';


test('choosableActions: only the active actors, all of them when none of those can step, empty only when nothing is enabled', (t) => {
  const sys = bm1System(BM1_CONFIGS.small);
  const { actorOf, actors } = actorIndex(sys);
  t.true(actors.length >= 2);
  const s = new Uint32Array(sys.words);
  const scratch = new Uint32Array(sys.words);
  sys.initial(s);
  const all = enabledActions(sys, s, scratch);
  t.true(all.length > 0);
  const first = actorOf[all[0]!]!;
  const only = actors.map((_, i) => i === first);
  const sub = choosableActions(sys, s, scratch, actorOf, only);
  t.true(sub.length > 0 && sub.every((a) => actorOf[a] === first));
  t.deepEqual(choosableActions(sys, s, scratch, actorOf, actors.map(() => false)), all);
  t.deepEqual(choosableActions(sys, s, scratch, actorOf, null), all);
});

// mm/cram.c cram_fault (the fix's RETRY_NOWAIT branch): a race of cpu0's fault, kswapd's demotion
// and cpu1's GUP. On the model before session 6 the swarm caught it in 367 runs for seed 2 and the
// 'enabled' mode in 2,704. Since kernel threads choose their CPU (more kswapd actions) and kswapd's
// batch retries -EAGAIN, the comparison turned: runs to the catch for seeds 1-6, swarm / enabled,
// none / 197, none / 413, 816 / 117, 2,918 / 281, 1,455 / 489, 174 / 212 (3,000 runs each). So this
// test no longer claims the swarm is faster here; it checks that the swarm catches it, that the
// trace replays, and that the swarm (the disabled actors) is what shapes the trace.
test('swarm mode catches cram-fault-nowait-unlocks; the trace replays and the swarm is printed', (t) => {
  const opts: MbtOptions = { runs: 1000, seed: 3 };
  const sw = mutantRun('cram-fault-nowait-unlocks', 'gupnowait', 'INV-FAULT-LOCK', { ...opts, mode: 'swarm' });
  const f = sw.r.failure!;
  t.is(f?.property, 'INV-FAULT-LOCK');
  t.regex(f.commands, /^swarm \[[^\]]*\]: #\d+\*\d+/);
  const rep = replaySteps(sw.sys, f.actions.map((a) => ({ action: a, ...sw.sys.describe(a) })), { property: f.property, step: f.actions.length });
  t.is(rep.outcome.kind, 'reproduced');
  // The swarm matters to the trace: the same choices over every actor go elsewhere.
  const m = /^swarm \[([^\]]*)\]: (.*)$/.exec(f.commands)!;
  const names = m[1] === '' ? [] : m[1]!.split(', ');
  const active = actorIndex(sw.sys).actors.map((a) => names.includes(a));
  const choices = m[2]!.split(', ').map((c) => ({ k: Number(c.slice(1).split('*')[0]), burst: Number(c.split('*')[1]) }));
  t.deepEqual(runChoices(sw.sys, choices, null, 'INV-FAULT-LOCK', active).actions, f.actions);
  t.notDeepEqual(runChoices(sw.sys, choices, null, 'INV-FAULT-LOCK', null).actions, f.actions);
});

test('runChoices with the swarm rebuilds the same trace (BM1)', (t) => {
  const sys = bm1System(BM1_CONFIGS.medium, { mutant: 'promote-keeps-charge' });
  const r = runMbt(sys, { runs: 300, seed: 1, mode: 'swarm' });
  const f = r.failure!;
  const m = /^swarm \[([^\]]*)\]: (.*)$/.exec(f.commands)!;
  const { actors } = actorIndex(sys);
  const names = m[1] === '' ? [] : m[1]!.split(', ');
  const active = actors.map((a) => names.includes(a));
  const choices = m[2]!.split(', ').map((c) => {
    const [k, burst] = c.slice(1).split('*').map(Number);
    return { k: k!, burst: burst! };
  });
  const again = runChoices(sys, choices, null, null, active);
  t.deepEqual(again.actions, f.actions);
  t.is(again.violation?.id, f.property);
});
