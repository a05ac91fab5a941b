// The cpusets configuration explored (issue 12 item 10): INV-CPUSET-HIER
// against its seeded bugs (each escapes every other invariant and is caught
// by it), and every fix on holds.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';

const ALL = FIXES.map((f) => f.name);

function run(mutant: string | null, keep: (id: string) => boolean) {
  const sys = kernelSystem(configByName('cpusets', { mutant, fixes: ALL }));
  // cpuset-tasks-keep-effective: 343,005 states since cpuset.memory_migrate's kworker (the fixed model: 150,973).
  const r = explore(withProperties(sys, keep), { strategy: 'bfs', maxStates: 400_000, stopAtFirstViolation: false });
  return { complete: r.complete, violated: [...new Set(r.violations.map((v) => v.property))] };
}

for (const mutant of ['cpuset-eff-ignores-parent', 'cpuset-tasks-keep-effective']) {
  test(`${mutant} escapes every other invariant (complete) and INV-CPUSET-HIER catches it`, (t) => {
    const without = run(mutant, (id) => id !== 'INV-CPUSET-HIER');
    t.true(without.complete);
    t.deepEqual(without.violated, []);
    t.deepEqual(run(mutant, (id) => id === 'INV-CPUSET-HIER').violated, ['INV-CPUSET-HIER']);
  });
}

test('every fix on: cpusets holds every invariant, exhaustively', (t) => {
  const r = run(null, () => true);
  t.true(r.complete);
  t.deepEqual(r.violated, []);
});
