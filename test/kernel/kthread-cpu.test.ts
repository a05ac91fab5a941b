// The CPU a kernel thread's step runs on (src/kernel/kthread_cpu.ts): which
// configs choose it, flush_cb's this_cpu_ptr follows it, and a step on another
// CPU than the first is an action only when the step consulted its CPU.
import test from 'ava';
import { kernelActions, kernelSystem } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { kernelCatalog } from '../../src/cli/kernel-systems.ts';
import { kthreadCpuChoice, kthreadCpus } from '../../src/kernel/kthread_cpu.ts';
import { buildMachine } from '../../src/kernel/kernel.ts';
import { GFP_PRIVATE, __GFP_HIGHMEM, __GFP_MOVABLE } from '../../src/kernel/defs.ts';
import { PG_anon } from '../../src/kernel/layout.ts';
import { NULL_PFN, allocPagesNode } from '../../src/kernel/page_alloc.ts';
import { setPageContent } from '../../src/kernel/page.ts';
import { folioPut } from '../../src/kernel/folio.ts';
import { threadChoices } from '../../src/kernel/sched.ts';
import { P, cramMachine } from '../cram/helpers.ts';

test('race2 and race2small choose; one CPU (canonical) and the flush kthread (large) keep CPU 0', (t) => {
  for (const name of ['race2', 'race2small']) {
    const m = buildMachine(configByName(name));
    t.true(kthreadCpuChoice(m.cfg), name);
    t.deepEqual(kthreadCpus(m, m.g.kswapdThread(0)), [0, 1], `${name}: kswapd(D0) on D0's CPUs`);
    t.deepEqual(kthreadCpus(m, m.g.kswapdThread(m.g.privateNode)), [0, 1], `${name}: kswapd(P), a CPU-less node: any CPU`);
    t.deepEqual(kthreadCpus(m, m.g.lthreshThread), [0, 1]);
    t.deepEqual(kthreadCpus(m, m.g.cpuThread(1)), [0], 'a user thread has its own CPU, never this choice');
  }
  for (const name of ['canonical', 'large']) {
    const m = buildMachine(configByName(name));
    t.false(kthreadCpuChoice(m.cfg), name);
    t.deepEqual(kthreadCpus(m, m.g.kswapdThread(0)), [0], name);
  }
});

test("flush_cb queues a kernel thread's free on the CPU its step was given, and records that it asked", (t) => {
  const k = cramMachine();
  const active = (cpu: number): number => k.get(k.L.CPU_BUF_ACTIVE, cpu) - 1;
  // A folio of P, freed by kswapd(P) running on cpu1.
  const q = allocPagesNode(k, P, GFP_PRIVATE | __GFP_HIGHMEM | __GFP_MOVABLE, 0);
  t.not(q, NULL_PFN);
  k.setBits(k.L.PG_FLAGS, q, PG_anon);
  setPageContent(k, q, 3);
  const k2 = k;
  k2.kthreadCpu = 1;
  k2.kthreadCpuUsed = false;
  folioPut(k2, k2.g.kswapdThread(P), q);
  t.true(k2.kthreadCpuUsed, 'this_cpu_ptr consulted');
  t.is(k2.get(k2.L.BUF_LEN, active(1)), 1, "queued in cpu1's active buffer");
  t.is(k2.get(k2.L.BUF_LEN, active(0)), 0);
});

test('race2: every "on cpu1" action is disabled at boot (no free reaches flush_cb) and one is enabled, with its own successor, later', (t) => {
  const sys = kernelSystem(configByName('race2', { fixes: kernelCatalog().fixes }));
  const m = sys.machine;
  const acts = kernelActions(m);
  const other = acts.flatMap((a, i) => (a.kind === 'thread' && a.choice >= threadChoices(m, a.tid) ? [i] : []));
  t.true(other.length > 0);
  t.true(other.every((i) => / on cpu1$/.test(sys.describe(i).name)));
  const init = new Uint32Array(sys.words);
  sys.initial(init);
  const next = new Uint32Array(sys.words);
  for (const a of other) t.false(sys.step(init, a, next), sys.describe(a).name);
  // Seeded random walks until a kernel thread's free reaches flush_cb on cpu1.
  let x = 3;
  for (let walk = 0; walk < 400; walk++) {
    let s: Uint32Array = init.slice();
    for (let d = 0; d < 150; d++) {
      for (const a of other) {
        if (!sys.step(s, a, next)) continue;
        const x0 = acts[a]!;
        const baseAct = acts.findIndex((b) => b.kind === 'thread' && x0.kind === 'thread' && b.tid === x0.tid && b.choice === x0.choice % threadChoices(m, x0.tid));
        const onCpu0 = new Uint32Array(sys.words);
        t.true(sys.step(s, baseAct, onCpu0), 'the same step on the first CPU is enabled');
        t.notDeepEqual([...onCpu0], [...next], 'and reaches another state');
        return;
      }
      const en: number[] = [];
      for (let a = 0; a < sys.actionCount; a++) if (sys.step(s, a, next)) en.push(a);
      if (!en.length) break;
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const n = new Uint32Array(sys.words);
      sys.step(s, en[(x >>> 8) % en.length]!, n);
      s = n;
    }
  }
  t.fail('no kernel thread step on cpu1 was ever enabled');
});
