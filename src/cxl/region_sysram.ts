// drivers/cxl/core/region_sysram.c + the compression driver's probe/remove:
// the driver thread. STUB CONTRACT (CRAM/driver helper): signatures final.
import type { Kernel, Machine } from '../kernel/kernel.ts';

/** Static number of choices of the driver thread (e.g. probe, teardown, sysfs hotplug toggle). */
export function driverChoices(m: Machine): number { void m; return 1; }

/** One step of the driver thread with the given choice; false if not enabled. */
export function driverStep(k: Kernel, choice: number): boolean { void k; void choice; return false; }

/** Label for a driver choice. */
export function driverChoiceLabel(m: Machine, choice: number): string { void m; return `driver#${choice}`; }
