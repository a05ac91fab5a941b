// kernel/rcu: synchronize_rcu as a step-enabling condition. RCU read sections
// that end within one step are invisible to other threads; only a thread that
// holds LK_RCU across steps delays a grace period (same convention as
// src/kernel/node_private.ts).
import type { Kernel } from '../kernel/kernel.ts';
import { LK_RCU } from '../kernel/layout.ts';

/** synchronize_rcu() can return now: no thread other than tid is inside a read section. */
export function synchronizeRcuReady(k: Kernel, tid: number): boolean {
  for (let t = 0; t < k.g.threads.length; t++) if (t !== tid && k.has(k.L.THR_LOCKS, t, LK_RCU)) return false;
  return true;
}
