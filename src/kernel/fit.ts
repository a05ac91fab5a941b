// Does a configuration fit the state layout? Checked before anything runs.
//
// Why: every field of the kernel state is a 16-bit word (layout.ts). A
// configuration whose sizes need more (a pfn above 65535, a nodemask of 17
// nodes, a content value of 65536) would be stored truncated, and two
// different kernels would share a key or a PTE would point at another page: a
// false "DATA LOSS" or a false "OK". So the sizes are checked in two passes:
// first the counts that geometry allocates arrays for (before allocating
// anything, so an absurd size cannot hang or crash the process), then every
// field's maximum, which the layout derives from the configuration.

import type { KernelConfig } from './config.ts';
import type { KernelLayout } from './layout.ts';

/** A configuration the state layout cannot represent; the CLI turns it into one line and exit 2. */
export class ConfigFitError extends Error {
  override readonly name = 'ConfigFitError';
}

/** Largest value of one state field (a Uint16Array element). */
export const FIELD_LIMIT = 0xffff;
/** Bits of a nodemask field: a node id must fit one bit of a 16-bit word. */
export const NODEMASK_BITS = 16;
/**
 * Largest state in 16-bit words (64 KiB). Beyond this a single state costs
 * more than the whole of canonical's visited set per thousand states; no
 * exhaustive run could finish, and the limit keeps absurd sizes from hanging.
 */
export const STATE_WORDS16_LIMIT = 32_768;
/** Largest buddy order: 1 << maxOrder must stay an exact small integer. */
export const MAX_ORDER_LIMIT = 15;

function fail(field: string, value: number, limit: number, why: string): never {
  throw new ConfigFitError(`${field} = ${value} does not fit the state layout (limit ${limit}: ${why})`);
}

/** Counts checked before geometry allocates per-pfn arrays. Throws ConfigFitError. */
export function checkCountsFit(cfg: KernelConfig): void {
  const n = cfg.nodes.length;
  if (n > NODEMASK_BITS) fail('nodes', n, NODEMASK_BITS, 'a nodemask is one 16-bit word');
  if (cfg.maxOrder > MAX_ORDER_LIMIT) fail('maxOrder', cfg.maxOrder, MAX_ORDER_LIMIT, 'free_area orders');
  let blocks = 0;
  for (const node of cfg.nodes) for (const z of node.zones) blocks += z.blocks;
  // Plain doubles: blockPages 2^30 times 10^5 blocks is still exact here.
  const pfns = blocks * cfg.blockPages;
  if (pfns > FIELD_LIMIT) fail('pfns (blockPages x blocks)', pfns, FIELD_LIMIT, 'a pfn + 1 is stored in one 16-bit field');
  if (cfg.contentValues > FIELD_LIMIT) fail('contentValues', cfg.contentValues, FIELD_LIMIT, 'an expected content + 1 is stored in one 16-bit field');
  if (cfg.swapSlots >= FIELD_LIMIT) fail('swapSlots', cfg.swapSlots, FIELD_LIMIT - 1, 'a swap slot + 1 is stored in one 16-bit field');
  if (cfg.mms * cfg.vaddrs > FIELD_LIMIT) fail('mms x vaddrs', cfg.mms * cfg.vaddrs, FIELD_LIMIT, 'page slots');
  if (cfg.files * cfg.filePages >= FIELD_LIMIT) fail('files x filePages', cfg.files * cfg.filePages, FIELD_LIMIT - 1, 'a file index + 1 is stored in one 16-bit field');
  // A rough size before the layout is built: per-pfn fields dominate.
  const rough = pfns * 11 + cfg.mms * cfg.vaddrs * 10 + cfg.cpus.length * 20;
  if (rough > STATE_WORDS16_LIMIT) fail('state size (words)', rough, STATE_WORDS16_LIMIT, 'one state would exceed 64 KiB');
}

/** Every field's maximum and the total size, once the layout is built. Throws ConfigFitError. */
export function checkLayoutFits(L: KernelLayout): void {
  for (const f of L.fields) {
    if (!Number.isInteger(f.max) || f.max < 0 || f.max > FIELD_LIMIT) fail(`field ${f.name} maximum`, f.max, FIELD_LIMIT, 'one 16-bit word');
  }
  if (L.words16 > STATE_WORDS16_LIMIT) fail('state size (words)', L.words16, STATE_WORDS16_LIMIT, 'one state would exceed 64 KiB');
}
