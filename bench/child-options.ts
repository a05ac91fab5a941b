// The store options a bench child takes: --store exact|fingerprint,
// --layout flat|tree|packed, --workers N. Returns the explore() options, a label and the thread count.
import type { ExploreOptions, StoreKind, StoreLayout } from '../src/explore/explorer.ts';

export function childStoreOptions(argv: readonly string[]): { opts: Pick<ExploreOptions, 'store' | 'layout'>; label: string; workers: number } {
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const store = at('--store') as StoreKind | undefined;
  const layout = at('--layout') as StoreLayout | undefined;
  if (store !== undefined && store !== 'exact' && store !== 'fingerprint') throw new Error(`--store ${store}`);
  if (layout !== undefined && !['flat', 'tree', 'packed'].includes(layout)) throw new Error(`--layout ${layout}`);
  const workers = Number(at('--workers') ?? '1');
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers ${at('--workers')}`);
  const label = store === 'fingerprint' ? 'fingerprint' : `exact/${layout ?? 'default'}`;
  return { opts: { ...(store ? { store } : {}), ...(layout ? { layout } : {}) }, label, workers };
}
