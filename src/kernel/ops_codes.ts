// Operation codes a thread keeps in THR_OP between two of its steps: the
// kernel operation it is in the middle of. 0 means the thread is between
// operations (a user CPU is about to run the op at THR_PC).
//
// Registers (THR_REG) and stage (THR_STAGE) used by each code are listed with
// it; everything is reset to 0 when the operation ends, so equal kernels have
// equal bytes.

/** Idle / between operations. */
export const OP_NONE = 0;
/**
 * A user CPU is inside ops->handle_fault (cram_fault, staged): REG[0] = PTE
 * slot (mm * vaddrs + vaddr), REG[1] = folio pfn; cram owns REG[2..5] and
 * THR_STAGE 100..199 (src/cram/cram.ts).
 */
export const OP_HANDLE_FAULT = 1;
/**
 * kswapd has isolated a folio and can_demote said yes; demote_folio_list is
 * its next step (the R2 window): REG[0] = (current) target nid + 1, REG[1..5]
 * = the batch's isolated folio pfns + 1 (0 = empty); THR_STAGE = the
 * demote_folio_list phase (get / call / put of node_private_migrate_to, R5)
 * + 8 * (first target + 1), 0 while the batch is being collected
 * (src/kernel/vmscan.ts).
 */
export const OP_KSWAPD_DEMOTE = 2;

/**
 * A user CPU is inside memory_failure between v4's ops read and its
 * ops->memory_failure call (src/kernel/memory_failure.ts): REG[0] = pfn,
 * REG[1] = the ops table id read.
 */
export const OP_MEMORY_FAILURE = 3;

/**
 * A user CPU's fault is inside try_charge_memcg's reclaim loop
 * (src/kernel/memcg_charge_step.ts): REG[0] = PTE slot (mm * vaddrs + vaddr),
 * REG[1] = the new folio's pfn + 1 (allocated, not charged yet), REG[2] =
 * the fault's orig_pte (wp_page_copy, do_swap_page), REG[3] = the folio
 * memcg reclaim holds isolated + 1 (a kept one until move_folios_to_lru), REG[4] = the pass's next scan position,
 * REG[5] = the pass's nr_reclaimed + 256 * fruitless passes so far. THR_STAGE =
 * the loop's stage, the fault's kind and flags (src/kernel/memcg_charge_regs.ts).
 * The thread holds mmap_lock for read (LK_MMAP_READ).
 */
export const OP_MEMCG_CHARGE = 4;

/**
 * kswapd's shrink_folio_list returned with kept folios (ret_folios): they stay
 * isolated, unlocked, each with its isolation reference, until kswapd's next
 * step runs move_folios_to_lru (src/kernel/vmscan.ts). REG[1..5] = the kept
 * folios' pfns + 1 (0 = empty); THR_STAGE bit 0 = the call reclaimed nothing
 * (the putback step runs the pass accounting).
 */
export const OP_KSWAPD_PUTBACK = 5;

export const OP_NAMES: Readonly<Record<number, string>> = {
  [OP_NONE]: 'idle',
  [OP_HANDLE_FAULT]: 'handle_fault',
  [OP_KSWAPD_DEMOTE]: 'demote_folio_list',
  [OP_MEMORY_FAILURE]: 'memory_failure',
  [OP_MEMCG_CHARGE]: 'try_charge_memcg',
  [OP_KSWAPD_PUTBACK]: 'move_folios_to_lru',
};
