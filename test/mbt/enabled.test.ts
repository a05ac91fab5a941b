// The 'enabled' generation mode: each command takes the k-th enabled action
// (in a burst), so runs go as deep as the kernel lets them. These pin the
// mutants the old uniform mode missed (issue 5) on a fixed seed.
import test from 'ava';
import { mutantRun } from './mutant-run.ts';
import { runActions, runChoices, runMbt } from '../../src/mbt/engine.ts';
import { replaySteps } from '../../src/trace/replay.ts';
import { bm1System, BM1_CONFIGS } from '../../models/bm1.ts';


// mm/migrate.c migrate_folio_done: the mutant keeps the isolation reference of a promoted
// folio, so each demote/promote cycle leaves one more compressed copy on the device
// (INV-DEVICE-CAPACITY). BFS needs 25 steps or more: three demotions by kswapd between cpu0
// faults (more since demotion runs migrate_pages_batch a folio per step and faults sit in
// lru_add batches: 200 runs of 400 commands no longer reach it, 1000 of 600 do for seed 1).
test('enabled mode catches promote-leaks-src (missed by uniform mode) and the shrunk trace replays', (t) => {
  const opts = { runs: 1000, seed: 1, maxCommands: 600 };
  const { sys, r } = mutantRun('promote-leaks-src', 'cycles', 'INV-DEVICE-CAPACITY', opts);
  t.is(r.mode, 'enabled');
  t.is(r.failure?.property, 'INV-DEVICE-CAPACITY', r.failure?.message);
  const f = r.failure!;
  t.true(f.actions.length >= 25, `${f.actions.length}`); // BFS shortest is 25
  const rep = replaySteps(sys, f.actions.map((a) => ({ action: a, ...sys.describe(a) })), { property: f.property, step: f.actions.length });
  t.is(rep.outcome.kind, 'reproduced');
  // The old mode, same seed and budget: skipped disabled commands keep it too shallow.
  const u = mutantRun('promote-leaks-src', 'cycles', 'INV-DEVICE-CAPACITY', { ...opts, mode: 'uniform' });
  t.is(u.r.failure, null);
});

// mm/cram.c alloc_cram_folio: demotion destinations allocated while migration is blocked
// (INV-WRITE-PATH); needs the lthresh IRQ's four cram_set_pressure steps mid-demotion.
test('enabled mode catches alloc-cram-ignores-blocked, deterministically for a seed', (t) => {
  const opts = { runs: 400, seed: 4, maxCommands: 400 };
  const a = mutantRun('alloc-cram-ignores-blocked', 'pressure', 'INV-WRITE-PATH', opts).r;
  const b = mutantRun('alloc-cram-ignores-blocked', 'pressure', 'INV-WRITE-PATH', opts).r;
  t.is(a.failure?.property, 'INV-WRITE-PATH');
  t.deepEqual(a, b);
});

test('runChoices rebuilds the shrunk trace from the #k*burst commands; re-running it by id gives the same verdict', (t) => {
  const sys = bm1System(BM1_CONFIGS.medium, { mutant: 'promote-keeps-charge' });
  const r = runMbt(sys, { runs: 300, seed: 1 });
  const f = r.failure!;
  t.regex(f.commands, /^#\d+\*\d+(, #\d+\*\d+)*$/);
  const choices = f.commands.split(', ').map((c) => {
    const [k, burst] = c.slice(1).split('*').map(Number);
    return { k: k!, burst: burst! };
  });
  t.deepEqual(runChoices(sys, choices).actions, f.actions);
  const again = runActions(sys, f.actions);
  t.is(again.violation?.id, f.property);
  t.is(again.actions.length, f.actions.length);
});

test('bursts of one and the uniform mode are still available', (t) => {
  const sys = bm1System(BM1_CONFIGS.small, { mutant: 'demote-keeps-write' });
  t.is(runMbt(sys, { runs: 200, seed: 3, maxBurst: 1 }).failure?.property, 'BM1-I1');
  const u = runMbt(sys, { runs: 200, seed: 3, mode: 'uniform' });
  t.is(u.mode, 'uniform');
  t.is(u.failure?.property, 'BM1-I1');
  t.regex(u.failure!.commands, /^\d+:/);
});
