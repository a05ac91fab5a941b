// Seeded bugs and fixes of the GUP and fault-flag sites (src/kernel/gup.ts,
// src/kernel/fault_flags.ts, the F6 return of cram_fault). Issue 12 item 8.
import type { Fix, Mutant } from './types.ts';

export const GUP_MUTANTS: readonly Mutant[] = [
  {
    name: 'gup-pin-skips-unshare',
    site: 'include/linux/mm.h: gup_must_unshare',
    catches: 'INV-GUP-PIN-EXCL',
    description: 'A read-only FOLL_PIN of an anonymous page still shared with a fork child pins it without the UNSHARE fault.',
    config: 'gupfork',
  },
  {
    name: 'cram-fault-nowait-unlocks',
    site: 'mm/cram.c: cram_fault',
    catches: 'INV-FAULT-LOCK',
    description:
      'With the retry-contract fix on, cram_fault still calls release_fault_lock on a FAULT_FLAG_RETRY_NOWAIT fault (FOLL_NOWAIT GUP): ' +
      'the GUP returns believing it holds the mmap lock.',
    config: 'gupnowait',
  },
  {
    name: 'fork-shares-pinned-page',
    site: 'include/linux/rmap.h: __folio_try_dup_anon_rmap (folio_needs_cow_for_dma)',
    catches: 'INV-PIN-STAYS-EXCL',
    description: 'fork shares a pinned PageAnonExclusive page copy-on-write instead of copying it (copy_present_page): the pin is left on a page the parent will COW away from.',
    config: 'forkpin',
  },
];

export const GUP_FIXES: readonly Fix[] = [
  {
    name: 'gup-force-respects-protect-write',
    site: 'mm/gup.c: can_follow_write_pte',
    mends: 'INV-WRITE-PATH',
    config: 'gup',
    description:
      'Refuse FOLL_FORCE on a read-only PTE of a folio_managed_wrprotect() folio, so the write takes a fault (handle_fault promotes ' +
      'it first). v4 adds PROTECT_WRITE checks to mprotect, NUMA and migration PTEs but not to GUP: ptrace POKEDATA or a ' +
      '/proc/pid/mem write into a read-only private mapping finds an exclusive anonymous demoted folio, can_follow_write_pte() ' +
      'says yes without a fault, and the kernel stores into the compressed node through its direct map.',
  },
  {
    name: 'cram-fault-retry-contract',
    site: 'mm/cram.c: cram_fault',
    mends: 'INV-FAULT-LOCK',
    config: 'gup',
    description:
      'When nothing migrated, look at vmf->flags before release_fault_lock(): without FAULT_FLAG_ALLOW_RETRY return 0 with the ' +
      'lock held (GUP looks the page up again and refaults), or VM_FAULT_SIGBUS if the folio is pinned (folio_maybe_dma_pinned: ' +
      'its promotion can never succeed, and a refault would loop for ever holding the mmap lock its pinner needs to unpin); ' +
      'with FAULT_FLAG_RETRY_NOWAIT return VM_FAULT_RETRY with the lock held. v4 drops the mmap lock and returns VM_FAULT_RETRY for every fault, so get_user_pages() / pin_user_pages() / ' +
      'get_user_pages_remote(locked = NULL) (ptrace) return 0 pages with the caller\'s mmap lock gone, and FOLL_NOWAIT callers unlock it twice.',
  },
];
