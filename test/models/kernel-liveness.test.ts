// The kernel side of liveness: every action declares its actor's fairness
// (CPUs and kernel threads weak, the threaded IRQs strong, the administrator's
// sysfs writes none; models/kernel.fairness.ts adds the finer groups), the deadlock diagnosis names who waits for what, and the
// temporal properties exist per CPU / access / private pfn with their sources.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { runLiveness } from '../../src/cli/liveness-cmd.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { isLassoReproduced, replayLasso } from '../../src/trace/lasso.ts';

test('fairness: CPUs and kthreads weak, IRQ threads strong, the driver by transition groups (the administrator finite, a started probe/teardown weak), each CPU\'s access strong', (t) => {
  const sys = kernelSystem(configByName('driver'));
  const by = new Map<string, Set<string>>();
  for (let a = 0; a < sys.actionCount; a++) {
    const i = sys.describe(a);
    const s = by.get(i.actor) ?? new Set<string>();
    s.add(`${i.name}:${i.fairness}`);
    by.set(i.actor, s);
  }
  t.true([...by.get('cpu0')!].every((x) => x.endsWith(':weak')));
  t.true([...by.get('kswapd(N0)')!].every((x) => x.endsWith(':weak')));
  // Its own step, and the same step with the driver's cram_unregister first stage landing in a
  // free_folio window inside it (src/kernel/free_window.ts): one actor, one fairness.
  t.true([...by.get('irq-lthresh')!].includes('cram_set_pressure(1000):strong'));
  t.true([...by.get('irq-lthresh')!].every((x) => x.startsWith('cram_set_pressure(1000)') && x.endsWith(':strong')));
  t.deepEqual([...by.get('driver')!].sort(), ['probe/teardown step:none', 'signal:none', 'sysfs hotplug toggle:none']);
  const groups = new Map((sys.transitionFairness ?? []).map((g) => [g.name, g]));
  t.is(groups.get('cpu0 (access completes)')?.fairness, 'strong');
  t.is(groups.get('cpu0 (cram_fault F6, folio off P)')?.fairness, 'strong');
  const admin = groups.get('admin (bind/unbind, sysfs hotplug, signal)')!;
  const under = groups.get('driver (probe/teardown under way)')!;
  t.is(admin.fairness, 'finite');
  t.is(under.fairness, 'weak');
  // Not probed: the driver's choice 0 is the administrator's bind; after it, the probe's next step is the kernel's.
  const probe = [...Array(sys.actionCount).keys()].find((a) => sys.describe(a).actor === 'driver' && sys.describe(a).name === 'probe/teardown step')!;
  const s0 = new Uint32Array(sys.words);
  sys.initial(s0);
  const s1 = new Uint32Array(sys.words);
  t.true(sys.step(s0, probe, s1));
  t.true(admin.has(s0, probe, s1));
  t.false(under.has(s0, probe, s1));
  const s2 = new Uint32Array(sys.words);
  t.true(sys.step(s1, probe, s2));
  t.false(admin.has(s1, probe, s2));
  t.true(under.has(s1, probe, s2));
});

test('deadlock: the initial state is not a legitimate end (cpu0 has not run its program)', (t) => {
  const sys = kernelSystem(configByName('tiny'));
  const s = new Uint32Array(sys.words);
  sys.initial(s);
  const m = sys.deadlock!(s);
  t.truthy(m);
  t.regex(m!, /cpu0 at mmap\(v0, anon, rw\) \(op 0\): blocked/);
});

test('deadlock: a finished program with idle threads is a legitimate end', (t) => {
  const sys = kernelSystem(configByName('npapi', { fixes: [] }));
  // Run every enabled action of cpu0 until its program is done (npapi: no user pages).
  const s = new Uint32Array(sys.words);
  sys.initial(s);
  const next = new Uint32Array(sys.words);
  const cpu0 = [...Array(sys.actionCount).keys()].find((a) => sys.describe(a).actor === 'cpu0')!;
  for (let i = 0; i < 20 && sys.step(s, cpu0, next); i++) s.set(next);
  t.is(sys.deadlock!(s), null);
});

test('temporal properties: one access-completes per access op, sources cited', (t) => {
  const sys = kernelSystem(configByName('canonical'));
  const ids = (sys.liveness ?? []).map((x) => x.id);
  t.true(ids.includes('LIVE-PRESSURE-RELIEF'));
  t.true(ids.includes('LIVE-PROGRAM-FINISHES(cpu0)'));
  t.is(ids.filter((i) => i.startsWith('LIVE-ACCESS-COMPLETES(cpu0,')).length, 4);
  t.false(ids.includes('LIVE-TEARDOWN-TERMINATES'));
  t.true((sys.liveness ?? []).every((x) => x.source.length > 10));
  // The teardown waits for deferred frees only the flush kthread sends: judged where the config has it.
  t.true(kernelSystem(configByName('driverflush')).liveness!.some((x) => x.id === 'LIVE-TEARDOWN-TERMINATES'));
  t.false(kernelSystem(configByName('driver')).liveness!.some((x) => x.id === 'LIVE-TEARDOWN-TERMINATES'));
});

test('the strong fairness of a CPU\'s retried access hides no endless refault: nomig\'s stub handle_fault (returns 0, resolves nothing) still breaks LIVE-ACCESS-COMPLETES', (t) => {
  const sys = kernelSystem(configByName('nomig', { fixes: FIXES.map((f) => f.name) }));
  const run = runLiveness(sys, { maxStates: 40_000, only: ['LIVE-ACCESS-COMPLETES(cpu0,op1)'], deadlock: false });
  const v = run.verdicts[0]!;
  t.is(v.status, 'violated', v.message);
  const steps = [...v.lasso!.stem, ...v.lasso!.cycle].map((a) => ({ action: a, actor: sys.describe(a).actor, name: sys.describe(a).name }));
  t.true(isLassoReproduced(replayLasso(sys, v.id, steps, v.lasso!.stem.length)));
});

test('a GUP\'s lookup after its fault is strongly fair like a retried access: on gup (ptrace poke against a pinned, demoted page) kswapd cannot swap the folio out between every faultin_page and follow_page_mask, so both programs finish', (t) => {
  const sys = kernelSystem(configByName('gup', { fixes: FIXES.map((f) => f.name) }));
  const groups = new Set((sys.transitionFairness ?? []).map((g) => g.name));
  t.true(groups.has('cpu1 (access completes)'));
  const run = runLiveness(sys, { only: ['LIVE-PROGRAM-FINISHES'], deadlock: false });
  t.is(run.verdicts.length, 2);
  for (const v of run.verdicts) t.is(v.status, 'holds', `${v.id}: ${v.message}`);
});
