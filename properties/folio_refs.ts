// Refcount accounting of folios (issue 10, class 4): a folio's refcount is
// exactly what its known holders account for, and its mapcount is its present
// PTEs. Holders: one reference per present PTE (the mapping's), the page cache
// slot, the swap cache slot, each flush-buffer entry (the deferral list's
// folio_get in cxl_compression_flush_cb), a thread's FOLL_PIN (pin_user_pages,
// src/kernel/gup_longterm.ts), and the references of a thread in
// the middle of an operation that holds the folio isolated or in flight
// (cram_fault after folio_isolate_lru, a kswapd demotion batch or ret list, offline_pages'
// do_migrate_range on the driver thread): such a folio
// is judged again once the thread has let it go. Kernel pages that are not
// folios of any of these kinds (an alloc_pages_node page kept by its
// allocator) have no holder the model tracks and are skipped.

import type { Property } from '../src/explore/system.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { PG_anon, PG_head, PG_hwpoison_ref, PG_lru, PTE_PRESENT, THREAD_REGS } from '../src/kernel/layout.ts';
import { OP_HANDLE_FAULT, OP_KSWAPD_DEMOTE, OP_KSWAPD_PUTBACK, OP_MEMCG_CHARGE } from '../src/kernel/ops_codes.ts';
import { pinsOn } from '../src/kernel/gup_longterm.ts';
import { entryHoldsSrc, entrySrc } from '../src/kernel/migrate_batch.ts';
import { memcgChargeHolds } from '../src/kernel/memcg_charge_step.ts';
import { nodeLabel, prop, type StateView } from './common.ts';
import { driverOfflineHeld } from '../src/cxl/region_sysram.ts';
import { regionBOfflineHeld } from '../src/cxl/region_b.ts';

/** A busy thread holds pfn: cram_fault's REG[1] (raw pfn), a demotion batch's REG[1..5] (src pfn + 1, a staged migrate_pages status above; a moved one no longer), the driver's do_migrate_range batch. */
function threadHolds(k: Kernel, pfn: number): boolean {
  const L = k.L;
  if (driverOfflineHeld(k).includes(pfn) || regionBOfflineHeld(k).includes(pfn)) return true;
  for (let t = 0; t < k.g.threads.length; t++) {
    const op = k.get(L.THR_OP, t);
    const R = t * THREAD_REGS;
    if (op === OP_HANDLE_FAULT && k.get(L.THR_REG, R + 1) === pfn) return true;
    // a fault inside its memcg charge: its new folio, the folio its reclaim holds isolated,
    // wp_page_copy's old folio (do_wp_page's folio_get) (memcg_charge_step.ts)
    if (op === OP_MEMCG_CHARGE && memcgChargeHolds(k, t).includes(pfn)) return true;
    // kswapd's ret list waiting for move_folios_to_lru (REG[1..5] = pfn + 1, vmscan.ts)
    if (op === OP_KSWAPD_PUTBACK) {
      for (let r = 1; r < THREAD_REGS; r++) if (k.get(L.THR_REG, R + r) === pfn + 1) return true;
    }
    if (op === OP_KSWAPD_DEMOTE) {
      for (let r = 1; r < THREAD_REGS; r++) {
        const v = k.get(L.THR_REG, R + r);
        if (entryHoldsSrc(v) && entrySrc(v) === pfn) return true;
      }
    }
  }
  return false;
}

function checkFolio(k: Kernel, pfn: number): string | null {
  const L = k.L;
  const nr = 1 << k.get(L.PG_ORDER, pfn);
  let ptes = 0;
  for (let s = 0; s < k.cfg.mms * k.cfg.vaddrs; s++) {
    if (!k.get(L.MM_LIVE, Math.floor(s / k.cfg.vaddrs)) || k.get(L.PTE_KIND, s) !== PTE_PRESENT) continue;
    const v = k.get(L.PTE_VAL, s);
    if (v >= pfn && v < pfn + nr) ptes++;
  }
  const map = k.get(L.PG_MAPCOUNT, pfn);
  if (map !== ptes) return `pfn ${pfn} on ${nodeLabel(k, k.g.pfnNode[pfn]!)}: mapcount ${map} but ${ptes} present PTE(s) map it`;
  const m = k.get(L.PG_MAPPING, pfn);
  const pcache = m !== 0 && k.get(L.PCACHE, m - 1) === pfn + 1 ? 1 : 0;
  const sw = k.get(L.PG_SWAP, pfn);
  const swapcache = sw !== 0 && k.get(L.SWAP_CACHE, sw - 1) === pfn + 1 ? 1 : 0;
  let buffered = 0;
  for (let i = 0; i < L.BUF_ENT.len; i++) if (k.get(L.BUF_ENT, i) === pfn + 1) buffered++;
  // FOLL_LONGTERM pins (gup_longterm.ts) and GUP pins (pin_user_pages until unpin_user_page, src/kernel/gup.ts)
  let pins = pinsOn(k, pfn);
  for (let t = 0; t < L.THR_PIN.len; t++) if (k.get(L.THR_PIN, t) === pfn + 1) pins++;
  // a per-CPU lru_add batch holds one reference (mm/swap.c: folio_batch_add_and_move)
  const batched = k.get(L.PG_LRU_BATCH, pfn) !== 0 ? 1 : 0;
  // memory_failure's get_hwpoison_page reference on an in-use page, never dropped (src/kernel/memory_failure.ts)
  const mf = k.has(L.PG_FLAGS, pfn, PG_hwpoison_ref) ? 1 : 0;
  const userFolio = ptes + pcache + swapcache + buffered + pins + batched + mf > 0 || k.has(L.PG_FLAGS, pfn, PG_anon | PG_lru) || m !== 0 || sw !== 0;
  if (!userFolio || threadHolds(k, pfn)) return null;
  const want = ptes + pcache + swapcache + buffered + pins + batched + mf;
  const ref = k.get(L.PG_REF, pfn);
  if (ref !== want) {
    return `pfn ${pfn} on ${nodeLabel(k, k.g.pfnNode[pfn]!)}: refcount ${ref} but its holders account for ${want} (${ptes} PTE, ${pcache} page cache, ${swapcache} swap cache, ${buffered} flush buffer, ${batched} lru_add batch${pins ? `, ${pins} pin` : ''}${mf ? ', memory_failure' : ''})`;
  }
  return null;
}

export function folioRefProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-FOLIO-REFS', 'include/linux/mm.h (folio refcount = its users), mm/rmap.c (mapcount = its PTEs), mm/filemap.c: filemap_add_folio / mm/swap_state.c: add_to_swap_cache (one reference per cache slot), mm/vmscan.c: folio_isolate_lru, cxl_compression: flush_cb folio_get / cxl_flush_buf_send folio_put', (k) => {
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        if (!k.has(k.L.PG_FLAGS, pfn, PG_head)) continue;
        const r = checkFolio(k, pfn);
        if (r) return r;
      }
      return null;
    }),
  ];
}
