// mprotect(2): mm/mprotect.c change_pte_range (v4: no write upgrade for folio_managed_wrprotect folios).
import test from 'ava';
import { PTE_WRITE, VMA_WRITE } from '../../src/kernel/layout.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { P, nodeOf, ptePfn, runCpu, scenario, slotOf } from '../helpers/scenario.ts';

const prog = (toP: boolean): ProgramOp[] => [
  { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
  { op: 'write', vaddr: 0, value: 1 },
  ...(toP ? [{ op: 'move_pages', vaddr: 0, node: P } as const] : []),
  { op: 'mprotect', vaddr: 0, prot: 'r' },
  { op: 'mprotect', vaddr: 0, prot: 'rw' },
];

test('mprotect r -> rw re-enables write on an exclusive anon DRAM folio (can_change_pte_writable)', (t) => {
  const k = scenario({ programs: [prog(false), []] });
  runCpu(k, 0);
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
});

test('mprotect downgrade always applies and the upgrade is refused for a PROTECT_WRITE folio on P (change_pte_range, §4.3)', (t) => {
  const k = scenario({ pOps: 'demote', programs: [prog(true), []] });
  runCpu(k, 0, 5); // mmap, write fault, write, move_pages, mprotect(r)
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.false(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
  t.false(k.has(k.L.VMA_FLAGS, slotOf(k, 0, 0), VMA_WRITE));
  runCpu(k, 0);
  t.true(k.has(k.L.VMA_FLAGS, slotOf(k, 0, 0), VMA_WRITE), 'the VMA becomes writable');
  t.false(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE), 'the PTE stays read-only');
});

test('without PROTECT_WRITE (mpol table) the upgrade on P applies', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [prog(true), []] });
  runCpu(k, 0);
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
});
