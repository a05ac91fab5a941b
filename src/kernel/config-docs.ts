// What each named configuration (configs.ts) exists to reach, in one line, and
// its shape in words (nodes, CPUs, pages, background actors), for `cramcheck
// list configs`. The shape is derived from the built KernelConfig so it never
// disagrees with what is explored; the purpose is written here. A named config
// without a purpose fails test/cli/list.test.ts.

import type { KernelConfig } from './config.ts';
import type { KernelConfigName } from './configs.ts';

export const CONFIG_PURPOSE: Readonly<Partial<Record<KernelConfigName, string>>> = {
  tiny: 'write, demotion by kswapd(D0), read fault on the demoted folio -> cram_fault promotion',
  small: 'tiny + a shared file page written with write(2) (demoted page cache) and mprotect r/rw',
  canonical: 'the main job: tiny + mprotect + a second write/read round: write faults on demoted folios, device edges, both set_pressure IRQ threads',
  flush: "the driver's deferred flush: free -> flush_cb -> kthread/overflow send -> second free",
  driver: 'the CXL driver thread: probe steps, teardown (cram_unregister, offline retries, post_teardown) and the sysfs hotplug toggle',
  pressure: 'demotion racing the lthresh IRQ thread: back-pressure must hold the other pages back',
  policy: 'mbind to P without NP_OPS_MEMPOLICY, then alloc_pages_node(P) without __GFP_PRIVATE',
  nomig: "a second thread replaces P's ops by a table without NP_OPS_MIGRATION around a NUMA hinting fault and a promotion",
  npapi: 'the node_private / CRAM API from a second caller while the driver probes and tears P down',
  shared: "two threads of one mm write the same demoted page: cram_fault's isolation and migration fail for one",
  cycles: 'three demotion / write-fault promotion cycles of one page: the device holds at most one copy plus a batch',
  dontneed: 'MADV_DONTNEED of a demoted page while the flush protocol defers its free and kswapd(P) races the send',
  swapin: 'fork before eviction: both mms hold the swap entry; swap-in finds the folio in the swap cache',
  swapfull: 'a one-slot swap device: kswapd(D0) cannot swap the second page and puts it back',
  swapasync: 'an asynchronous swap device: kswapd(P) leaves the evicted folio under writeback, a read fault finds it',
  swapdram: 'asynchronous swap with P blocked: kswapd(D0) swaps out itself; reads find folios in both swap caches',
  swapteardown: "driver teardown with an asynchronous swap device: offline migrates a folio out of P's swap cache",
  zapiso: 'MADV_DONTNEED by a second thread while cram_fault holds the demoted folio isolated: the last put is cram_fault\'s',
  offlineadd: 'no probe: P added offline, re-added (-EEXIST), then onlined: the error path unregisters the np',
  race2: 'canonical with a second CPU in its own mm: two faults against one demotion batch, a fault against the pressure edge',
  allocmatrix: 'the allocation matrix: gfp with and without __GFP_THISNODE and __GFP_PRIVATE x nodemask x preferred node, under the cpuset toggle',
  opsrows: 'the node_private API errno rows from one caller: register, set_ops, clear_ops, unregister, each failing and succeeding',
  longpin: "pin_user_pages(FOLL_LONGTERM) of a P folio while a second thread swaps P's ops for a LONGTERM_PIN table and clears them: refused and migrated, refused with -ENOMEM, or granted on P",
  oom: 'out_of_memory for a DRAM fault while another process\'s memory sits on a private node without NP_OPS_OOM_ELIGIBLE: which process is killed',
  hwpoison: "memory_failure on a private page (free, in use, freed, offline) racing the driver's clear_ops and teardown: v4's notification and the page's fate",
  longpincram: 'tiny + pin_user_pages(FOLL_LONGTERM) of the (maybe demoted) page: CRAM lacks LONGTERM_PIN, so GUP migrates the folio off P itself',
  gup: 'GUP on a demoted page: a read-only pin, then a ptrace poke (remote GUP without ALLOW_RETRY, FOLL_FORCE) before or after mprotect(r)',
  gupnowait: 'a read-only pin of a demoted page and a FOLL_NOWAIT write GUP (ALLOW_RETRY|RETRY_NOWAIT) from a second thread',
  gupfork: 'a read-only pin of a page shared with a fork child: the UNSHARE fault (cram_fault on P, do_wp_page on DRAM)',
  cpusets: "a child cpuset's cpuset.mems written (all, DRAM only, P only) while the driver probes and tears P down",
  mpolflags: 'a task policy BIND with MPOL_F_RELATIVE_NODES, rebound as cpuset.mems writes and P\'s probe and teardown change its mems; cpuset.memory_migrate\'s do_migrate_pages on a kworker',
  race2small: "race2 without the device and its IRQ threads: two CPUs' faults, write faults and mprotect against kswapd's demotions; the two-CPU config exhausted in CI",
  batch2: 'two folios in one demotion batch, a folio per step (migrate_pages_batch): the lthresh IRQ thread can block P between the two allocations',
  thp: 'one order-1 anon folio (VM_HUGEPAGE) through fault, whole demotion into CRAM, whole promotion by cram_fault, kswapd(P) split before swap-out and the -ENOMEM split of demotion',
  thpsplit: 'thp under a service with a folio_split callback: kswapd(P) splits the demoted order-1 folio before swap-out and the callback must see the new folio, then NULL',
  memcg: "a memcg with memory.max = 1 page: the second fault's charge runs memcg reclaim (demotion keeps the charge; the private node is outside the reclaim zonelist), else the charge fails",
  memcgfree: 'memcg with MADV_DONTNEED of v0 before the second fault: a demoted v0\'s free is deferred into a flush buffer, still charged',
  tworegions: 'two CXL regions on P, each its own sysram and np: the compression driver (probe, teardown, re-probe) on block 0 and the cxl_mempolicy driver (probe, remove, re-probe) on block 1',
  cram2: 'two compression regions on P, each its own sysram, np, flush context and CRAM owner: region A (the driver) on block 0 and a second region (driver2, the same driver code) on block 1, each probing, tearing down and re-probing',
  driverflush: 'driver with the cxl-flush kthread and no device IRQs: the teardown\'s offline_pages waits for a deferred free the kthread sends (LIVE-TEARDOWN-TERMINATES)',
  forkpin: 'a long-term pinned page forked: copy_present_page gives the child its own copy at once, the parent writes the pinned page in place',
  longpinw: 'tiny + pin_user_pages(FOLL_LONGTERM|FOLL_WRITE) of the (maybe demoted) page: a write fault without ALLOW_RETRY through cram_fault, then a pin on DRAM',
  hwpoisonmap: 'memory_failure on a mapped private page: hwpoison_user_mappings replaces the PTE by a hwpoison entry, the next access gets SIGBUS, fork copies the entry',
  taskpol: "task policies beyond faults: an INTERLEAVE|RELATIVE task policy read by kernel allocations in the task's context (alloc_pages: interleave_nodes, il_prev), copied to a fork child (mpol_dup), a PREFERRED_MANY policy; rebound by cpuset.mems writes and P's probe and teardown",
  zonenormal: "P hot-added online_kernel (the sysram hotplug attribute) into ZONE_NORMAL with MIGRATION|MEMPOLICY ops: the allocation matrix over preferred {D0, P}, an mbind to P, a long-term pin and the teardown",
  memcgoom: "two tasks in a memcg with memory.max = 1 page and the OOM killer: the second task's charge reclaims as steps of its CPU against kswapd's demotion of the first task's folio, then memcg-OOM-kills the first task, reaping it under kswapd's migration entry",
  oomcpuset: "the OOM killer's constraints: a child cpuset restricted to D0 (CONSTRAINT_CPUSET) and a VMA bound to D0 (CONSTRAINT_MEMORY_POLICY) whose OOM skips a task bound to D1 (mempolicy_in_oom_domain)",
  homenode: "set_mempolicy_home_node(Q) on a VMA bound MPOL_PREFERRED_MANY to an opted-in private node P, Q being CRAM's node (no NP_OPS_MEMPOLICY): alloc_pages_preferred_many's second pass faults the page onto Q",
  homenodeplain: "homenode without CRAM: Q is a private node with MIGRATION only (no MEMPOLICY, no PROTECT_WRITE), so only INV-MPOL-ALLOC judges the page placed on Q",
  oomsibling: "sibling cpusets (cs0 = {D0,P}, cs1 = {D1,P}, P OOM-eligible; the administrator may write cs0 = {D0}, cs1 = {P}): a CONSTRAINT_CPUSET OOM whose oom_mems_intersect skips the sibling's process though both cpusets share the OOM-eligible P",
  cpusetmove: "a task moved between sibling cpusets (cs0 = {D0,P}, cs1 = {D1}; the administrator may write cs1 = {P}) by another task's cgroup.procs writes while it is bound to P (task and VMA policy), faults on P and has pages there: cpuset_attach's rebinds and the memory_migrate kworker's do_migrate_pages",
  cpusetv1: "cgroup v1's cpuset rules (cs0 = {D0}, cs1 = {D1}; the administrator may write cs0 = {D0,P}, cs1 = {P} while P is online): a task bound to P moved into cs1 while a driver offlines P; v1 empties cs1 for good and leaves its task's mems and policies as they were until remove_tasks_in_empty_cpuset moves it to the root",
  putbackzap: "two pages, a one-slot swap device and a second thread's MADV_DONTNEED of v1: kswapd(P) keeps the folio it cannot swap on ret_folios, and the zap before move_folios_to_lru leaves it the last reference",
  large: 'everything on (three CPUs, D1, files, fork, mbind, move_pages, driver, cpuset): for mbt only, not exhaustible',
};

/** The configuration's shape in words: nodes, CPUs, pages, actors. */
export function configShape(cfg: KernelConfig): string {
  const nodes = cfg.nodes.map((n, i) => (n.kind === 'private' ? `P${i} (private)` : `D${i}`)).join('+');
  const cpus = `${cfg.cpus.length} CPU${cfg.cpus.length === 1 ? '' : 's'}`;
  const actors: string[] = [];
  if (cfg.actors.kswapd) actors.push('kswapd');
  if (cfg.actors.device) actors.push('device IRQs');
  if (cfg.actors.flush) actors.push('flush kthread');
  if (cfg.actors.driver) actors.push('driver thread');
  if (cfg.actors.cpuset) actors.push('cpuset');
  const probe = cfg.actors.driver ? '' : cfg.actors.probe === false ? ', no probe' : ', probed at boot';
  return `${nodes}${probe}, ${cpus}, ${cfg.mms} mm${cfg.mms === 1 ? '' : 's'}; actors: ${actors.join(', ') || 'none'}`;
}
