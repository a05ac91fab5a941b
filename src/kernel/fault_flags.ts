// include/linux/mm_types.h: enum fault_flag, and the flags each modelled
// caller passes to handle_mm_fault. A user fault (the arch page-fault
// handler) always allows a retry; a GUP fault gets what faultin_page()
// builds from its FOLL_* flags (mm/gup.c), which is where a fault without
// FAULT_FLAG_ALLOW_RETRY comes from.
//
// The flags of a fault are not kept in the state: they are a function of the
// op the faulting CPU is running (its program is static), so a thread inside
// handle_fault recomputes them from THR_PC. FAULT_FLAG_UNSHARE is the one
// flag that depends on the PTE; only do_wp_page reads it, within the step
// that dispatches the fault.

import type { ProgramOp } from './config.ts';
import type { Kernel } from './kernel.ts';

export const FAULT_FLAG_WRITE = 1 << 0;
export const FAULT_FLAG_ALLOW_RETRY = 1 << 2;
export const FAULT_FLAG_RETRY_NOWAIT = 1 << 3;
export const FAULT_FLAG_KILLABLE = 1 << 4;
export const FAULT_FLAG_TRIED = 1 << 5;
export const FAULT_FLAG_USER = 1 << 6;
export const FAULT_FLAG_REMOTE = 1 << 7;
export const FAULT_FLAG_INTERRUPTIBLE = 1 << 9;
export const FAULT_FLAG_UNSHARE = 1 << 10;

/** arch/x86/mm/fault.c: do_user_addr_fault: FAULT_FLAG_DEFAULT | FAULT_FLAG_USER (+ WRITE). */
export const USER_FAULT_FLAGS = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | FAULT_FLAG_INTERRUPTIBLE | FAULT_FLAG_USER;

/** The GUP op of the program (a ProgramOp with op 'gup'). */
export type GupOp = Extract<ProgramOp, { op: 'gup' }>;

/**
 * faultin_page(vma, address, flags, unshare, locked): FOLL_WRITE -> WRITE,
 * FOLL_REMOTE -> REMOTE, FOLL_UNLOCKABLE (the caller passed `locked`) ->
 * ALLOW_RETRY | KILLABLE, FOLL_NOWAIT -> ALLOW_RETRY | RETRY_NOWAIT, unshare
 * -> UNSHARE. get_user_pages(), pin_user_pages() and get_user_pages_remote()
 * with locked == NULL (access_remote_vm, i.e. ptrace) have no FOLL_UNLOCKABLE.
 */
// mm/gup.c: faultin_page
export function gupFaultFlags(op: GupOp, remote: boolean, unshare: boolean): number {
  let f = 0;
  if (op.write) f |= FAULT_FLAG_WRITE;
  if (remote) f |= FAULT_FLAG_REMOTE;
  if (op.locked) f |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;
  if (op.nowait) f |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT;
  if (unshare) f |= FAULT_FLAG_UNSHARE;
  return f;
}

/**
 * The flags of the fault thread tid (a user CPU) is in: those of the GUP op
 * at its PC, else a user fault's (a load or store). WRITE of a user fault
 * comes from the op as well.
 */
export function threadFaultFlags(k: Kernel, tid: number): number {
  const cpu = k.g.threads[tid];
  if (!cpu || cpu.kind !== 'cpu') return USER_FAULT_FLAGS;
  const op = k.cfg.cpus[cpu.cpu]?.program[k.get(k.L.THR_PC, tid)];
  if (op?.op === 'gup') return gupFaultFlags(op, op.mm !== undefined && op.mm !== k.cfg.cpus[cpu.cpu]!.mm, false);
  // pin_user_pages(FOLL_LONGTERM): no `locked`, so no FOLL_UNLOCKABLE (src/kernel/gup_longterm.ts).
  if (op?.op === 'pin_user_pages') return gupFaultFlags({ op: 'gup', vaddr: op.vaddr, write: op.write ?? false, pin: true }, false, false);
  return USER_FAULT_FLAGS | (op?.op === 'write' ? FAULT_FLAG_WRITE : 0);
}
