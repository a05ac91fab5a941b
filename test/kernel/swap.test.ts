// Swap-out by kswapd and swap-in by do_swap_page keep the contents (mm/vmscan.c shrink_folio_list, mm/memory.c do_swap_page).
import test from 'ava';
import { PTE_EXCL, PTE_NONE, PTE_PRESENT, PTE_SWAP, PTE_WRITE, PG_swapcache } from '../../src/kernel/layout.ts';
import { swapFree } from '../../src/kernel/swap.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { D0, nodeOf, ptePfn, runCpu, scenario, scenarioConfig, slotOf, step } from '../helpers/scenario.ts';
import { boot } from '../../src/kernel/boot.ts';
import { buildMachine } from '../../src/kernel/kernel.ts';

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
  // kswapd(D0) is done with this pass and back on kswapd_wait: otherwise get_page_from_freelist
  // passes D0 over for D1 while its kswapd is awake (skip_kswapd_nodes).
  k.set(k.L.NODE_KSWAPD, D0, 1);
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
  t0(wakeupKswapd(k, D0 * 4 + 2));
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
  t.is(k.get(k.L.PG_REF, p1), 2, 'kept on ret_folios, still isolated');
  t.true(step(k, 'kswapd0', 0), 'move_folios_to_lru (kswapd\'s next step)');
  t.is(k.get(k.L.PG_REF, p1), 1);
});

// PageAnonExclusive / pte_swp_exclusive (layout.ts PTE_EXCL): try_to_unmap marks
// the swap entry only if the page was exclusive; fork makes it shared. The old
// model read exclusivity off the swap count, which maps this case writable.
test('a swap entry made while fork shared the page is not exclusive: do_swap_page maps it read-only even for the last user (mm/memory.c: do_swap_page; kernel/fork.c)', (t) => {
  const k = scenario({
    wmark: HIGH,
    mms: 2,
    programs: [[
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
      { op: 'write', vaddr: 0, value: 3 },
      { op: 'fork', child: 1 },
      { op: 'read', vaddr: 0 },
    ], []],
  });
  runCpu(k, 0, 4); // mmap, write fault, write, fork
  const pfn = ptePfn(k, 0, 0);
  t.is(ptePfn(k, 1, 0), pfn, 'the child shares the folio');
  t0(wakeupKswapd(k, D0 * 4 + 2));
  t.true(step(k, 'kswapd0', pfn));
  const s0 = slotOf(k, 0, 0);
  const s1 = slotOf(k, 1, 0);
  t.is(k.get(k.L.PTE_KIND, s0), PTE_SWAP);
  t.false(k.has(k.L.PTE_FLAGS, s0, PTE_EXCL), 'shared at unmap time: no exclusive marker');
  // the child drops its swap entry (zap_nonpresent_ptes -> free_swap_and_cache): the parent is the last user
  const slot = k.get(k.L.PTE_VAL, s1);
  k.set(k.L.PTE_KIND, s1, PTE_NONE);
  k.set(k.L.PTE_VAL, s1, 0);
  swapFree(k, slot);
  t.is(k.get(k.L.SWAP_COUNT, slot), 1);
  runCpu(k, 0, 2); // read: fault, then the load
  t.is(k.get(k.L.PTE_KIND, s0), PTE_PRESENT);
  t.false(k.has(k.L.PTE_FLAGS, s0, PTE_WRITE), 'not exclusive and the swap cache holds a reference: read-only');
});

test('a swap entry of an exclusive page carries the marker, and do_swap_page maps it writable on a read fault (mm/rmap.c: try_to_unmap_one)', (t) => {
  const { k } = swappedOut();
  const s = slotOf(k, 0, 0);
  t.true(k.has(k.L.PTE_FLAGS, s, PTE_EXCL));
  runCpu(k, 0, 2);
  t.true(k.has(k.L.PTE_FLAGS, s, PTE_WRITE | PTE_EXCL));
});

test('asynchronous swap device: pageout leaves the folio under writeback, shrink_folio_list keeps it in the swap cache, the next pass frees it (mm/vmscan.c: goto keep)', (t) => {
  const cfg = scenarioConfig({
    wmark: HIGH,
    programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 }], []],
  });
  const k = boot(buildMachine({ ...cfg, swapAsync: true }));
  runCpu(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  t0(wakeupKswapd(k, D0 * 4 + 2));
  t.true(step(k, 'kswapd0', pfn));
  const s = slotOf(k, 0, 0);
  const slot = k.get(k.L.PTE_VAL, s);
  t.is(k.get(k.L.PTE_KIND, s), PTE_SWAP);
  t.is(k.get(k.L.SWAP_CACHE, slot) - 1, pfn, 'kept in the swap cache');
  t.is(k.get(k.L.PG_REF, pfn), 2, 'the swap cache and kswapd\'s isolation (ret_folios)');
  t.true(step(k, 'kswapd0', 0), 'move_folios_to_lru (kswapd\'s next step)');
  t.is(k.get(k.L.PG_REF, pfn), 1, 'only the swap cache holds it');
  t.is(k.get(k.L.SWAP_DATA, slot), 3, 'written');
  // The only folio was kept: the pass reclaimed nothing (kswapd_failures 1) and the model's kswapd sleeps
  // (src/kernel/vmscan.ts passKept); the next wakeup_kswapd starts the later pass.
  t.is(k.get(k.L.NODE_KSWAPD_FAILURES, D0), 1);
  t0(wakeupKswapd(k, D0 * 4 + 2));
  t.true(step(k, 'kswapd0', pfn), 'a later pass takes it again');
  t.is(k.get(k.L.NODE_KSWAPD_FAILURES, D0), 0, 'progress resets kswapd_failures');
  t.is(k.get(k.L.PG_REF, pfn), 0, 'clean, unmapped: freed');
  t.is(k.get(k.L.SWAP_CACHE, slot), 0);
});
