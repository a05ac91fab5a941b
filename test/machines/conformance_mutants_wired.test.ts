// The wired conformance-only mutants (src/kernel/mutants/conformance.ts, in the
// catalogue with their config): in the mutant's own config, with every fix on
// (as `cramcheck mutants` runs them), no state invariant fails anywhere in the
// reachable space, yet BFS with conformance stops at a CONFORMANCE-<machine>
// violation; its shortest trace is the one in counterexamples/mutants/, which
// replays (same id, same step), keeps every property true in every state
// along the way, and does not fail without the mutant.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { resolveSystem, resolveTraceSystem } from '../../src/cli/systems.ts';
import { explore } from '../../src/explore/explorer.ts';
import { parseTrace } from '../../src/trace/format.ts';
import { replaySteps } from '../../src/trace/replay.ts';
import { CONFORMANCE_MUTANTS } from '../../src/kernel/mutants/conformance.ts';
import { MUTANTS } from '../../src/kernel/mutants/index.ts';

const WIRED = ['set-pressure-s2-s3-fused', 'set-pressure-zero-wakes-kswapd', 'cram-unregister-fused-free'] as const;

test('catalogue: the wired conformance mutants are in MUTANTS with a config and a CONFORMANCE-* id', (t) => {
  for (const name of WIRED) {
    const m = MUTANTS.find((x) => x.name === name);
    t.truthy(m, name);
    t.regex(m?.catches ?? '', /^CONFORMANCE-(hotplug|folio|backpressure)$/);
    t.is(typeof m?.config, 'string', name);
    t.truthy(CONFORMANCE_MUTANTS.find((x) => x.name === name));
  }
});

for (const name of WIRED) {
  test(`${name}: no invariant fails, conformance catches it with a shortest trace that replays`, (t) => {
    const mu = MUTANTS.find((x) => x.name === name)!;
    const req = { system: 'kernel' as const, config: mu.config, fixes: ['all'] };

    // 1. Invariants only: the mutant's reachable space (bounded) breaks none.
    const plain = resolveSystem({ ...req, mutant: name, conformance: false }).sys;
    const inv = explore(plain, { strategy: 'bfs', maxStates: 150_000, stopAtFirstViolation: false, tty: false });
    t.deepEqual(inv.violations.map((v) => v.property), [], `${name}: an invariant fails`);
    t.true(inv.states > 1000);

    // 2. With conformance: the first violation is the expected machine's.
    const { sys } = resolveSystem({ ...req, mutant: name });
    const r = explore(sys, { strategy: 'bfs', maxStates: 150_000, tty: false });
    const v = r.violations[0];
    t.is(v?.property, mu.catches);

    // 3. The corpus trace is that shortest trace and replays to it.
    const parsed = parseTrace(readFileSync(`counterexamples/mutants/${name}.json`, 'utf8'));
    if (!parsed.ok) {
      t.fail(parsed.error);
      return;
    }
    const tr = parsed.trace;
    t.is(tr.mutant, name);
    t.is(tr.property, mu.catches);
    t.is(tr.expect.step, v?.depth);
    const rep = replaySteps(resolveTraceSystem(tr).sys, tr.steps, tr.expect);
    t.is(rep.outcome.kind, 'reproduced');

    // 4. Every property holds in every state along the trace.
    for (const [i, s] of rep.states.entries()) {
      for (const p of sys.properties) t.is(p.check(s), null, `${p.id} at step ${i}`);
    }

    // 5. The same steps without the mutant conform (the mutant is the cause).
    const faithful = resolveTraceSystem({ ...tr, mutant: null }).sys;
    t.not(replaySteps(faithful, tr.steps, tr.expect).outcome.kind, 'reproduced');
  });
}
