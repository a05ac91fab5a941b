// drivers/cxl/type3_drivers/cxl_compression/compression.c. STUB CONTRACT
// (CRAM/driver helper): signatures final. Each *Step runs one step of that
// thread and returns false (k unchanged) if it cannot run now.
import type { Kernel } from '../kernel/kernel.ts';

/** The cxl-flush/nid kthread: choice 0 only (one deterministic step). */
export function flushKthreadStep(k: Kernel, choice: number): boolean { void k; void choice; return false; }

/** This CPU's overflow work item. */
export function overflowWorkStep(k: Kernel, cpu: number): boolean { void k; void cpu; return false; }

/** The threaded IRQ handlers: lthresh -> cram_set_pressure(nid, 1000), hthresh -> (nid, 0), as steps S1-S4. */
export function irqThreadStep(k: Kernel, which: 'lthresh' | 'hthresh'): boolean { void k; void which; return false; }

/** Static number of choices of the flush kthread. */
export function flushKthreadChoices(): number { return 1; }
