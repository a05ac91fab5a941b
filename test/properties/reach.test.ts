// Vacuity (issue 10, class 5): every named configuration declares what it
// exists to reach (properties/reach.ts), the faithful-with-fixes model reaches
// it, and the vacuity mutants, which break no safety property, make a complete
// exploration miss it.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { CONFIG_REACH, REACH_IDS } from '../../properties/reach.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withReachProbe } from '../../src/explore/reach-probe.ts';
import { withProperties } from '../../src/explore/system.ts';
import { configByName, KERNEL_CONFIG_NAMES } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { MUTANTS } from '../../src/kernel/mutants/index.ts';

const ALL_FIXES = FIXES.map((f) => f.name);

function reach(config: string, mutant: string | null): { reached: Set<string>; declared: readonly string[]; complete: boolean; states: number } {
  const sys = kernelSystem(configByName(config, { fixes: ALL_FIXES, mutant }));
  const p = withReachProbe(withProperties(sys, () => false));
  // policy: 117,497 states since the LRU batches (issue 12); memcgoom: 450,867 since every memcg charge reclaims in steps and kswapd's putback is a step (session 8)
  const r = explore(p.sys, { strategy: 'bfs', maxStates: 600_000 });
  return { reached: p.reached, declared: p.declared, complete: r.complete, states: r.states };
}

test('every named configuration declares its reachability entries, every entry is used', (t) => {
  for (const c of KERNEL_CONFIG_NAMES) t.true(c in CONFIG_REACH, `${c} declares nothing`);
  const used = new Set(Object.values(CONFIG_REACH).flat());
  t.deepEqual(REACH_IDS.filter((id) => !used.has(id)), []);
  t.deepEqual(kernelSystem(configByName('tiny')).sometimes?.map((r) => r.id), [...CONFIG_REACH['tiny']!]);
});

for (const c of ['tiny', 'policy', 'npapi', 'swapasync', 'allocmatrix', 'opsrows', 'memcg', 'memcgfree', 'taskpol', 'zonenormal', 'memcgoom', 'oomcpuset', 'homenode', 'homenodeplain', 'oomsibling', 'cpusetmove', 'cpusetv1']) {
  test(`${c} --fix all reaches everything it declares (exhaustive)`, (t) => {
    const r = reach(c, null);
    t.true(r.complete);
    t.deepEqual(r.declared.filter((id) => !r.reached.has(id)), []);
  });
}

for (const m of MUTANTS.filter((x) => x.catches.startsWith('REACH-'))) {
  test(`vacuity mutant ${m.name}: ${m.config} never reaches ${m.catches}, and breaks no property`, (t) => {
    const r = reach(m.config!, m.name);
    t.true(r.complete);
    t.false(r.reached.has(m.catches));
    t.true(reach(m.config!, null).reached.has(m.catches), 'the same config reaches it without the mutant');
    const safety = explore(kernelSystem(configByName(m.config!, { fixes: ALL_FIXES, mutant: m.name })), { strategy: 'bfs', maxStates: 100_000 });
    t.deepEqual(safety.violations.map((v) => v.property), [], 'only vacuity catches it');
  });
}
