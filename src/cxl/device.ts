// The compressed CXL device itself, which v4 does not model but whose limits
// the invariants judge: it reports more capacity than it has, stores each page
// at a cost depending on how well its contents compress, and raises two edge
// interrupts when its physical usage crosses the configured thresholds
// (SEMANTICS 7.1: MSI-X 12 lthresh, MSI-X 13 hthresh).

import type { Kernel } from '../kernel/kernel.ts';

export const IRQ_LTHRESH = 1 << 0;
export const IRQ_HTHRESH = 1 << 1;

/** Content class of a page value: 0 zero-like, 1 mixed, 2 incompressible. */
export function contentClass(k: Kernel, v: number): 0 | 1 | 2 {
  if (v === 0) return 0;
  // The upper half of the value range stands for incompressible data.
  return v * 2 >= k.cfg.contentValues ? 2 : 1;
}

export function contentCost(k: Kernel, v: number): number {
  return k.cfg.device.cost[contentClass(k, v)];
}

/** A page of the device's media changed from old to v: account and raise edges. */
export function deviceContentChanged(k: Kernel, old: number, v: number): void {
  const L = k.L;
  const used = k.get(L.DEV_USED) - contentCost(k, old) + contentCost(k, v);
  k.set(L.DEV_USED, 0, used);
  deviceCheckThresholds(k);
}

/**
 * Room on the media for nr more pages even if none of them compresses
 * (cost[2] each): the synchronous headroom read of fix cram-alloc-checks-device.
 */
export function deviceHasRoom(k: Kernel, nr: number): boolean {
  return k.get(k.L.DEV_USED) + nr * k.cfg.device.cost[2] <= k.cfg.device.physUnits;
}

/** Edge detection: lthresh fires when usage reaches the high mark, hthresh when it falls to the low one. */
export function deviceCheckThresholds(k: Kernel): void {
  const L = k.L;
  const used = k.get(L.DEV_USED);
  const level = k.get(L.DEV_LEVEL);
  if (level === 0 && used >= k.cfg.device.lthresh) {
    k.set(L.DEV_LEVEL, 0, 1);
    k.setBits(L.DEV_IRQ, 0, IRQ_LTHRESH);
    k.trace(`device: used ${used} >= ${k.cfg.device.lthresh}: raise lthresh (MSI-X 12)`);
  } else if (level === 1 && used <= k.cfg.device.hthresh) {
    k.set(L.DEV_LEVEL, 0, 0);
    k.setBits(L.DEV_IRQ, 0, IRQ_HTHRESH);
    k.trace(`device: used ${used} <= ${k.cfg.device.hthresh}: raise hthresh (MSI-X 13)`);
  }
}
