// The scheduler dispatch (src/kernel/sched.ts): static choices, labels, and the
// contract that a step that is not enabled leaves the kernel unchanged.
import test from 'ava';
import { buildMachine } from '../../src/kernel/kernel.ts';
import { threadChoices, threadLabel, runThread } from '../../src/kernel/sched.ts';
import { D0, D1, P, ptePfn, runCpu, scenario, scenarioConfig } from '../helpers/scenario.ts';

test('static choices: 2 per CPU (its program, an lru_add_drain), one per pfn of the node for kswapd (choice c = c-th pfn)', (t) => {
  const m = buildMachine(scenarioConfig());
  t.is(threadChoices(m, m.g.cpuThread(0)), 2);
  t.is(threadLabel(m, m.g.cpuThread(0), 1).name, 'lru_add_drain');
  t.is(threadChoices(m, m.g.kswapdThread(D0)), 16);
  t.is(threadChoices(m, m.g.kswapdThread(D1)), 8);
  t.is(threadChoices(m, m.g.kswapdThread(P)), 8);
  t.is(threadLabel(m, m.g.cpuThread(1), 0).actor, 'cpu1');
  t.is(threadLabel(m, m.g.kswapdThread(D1), 3).name, 'scan(pfn 19)');
});

test('every (thread, choice) that is not enabled leaves the state bytes unchanged', (t) => {
  const k = scenario({ pOps: 'demote', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 }], []] });
  runCpu(k, 0);
  t.not(ptePfn(k, 0, 0), -1);
  let disabled = 0;
  for (let tid = 0; tid < k.g.threads.length; tid++) {
    for (let c = 0; c < threadChoices(k.m, tid); c++) {
      const before = k.s.slice();
      const probe = k.clone();
      if (!runThread(probe, tid, c)) {
        disabled++;
        t.deepEqual(probe.s, before, `${threadLabel(k.m, tid, c).actor} ${c}`);
      }
    }
  }
  t.true(disabled > 0);
});

test('a CPU step dispatches to its program and a woken kswapd step to vmscan', (t) => {
  const k = scenario({ programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }], []] });
  t.true(runThread(k, k.g.cpuThread(0), 0));
  t.is(k.get(k.L.THR_PC, k.g.cpuThread(0)), 1);
  t.false(runThread(k, k.g.cpuThread(0), 1), 'a CPU has one choice');
  k.set(k.L.NODE_KSWAPD, D0, 2);
  t.true(runThread(k, k.g.kswapdThread(D0), 0));
  t.is(k.get(k.L.NODE_KSWAPD, D0), 1, 'balanced: back to sleep');
});
