// do_swap_page waits for the folio lock of a swap-cache folio (mm/memory.c: do_swap_page:
// "ret |= folio_lock_or_retry(folio, vmf); if (ret & VM_FAULT_RETRY) goto out_release;").
// A staged migrate_pages (src/kernel/migrate_batch.ts: kswapd's demotion, offline_pages'
// do_migrate_range) holds an unmapped swap-cache folio locked from migrate_folio_unmap to its
// move, across steps and, with the -EAGAIN retry passes, across several of them: a swap-in
// in between must wait rather than map the folio under migration.
import test from 'ava';
import { boot } from '../../src/kernel/boot.ts';
import { buildMachine } from '../../src/kernel/kernel.ts';
import { handleMmFault } from '../../src/kernel/memory.ts';
import { PG_locked, PTE_SWAP } from '../../src/kernel/layout.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { D0, ptePfn, runCpu, scenarioConfig, slotOf, step } from '../helpers/scenario.ts';

const HIGH = { min: 0, low: 0, high: 64 };

test('a swap-in waits while a migration holds the swap-cache folio locked, and maps it once unlocked', (t) => {
  const cfg = scenarioConfig({
    wmark: HIGH,
    programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 }], []],
  });
  const k = boot(buildMachine({ ...cfg, swapAsync: true }));
  runCpu(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  t.true(wakeupKswapd(k, D0 * 4 + 2));
  t.true(step(k, 'kswapd0', pfn), 'swapped out, kept in the swap cache under writeback');
  const s = slotOf(k, 0, 0);
  t.is(k.get(k.L.PTE_KIND, s), PTE_SWAP);
  t.is(k.get(k.L.SWAP_CACHE, k.get(k.L.PTE_VAL, s)) - 1, pfn);
  const tid = k.g.cpuThread(0);
  k.setBits(k.L.PG_FLAGS, pfn, PG_locked); // migrate_folio_unmap of a staged batch holds it
  t.deepEqual(handleMmFault(k, tid, 0, 0, false), { kind: 'blocked' }, 'folio_lock_or_retry sleeps');
  t.is(k.get(k.L.PTE_KIND, s), PTE_SWAP, 'nothing mapped');
  k.clearBits(k.L.PG_FLAGS, pfn, PG_locked);
  t.not(handleMmFault(k, tid, 0, 0, false).kind, 'blocked');
  t.is(ptePfn(k, 0, 0), pfn, 'mapped from the swap cache');
});
