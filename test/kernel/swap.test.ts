// Swap-out by kswapd and swap-in by do_swap_page keep the contents (mm/vmscan.c shrink_folio_list, mm/memory.c do_swap_page).
import test from 'ava';
import { PTE_PRESENT, PTE_SWAP, PTE_WRITE, PG_swapcache } from '../../src/kernel/layout.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { D0, nodeOf, ptePfn, runCpu, scenario, slotOf, step } from '../helpers/scenario.ts';

const HIGH = { min: 0, low: 0, high: 64 }; // never balanced: kswapd keeps reclaiming while woken

function swappedOut() {
  const k = scenario({
    wmark: HIGH,
    programs: [[
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
      { op: 'write', vaddr: 0, value: 3 },
      { op: 'read', vaddr: 0 },
      { op: 'write', vaddr: 0, value: 5 },
    ], []],
  });
  runCpu(k, 0, 3); // mmap, write fault, write
  const pfn = ptePfn(k, 0, 0);
  t0(wakeupKswapd(k, D0 * 4 + 2));
  if (!step(k, 'kswapd0', pfn)) throw new Error('kswapd could not scan');
  return { k, pfn };
}

function t0(b: boolean): void {
  if (!b) throw new Error('wakeup_kswapd refused');
}

test('kswapd swaps an anon folio out: swap PTE, SWAP_DATA holds the contents, folio freed (shrink_folio_list: add_to_swap, try_to_unmap, pageout)', (t) => {
  const { k, pfn } = swappedOut();
  const s = slotOf(k, 0, 0);
  t.is(k.get(k.L.PTE_KIND, s), PTE_SWAP);
  const slot = k.get(k.L.PTE_VAL, s);
  t.is(k.get(k.L.SWAP_DATA, slot), 3);
  t.is(k.get(k.L.SWAP_COUNT, slot), 1);
  t.is(k.get(k.L.SWAP_CACHE, slot), 0, 'removed from the swap cache');
  t.is(k.get(k.L.PG_REF, pfn), 0);
  t.is(k.get(k.L.PG_FLAGS, pfn) & PG_swapcache, 0);
});

test('do_swap_page reads the contents back into a DRAM folio, exclusive -> writable (mm/memory.c: do_swap_page)', (t) => {
  const { k } = swappedOut();
  const s = slotOf(k, 0, 0);
  const slot = k.get(k.L.PTE_VAL, s);
  runCpu(k, 0, 2); // read: fault, then the load
  const pfn = ptePfn(k, 0, 0);
  t.is(k.get(k.L.PTE_KIND, s), PTE_PRESENT);
  t.is(nodeOf(k, pfn), D0);
  t.is(k.get(k.L.PG_CONTENT, pfn), 3);
  t.true(k.has(k.L.PTE_FLAGS, s, PTE_WRITE));
  t.is(k.get(k.L.SWAP_COUNT, slot), 0);
  t.is(k.get(k.L.SWAP_CACHE, slot) - 1, pfn, 'a read fault leaves the folio in the swap cache');
  t.is(k.get(k.L.PG_REF, pfn), 2);
  runCpu(k, 0);
  t.is(k.get(k.L.PG_CONTENT, pfn), 5);
  t.is(k.get(k.L.GH_EVENTS), 0, 'no data loss');
});

test('a swap-cache folio is written to its slot again when reclaimed dirty', (t) => {
  const { k } = swappedOut();
  runCpu(k, 0); // read back, then write 5
  const pfn = ptePfn(k, 0, 0);
  const slot = k.get(k.L.PG_SWAP, pfn) - 1;
  t.true(slot >= 0);
  t.true(step(k, 'kswapd0', pfn));
  t.is(k.get(k.L.SWAP_DATA, slot), 5);
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_SWAP);
});

test('no free swap slot: the folio is kept (activated, back on the LRU)', (t) => {
  const k = scenario({ wmark: HIGH, swapSlots: 1, programs: [[
    { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 },
    { op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 2 },
  ], []] });
  runCpu(k, 0);
  wakeupKswapd(k, D0 * 4 + 2);
  t.true(step(k, 'kswapd0', ptePfn(k, 0, 0)));
  const p1 = ptePfn(k, 0, 1);
  t.true(step(k, 'kswapd0', p1));
  t.is(ptePfn(k, 0, 1), p1, 'still mapped');
  t.is(k.get(k.L.PG_REF, p1), 1);
});
