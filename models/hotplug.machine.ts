// Hotplug protocol of one private node (SEMANTICS §4.4-4.7, §5, §6.2 register rows):
// what may happen to the node, in the order the RFC intends.
//
// Three parallel regions, because the three facts change independently and the
// kernel serialises them only partly (SEMANTICS 5.5: nothing orders clear_ops
// against offline):
//   np      — pgdat->node_private published (node_private_register / _unregister)
//   memory  — the node's blocks: absent, added but offline, online as
//             N_MEMORY_PRIVATE, offlining (pageblocks isolated)
//   service — np->ops and the CRAM owner: none, ops set, CRAM registered,
//             CRAM unregistering (cn unpublished, draining)
// One machine step may change several regions at once only through an event
// that the kernel performs as one call (add_private_memory_driver_managed
// registers and onlines; offline_and_remove_private_memory offlines, removes
// and unregisters). Refusals are self-loops guarded by the errno the kernel
// returns, named after the rule that refuses them.

import { and, not, or, setup, stateIn } from 'xstate';
import { EBUSY, EINVAL, ENODEV } from '../src/kernel/defs.ts';
import type { MachineSpec } from './machine_graph.ts';

export type HotplugEvent =
  | { type: 'node_private_register'; ret?: number }
  | { type: 'node_private_unregister'; ret?: number }
  | { type: 'add_private_memory_driver_managed'; ret?: number }
  | { type: 'add_private_memory_offline'; ret?: number }
  | { type: 'add_memory_driver_managed'; ret?: number }
  | { type: 'online_pages'; ret?: number }
  | { type: 'start_isolate_page_range'; ret?: number }
  | { type: 'offline_pages'; ret?: number }
  | { type: 'offline_rollback'; ret?: number }
  | { type: 'remove_memory'; ret?: number }
  | { type: 'offline_and_remove_private_memory'; ret?: number }
  | { type: 'node_private_set_ops'; ret?: number }
  | { type: 'node_private_clear_ops'; ret?: number }
  | { type: 'cram_register_private_node'; ret?: number }
  | { type: 'cram_unregister_private_node'; ret?: number }
  | { type: 'cram_node_freed'; ret?: number };

const ok = ({ event }: { event: HotplugEvent }) => (event.ret ?? 0) === 0;
const memoryUp = { memory: 'online' } as const;
const memoryOfflining = { memory: 'offlining' } as const;

export const hotplugMachine = setup({
  types: { events: {} as HotplugEvent },
  guards: {
    ok,
    // node.c: node_private_unregister -> -EBUSY while N_MEMORY_PRIVATE(nid)
    UNREGISTER_WHILE_ONLINE: ({ event }) => event.ret === -EBUSY,
    // node.c: node_private_register -> -EBUSY (N_MEMORY, or another np registered)
    REGISTER_BUSY: ({ event }) => event.ret === -EBUSY,
    // node.c: node_private_set_ops -> -ENODEV when no np is registered
    SET_OPS_BEFORE_REGISTER: ({ event }) => event.ret === -ENODEV,
    // node.c: node_private_clear_ops -> -EINVAL when ops != current ops; -ENODEV without np
    CLEAR_OPS_MISMATCH: ({ event }) => event.ret === -EINVAL || event.ret === -ENODEV,
    // cram.c: cram_register_private_node -> -EINVAL unless N_MEMORY_PRIVATE(nid)
    CRAM_REGISTER_NOT_PRIVATE: ({ event }) => event.ret === -EINVAL,
    // cram.c: cram_register_private_node -> -EBUSY for another owner
    CRAM_REGISTER_OTHER_OWNER: ({ event }) => event.ret === -EBUSY,
    // memory_hotplug.c: offline_pages fails (-EBUSY/-EINTR) and the blocks are re-onlined
    OFFLINE_FAILED: ({ event }) => event.ret !== undefined && event.ret < 0,
  },
}).createMachine({
  id: 'hotplug',
  type: 'parallel',
  states: {
    np: {
      initial: 'unregistered',
      states: {
        unregistered: {
          on: {
            node_private_register: { guard: 'ok', target: 'registered' },
            add_private_memory_driver_managed: { guard: 'ok', target: 'registered' },
            add_private_memory_offline: { guard: 'ok', target: 'registered' },
            node_private_set_ops: { guard: 'SET_OPS_BEFORE_REGISTER', target: 'unregistered', reenter: true },
          },
        },
        registered: {
          on: {
            node_private_register: { guard: 'REGISTER_BUSY', target: 'registered', reenter: true },
            node_private_unregister: [
              { guard: and(['ok', not(stateIn(memoryUp)), not(stateIn(memoryOfflining))]), target: 'unregistered' },
              { guard: and(['UNREGISTER_WHILE_ONLINE', or([stateIn(memoryUp), stateIn(memoryOfflining)])]), target: 'registered', reenter: true },
            ],
            offline_and_remove_private_memory: { guard: and(['ok', not(stateIn(memoryOfflining))]), target: 'unregistered' },
          },
        },
      },
    },
    memory: {
      initial: 'absent',
      states: {
        absent: {
          on: {
            add_memory_driver_managed: { guard: and(['ok', stateIn({ np: 'registered' })]), target: 'offline' },
            add_private_memory_driver_managed: { guard: 'ok', target: 'online' },
            // add_private_memory_driver_managed(..., MMOP_OFFLINE, np): registered and
            // added, left offline for a later online_pages (SEMANTICS 5.1)
            add_private_memory_offline: { guard: 'ok', target: 'offline' },
          },
        },
        offline: {
          on: {
            online_pages: { guard: and(['ok', stateIn({ np: 'registered' })]), target: 'online' },
            remove_memory: { guard: 'ok', target: 'absent' },
            offline_and_remove_private_memory: { guard: 'ok', target: 'absent' },
          },
        },
        online: {
          on: {
            start_isolate_page_range: { guard: 'ok', target: 'offlining' },
            offline_pages: { guard: 'ok', target: 'offline' },
            offline_and_remove_private_memory: [
              { guard: 'ok', target: 'absent' },
              { guard: 'OFFLINE_FAILED', target: 'online', reenter: true },
            ],
          },
        },
        offlining: {
          on: {
            offline_pages: { guard: 'ok', target: 'offline' },
            offline_rollback: { target: 'online' },
          },
        },
      },
    },
    service: {
      initial: 'none',
      states: {
        none: {
          on: {
            node_private_set_ops: { guard: and(['ok', stateIn({ np: 'registered' })]), target: 'ops' },
            cram_register_private_node: [
              { guard: and(['ok', stateIn(memoryUp)]), target: 'cram' },
              { guard: and(['CRAM_REGISTER_NOT_PRIVATE', not(stateIn(memoryUp))]), target: 'none', reenter: true },
            ],
            node_private_clear_ops: { guard: 'CLEAR_OPS_MISMATCH', target: 'none', reenter: true },
          },
        },
        ops: {
          on: {
            // Ops left on an unregistered np (cram_unregister's WARN_ON(clear_ops) failed, R4/5.3)
            // vanish when the driver probes again with a fresh kzalloc'd np (region_sysram.c:
            // devm_cxl_add_sysram); a sysfs re-add of the same np is over-approximated by this edge.
            add_private_memory_driver_managed: { guard: and(['ok', stateIn({ np: 'unregistered' })]), target: 'none' },
            // set_ops overwrites (SEMANTICS 4.5): a self-loop
            node_private_set_ops: { guard: 'ok', target: 'ops', reenter: true },
            node_private_clear_ops: [
              { guard: 'ok', target: 'none' },
              { guard: 'CLEAR_OPS_MISMATCH', target: 'ops', reenter: true },
            ],
            cram_register_private_node: [
              { guard: and(['ok', stateIn(memoryUp)]), target: 'cram' },
              { guard: and(['CRAM_REGISTER_NOT_PRIVATE', not(stateIn(memoryUp))]), target: 'ops', reenter: true },
            ],
          },
        },
        cram: {
          on: {
            cram_register_private_node: { guard: 'CRAM_REGISTER_OTHER_OWNER', target: 'cram', reenter: true },
            cram_unregister_private_node: { guard: 'ok', target: 'cram_draining' },
          },
        },
        cram_draining: {
          on: {
            // synchronize_rcu + refcount_dec_if_one spin + kfree; ops were cleared
            // (or, if WARN_ON(clear_ops) fired, remain set)
            cram_node_freed: [{ guard: 'ok', target: 'none' }],
            node_private_set_ops: { guard: 'ok', target: 'ops' },
            // another owner registers while the old cn drains: cram_nodes[nid] is
            // already NULL, so v4 publishes a new cn (mm/cram.c:
            // cram_register_private_node); the old one finishes draining unseen
            cram_register_private_node: { guard: and(['ok', stateIn(memoryUp)]), target: 'cram' },
          },
        },
      },
    },
  },
});

const r = (type: HotplugEvent['type'], ...rets: number[]): HotplugEvent[] =>
  [0, ...rets].map((ret) => ({ type, ret }) as HotplugEvent);

export const hotplugSpec: MachineSpec = {
  name: 'hotplug',
  machine: hotplugMachine,
  events: [
    ...r('node_private_register', -EBUSY),
    ...r('node_private_unregister', -EBUSY),
    ...r('add_private_memory_driver_managed'),
    ...r('add_private_memory_offline'),
    ...r('add_memory_driver_managed'),
    ...r('online_pages'),
    ...r('start_isolate_page_range'),
    ...r('offline_pages'),
    ...r('offline_rollback'),
    ...r('remove_memory'),
    ...r('offline_and_remove_private_memory', -EBUSY),
    ...r('node_private_set_ops', -ENODEV),
    ...r('node_private_clear_ops', -EINVAL),
    ...r('cram_register_private_node', -EINVAL, -EBUSY),
    ...r('cram_unregister_private_node'),
    ...r('cram_node_freed'),
  ],
  traceFns: {
    node_private_register: ['node_private_register'],
    node_private_unregister: ['node_private_unregister'],
    add_private_memory_driver_managed: ['add_private_memory_driver_managed'],
    add_private_memory_offline: ['add_private_memory_driver_managed'],
    add_memory_driver_managed: ['__add_memory_driver_managed', 'add_memory_driver_managed'],
    online_pages: ['online_pages'],
    start_isolate_page_range: ['start_isolate_page_range', 'offline_pages'],
    offline_pages: ['offline_pages'],
    offline_rollback: ['offline_pages', 'online_pages'],
    remove_memory: ['try_remove_memory', 'remove_memory'],
    offline_and_remove_private_memory: ['offline_and_remove_private_memory', 'offline_and_remove_memory'],
    node_private_set_ops: ['node_private_set_ops'],
    node_private_clear_ops: ['node_private_clear_ops'],
    cram_register_private_node: ['cram_register_private_node'],
    cram_unregister_private_node: ['cram_unregister_private_node'],
    cram_node_freed: ['cram_unregister_private_node', 'kfree'],
  },
};
