// The per-run report of kernel functions that never ran (issue 10, class 5):
// recorded on the Machine, outside the state vector.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { KERNEL_FUNCTIONS } from '../../src/kernel/ran.ts';

test('coverage: boot alone runs no fault; exploring tiny runs demotion and cram_fault, never offline_pages', (t) => {
  const sys = kernelSystem(configByName('tiny'));
  const boot = sys.coverage!();
  t.is(boot.ran.length + boot.never.length, KERNEL_FUNCTIONS.length);
  t.false(boot.ran.includes('cram_fault'));
  const before = new Uint32Array(sys.words);
  sys.initial(before);
  explore(withProperties(sys, () => false), { strategy: 'bfs' });
  const after = sys.coverage!();
  for (const f of ['can_demote', 'demote_folio_list', 'node_private_migrate_to', 'cram_migrate_to', 'cram_fault', 'migrate_pages']) t.true(after.ran.includes(f), f);
  t.true(after.never.includes('offline_pages'));
  // Outside the state: the initial state is byte-identical whatever ran since.
  const again = new Uint32Array(sys.words);
  sys.initial(again);
  t.deepEqual(again, before);
  // Per machine: a new system of the same config starts from its boot record again.
  t.false(kernelSystem(configByName('tiny')).coverage!().ran.includes('cram_fault'));
});
