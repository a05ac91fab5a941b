// The user CPUs' programs (cfg.cpus[i].program). THR_PC is the next op; each
// op is one syscall or one load/store, run as one step. A load/store that
// needs a fault runs handle_mm_fault in that step; the access itself is
// retried in the NEXT step (the CPU returns to user space and re-executes the
// instruction, and other CPUs can act in between). A fault that enters
// handle_fault (cram_fault) continues as further steps of the same op
// (THR_OP = OP_HANDLE_FAULT). A blocked step (migration entry, PTL held by
// another thread) changes nothing and is not enabled.
//
// Ghost bookkeeping for EV_DATA_LOSS: GH_LAST_WRITE[slot] = last value this
// slot's program stored (+1). Writes to a file page through another path
// (write(2), a shared mapping of another slot) update the slots that share
// the page: shared mappings learn the new value, private mappings that still
// map the page cache become unknown (0).

import { match } from 'ts-pattern';
import type { ProgramOp } from './config.ts';
import { EV_DATA_LOSS, LK_PTL, LK_RCU, PG_dirty, PTE_DIRTY, PTE_MIGRATION, PTE_NONE, PTE_PRESENT, PTE_HWPOISON, PTE_PROTNONE, PTE_SWAP, PTE_WRITE, VMA_FILE, VMA_HUGEPAGE, VMA_MAPPED, VMA_MAYWRITE, VMA_READ, VMA_SHARED, VMA_WRITE } from './layout.ts';
import { MIGRATE_SYNC, MMOP_OFFLINE, MMOP_ONLINE_MOVABLE, MPOL_BIND, MPOL_DEFAULT, MPOL_PREFERRED, MR_MEMPOLICY_MBIND, NP_OPS_MIGRATION, VM_FAULT_HWPOISON, VM_FAULT_OOM, VM_FAULT_SIGBUS, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED_MANY } from './defs.ts';
import type { Kernel, Machine } from './kernel.ts';
import { fileIndex, genericPerformWrite } from './filemap.ts';
import { cpuLruBatchBusy, folioIsolateLru, folioNid, folioTestAnon, lruAddDrain, pageFolio } from './folio.ts';
import { dupMm } from './fork.ts';
import { changeProtNuma, handleFaultStep, handleMmFault, mmapReadHeldByOther, ptlHeldByOther, pteSlot, threadNode, vmaFileIndex } from './memory.ts';
import { memcgChargeFaultStep } from './memcg_charge_fault.ts';
import { allocPagesNoVma, doMbind, doSetMempolicy, mpolDupTask, setMempolicyHomeNode, vmaAllocFolio } from './mempolicy.ts';
import { doPagesMove, migratePages, nodeStatModIsolated, putbackMovablePages } from './migrate.ts';
import { mprotectFixup } from './mprotect.ts';
import { folioIsPrivateNode, nodePrivateClearOps, nodePrivateHasFlag, nodePrivateNp, nodePrivateRegister, nodePrivateSetOps, nodePrivateUnregisterBegin, nodePrivateUnregisterFinish } from './node_private.ts';
import { OPS_CRAM, opsIdByName } from './ops_table.ts';
import { cramRegisterPrivateNode } from '../cram/cram.ts';
import { OP_HANDLE_FAULT, OP_MEMCG_CHARGE } from './ops_codes.ts';
import { pageContent, setPageContent } from './page.ts';
import { ptClear, zapPresentPte } from './rmap.ts';
import { swapFree } from './swap.ts';
import { allocPagesNode, freePagesToBuddy, NULL_PFN } from './page_alloc.ts';
import { GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE, MMOP_ONLINE, MMOP_ONLINE_KERNEL } from './defs.ts';
import { addPrivateMemoryDriverManaged, nodeBlockRange, offlineAndRemovePrivateMemory, onlinePages } from './memory_hotplug.ts';
import { memoryFailureStep, nodePagePfn } from './memory_failure.ts';
import { allocMatrixStep } from './alloc_matrix.ts';
import { pinFaultReturned, pinUserPagesLongtermStep, unpinUserPage as unpinLongtermPin } from './gup_longterm.ts';
import { registerExitMmapSlot } from './oom_kill.ts';
import { gupFaultReturned, gupOpLabel, gupStep, unpinUserPage } from './gup.ts';
import { cxlMempolicyProbeStep, cxlMempolicyRemoveStep, cxlMempolicyRemoveBlocked } from '../cxl/region_b.ts';
import { cpusetAttachOpStep, cpusetFork } from './cpuset_attach.ts';

/** mhp_online_type_from_str: the online types a hot-add may be given ('movable' = online_movable, 'kernel' = online_kernel). */
const ONLINE_TYPES = { offline: MMOP_OFFLINE, movable: MMOP_ONLINE_MOVABLE, kernel: MMOP_ONLINE_KERNEL, online: MMOP_ONLINE } as const;
const ONLINE_TYPE_NAMES = { offline: 'MMOP_OFFLINE', movable: 'MMOP_ONLINE_MOVABLE', kernel: 'MMOP_ONLINE_KERNEL', online: 'MMOP_ONLINE' } as const;

/** What a step did to the program counter. */
type OpResult = 'next' | 'stay' | 'blocked';

/** One program op compiled for the hot path: how to run it, and whether it needs mmap_lock for write. */
interface CompiledOp {
  readonly op: ProgramOp;
  readonly mmapWrite: boolean;
  readonly run: (k: Kernel, tid: number, cpu: number, mm: number) => OpResult;
}

// Programs are static per machine: each op's match() runs once per Machine
// (a cache keyed on the immutable machine, never on state), not once per step.
const programCache = new WeakMap<Machine, readonly (readonly CompiledOp[])[]>();

function compiledPrograms(m: Machine): readonly (readonly CompiledOp[])[] {
  let p = programCache.get(m);
  if (!p) {
    p = m.cfg.cpus.map((c) => c.program.map((op) => ({ op, mmapWrite: needsMmapWrite(op), run: compileOp(op) })));
    programCache.set(m, p);
  }
  return p;
}

/** One step of user CPU `cpu`; false (k unchanged) if it cannot run now. */
export function cpuStep(k: Kernel, cpu: number): boolean {
  const tid = k.g.cpuThread(cpu);
  if (k.get(k.L.THR_OP, tid) === OP_HANDLE_FAULT) {
    const vmret = handleFaultStep(k, tid);
    if (vmret !== null) stagedFaultReturned(k, tid, cpu, vmret, false);
    return true;
  }
  if (k.get(k.L.THR_OP, tid) === OP_MEMCG_CHARGE) {
    const vmret = memcgChargeFaultStep(k, tid);
    if (vmret === 'blocked') return false;
    if (vmret !== null) stagedFaultReturned(k, tid, cpu, vmret, true);
    return true;
  }
  const mm = k.cfg.cpus[cpu]!.mm;
  // a fork child's task does not exist before the fork made its mm live; an OOM-killed task runs no further op
  if (!k.get(k.L.MM_LIVE, mm)) return false;
  const pc = k.get(k.L.THR_PC, tid);
  const c = compiledPrograms(k.m)[cpu]![pc];
  if (!c) return false;
  if (c.op.op !== 'pwrite' && ptlHeldByOther(k, tid, mm)) return false;
  if (c.mmapWrite && mmapReadHeldByOther(k, tid, mm)) return false;
  if (k.log) k.trace(`cpu${cpu}: ${opLabel(c.op)}`);
  const r = c.run(k, tid, cpu, mm);
  if (r === 'blocked') return false;
  if (r === 'next') k.set(k.L.THR_PC, tid, pc + 1);
  return true;
}

/**
 * A fault that went on in steps (ops->handle_fault, or a memcg charge that
 * reclaims) returned vmret to the op that took it: a GUP op decides itself
 * whether its fault's return ends it (gup.ts, gup_longterm.ts); a load or
 * store re-executes, except (as fault() below) a failed access out of a
 * charge, which is skipped.
 */
function stagedFaultReturned(k: Kernel, tid: number, cpu: number, vmret: number, fromCharge: boolean): void {
  const op = k.cfg.cpus[cpu]!.program[k.get(k.L.THR_PC, tid)];
  let next = false;
  if (op?.op === 'gup') next = gupFaultReturned(k, tid, k.cfg.cpus[cpu]!.mm, op, vmret) === 'next';
  else if (op?.op === 'pin_user_pages') next = pinFaultReturned(k, tid, op.vaddr, vmret) === 'next';
  else if (fromCharge) next = (vmret & (VM_FAULT_SIGBUS | VM_FAULT_OOM)) !== 0;
  if (next) k.set(k.L.THR_PC, tid, k.get(k.L.THR_PC, tid) + 1);
}

/**
 * An lru_add_drain on CPU `cpu` (choice 1 of its thread): whatever runs it
 * there (a drain point of its task, kswapd or a kworker of lru_add_drain_all
 * scheduled on that CPU) moves its lru_add batch onto the LRU, the folios a
 * kernel thread batched on that CPU included. Not while the
 * CPU holds a spinlock or is in an RCU read section (nothing is scheduled).
 */
// mm/swap.c: lru_add_drain
export function cpuLruDrainStep(k: Kernel, cpu: number): boolean {
  const tid = k.g.cpuThread(cpu);
  if (k.get(k.L.THR_LOCKS, tid) & (LK_PTL | LK_RCU)) return false;
  if (!cpuLruBatchBusy(k, cpu)) return false;
  return lruAddDrain(k, tid, cpu);
}

/** Syscalls that take mmap_lock for write (they cannot overlap a fault of the same mm). */
function needsMmapWrite(op: ProgramOp): boolean {
  return match(op.op)
    .with('mmap', 'munmap', 'mprotect', 'mbind', 'fork', 'set_mempolicy_home_node', () => true)
    .with('read', 'write', 'pwrite', 'move_pages', 'madv_dontneed', 'numa_hint', () => false)
    .with('set_mempolicy', () => false) // task_lock only
    .with('node_private_register', 'node_private_unregister', 'node_private_set_ops', 'cram_register_private_node', 'alloc_pages_node', () => false)
    .with('add_private_memory', 'online_pages', 'node_private_clear_ops', 'alloc_pages', 'alloc_page_current', 'gup', 'unpin', () => false)
    .with('pin_user_pages', 'unpin_user_pages', () => false) // GUP holds mmap_lock for read
    .with('memory_failure', 'offline_and_remove_private_memory', () => false)
    .with('cxl_mempolicy_probe', 'cxl_mempolicy_remove', () => false)
    .with('cpuset_attach', () => false) // cgroup_threadgroup_rwsem and cpuset_mutex; mpol_rebind_mm's mmap_lock is the target mm's
    .exhaustive();
}

/** A one-line label of the op a CPU would run next (for action descriptions). */
export function opLabel(op: ProgramOp): string {
  return match(op)
    .with({ op: 'mmap' }, (o) => `mmap(v${o.vaddr}, ${o.kind}, ${o.prot})`)
    .with({ op: 'read' }, (o) => `read(v${o.vaddr})`)
    .with({ op: 'write' }, (o) => `write(v${o.vaddr}, ${o.value})`)
    .with({ op: 'pwrite' }, (o) => `pwrite(f${o.file}:${o.pgoff}, ${o.value})`)
    .with({ op: 'mprotect' }, (o) => `mprotect(v${o.vaddr}, ${o.prot})`)
    .with({ op: 'mbind' }, (o) => `mbind(v${o.vaddr}, ${o.mode}, [${o.nodes.join(',')}])`)
    .with({ op: 'move_pages' }, (o) => `move_pages(v${o.vaddr}, N${o.node})`)
    .with({ op: 'set_mempolicy_home_node' }, (o) => `set_mempolicy_home_node(v${o.vaddr}, N${o.home})`)
    .with({ op: 'set_mempolicy' }, (o) => `set_mempolicy(${o.mode}${o.flags ? `|${o.flags}` : ''}, [${o.nodes.join(',')}])`)
    .with({ op: 'madv_dontneed' }, (o) => `madvise(v${o.vaddr}, DONTNEED)`)
    .with({ op: 'munmap' }, (o) => `munmap(v${o.vaddr})`)
    .with({ op: 'fork' }, (o) => `fork(mm${o.child})`)
    .with({ op: 'numa_hint' }, (o) => `change_prot_numa(v${o.vaddr})`)
    .with({ op: 'node_private_register' }, (o) => `node_private_register(N${o.node}, np${o.np})`)
    .with({ op: 'node_private_unregister' }, (o) => `node_private_unregister(N${o.node})`)
    .with({ op: 'node_private_set_ops' }, (o) => `node_private_set_ops(N${o.node}, ${o.table})`)
    .with({ op: 'cram_register_private_node' }, (o) => `cram_register_private_node(N${o.node})`)
    .with({ op: 'alloc_pages_node' }, (o) => `alloc_pages_node(N${o.node}, GFP_HIGHUSER_MOVABLE)`)
    .with({ op: 'add_private_memory' }, (o) => `add_private_memory_driver_managed(N${o.node}, np${o.np}, ${ONLINE_TYPE_NAMES[o.online]})`)
    .with({ op: 'online_pages' }, (o) => `online_pages(N${o.node})`)
    .with({ op: 'node_private_clear_ops' }, (o) => `node_private_clear_ops(N${o.node}, ${o.table})`)
    .with({ op: 'alloc_pages' }, (o) => `alloc_pages(N${o.node}, ${o.gfp.join('|')}${o.nodemask ? `, nodemask {${o.nodemask.join(',')}}` : ''})`)
    .with({ op: 'alloc_page_current' }, () => 'alloc_page(GFP_HIGHUSER) (task policy)')
    .with({ op: 'pin_user_pages' }, (o) => `pin_user_pages(v${o.vaddr}, FOLL_LONGTERM${o.write ? '|FOLL_WRITE' : ''})`)
    .with({ op: 'unpin_user_pages' }, () => 'unpin_user_pages()')
    .with({ op: 'memory_failure' }, (o) => `memory_failure(N${o.node} page ${o.page})`)
    .with({ op: 'offline_and_remove_private_memory' }, (o) => `offline_and_remove_private_memory(N${o.node})`)
    .with({ op: 'gup' }, (o) => gupOpLabel(o))
    .with({ op: 'unpin' }, () => 'unpin_user_page()')
    .with({ op: 'cxl_mempolicy_probe' }, (o) => `cxl_mempolicy probe (region B of N${o.node}, ${o.table})`)
    .with({ op: 'cxl_mempolicy_remove' }, (o) => `cxl_mempolicy remove (region B of N${o.node})`)
    .with({ op: 'cpuset_attach' }, (o) => `echo pid(cpu${o.cpu}) > cs${o.cpuset}/cgroup.procs`)
    .exhaustive();
}

/** The step function of one program op (the op's arguments are static). */
function compileOp(op: ProgramOp): (k: Kernel, tid: number, cpu: number, mm: number) => OpResult {
  return match(op)
    .with({ op: 'mmap' }, (o) => (k: Kernel, tid: number, _cpu: number, mm: number): OpResult => {
      doMmap(k, tid, mm, o.vaddr, o.kind, o.file ?? 0, o.pgoff ?? 0, o.prot === 'rw');
      return 'next';
    })
    .with({ op: 'read' }, (o) => (k: Kernel, tid: number, cpu: number, mm: number): OpResult => userLoad(k, tid, cpu, mm, o.vaddr))
    .with({ op: 'write' }, (o) => (k: Kernel, tid: number, cpu: number, mm: number): OpResult => userStore(k, tid, cpu, mm, o.vaddr, o.value))
    .with({ op: 'pwrite' }, (o) => (k: Kernel, tid: number): OpResult => {
      const ret = genericPerformWrite(k, tid, threadNode(k, tid), o.file, o.pgoff, o.value);
      if (ret > 0) fileWritten(k, fileIndex(k, o.file, o.pgoff), o.value, -1);
      return 'next';
    })
    .with({ op: 'mprotect' }, (o) => (k: Kernel, _tid: number, _cpu: number, mm: number): OpResult => {
      mprotectFixup(k, mm, o.vaddr, o.prot === 'rw');
      return 'next';
    })
    .with({ op: 'mbind' }, (o) => (k: Kernel, tid: number, _cpu: number, mm: number): OpResult => {
      doMbindAndMove(k, tid, mm, o.vaddr, o.mode, o.nodes);
      return 'next';
    })
    .with({ op: 'move_pages' }, (o) => (k: Kernel, tid: number, _cpu: number, mm: number): OpResult => {
      doPagesMove(k, tid, mm, o.vaddr, o.node);
      return 'next';
    })
    .with({ op: 'set_mempolicy_home_node' }, (o) => (k: Kernel, _tid: number, _cpu: number, mm: number): OpResult => {
      setMempolicyHomeNode(k, mm, o.vaddr, o.home);
      return 'next';
    })
    .with({ op: 'set_mempolicy' }, (o) => (k: Kernel, _tid: number, cpu: number): OpResult => {
      // mm/mempolicy.c: kernel_set_mempolicy -> do_set_mempolicy
      const mode = match(o.mode)
        .with('default', () => MPOL_DEFAULT).with('bind', () => MPOL_BIND).with('preferred', () => MPOL_PREFERRED)
        .with('interleave', () => MPOL_INTERLEAVE).with('local', () => MPOL_LOCAL).with('preferred_many', () => MPOL_PREFERRED_MANY).exhaustive();
      const flags = o.flags === 'static' ? MPOL_F_STATIC_NODES : o.flags === 'relative' ? MPOL_F_RELATIVE_NODES : 0;
      doSetMempolicy(k, cpu, mode, flags, o.nodes.reduce((a, n) => a | (1 << n), 0));
      return 'next';
    })
    .with({ op: 'madv_dontneed' }, (o) => (k: Kernel, tid: number, _cpu: number, mm: number): OpResult => {
      zapSlot(k, tid, pteSlot(k, mm, o.vaddr));
      return 'next';
    })
    .with({ op: 'munmap' }, (o) => (k: Kernel, tid: number, _cpu: number, mm: number): OpResult => {
      doMunmap(k, tid, mm, o.vaddr);
      return 'next';
    })
    .with({ op: 'fork' }, (o) => (k: Kernel, tid: number, cpu: number, mm: number): OpResult => {
      if (o.child < k.cfg.mms && ptlHeldByOther(k, tid, o.child)) return 'blocked';
      // kernel/fork.c: copy_process -> mpol_dup for the child's task (the CPU that runs the child mm).
      if (dupMm(k, mm, o.child, tid) === 0) {
        k.cfg.cpus.forEach((c, child) => {
          if (!c.forkChild || c.mm !== o.child) return;
          mpolDupTask(k, cpu, child);
          cpusetFork(k, cpu, child);
        });
      }
      return 'next';
    })
    .with({ op: 'numa_hint' }, (o) => (k: Kernel, _tid: number, _cpu: number, mm: number): OpResult => {
      // kernel/sched/fair.c: task_numa_work -> change_prot_numa (one PTE; a no-op if it cannot be NUMA-mapped)
      const r = changeProtNuma(k, mm, o.vaddr);
      if (k.log) k.trace(`change_prot_numa(mm ${mm}, v${o.vaddr}) = ${r ? 'PROTNONE' : 'skipped'}`);
      return 'next';
    })
    .with({ op: 'node_private_register' }, (o) => (k: Kernel): OpResult => {
      nodePrivateRegister(k, o.node, o.np);
      return 'next';
    })
    .with({ op: 'node_private_unregister' }, (o) => (k: Kernel, tid: number): OpResult => {
      // drivers/base/node.c: node_private_unregister, both stages in this one step.
      // Model simplification of this test-only op: while another thread holds the
      // np or is inside RCU the call waits before it starts (blocked, nothing
      // changed) instead of between the stages, so the second stage never waits.
      const slot = nodePrivateNp(k, o.node);
      if (slot >= 0 && (k.get(k.L.NP_REFCOUNT, slot) > 1 || anyOtherInRcu(k, tid))) return 'blocked';
      if (nodePrivateUnregisterBegin(k, o.node) === 0) nodePrivateUnregisterFinish(k, o.node);
      return 'next';
    })
    .with({ op: 'node_private_set_ops' }, (o) => (k: Kernel): OpResult => {
      nodePrivateSetOps(k, o.node, o.table === 'cram' ? OPS_CRAM : opsIdByName(k, o.table));
      return 'next';
    })
    .with({ op: 'cram_register_private_node' }, (o) => (k: Kernel, _tid: number, cpu: number): OpResult => {
      // mm/cram.c: cram_register_private_node, owner = this CPU's user (the CXL driver is owner 0).
      cramRegisterPrivateNode(k, o.node, 1 + cpu, false);
      return 'next';
    })
    .with({ op: 'alloc_pages_node' }, (o) => (k: Kernel): OpResult => {
      // mm/page_alloc.c: alloc_pages_node (kernel code naming a node: node_zonelist(node), no __GFP_PRIVATE)
      allocPagesNode(k, o.node, GFP_HIGHUSER_MOVABLE, 0, { inTask: true });
      return 'next';
    })
    .with({ op: 'add_private_memory' }, (o) => (k: Kernel): OpResult => {
      // mm/memory_hotplug.c: add_private_memory_driver_managed over the node's whole range
      const { first, n } = nodeBlockRange(k, o.node);
      if (n > 0) addPrivateMemoryDriverManaged(k, o.node, first, n, ONLINE_TYPES[o.online], o.np);
      return 'next';
    })
    .with({ op: 'online_pages' }, (o) => (k: Kernel): OpResult => {
      // drivers/base/memory.c: memory_block_online (online_movable) of the node's first block
      const { first, n } = nodeBlockRange(k, o.node);
      if (n > 0) onlinePages(k, first);
      return 'next';
    })
    .with({ op: 'node_private_clear_ops' }, (o) => (k: Kernel): OpResult => {
      nodePrivateClearOps(k, o.node, o.table === 'cram' ? OPS_CRAM : opsIdByName(k, o.table));
      return 'next';
    })
    .with({ op: 'alloc_pages' }, (o) => (k: Kernel): OpResult => {
      allocMatrixStep(k, o.node, o.gfp, o.nodemask);
      return 'next';
    })
    .with({ op: 'alloc_page_current' }, () => (k: Kernel, tid: number): OpResult => {
      // fs/pipe.c: pipe_write -> alloc_page(GFP_HIGHUSER | __GFP_ACCOUNT) (the model has no memcg charge here), freed by the reader
      const pfn = allocPagesNoVma(k, GFP_HIGHUSER, 0, threadNode(k, tid));
      if (pfn !== NULL_PFN) freePagesToBuddy(k, pfn, 0);
      return 'next';
    })
    .with({ op: 'pin_user_pages' }, (o) => (k: Kernel, tid: number, _cpu: number, mm: number): OpResult => pinUserPagesLongtermStep(k, tid, mm, o.vaddr, o.write ?? false))
    .with({ op: 'unpin_user_pages' }, () => (k: Kernel, tid: number): OpResult => {
      unpinLongtermPin(k, tid);
      return 'next';
    })
    .with({ op: 'memory_failure' }, (o) => (k: Kernel, tid: number): OpResult => memoryFailureStep(k, tid, nodePagePfn(k, o.node, o.page)))
    .with({ op: 'offline_and_remove_private_memory' }, (o) => (k: Kernel, tid: number): OpResult => {
      // mm/memory_hotplug.c: offline_and_remove_private_memory, then node_private_unregister's
      // second stage (with the test-op simplification of node_private_unregister above).
      const slot = nodePrivateNp(k, o.node);
      if (slot >= 0 && (k.get(k.L.NP_REFCOUNT, slot) > 1 || anyOtherInRcu(k, tid))) return 'blocked';
      const { first, n } = nodeBlockRange(k, o.node);
      if (n === 0) return 'next';
      const r = offlineAndRemovePrivateMemory(k, o.node, first, n, tid);
      if (r.unregister === 0) nodePrivateUnregisterFinish(k, o.node);
      return 'next';
    })
    .with({ op: 'gup' }, (o) => (k: Kernel, tid: number, _cpu: number, mm: number): OpResult => gupStep(k, tid, mm, o, fileWritten))
    .with({ op: 'unpin' }, () => (k: Kernel, tid: number): OpResult => {
      unpinUserPage(k, tid);
      return 'next';
    })
    .with({ op: 'cxl_mempolicy_probe' }, (o) => (k: Kernel): OpResult => {
      const r = cxlMempolicyProbeStep(k, o.node, opsIdByName(k, o.table));
      return r === 'done' ? 'next' : r === 'again' ? 'stay' : 'blocked';
    })
    .with({ op: 'cxl_mempolicy_remove' }, (o) => (k: Kernel, tid: number): OpResult => {
      if (cxlMempolicyRemoveBlocked(k, tid, o.node)) return 'blocked';
      return match(cxlMempolicyRemoveStep(k, tid, o.node, opsIdByName(k, o.table)))
        .with('done', (): OpResult => 'next')
        .with('again', (): OpResult => 'stay')
        .with('wait', (): OpResult => 'blocked')
        .exhaustive();
    })
    .with({ op: 'cpuset_attach' }, (o) => (k: Kernel, tid: number): OpResult => {
      // mpol_rebind_mm takes the moved mm's mmap_lock for write: it waits for a fault holding it for read.
      if (k.get(k.L.THR_STAGE, tid) === 0 && mmapReadHeldByOther(k, tid, k.cfg.cpus[o.cpu]?.mm ?? -1)) return 'blocked';
      return cpusetAttachOpStep(k, tid, o.cpu, o.cpuset);
    })
    .exhaustive();
}

function anyOtherInRcu(k: Kernel, tid: number): boolean {
  for (let t = 0; t < k.g.threads.length; t++) if (t !== tid && k.has(k.L.THR_LOCKS, t, LK_RCU)) return true;
  return false;
}

/** A load: read the content through a present PTE, else fault (and retry next step). */
function userLoad(k: Kernel, tid: number, cpu: number, mm: number, vaddr: number): OpResult {
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  if (k.get(L.PTE_KIND, s) === PTE_PRESENT && !k.has(L.PTE_FLAGS, s, PTE_PROTNONE)) {
    const v = pageContent(k, k.get(L.PTE_VAL, s));
    const last = k.get(L.GH_LAST_WRITE, s);
    if (last !== 0 && last !== v + 1) k.event(EV_DATA_LOSS);
    if (k.log) k.trace(`cpu${cpu}: read(v${vaddr}) = ${v}${last !== 0 && last !== v + 1 ? ` (expected ${last - 1}: DATA LOSS)` : ''}`);
    return 'next';
  }
  return fault(k, tid, cpu, mm, vaddr, false);
}

/** A store: write through a present writable PTE, else a write fault (and retry next step). */
function userStore(k: Kernel, tid: number, cpu: number, mm: number, vaddr: number, value: number): OpResult {
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  const f = k.get(L.PTE_FLAGS, s);
  if (k.get(L.PTE_KIND, s) === PTE_PRESENT && (f & PTE_WRITE) && !(f & PTE_PROTNONE)) {
    const pfn = k.get(L.PTE_VAL, s);
    setPageContent(k, pfn, value);
    k.set(L.PTE_FLAGS, s, f | PTE_DIRTY);
    k.setBits(L.PG_FLAGS, pageFolio(k, pfn), PG_dirty);
    k.set(L.GH_LAST_WRITE, s, value + 1);
    if (k.has(L.VMA_FLAGS, s, VMA_SHARED)) fileWritten(k, vmaFileIndex(k, s), value, s);
    if (k.log) k.trace(`cpu${cpu}: write(v${vaddr}, ${value}) -> pfn ${pfn} (node ${folioNid(k, pfn)})`);
    return 'next';
  }
  return fault(k, tid, cpu, mm, vaddr, true);
}

function fault(k: Kernel, tid: number, cpu: number, mm: number, vaddr: number, write: boolean): OpResult {
  const out = handleMmFault(k, tid, mm, vaddr, write);
  return match(out)
    .with({ kind: 'blocked' }, () => 'blocked' as const)
    .with({ kind: 'staged' }, () => 'stay' as const)
    .with({ kind: 'done' }, (d) => {
      if (d.vmret & (VM_FAULT_SIGBUS | VM_FAULT_OOM)) {
        // The access fails (signal / OOM kill of the access): the model skips the instruction.
        if (k.log) k.trace(`cpu${cpu}: ${write ? 'write' : 'read'}(v${vaddr}) -> ${d.vmret & VM_FAULT_OOM ? 'VM_FAULT_OOM' : d.vmret & VM_FAULT_HWPOISON ? 'SIGBUS (BUS_MCEERR_AR)' : 'SIGSEGV'}`);
        return 'next' as const;
      }
      return 'stay' as const;
    })
    .exhaustive();
}

/** Ghost: file page idx now holds value; update the slots that share it (see header). */
function fileWritten(k: Kernel, idx: number, value: number, except: number): void {
  if (idx < 0) return;
  const L = k.L;
  const n = k.cfg.mms * k.cfg.vaddrs;
  for (let s = 0; s < n; s++) {
    if (s === except || !k.get(L.MM_LIVE, Math.floor(s / k.cfg.vaddrs)) || vmaFileIndex(k, s) !== idx) continue;
    if (k.has(L.VMA_FLAGS, s, VMA_SHARED)) k.set(L.GH_LAST_WRITE, s, value + 1);
    else if (k.get(L.PTE_KIND, s) === PTE_NONE || (k.get(L.PTE_KIND, s) === PTE_PRESENT && !folioTestAnon(k, pageFolio(k, k.get(L.PTE_VAL, s))))) {
      k.set(L.GH_LAST_WRITE, s, 0);
    }
  }
}

/** zap_pte_range for one slot (MADV_DONTNEED, munmap, MAP_FIXED replace). */
function zapSlot(k: Kernel, tid: number, s: number): void {
  // mm/memory.c: zap_pte_range
  const L = k.L;
  const kind = k.get(L.PTE_KIND, s);
  if (kind === PTE_PRESENT) zapPresentPte(k, tid, s);
  else if (kind === PTE_SWAP) {
    const slot = k.get(L.PTE_VAL, s);
    ptClear(k, s);
    swapFree(k, slot);
  } else if (kind === PTE_HWPOISON) ptClear(k, s); // zap_nonpresent_ptes: a hwpoison entry holds nothing
  else if (kind === PTE_MIGRATION) {
    // zap_nonpresent_ptes: a migration entry holds no reference (try_to_migrate dropped the
    // mapping's); it is cleared, and the folio under migration stays with the migration, whose
    // remove_migration_ptes then finds no entry and frees the unmapped destination.
    // Mutant zap-keeps-migration-entry (mutants/memcg.ts): the entry survives the zap (the model before).
    if (k.cfg.mutant !== 'zap-keeps-migration-entry') ptClear(k, s);
  }
  k.set(L.GH_LAST_WRITE, s, 0);
}

function doMmap(k: Kernel, tid: number, mm: number, vaddr: number, kind: 'anon' | 'anon-thp' | 'file-shared' | 'file-private', file: number, pgoff: number, rw: boolean): void {
  // mm/mmap.c: do_mmap (MAP_FIXED over an existing mapping unmaps it first)
  const s = pteSlot(k, mm, vaddr);
  if (k.has(k.L.VMA_FLAGS, s, VMA_MAPPED)) doMunmap(k, tid, mm, vaddr);
  let f = VMA_MAPPED | VMA_READ | VMA_MAYWRITE | (rw ? VMA_WRITE : 0);
  // 'anon-thp': mmap + madvise(MADV_HUGEPAGE) (mm/madvise.c: hugepage_madvise sets VM_HUGEPAGE).
  if (kind === 'anon-thp') f |= VMA_HUGEPAGE;
  else if (kind !== 'anon') f |= VMA_FILE;
  if (kind === 'file-shared') f |= VMA_SHARED;
  k.set(k.L.VMA_FLAGS, s, f);
  const anon = kind === 'anon' || kind === 'anon-thp';
  k.set(k.L.VMA_FILE, s, anon ? 0 : file + 1);
  k.set(k.L.VMA_PGOFF, s, anon ? 0 : pgoff);
  if (k.log) k.trace(`mmap(mm ${mm}, v${vaddr}, ${kind}) = 0`);
}

// exit_mmap of an OOM victim unmaps every slot the way munmap does (src/kernel/oom_kill.ts).
registerExitMmapSlot((k, tid, mm, vaddr) => doMunmap(k, tid, mm, vaddr));

function doMunmap(k: Kernel, tid: number, mm: number, vaddr: number): void {
  // mm/vma.c: do_vmi_munmap
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  zapSlot(k, tid, s);
  for (const f of [L.VMA_FLAGS, L.VMA_FILE, L.VMA_PGOFF, L.VMA_POL_MODE, L.VMA_POL_NODES, L.VMA_POL_FLAGS, L.VMA_POL_W]) k.set(f, s, 0);
  if (L.VMA_POL_HOME.len !== 0) k.set(L.VMA_POL_HOME, s, 0);
}

/**
 * mbind(MPOL_MF_MOVE) on one slot: do_mbind stores the policy, then
 * queue_folios_pte_range queues the present folio if its node is outside the
 * new mask, skipping private folios without NP_OPS_MIGRATION (v4), and
 * migrate_pages moves it with a destination from the new policy
 * (alloc_migration_target_by_mpol: MPOL_F_PRIVATE adds __GFP_PRIVATE).
 */
function doMbindAndMove(k: Kernel, tid: number, mm: number, vaddr: number, mode: 'default' | 'bind' | 'preferred' | 'preferred_many', nodes: readonly number[]): number {
  // mm/mempolicy.c: do_mbind
  const m = match(mode).with('default', () => MPOL_DEFAULT).with('bind', () => MPOL_BIND).with('preferred', () => MPOL_PREFERRED).with('preferred_many', () => MPOL_PREFERRED_MANY).exhaustive();
  const mask = nodes.reduce((a, n) => a | (1 << n), 0);
  // do_mbind(MPOL_MF_MOVE): lru_cache_disable() (lru_add_drain_all) first; batching
  // stays off to lru_cache_enable(), so what this step adds to the LRU is drained at its end.
  lruAddDrain(k, tid, -1);
  const ret = mbindMove(k, tid, mm, vaddr, m, mask);
  lruAddDrain(k, tid, cpuOf(k, tid));
  return ret;
}

function cpuOf(k: Kernel, tid: number): number {
  const r = k.g.threads[tid];
  return r?.kind === 'cpu' ? r.cpu : -1;
}

function mbindMove(k: Kernel, tid: number, mm: number, vaddr: number, m: number, mask: number): number {
  const ret = doMbind(k, mm, vaddr, m, mask);
  if (ret !== 0 || m === MPOL_DEFAULT || mask === 0) return ret;
  const s = pteSlot(k, mm, vaddr);
  if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT) return 0;
  const pfn = pageFolio(k, k.get(k.L.PTE_VAL, s));
  if (mask & (1 << folioNid(k, pfn))) return 0;
  // queue_folios_pte_range (v4): private folios without MIGRATION are skipped.
  if (folioIsPrivateNode(k, pfn) && !nodePrivateHasFlag(k, folioNid(k, pfn), NP_OPS_MIGRATION)) return 0;
  if (!folioIsolateLru(k, pfn)) return 0;
  nodeStatModIsolated(k, pfn, 1); // migrate_folio_add
  const list = [pfn];
  migratePages(k, tid, list, (kk) => vmaAllocFolio(kk, mm, vaddr, GFP_HIGHUSER_MOVABLE, 0, threadNode(kk, tid)), null, MIGRATE_SYNC, MR_MEMPOLICY_MBIND);
  if (list.length) putbackMovablePages(k, tid, list);
  return 0;
}
