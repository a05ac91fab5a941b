// cpuset.memory_migrate's queue bound (src/kernel/cpuset_migrate_queue.ts:
// cpuset_migrate_mm). v4's kernel/cgroup/cpuset.c queues one
// cpuset_migrate_mm_work per update of the cpuset's tasks on the ordered
// cpuset_migrate_mm_wq; P's online/offline toggles (the driver's probe and
// teardown, cpuset_handle_hotplug) can queue the same (mm, from, to) item again
// while the first copy still waits for the kworker. The model queues at most
// `cpusetMigrateDupBound` identical items that have not started (default 1).
// This test explores mpolflags (every fix on) exhaustively with bounds 1, 2 and
// 3 and compares the reachable states with the queue (CS_MIGQ_*) projected
// away: a second or third identical pass reaches no state the first does not.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { KERNEL_CONFIG_PARAMS, makeConfig } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { projectedReachable } from '../helpers/projection.ts';

interface Run {
  readonly projected: Set<string>;
  readonly states: number;
  /** States in which two identical items wait (only possible with a bound above 1). */
  readonly dupStates: number;
}

function run(bound: number): Run {
  const cfg = { ...makeConfig({ ...KERNEL_CONFIG_PARAMS.mpolflags, fixes: FIXES.map((f) => f.name) }), cpusetMigrateDupBound: bound };
  const sys = kernelSystem(cfg);
  const L = sys.machine.L;
  const queue = [L.CS_MIGQ_LEN, L.CS_MIGQ_MM, L.CS_MIGQ_FROM, L.CS_MIGQ_TO, L.CS_MIGQ_TMP, L.CS_MIGQ_STARTED];
  let dupStates = 0;
  const { states, projected } = projectedReachable(sys, (w) => {
    const n = w[L.CS_MIGQ_LEN.off]!;
    const items = new Set<string>();
    for (let i = 0; i < n; i++) items.add(`${w[L.CS_MIGQ_MM.off + i]}:${w[L.CS_MIGQ_FROM.off + i]}:${w[L.CS_MIGQ_TO.off + i]}`);
    if (items.size < n) dupStates++;
    for (const f of queue) for (let i = 0; i < f.len; i++) w[f.off + i] = 0;
  });
  return { projected, states, dupStates };
}

test('cpuset_migrate_mm: a second (or third) identical item waiting on cpuset_migrate_mm_wq reaches no state the first does not (mpolflags, every fix on, queue projected away)', (t) => {
  const one = run(1);
  const two = run(2);
  const three = run(3);
  t.log(`bound 1: ${one.states} states; 2: ${two.states} (${two.dupStates} with two identical items waiting); 3: ${three.states}; projected: ${one.projected.size} / ${two.projected.size} / ${three.projected.size}`);
  // The bound binds: with 2 the queue does hold two identical waiting items.
  t.is(one.dupStates, 0);
  t.true(two.dupStates > 0);
  t.true(two.states > one.states);
  t.is(two.projected.size, one.projected.size);
  for (const s of two.projected) if (!one.projected.has(s)) t.fail('a state reached only with two identical items queued');
  t.is(three.projected.size, one.projected.size);
  for (const s of three.projected) if (!one.projected.has(s)) t.fail('a state reached only with three identical items queued');
});
