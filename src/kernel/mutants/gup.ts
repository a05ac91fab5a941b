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
    config: 'gup',
  },
];

export const GUP_FIXES: readonly Fix[] = [
  {
    name: 'cram-fault-retry-contract',
    site: 'mm/cram.c: cram_fault',
    mends: 'INV-FAULT-LOCK',
    config: 'gup',
    description:
      'When nothing migrated, look at vmf->flags before release_fault_lock(): without FAULT_FLAG_ALLOW_RETRY return 0 with the ' +
      'lock held (GUP looks the page up again and refaults); with FAULT_FLAG_RETRY_NOWAIT return VM_FAULT_RETRY with the lock ' +
      'held. v4 drops the mmap lock and returns VM_FAULT_RETRY for every fault, so get_user_pages() / pin_user_pages() / ' +
      'get_user_pages_remote(locked = NULL) (ptrace) return 0 pages with the caller\'s mmap lock gone, and FOLL_NOWAIT callers unlock it twice.',
  },
];
