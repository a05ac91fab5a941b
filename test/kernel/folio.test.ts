// Folio refcount, LRU isolation and free (mm/swap.c __folio_put, mm/vmscan.c folio_isolate_lru).
import test from 'ava';
import { EV_FOLIO_GET_ZERO, PG_anon, PG_head, PG_lru } from '../../src/kernel/layout.ts';
import { folioGet, folioIsolateLru, folioPut, folioPutbackLru, folioTrylock, folioUnlock, folioLocked, lruAddDrain } from '../../src/kernel/folio.ts';
import { nodeFreePages } from '../../src/kernel/page_alloc.ts';
import { D0, P, ptePfn, runCpu, scenario, traced } from '../helpers/scenario.ts';

function mapped() {
  const k = scenario({ pOps: 'demote', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 2 }], []] });
  runCpu(k, 0);
  return { k, pfn: ptePfn(k, 0, 0) };
}

test('folio_isolate_lru clears PG_lru and takes a reference; a second isolation fails; putback restores both (mm/vmscan.c)', (t) => {
  const { k, pfn } = mapped();
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_lru));
  t.true(folioIsolateLru(k, pfn));
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru));
  t.is(k.get(k.L.PG_REF, pfn), 2);
  t.false(folioIsolateLru(k, pfn), 'already isolated (cram_fault F2 failure)');
  folioPutbackLru(k, 0, pfn);
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'cpu0 puts it back through its lru_add batch (folio_add_lru)');
  t.is(k.get(k.L.PG_REF, pfn), 2, 'the batch holds a reference');
  t.true(lruAddDrain(k, 0, 0));
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_lru));
  t.is(k.get(k.L.PG_REF, pfn), 1);
});

test('folio_put to 0 frees to the buddy and resets every folio field (mm/swap.c: __folio_put)', (t) => {
  const { k, pfn } = mapped();
  const before = nodeFreePages(k, D0);
  // Drop the mapping by hand: clear the PTE then put its reference.
  k.set(k.L.PTE_KIND, 0, 0); k.set(k.L.PTE_FLAGS, 0, 0); k.set(k.L.PTE_VAL, 0, 0);
  k.set(k.L.PG_MAPCOUNT, pfn, 0);
  folioPut(k, 0, pfn);
  t.is(nodeFreePages(k, D0), before + 1);
  t.is(k.get(k.L.PG_REF, pfn), 0);
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru | PG_anon | PG_head));
  t.is(k.get(k.L.GH_ALLOC, pfn), 0);
});

test('folio_put on a private folio runs free_folio first (v4 folio_managed_on_free), then the buddy', (t) => {
  const k2 = scenario({ pOps: 'demote', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 2 }, { op: 'move_pages', vaddr: 0, node: P }, { op: 'madv_dontneed', vaddr: 0 }], []] });
  runCpu(k2, 0, 4);
  const pfn = ptePfn(k2, 0, 0);
  const before = nodeFreePages(k2, P);
  traced(k2);
  runCpu(k2, 0);
  const log = k2.log ?? [];
  const hook = log.findIndex((l) => l.includes('free_folio'));
  const buddy = log.findIndex((l) => l.includes('free_unref_page'));
  t.true(hook >= 0 && buddy > hook, log.join('\n'));
  t.is(nodeFreePages(k2, P), before + 1);
  t.is(k2.get(k2.L.PG_REF, pfn), 0);
});

test('folio_get on a refcount-0 folio records EV_FOLIO_GET_ZERO (VM_BUG_ON under DEBUG_VM)', (t) => {
  const { k, pfn } = mapped();
  folioGet(k, pfn);
  t.is(k.get(k.L.GH_EVENTS) & EV_FOLIO_GET_ZERO, 0);
  t.is(k.get(k.L.PG_REF, pfn), 2);
  const free = pfn + 1; // a page the buddy holds
  folioGet(k, free);
  t.not(k.get(k.L.GH_EVENTS) & EV_FOLIO_GET_ZERO, 0);
});

test('folio_trylock fails on a locked folio; unlock releases it', (t) => {
  const { k, pfn } = mapped();
  t.true(folioTrylock(k, pfn));
  t.false(folioTrylock(k, pfn));
  t.true(folioLocked(k, pfn));
  folioUnlock(k, pfn);
  t.false(folioLocked(k, pfn));
});
