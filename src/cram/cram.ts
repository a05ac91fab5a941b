// mm/cram.c. STUB CONTRACT (CRAM/driver helper): signatures final.
import type { Kernel } from '../kernel/kernel.ts';

/**
 * cram_fault as the separate steps F1-F6 of SEMANTICS 6.4, run by thread tid
 * while it is in handle_fault: registers REG[0] = mm * vaddrs + vaddr slot,
 * REG[1] = folio pfn were set by the fault path, which holds the PTL (LK_PTL)
 * on entry. cram_fault may use REG[2..5] and THR_STAGE values 100..199.
 * Returns done=false while more steps remain; done=true with the vm_fault_t
 * (0 or VM_FAULT_RETRY) once it returned (PTL released on every path).
 */
export function cramFaultStep(k: Kernel, tid: number): { done: boolean; vmret: number } {
  void k; void tid;
  return { done: true, vmret: 0 };
}
