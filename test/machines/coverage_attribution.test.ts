// Coverage credits a machine transition only when the concrete step's kernel
// trace shows the transition's event (src/coverage/coverage.ts observe). The
// dontneed scenario (every fix on) takes the abstract pair dram_isolated ->
// swapcache only through MADV_DONTNEED of a swap-cache folio sitting in
// kswapd's demotion batch: that covers zap_pte_range, never add_to_swap.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { coverGapsByScenarios, machineCoverage, replayConfirms } from '../../src/coverage/coverage.ts';
import { parseTrace } from '../../src/trace/format.ts';
import { abstractionsFor } from '../../src/mbt/machines.ts';
import { resolveSystem, resolveTraceSystem } from '../../src/cli/systems.ts';
import { setup } from 'xstate';
import type { System } from '../../src/explore/system.ts';
import type { MachineSpec, StateAbstraction } from '../../models/machine_graph.ts';

test('coverage: a step is credited to the event its kernel trace shows, not to any edge between the same states', (t) => {
  const { sys, descriptor } = resolveSystem({ system: 'kernel', config: 'dontneed', mutant: null, fixes: ['all'] });
  const folio = abstractionsFor(sys, descriptor).filter((a) => a.spec.name === 'folio');
  const r = machineCoverage(sys, folio, { maxStates: 60_000, targetedStates: 1 });
  const edge = (label: string) => r.machines[0]!.edges.find((e) => e.label === label);
  t.true(edge('dram_isolated --zap_pte_range--> swapcache')?.covered, 'the zap is covered');
  t.false(edge('dram_isolated --add_to_swap--> swapcache')?.covered, 'add_to_swap is not: no shrink_folio_list added it to the swap cache');
});

// A two-state toy: the machine has one edge idle --kick--> busy. Whether a
// concrete step that moves idle -> busy covers it depends on its trace only.

const toyMachine = setup({ types: { events: {} as { type: 'kick' } } }).createMachine({
  id: 'toy',
  initial: 'idle',
  states: { idle: { on: { kick: 'busy' } }, busy: {} },
});
const toySpec: MachineSpec = { name: 'toy', machine: toyMachine, events: [{ type: 'kick' }], traceFns: { kick: ['kick'] } };
const toyAbs: StateAbstraction = {
  spec: toySpec,
  entities: [0],
  label: () => 'x',
  abstractState: (s, out) => {
    out[0] = s[0] === 0 ? 'idle' : 'busy';
  },
};
function toySystem(traceLine: string): System {
  return {
    name: 'toy',
    words: 1,
    actionCount: 1,
    initial: (out) => void (out[0] = 0),
    step: (s, _a, next) => {
      if (s[0] !== 0) return false;
      next[0] = 1;
      return true;
    },
    describe: () => ({ actor: 't', name: 'go' }),
    explain: () => [traceLine],
    properties: [],
    render: () => [],
  };
}

test('coverage: the only edge between two states is not credited to a step whose trace does not show its event', (t) => {
  const silent = machineCoverage(toySystem('poke(x) = 0'), [toyAbs], { targetedStates: 10 });
  t.false(silent.machines[0]!.edges[0]!.covered);
  t.false(silent.ok);
  const shown = machineCoverage(toySystem('kick(x) = 0'), [toyAbs], { targetedStates: 10 });
  t.true(shown.machines[0]!.edges[0]!.covered);
  t.true(shown.ok);
  // a name matches as a whole word only
  t.false(machineCoverage(toySystem('__kick(x) = 0'), [toyAbs], { targetedStates: 10 }).machines[0]!.edges[0]!.covered);
});

test('coverage: a gap only a finding reaches is covered by the finding trace, named, on the finding system', (t) => {
  // flush-swap-atomic resets a live flush buffer 49 steps in: no bounded BFS of flush gets there.
  const file = new URL('../../counterexamples/findings/flush-swap-atomic.json', import.meta.url);
  const parsed = parseTrace(readFileSync(file, 'utf8'));
  if (!parsed.ok) return t.fail(parsed.error);
  const { sys, descriptor } = resolveTraceSystem(parsed.trace);
  const folio = abstractionsFor(sys, descriptor).filter((a) => a.spec.name === 'folio');
  const label = 'cram_deferred --cxl_flush_buf_reset--> cram_scrubbed';
  const bounded = machineCoverage(sys, folio, { maxStates: 2_000, targetedStates: 1 });
  const before = bounded.machines[0]!.edges.find((e) => e.label === label)!;
  t.false(before.covered, 'the bounded BFS does not reach it');
  const after = coverGapsByScenarios(bounded, sys, folio, [{ name: 'flush-swap-atomic', actions: parsed.trace.steps.map((s) => s.action) }]);
  const e = after.machines[0]!.edges.find((x) => x.label === label)!;
  t.true(e.covered);
  t.is(e.via, 'finding');
  t.is(e.scenario, 'flush-swap-atomic');
  t.is(e.system, sys.name);
  t.true(replayConfirms(sys, folio[0]!, { from: e.from, event: { type: e.event }, to: e.to, label: e.label }, e.witness!), 'the witness replays to the edge');
  t.true(after.machines[0]!.gaps < bounded.machines[0]!.gaps);
});
