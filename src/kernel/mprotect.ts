// mm/mprotect.c: mprotect(2) on one page slot (each slot is its own VMA).
// change_pte_range downgrades always apply; an upgrade to writable happens
// only where the kernel would try it (MM_CP_TRY_CHANGE_WRITABLE +
// can_change_pte_writable: an exclusive anon folio, or a dirty PTE of a shared
// mapping) and, in v4, never for a folio whose node has PROTECT_WRITE (§4.3).

import { PTE_DIRTY, PTE_PRESENT, PTE_PROTNONE, PTE_WRITE, VMA_MAPPED, VMA_SHARED, VMA_WRITE } from './layout.ts';
import type { Kernel } from './kernel.ts';
import { folioTestAnon, pageFolio } from './folio.ts';
import { folioManagedWrprotect } from './node_private.ts';
import { refsBesidesLruBatch } from './memory.ts';
import { ran } from './ran.ts';

const ENOMEM_MPROTECT = 12;

/** mprotect(mm, vaddr, prot): 0 or -errno. */
export function mprotectFixup(k: Kernel, mm: number, vaddr: number, writable: boolean): number {
  ran(k, 'mprotect_fixup');
  // mm/mprotect.c: do_mprotect_pkey -> mprotect_fixup
  const s = mm * k.cfg.vaddrs + vaddr;
  const vf = k.get(k.L.VMA_FLAGS, s);
  if (!(vf & VMA_MAPPED)) {
    if (k.log) k.trace(`mprotect(mm ${mm}, v${vaddr}) = -ENOMEM`);
    return -ENOMEM_MPROTECT;
  }
  // Every modelled VMA has VM_MAYWRITE, so mprotect never fails with -EACCES.
  k.set(k.L.VMA_FLAGS, s, writable ? vf | VMA_WRITE : vf & ~VMA_WRITE);
  const changed = changePteRange(k, s, writable);
  if (k.log) k.trace(`mprotect(mm ${mm}, v${vaddr}, ${writable ? 'rw' : 'r'}) = 0${changed}`);
  return 0;
}

/** change_pte_range for one PTE; returns a trace suffix. */
function changePteRange(k: Kernel, s: number, writable: boolean): string {
  // mm/mprotect.c: change_pte_range
  if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT) return '';
  const flags = k.get(k.L.PTE_FLAGS, s);
  if (!writable) {
    k.set(k.L.PTE_FLAGS, s, flags & ~PTE_WRITE);
    return '';
  }
  if (flags & (PTE_WRITE | PTE_PROTNONE)) return '';
  const pfn = pageFolio(k, k.get(k.L.PTE_VAL, s));
  // can_change_pte_writable
  const shared = k.has(k.L.VMA_FLAGS, s, VMA_SHARED);
  const can = shared ? (flags & PTE_DIRTY) !== 0 : folioTestAnon(k, pfn) && k.get(k.L.PG_MAPCOUNT, pfn) === 1 && refsBesidesLruBatch(k, pfn) === 1;
  if (!can) return '';
  // v4: !(folio && folio_managed_wrprotect(folio))
  if (k.cfg.mutant !== 'mprotect-ignores-protect-write' && folioManagedWrprotect(k, pfn)) {
    return ` (pfn ${pfn}: folio_managed_wrprotect, stays read-only)`;
  }
  k.set(k.L.PTE_FLAGS, s, flags | PTE_WRITE);
  return ` (pfn ${pfn} writable)`;
}
