// The safety properties of SEMANTICS §9, items 1-20 plus INV-DATA,
// INV-FOLIO-GET-ZERO (split out of item 15, see refs.ts) and
// INV-DEVICE-CAPACITY (split out of item 9, see cram.ts) and INV-NP-LIFETIME
// (np_lifetime.ts), each a pure predicate
// over one state. INV-PROGRESS (item 21) is a liveness property: it cannot be
// judged on a single state, so it is out of scope of this safety checking.

import type { Property } from '../src/explore/system.ts';
import type { Machine } from '../src/kernel/kernel.ts';
import { allocProperties } from './alloc.ts';
import { StateView } from './common.ts';
import { cramProperties } from './cram.ts';
import { flushProperties } from './flush.ts';
import { mmProperties } from './mm.ts';
import { nodeProperties } from './nodes.ts';
import { npLifetimeProperties } from './np_lifetime.ts';
import { refProperties } from './refs.ts';
import { safetyProperties } from './safety.ts';
import { contractProperties } from './contracts.ts';
import { nodeStateProperties } from './node_state.ts';
import { folioRefProperties } from './folio_refs.ts';
import { claims12Properties } from './claims12.ts';
import { cpusetProperties } from './cpuset.ts';
import { thpProperties } from './thp.ts';
import { memcgProperties } from './memcg.ts';
import { mempolicyTaskProperties } from './mempolicy_task.ts';

/** Property ids in SEMANTICS §9 order (plus the extra ones at the end). */
export const PROPERTY_ORDER = [
  'INV-STATE-EXCL', 'INV-PRIVATE-REG', 'INV-PRIVATE-STAYS-PRIVATE', 'INV-ISOLATION-ALLOC', 'INV-ZONELIST',
  'INV-MPOL', 'INV-RO', 'INV-WRITE-PATH', 'INV-NO-OVERCOMMIT', 'INV-BACKPRESSURE-COHERENT', 'INV-SCRUB',
  'INV-FLUSH-BIT', 'INV-NO-OPS-AFTER-UNREGISTER', 'INV-NO-CRAM-AFTER-FREE', 'INV-REFCOUNT-BALANCE',
  'INV-LIFECYCLE-ORDER', 'INV-DAEMONS', 'INV-DEMOTION-TARGETS', 'INV-MIGRATE-GATE', 'INV-FAULT-LOCK',
  'INV-DATA', 'INV-FOLIO-GET-ZERO', 'INV-DEVICE-CAPACITY', 'INV-NP-LIFETIME',
  // issue 10: memory safety (safety.ts)
  'INV-MEM-SAFETY',
  // issue 10: API postconditions (contracts.ts)
  'INV-MIGRATE-POST', 'INV-ALLOC-POST', 'INV-NPAPI-ROWS',
  // issue 10: node state consistency (node_state.ts)
  'INV-NODE-STATE',
  // issue 10: folio refcount accounting (folio_refs.ts)
  'INV-FOLIO-REFS',
  // issue 12: the cover letter's NP_OPS claims (claims12.ts)
  'INV-LONGTERM-PIN', 'INV-OOM-VICTIM', 'INV-HWPOISON',
  // issue 12 item 8: GUP pins (mm.ts)
  'INV-GUP-PIN-EXCL',
  // issue 12 item 10: the cpuset hierarchy (cpuset.ts)
  'INV-CPUSET-HIER',
  // issue 12 item 9: large folios (thp.ts)
  'INV-COMPOUND', 'INV-SPLIT-CB',
  // issue 12 item 12: memory cgroups (memcg.ts)
  'INV-MEMCG-CHARGE', 'INV-MEMCG-MAX', 'INV-MEMCG-RECLAIM',
  // issue 12 item 11: two CXL regions on one private node (np_lifetime.ts)
  'INV-NP-OPS-OWNER',
  // issue 12 item 10: task mempolicies, user nodemask flags, cpuset.memory_migrate (mempolicy_task.ts)
  'INV-MPOL-NONEMPTY', 'INV-CRAM-INBOUND',
  // issue 12 items 9 and 12: fork of a pinned page (mm.ts), memory_failure of an in-use page (claims12.ts)
  'INV-PIN-STAYS-EXCL', 'INV-HWPOISON-UNMAPPED',
  // issue 12 item 10: set_mempolicy_home_node (mempolicy_task.ts)
  'INV-MPOL-ALLOC',
  // issue 12 item 10: sibling cpusets and the OOM killer's cpuset test (claims12.ts)
  'INV-OOM-CPUSET-SKIP',
] as const;

export function kernelProperties(m: Machine): Property[] {
  // One view per property set: properties of one system share it.
  const v = new StateView(m);
  const all = [
    ...nodeProperties(v), ...allocProperties(v), ...mmProperties(v), ...cramProperties(v),
    ...flushProperties(v), ...refProperties(v), ...safetyProperties(v), ...contractProperties(v), ...nodeStateProperties(v), ...folioRefProperties(v), ...npLifetimeProperties(v), ...cpusetProperties(v),
    ...claims12Properties(v), ...thpProperties(v), ...memcgProperties(v), ...mempolicyTaskProperties(v),
  ];
  const byId = new Map(all.map((p) => [p.id, p]));
  return PROPERTY_ORDER.map((id) => {
    const p = byId.get(id);
    if (!p) throw new Error(`property ${id} is not defined`);
    return p;
  });
}
