// The kernel System (models/kernel.system.ts) and the named configurations
// (src/kernel/configs.ts): the engine contract of src/explore/system.ts.
import test from 'ava';
import { kernelActions, kernelSystem } from '../../models/kernel.system.ts';
import { configByName, KERNEL_CONFIG_NAMES, makeConfig } from '../../src/kernel/configs.ts';
import { N_MEMORY, N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { buildMachine, Kernel } from '../../src/kernel/kernel.ts';

const key = (s: Uint32Array): string => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('base64');

test('named configs: tiny, small, canonical, flush, driver, pressure, the mutant and coverage scenarios, large; unknown names are refused', (t) => {
  t.deepEqual([...KERNEL_CONFIG_NAMES], ['tiny', 'small', 'canonical', 'flush', 'driver', 'pressure', 'policy', 'nomig', 'npapi', 'shared', 'cycles', 'dontneed', 'swapin', 'swapfull', 'swapasync', 'swapdram', 'swapteardown', 'zapiso', 'offlineadd', 'race2', 'allocmatrix', 'opsrows', 'large', 'longpin', 'oom', 'hwpoison', 'longpincram', 'gup', 'gupnowait', 'gupfork', 'cpusets', 'race2small', 'batch2', 'thp', 'thpsplit', 'memcg', 'memcgfree', 'tworegions', 'mpolflags', 'driverflush', 'forkpin', 'longpinw', 'hwpoisonmap', 'taskpol', 'zonenormal', 'memcgoom', 'oomcpuset', 'homenode', 'homenodeplain', 'oomsibling', 'cram2', 'cpusetmove', 'cpusetv1', 'putbackzap']);
  for (const n of KERNEL_CONFIG_NAMES) {
    const cfg = configByName(n);
    t.is(cfg.name, n);
    // SEMANTICS 3.3 topology: DRAM first, one MOVABLE-only private node in a slower tier
    // (zonenormal: the range hot-added online_kernel, in ZONE_NORMAL; homenode*: a second
    // private node Q last, MOVABLE only, for set_mempolicy_home_node)
    const priv = cfg.nodes.filter((x) => x.kind === 'private');
    t.is(priv.length, n.startsWith('homenode') ? 2 : 1);
    t.deepEqual(priv[0]!.zones.map((z) => z.type), [n === 'zonenormal' ? 'NORMAL' : 'MOVABLE']);
    t.true((priv[0]!.adistance ?? 0) > (cfg.nodes[0]!.adistance ?? 0));
    t.deepEqual([...cfg.device.cost], [0, 2, 4]);
    t.true(cfg.device.lthresh <= cfg.device.physUnits);
  }
  t.throws(() => configByName('huge'), { message: /unknown kernel config 'huge'/ });
  t.is(configByName('tiny', { mutant: 'boost-not-scaled' }).mutant, 'boost-not-scaled');
  t.deepEqual(configByName('small', { fixes: ['x'] }).fixes, ['x']);
});

test('race2 is canonical with a second user CPU in its own mm running the same program', (t) => {
  const c = configByName('canonical'), r = configByName('race2');
  t.is(r.cpus.length, 2);
  t.deepEqual(r.cpus.map((x) => x.mm), [0, 1]);
  t.is(r.mms, 2);
  for (const cpu of r.cpus) t.deepEqual(cpu.program, c.cpus[0]!.program);
  t.deepEqual(r.actors, c.actors);
  t.deepEqual(r.device, c.device);
  t.deepEqual(r.nodes.map((n) => n.kind), c.nodes.map((n) => n.kind));
});

test('race2small is race2 without the device actor: same CPUs, mms, programs and nodes', (t) => {
  const r = configByName('race2'), s = configByName('race2small');
  t.deepEqual(s.cpus, r.cpus);
  t.is(s.mms, r.mms);
  t.deepEqual(s.nodes, r.nodes);
  t.deepEqual(s.actors, { ...r.actors, device: false });
});

test('large exercises every workload op kind of ProgramOp', (t) => {
  const ops = new Set(configByName('large').cpus.flatMap((c) => c.program.map((o) => o.op)));
  for (const o of ['mmap', 'read', 'write', 'pwrite', 'mprotect', 'mbind', 'move_pages', 'fork']) t.true(ops.has(o as never), o);
});

test('initial state: boot (+ driver probe at boot) satisfies every property, for every named config', (t) => {
  for (const n of KERNEL_CONFIG_NAMES) {
    const sys = kernelSystem(configByName(n));
    const s = new Uint32Array(sys.words);
    sys.initial(s);
    for (const p of sys.properties) t.is(p.check(s), null, `${n}: ${p.id}`);
  }
});

test('initial state of tiny: P is N_MEMORY_PRIVATE with CRAM registered (probe ran at boot: no driver actor)', (t) => {
  const cfg = configByName('tiny');
  const sys = kernelSystem(cfg);
  const s = new Uint32Array(sys.words);
  sys.initial(s);
  const m = buildMachine(cfg);
  const k = new Kernel(m, new Uint16Array(s.buffer, 0, m.L.words16));
  const p = m.g.privateNode;
  t.true(k.has(m.L.NODE_STATES, p, N_MEMORY_PRIVATE));
  t.false(k.has(m.L.NODE_STATES, p, N_MEMORY));
  t.is(k.get(m.L.CN_STATE, p), 1, 'cram_node published');
});

test('action table: one action per (thread, choice) of enabled actors, plus the administrator\'s cpuset.mems writes', (t) => {
  const base = { name: 'x', cpus: 1, anonPages: 1, filePages: 0 } as const;
  const m1 = buildMachine(makeConfig({ ...base, kswapd: false, device: false, flush: false }));
  const a1 = kernelActions(m1);
  t.true(a1.every((a) => a.kind === 'thread' && m1.g.threads[a.tid]!.kind === 'cpu'));
  const m2 = buildMachine(makeConfig({ ...base, cpuset: true }));
  const a2 = kernelActions(m2);
  t.is(a2.filter((a) => a.kind === 'cpuset-write').length, 3);
  t.true(a2.some((a) => a.kind === 'thread' && m2.g.threads[a.tid]!.kind === 'kswapd'));
  const sys = kernelSystem(makeConfig({ ...base, cpuset: true }));
  t.is(sys.actionCount, a2.length);
  t.is(sys.describe(sys.actionCount - 1).name, 'cpuset.mems <- {1}');
});

test('cpuset.mems writes (kernel/cgroup/cpuset.c: cpuset_write_resmask -> update_nodemask): the child cpuset\'s mems switch between every node and the DRAM nodes; effective = mems ∩ the root\'s effective; the tasks\' mems_allowed follow (guarantee_online_mems); the root is never written', (t) => {
  const cfg = makeConfig({ name: 'x', cpus: 1, anonPages: 1, filePages: 0, cpuset: true });
  const sys = kernelSystem(cfg);
  const m = buildMachine(cfg);
  const s = new Uint32Array(sys.words);
  sys.initial(s);
  const all = sys.actionCount - 3;
  const dram = sys.actionCount - 2;
  const n1 = new Uint32Array(sys.words);
  const n2 = new Uint32Array(sys.words);
  const get = (x: Uint32Array, f: 'CS_CHILD_MEMS' | 'CS_CHILD_EFF' | 'G_CPUSET_MEMS' | 'TASK_MEMS') => new Kernel(m, new Uint16Array(x.buffer, 0, m.L.words16)).get(m.L[f]);
  t.is(get(s, 'CS_CHILD_MEMS'), 3, 'written at boot: every node');
  t.false(sys.step(s, all, n1), 'the same mask: nothing to do');
  t.true(sys.step(s, dram, n1));
  t.is(get(n1, 'CS_CHILD_MEMS'), 1);
  t.is(get(n1, 'CS_CHILD_EFF'), 1);
  t.is(get(n1, 'TASK_MEMS'), 1, "the task's mems_allowed leave P out");
  t.is(get(n1, 'G_CPUSET_MEMS'), get(s, 'G_CPUSET_MEMS'), 'the root is untouched');
  // cpuset.memory_migrate queued do_migrate_pages({D0,P} -> {D0}); the writer's
  // schedule_flush_migrate_mm makes the next write wait for the kworker.
  t.false(sys.step(n1, all, n2), 'the next write waits for flush_workqueue(cpuset_migrate_mm_wq)');
  const wq = m.g.threads.findIndex((r) => r.kind === 'cpuset_migrate');
  const work = Array.from({ length: sys.actionCount }, (_, i) => i).find((i) => sys.describe(i).actor === 'kworker(cpuset_migrate_mm)');
  t.true(wq >= 0 && work !== undefined);
  const n3 = new Uint32Array(sys.words);
  t.true(sys.step(n1, work!, n3), 'the kworker runs do_migrate_pages');
  t.true(sys.step(n3, all, n2));
  t.is(get(n2, 'TASK_MEMS'), get(s, 'TASK_MEMS'));
  t.is(get(s, 'TASK_MEMS'), 3, 'masks are {D0} and {D0,P}');
});

test('step is pure in state, deterministic, and agrees with explain; BFS over tiny keeps widths and checks properties', (t) => {
  const sys = kernelSystem(configByName('tiny'));
  const sys2 = kernelSystem(configByName('tiny'));
  const s0 = new Uint32Array(sys.words);
  sys.initial(s0);
  const seen = new Set<string>([key(s0)]);
  const queue: Uint32Array[] = [s0];
  const next = new Uint32Array(sys.words);
  const next2 = new Uint32Array(sys.words);
  let transitions = 0;
  for (let qi = 0; qi < queue.length && seen.size < 400; qi++) {
    const st = queue[qi]!;
    const before = key(st);
    for (let a = 0; a < sys.actionCount; a++) {
      const ok = sys.step(st, a, next);
      t.is(key(st), before, 'step leaves the source state unchanged');
      t.is(sys2.step(st, a, next2), ok, 'determinism: enabledness');
      if (!ok) continue;
      transitions++;
      t.is(key(next), key(next2), 'determinism: successor');
      const ex = sys.explain(st, a);
      t.true(ex.length > 0 && ex.every((l) => l.startsWith(`${sys.describe(a).actor}: `)), ex.join('\n'));
      const k = key(next);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(next.slice());
      }
    }
  }
  t.true(transitions > 0, 'tiny has enabled actions at boot');
  t.true(seen.size > 1);
  for (const st of queue) t.true(sys.render(st).length > 3);
});

test('render names nodes, zones, cram and device state', (t) => {
  const sys = kernelSystem(configByName('tiny'));
  const s = new Uint32Array(sys.words);
  sys.initial(s);
  const out = sys.render(s, 'INV-RO').join('\n');
  t.regex(out, /\[INV-RO\]/);
  t.regex(out, /node 1 \(private\): .*N_MEMORY_PRIVATE/);
  t.regex(out, /MOVABLE: managed \d+ free \d+/);
  t.regex(out, /cram_node N1: published refcount 1 pressure 0/);
  t.regex(out, /device: used 0\//);
});

test('tiny is exhaustible in a few hundred states (sizing regression for the named configs)', (t) => {
  const sys = kernelSystem(configByName('tiny'));
  const s0 = new Uint32Array(sys.words);
  sys.initial(s0);
  const seen = new Set<string>([key(s0)]);
  const queue: Uint32Array[] = [s0];
  const next = new Uint32Array(sys.words);
  for (let qi = 0; qi < queue.length && seen.size <= 10000; qi++) {
    for (let a = 0; a < sys.actionCount; a++) {
      if (!sys.step(queue[qi]!, a, next)) continue;
      const k = key(next);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(next.slice());
      }
    }
  }
  t.true(seen.size > 50, `${seen.size} states`);
  t.true(seen.size <= 10000, `${seen.size} states`);
});
