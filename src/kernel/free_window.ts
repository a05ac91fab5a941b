// The free path's ops window (issue 12 item 2). v4's folio_managed_on_free
// (mm/internal.h) reads np->ops through folio_node_private_ops, which drops
// rcu_read_lock before it returns, and only then calls ops->free_folio. What
// can land in between and change what the callback does:
// * node_private_unregister cannot: the folio (refcount 0, not yet in the
//   buddy) keeps its block online, and unregister is -EBUSY while the node is
//   N_MEMORY_PRIVATE.
// * a plain node_private_clear_ops writes only np->ops, which no free_folio
//   callback reads: the callback does what it would have done before the clear.
// * cram_unregister_private_node's first stage (kswapd_stop, clear_ops,
//   cram_nodes[nid] = NULL) also unpublishes the cram node, which
//   cram_free_folio_cb reads first (get_cram_node): the stale callback finds
//   no node and zeroes the folio and frees it at once, where the free before
//   the unregister would have gone through the flush callback and the free
//   after it would have skipped the hook.
// In the model only the CXL driver thread runs that first stage (its
// pre_teardown). The model's steps run __folio_put inside many callers' steps,
// so rather than stage every caller, the window is an extra action per
// (thread, choice, k): the thread's step, in which the driver's first stage
// runs at the k-th free_folio hook where it could (the driver is about to take
// it), between the ops read and the callback. That is v4's interleaving "the
// caller up to its ops read, the driver's first stage, the rest of the caller".

import { CN_PUBLISHED } from '../cram/cram.ts';
import { DF_NP_UNREG, DF_OFFLINING, DF_PRE_TEARDOWN, irqsOffByOverflowWork } from '../cxl/compression.ts';
import { DS_PROBED, driverStep } from '../cxl/region_sysram.ts';
import type { FreeWindowProbe, Kernel, Machine } from './kernel.ts';
import { runThread } from './sched.ts';

/**
 * Variants per (thread, choice): the window at the 1st .. n-th eligible hook of
 * the step, n = the pages of the driver's node (each eligible hook frees a
 * folio of that node; a step would have to free a page, allocate it again and
 * free it again to pass more). A step that passes more is an internal error,
 * never a silent cut.
 */
export function freeWindowHooks(m: Machine): number {
  let n = 0;
  for (let p = 0; p < m.g.pfns; p++) if (m.g.pfnNode[p] === m.g.privateNode) n++;
  return Math.max(1, n);
}

/** Does this configuration have a thread that runs cram_unregister_private_node (the driver), hence the window? */
export function freeWindowConfigured(m: Machine): boolean {
  return m.cfg.actors.driver && m.g.privateNode >= 0;
}

/** Can thread tid's step hold the window? Not the driver itself, nor kswapd of the driver's node (kswapd_stop waits for it). */
export function freeWindowThread(m: Machine, tid: number): boolean {
  const r = m.g.threads[tid];
  if (!r || r.kind === 'driver') return false;
  return !(r.kind === 'kswapd' && r.node === m.g.privateNode);
}

/**
 * Could the driver run cram_unregister_private_node's first stage right now,
 * while thread tid sits between its ops read and the free_folio call for pfn?
 * The driver's next step must be that stage (probed, pre_teardown registered,
 * not inside an offline or a node_private_unregister of the sysfs toggle), the
 * cram node published (else the stage returns -ENODEV and changes nothing the
 * callback reads), kswapd of the node between operations (kthread_stop waits
 * for it), and the driver's CPU not held by an overflow work's IRQs-off section.
 */
export function freeWindowOpen(k: Kernel, tid: number, pfn: number): boolean {
  const nid = k.g.privateNode;
  if (nid < 0 || k.g.pfnNode[pfn] !== nid || !freeWindowThread(k.m, tid)) return false;
  const r = unregisteringRegion(k);
  if (r < 0) return false;
  if (k.get(k.L.CN_STATE, nid) !== CN_PUBLISHED) return false;
  if (k.get(k.L.THR_OP, k.g.kswapdThread(nid)) !== 0) return false;
  return !(k.cfg.actors.flush && irqsOffByOverflowWork(k, k.g.driverThreadOf(r)));
}

/**
 * The compression region whose driver's next step is cram_unregister_private_node's
 * first stage (probed, pre_teardown registered, not inside an offline or a
 * node_private_unregister), or -1. At most one: pre_teardown is registered only by
 * a driver whose cram_register_private_node created the node's cram_node, and the
 * other region's registration needs that node unpublished first (`cram2`).
 */
export function unregisteringRegion(k: Kernel): number {
  for (let r = 0; r < k.g.compRegions; r++) {
    if (k.get(k.L.DRV_STATE, r) !== DS_PROBED) continue;
    const f = k.get(k.L.DRV_FLAGS, r);
    if (f & DF_PRE_TEARDOWN && !(f & (DF_NP_UNREG | DF_OFFLINING))) return r;
  }
  return -1;
}

/**
 * A probe for one step: counts the eligible hooks the step passes (`seen`) and,
 * if `at` >= 0, runs the driver's first stage at the eligible hook number `at`
 * (`fired`). Installed on the Kernel as `freeWindow` by the caller of the step.
 */
export class FreeWindow implements FreeWindowProbe {
  seen = 0;
  fired = false;

  constructor(public at: number) {}

  /** Reuse for another step (the explorer's hot loop allocates nothing). */
  reset(at: number): this {
    this.at = at;
    this.seen = 0;
    this.fired = false;
    return this;
  }

  hook(k: Kernel, tid: number, pfn: number): void {
    if (this.fired || !freeWindowOpen(k, tid, pfn)) return;
    const n = this.seen++;
    const max = freeWindowHooks(k.m);
    if (n >= max) throw new Error(`free window: thread ${tid}'s step passed more than ${max} free_folio windows (the variants stop at ${max})`);
    if (n !== this.at) return;
    k.trace(`free_folio window (pfn ${pfn}): ops read, RCU dropped; the driver's cram_unregister_private_node(N${k.g.privateNode}) runs before the callback`);
    const cur = k.current;
    const from = k.log ? k.log.length : 0;
    this.fired = driverStep(k, 0, unregisteringRegion(k));
    k.current = cur;
    // The trace names the freeing thread as the actor: mark the driver's lines as its.
    if (k.log) for (let i = from; i < k.log.length; i++) k.log[i] = `[driver] ${k.log[i]}`;
    if (!this.fired) throw new Error('free window: the driver could not take the first stage the gate promised');
  }
}

/**
 * Run thread tid's step with the window at eligible hook `at` (-1: count only).
 * Returns whether the step ran and the probe; with at >= 0 the transition
 * exists only if the step ran and the window fired. Leaves k.freeWindow null.
 */
export function runThreadWithFreeWindow(k: Kernel, tid: number, choice: number, at: number, probe = new FreeWindow(at)): { ok: boolean; probe: FreeWindow } {
  k.freeWindow = probe.reset(at);
  try {
    return { ok: runThread(k, tid, choice), probe };
  } finally {
    k.freeWindow = null;
  }
}
