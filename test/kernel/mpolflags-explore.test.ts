// The mpolflags configuration explored (issue 12 item 10): a task BIND with
// MPOL_F_RELATIVE_NODES, cpuset.mems writes and cpuset.memory_migrate's
// do_migrate_pages. v4 as posted breaks INV-MPOL-NONEMPTY (mm/mempolicy.c:
// mpol_rebind_nodemask drops private nodes after its nodes_empty() fallback)
// and INV-CRAM-INBOUND (mm/cram.c: cram_migrate_to takes the MR_SYSCALL
// migration do_migrate_pages hands it); each seeded bug is caught by its
// invariant. The exhaustive run with every fix on (896,986 states) is left
// to `cramcheck explore --config mpolflags --fix all`.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';

const ALL = FIXES.map((f) => f.name);

function first(fixes: readonly string[], mutant: string | null, inv: string): { property: string; depth: number } | null {
  const sys = kernelSystem(configByName('mpolflags', { mutant, fixes }));
  const r = explore(withProperties(sys, (id) => id === inv), { strategy: 'bfs', maxStates: 150_000, stopAtFirstViolation: true });
  const v = r.violations[0];
  return v ? { property: v.property, depth: v.trace.length } : null;
}

test('v4 as posted: a cpuset.mems write {D0, P} empties the RELATIVE task BIND (INV-MPOL-NONEMPTY, 3 steps)', (t) => {
  const v = first(ALL.filter((f) => f !== 'mpol-rebind-drop-before-fallback'), null, 'INV-MPOL-NONEMPTY');
  t.is(v?.property, 'INV-MPOL-NONEMPTY');
  t.is(v?.depth, 3);
  t.is(first(ALL, null, 'INV-MPOL-NONEMPTY'), null);
});

test('v4 as posted: cpuset.memory_migrate moves the task\'s D1 folio onto CRAM\'s node (INV-CRAM-INBOUND, 8 steps)', (t) => {
  const v = first(ALL.filter((f) => f !== 'cram-migrate-to-demotion-only'), null, 'INV-CRAM-INBOUND');
  t.is(v?.property, 'INV-CRAM-INBOUND');
  t.is(v?.depth, 8);
  t.is(first(ALL, null, 'INV-CRAM-INBOUND'), null);
});

for (const [mutant, inv] of [
  ['mpol-rebind-task-keeps-private', 'INV-MPOL'],
  ['mpol-rebind-no-empty-fallback', 'INV-MPOL-NONEMPTY'],
  ['migrate-folios-to-node-bypasses-ops', 'INV-CRAM-INBOUND'],
] as const) {
  test(`${mutant}: caught by ${inv} with every fix on`, (t) => {
    t.is(first(ALL, mutant, inv)?.property, inv);
  });
}
