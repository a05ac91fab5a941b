// The OOM killer with v4's NP_OPS_OOM_ELIGIBLE (issue 12 item 12,
// src/kernel/oom_kill.ts). v4 patch 17 ("mm/oom: NP_OPS_OOM_ELIGIBLE - private
// node OOM participation"), mm/oom_kill.c:
//   node_oom_eligible: !N_MEMORY_PRIVATE -> true; else
//     (node_private_flags(nid) & NP_OPS_OOM_ELIGIBLE) == NP_OPS_OOM_ELIGIBLE
//   zone_oom_eligible: node_oom_eligible && cpuset_zone_allowed
//   oom_mems_intersect: for_each_node_state(nid, N_MEMORY) { both mems; node_oom_eligible }
//   constrained_alloc: the cpuset_limited loop uses zone_oom_eligible; the
//     CONSTRAINT_CPUSET totalpages skip !node_oom_eligible nodes
// include/linux/node_private.h: NP_OPS_OOM_ELIGIBLE = NP_OPS_RECLAIM | NP_OPS_DEMOTION.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { boot } from '../../src/kernel/boot.ts';
import type { KernelConfig } from '../../src/kernel/config.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { GFP_HIGHUSER_MOVABLE, NP_OPS_DEMOTION, NP_OPS_MIGRATION, NP_OPS_RECLAIM } from '../../src/kernel/defs.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { withReachProbe } from '../../src/explore/reach-probe.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { EV2_OOM_UNDESERVING, event2Set } from '../../src/kernel/ghost.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { CONSTRAINT_CPUSET, CONSTRAINT_MEMORY_POLICY, CONSTRAINT_NONE, constrainedAlloc, nodeOomEligible, oomBadness, oomCpusetEligible, oomMemsIntersect, selectBadProcess } from '../../src/kernel/oom_kill.ts';
import { MPOL_BIND } from '../../src/kernel/defs.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { D0, D1, P, scenario } from '../helpers/scenario.ts';

const ALL_FIXES = FIXES.map((f) => f.name);

test('node_oom_eligible: DRAM always; a private node only with both RECLAIM and DEMOTION (patch 17)', (t) => {
  const mpol = scenario({ pOps: 'mpol' }); // MIGRATION|MEMPOLICY
  t.true(nodeOomEligible(mpol, D0));
  t.false(nodeOomEligible(mpol, P));
  const demote = scenario({ pOps: 'demote' }); // MIGRATION|DEMOTION|RECLAIM|PROTECT_WRITE
  t.true(nodeOomEligible(demote, P));
});

test('oom_mems_intersect walks N_MEMORY only: the flag of a private node never enters it (patch 17)', (t) => {
  const k = scenario({ pOps: 'mpol' });
  const root = k.get(k.L.G_CPUSET_MEMS);
  t.true(oomMemsIntersect(k, root, root), 'D0 is in every task\'s mems');
  t.false(oomMemsIntersect(k, 1 << P, root), 'P, even with every flag, is no N_MEMORY node');
  const d = scenario({ pOps: 'demote' });
  t.true(oomMemsIntersect(d, root, root));
  t.false(oomMemsIntersect(d, 1 << P, root));
});

test('constrained_alloc: NONE without a nodemask; MEMORY_POLICY for a mask missing an N_MEMORY node; CPUSET when the zonelist meets an ineligible private zone (patch 17)', (t) => {
  const k = scenario({ pOps: 'mpol' });
  t.is(constrainedAlloc(k, { preferredNid: D0, nodemask: null, gfp: GFP_HIGHUSER_MOVABLE }).constraint, CONSTRAINT_NONE);
  const pol = constrainedAlloc(k, { preferredNid: P, nodemask: 1 << P, gfp: GFP_HIGHUSER_MOVABLE });
  t.is(pol.constraint, CONSTRAINT_MEMORY_POLICY);
  const pPresent = [...Array(k.g.zones).keys()].filter((z) => Math.floor(z / 4) === P).reduce((a, z) => a + k.get(k.L.ZONE_PRESENT, z), 0);
  t.is(pol.totalpages, k.cfg.swapSlots + pPresent);
  const all = (1 << D0) | (1 << D1) | (1 << P);
  const cs = constrainedAlloc(k, { preferredNid: P, nodemask: all, gfp: GFP_HIGHUSER_MOVABLE });
  t.is(cs.constraint, CONSTRAINT_CPUSET, 'P\'s own zone is in its zonelist and is not OOM-eligible');
  const d = scenario({ pOps: 'demote' });
  t.is(constrainedAlloc(d, { preferredNid: P, nodemask: all, gfp: GFP_HIGHUSER_MOVABLE }).constraint, CONSTRAINT_NONE);
});

/** The oom config run in program order: cpu0 moves mm 0's three pages to P, then cpu1 faults three pages into D0 (two fit). */
function runOom(cfg: KernelConfig): Kernel {
  const k = boot(buildMachine(cfg));
  for (const cpu of [0, 1]) for (let i = 0; i < 100 && runThread(k, k.g.cpuThread(cpu), 0); i++);
  return k;
}

test('oom (v4): the third DRAM fault kills mm 0, whose memory is all on P without OOM_ELIGIBLE (badness 3 > 2); mm 1 then fails its fault anyway', (t) => {
  const k = runOom(configByName('oom'));
  t.is(k.get(k.L.MM_LIVE, 0), 0, 'mm 0 killed');
  t.is(k.get(k.L.MM_LIVE, 1), 1);
  t.true(event2Set(k, EV2_OOM_UNDESERVING));
  t.is(k.get(k.L.PTE_KIND, 1 * 3 + 2), 0, 'mm 1 v2 still unmapped: freeing P did not help the DRAM allocation');
});

test('with an OOM-eligible private node (RECLAIM|DEMOTION) the same kill is the one v4 intends: no event', (t) => {
  const base = configByName('oom');
  const cfg: KernelConfig = { ...base, opsTables: [{ ...base.opsTables[0]!, flags: NP_OPS_MIGRATION | NP_OPS_DEMOTION | NP_OPS_RECLAIM }] };
  const k = runOom(cfg);
  t.is(k.get(k.L.MM_LIVE, 0), 0);
  t.false(event2Set(k, EV2_OOM_UNDESERVING));
});

test('design fix oom-badness-eligible-rss: mm 0 scores 0, mm 1 (current) is the victim', (t) => {
  const k = runOom(configByName('oom', { fixes: ['oom-badness-eligible-rss'] }));
  t.is(oomBadness(k, 0), 0);
  t.is(k.get(k.L.MM_LIVE, 0), 1);
  t.is(k.get(k.L.MM_LIVE, 1), 0);
  t.false(event2Set(k, EV2_OOM_UNDESERVING));
});

test('oom config: v4 breaks INV-OOM-VICTIM, --fix all holds and reaches the kill; mutant oom-eligible-ignores-flags escapes every other invariant and is caught by INV-OOM-VICTIM', (t) => {
  const v4 = explore(kernelSystem(configByName('oom')), { strategy: 'bfs', maxStates: 100_000 });
  t.deepEqual(v4.violations.map((v) => v.property), ['INV-OOM-VICTIM']);
  const p = withReachProbe(kernelSystem(configByName('oom', { fixes: ALL_FIXES })));
  const fixed = explore(p.sys, { strategy: 'bfs', maxStates: 100_000 });
  t.true(fixed.complete);
  t.deepEqual(fixed.violations.map((v) => v.property), []);
  t.deepEqual(p.declared.filter((id) => !p.reached.has(id)), []);
  const sys = kernelSystem(configByName('oom', { fixes: ALL_FIXES, mutant: 'oom-eligible-ignores-flags' }));
  const without = explore(withProperties(sys, (id) => id !== 'INV-OOM-VICTIM'), { strategy: 'bfs', maxStates: 100_000 });
  t.true(without.complete);
  t.deepEqual(without.violations.map((v) => v.property), []);
  t.deepEqual(explore(sys, { strategy: 'bfs', maxStates: 100_000 }).violations.map((v) => v.property), ['INV-OOM-VICTIM']);
});

test('oom_cpuset_eligible -> mempolicy_in_oom_domain: in a mempolicy-constrained OOM a task whose own policy is MPOL_BIND outside the nodemask is skipped, whatever its badness (mm/mempolicy.c: mempolicy_in_oom_domain)', (t) => {
  const k = boot(buildMachine(configByName('oom')));
  for (let i = 0; i < 100 && runThread(k, k.g.cpuThread(0), 0); i++);
  t.is(oomBadness(k, 0), 3, 'mm 0 holds three pages (on P)');
  t.is(selectBadProcess(k, CONSTRAINT_NONE, null), 0);
  t.is(selectBadProcess(k, CONSTRAINT_MEMORY_POLICY, 1 << P), 0, 'no task policy: every task is in the domain');
  k.set(k.L.TASK_POL_MODE, 0, MPOL_BIND);
  k.set(k.L.TASK_POL_NODES, 0, 1 << D0);
  t.false(oomCpusetEligible(k, 0, 1 << P));
  t.true(oomCpusetEligible(k, 0, (1 << P) | (1 << D0)));
  t.is(selectBadProcess(k, CONSTRAINT_MEMORY_POLICY, 1 << P), 1, 'mm 0 bound to D0 is outside the domain {P}: mm 1 (badness 0) is chosen');
  t.is(selectBadProcess(k, CONSTRAINT_NONE, null), 0, 'not a mempolicy OOM: the cpuset test applies, mm 0 is chosen');
});

test('oom_cpuset_eligible -> oom_mems_intersect(current, tsk) reads each task\'s mems_allowed (the child cpuset\'s): a task sharing no N_MEMORY node with current is skipped', (t) => {
  const k = boot(buildMachine(configByName('cpusets')));
  const root = k.get(k.L.G_CPUSET_MEMS);
  t.is(k.get(k.L.TASK_MEMS, 0), root & k.get(k.L.CS_CHILD_EFF), 'the child task starts with every node');
  t.true(oomCpusetEligible(k, 0, null));
  // A task whose mems_allowed holds only P (guarantee_online_mems never leaves one so; sibling cpusets could leave D-disjoint ones).
  const priv = k.cfg.nodes.findIndex((n) => n.kind === 'private');
  k.set(k.L.TASK_MEMS, 0, 1 << priv);
  t.false(oomCpusetEligible(k, 0, null), 'P is no N_MEMORY node: nothing in common with current');
});

