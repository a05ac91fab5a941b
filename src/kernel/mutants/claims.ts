// Seeded bugs at the sites of the cover letter's NP_OPS claims (issue 12:
// properties/claims12.ts). Each breaks the one check v4 makes for its flag.
import type { Mutant } from './types.ts';

export const CLAIM_MUTANTS: readonly Mutant[] = [
  {
    name: 'longterm-pin-flag-ignored',
    site: 'include/linux/mm.h: folio_is_longterm_pinnable (node_private_allows_longterm_pin)',
    catches: 'INV-LONGTERM-PIN',
    description: 'a private-node folio is long-term pinnable whatever its node\'s flags: pin_user_pages(FOLL_LONGTERM) keeps a pin on P without NP_OPS_LONGTERM_PIN',
    config: 'longpin',
  },
  {
    name: 'oom-eligible-ignores-flags',
    site: 'mm/oom_kill.c: node_oom_eligible',
    catches: 'INV-OOM-VICTIM',
    description: 'every private node counts as OOM-eligible whatever its flags: with the design fix oom-badness-eligible-rss on, the badness counts memory on a private node without RECLAIM|DEMOTION again and the OOM killer picks the process holding only that',
    config: 'oom',
  },
  {
    name: 'hwpoison-stays-in-buddy',
    site: 'mm/memory-failure.c: memory_failure (take_page_off_buddy)',
    catches: 'INV-HWPOISON',
    description: 'memory_failure on a free page skips take_page_off_buddy: the poisoned page stays in the buddy and the next allocation on the node gets it',
    config: 'hwpoison',
  },
  {
    name: 'hwpoison-keeps-mappings',
    site: 'mm/memory-failure.c: hwpoison_user_mappings (unmap_poisoned_folio)',
    catches: 'INV-HWPOISON-UNMAPPED',
    description: 'memory_failure of an in-use page skips the unmap and reports it recovered: the process keeps the poisoned page mapped',
    config: 'hwpoison',
  },
  {
    name: 'oom-intersect-cpuset-effective',
    site: 'mm/oom_kill.c: oom_cpuset_eligible (oom_mems_intersect)',
    catches: 'INV-OOM-CPUSET-SKIP',
    description: "the OOM killer's cpuset test reads the candidate's cpuset effective_mems instead of its task mems_allowed: a sibling cpuset confined to the private node (whose tasks get every DRAM node from guarantee_online_mems) looks disjoint from current's, and the process holding DRAM memory current could use is skipped",
    config: 'oomsibling',
  },
];
