// End-to-end CRAM folio life cycle (SEMANTICS 6.3) and device back-pressure
// (7.1, 7.4): demote -> read -> write -> promote, the device's edges driving
// cram_set_pressure, and file-backed demotion (A3).
import test from 'ava';
import { IRQ_LTHRESH } from '../../src/cxl/device.ts';
import { CRAM_PRESSURE_MAX } from '../../src/kernel/defs.ts';
import { PTE_WRITE } from '../../src/kernel/layout.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { D0, P, cramMachine, cramMachineWith, demoteProgram, nodeOf, ptePfn, runCpuTo, slotOf, step } from './helpers.ts';

test('6.3: demote lands read-only on P; a read of the present PTE does not fault and stays on P; the write faults into cram_fault and promotes; contents survive both moves', (t) => {
  const k = cramMachine({ programs: [[...demoteProgram(0, 5, P), { op: 'read', vaddr: 0 }, { op: 'write', vaddr: 0, value: 6 }], []] });
  runCpuTo(k, 0, 3);
  const p = ptePfn(k, 0, 0);
  t.is(nodeOf(k, p), P);
  t.is(k.get(k.L.PG_CONTENT, p), 5);
  t.false(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE), 'remapped read-only (PROTECT_WRITE)');
  runCpuTo(k, 0, 4); // the read: no fault (present, readable)
  t.is(ptePfn(k, 0, 0), p, 'still on P after the read');
  runCpuTo(k, 0, 5); // the write: cram_fault F1..F6 promotes, the retried store hits do_wp_page
  const d = ptePfn(k, 0, 0);
  t.is(nodeOf(k, d), D0, 'promoted to the CPU node');
  t.is(k.get(k.L.PG_CONTENT, d), 6);
  t.is(k.get(k.L.PG_FLUSH_BIT, p), 1, 'the P source is waiting for its scrub');
});

test('7.4: incompressible demotions raise the device lthresh edge; the IRQ thread sets pressure 1000; the next demotion gets -ENOSPC', (t) => {
  // Each incompressible page costs 2 units; lthresh at 4 units = 2 pages.
  const k = cramMachineWith(
    { programs: [[...demoteProgram(0, 6, P), ...demoteProgram(1, 7, P), ...demoteProgram(2, 6, P)], []] },
    { device: { physUnits: 16, cost: [0, 1, 2], lthresh: 4, hthresh: 1 } },
  );
  runCpuTo(k, 0, 6);
  t.is(k.get(k.L.DEV_USED), 4);
  t.true(k.has(k.L.DEV_IRQ, 0, IRQ_LTHRESH), 'edge raised');
  for (let i = 0; i < 4; i++) t.true(step(k, 'lthresh'));
  t.is(k.get(k.L.CN_PRESSURE, P), CRAM_PRESSURE_MAX);
  t.is(k.get(k.L.NP_MIGRATION_BLOCKED, nodePrivateNp(k, P)), 1);
  t.is(k.get(k.L.GH_USED_AT_BLOCK), 4);
  runCpuTo(k, 0, 9);
  t.not(nodeOf(k, ptePfn(k, 0, 2)), P, 'third demotion refused (-ENOSPC)');
  t.is(k.get(k.L.DEV_USED), 4, 'no growth while blocked');
});

test('A3: cram_migrate_to accepts a file-backed (page cache) folio in v4; fix no-file-demotion leaves it on DRAM', (t) => {
  for (const fixes of [[], ['no-file-demotion']]) {
    const k = cramMachine({
      fixes,
      programs: [[{ op: 'mmap', vaddr: 0, kind: 'file-shared', file: 0, pgoff: 0, prot: 'r' }, { op: 'read', vaddr: 0 }, { op: 'move_pages', vaddr: 0, node: P }], []],
    });
    runCpuTo(k, 0, 3);
    const pfn = ptePfn(k, 0, 0);
    t.not(pfn, -1);
    if (fixes.length) t.not(nodeOf(k, pfn), P);
    else t.is(nodeOf(k, pfn), P);
  }
});
