// drivers/base/node.c: node_private_register / set_ops / clear_ops / unregister
// errno tables (SEMANTICS 4.4-4.7), dispatch helpers (4.2-4.3), show_has_memory (1.1).
import test from 'ava';
import {
  BLOCK_OFFLINE, EBUSY, EINVAL, ENODEV, ENOENT, MIGRATE_SYNC, MR_SYSCALL, N_MEMORY, N_MEMORY_PRIVATE, NP_OPS_MIGRATION, NP_OPS_PROTECT_WRITE,
} from '../../src/kernel/defs.ts';
import { EV_OPS_AFTER_UNREGISTER, LK_RCU, REF_NP } from '../../src/kernel/layout.ts';
import { offlineAndRemovePrivateMemory, offlinePages } from '../../src/kernel/memory_hotplug.ts';
import {
  folioManagedAllowsMigrate, folioManagedAllowsUserMigrate, folioManagedOnFree, folioManagedWrprotect, folioIsPrivateNode,
  nodePrivateClearOps, nodePrivateHasFlag, nodePrivateMigrateTo, nodePrivateMigrateToCall, nodePrivateMigrateToGet,
  nodePrivateMigrateToPut, nodePrivateRegister, nodePrivateSetOps, nodePrivateUnregisterBegin, nodePrivateUnregisterDrop, nodePrivateUnregisterFinish, nodePrivateUnregisterWait,
  npSlotOfNode, showHasMemory,
} from '../../src/kernel/node_private.ts';
import { OPS_NULL, opsIdByName } from '../../src/kernel/ops_table.ts';
import { allocPagesNode } from '../../src/kernel/page_alloc.ts';
import { GFP_HIGHUSER_MOVABLE, __GFP_PRIVATE } from '../../src/kernel/defs.ts';
import { bootExample, bootWithP, D0, nodeBlocks, P } from '../helpers/machines.ts';

test('npSlotOfNode: private nodes get slots in cfg order, DRAM nodes -1', (t) => {
  const k = bootExample({ secondPrivate: true });
  t.is(npSlotOfNode(k, D0), -1);
  t.is(npSlotOfNode(k, P), 0);
  t.is(npSlotOfNode(k, 3), 1);
});

test('§4.4 register: np NULL or !possible -> -EINVAL (before any lock)', (t) => {
  const k = bootExample();
  t.is(nodePrivateRegister(k, P, -1), -EINVAL);
  t.is(nodePrivateRegister(k, 99, 0), -EINVAL);
  t.is(nodePrivateRegister(k, -1, 0), -EINVAL);
});

test('§4.4 register: !node_private_initialized -> -ENODEV (checked after -EINVAL)', (t) => {
  const k = bootExample();
  k.set(k.L.G_NP_INITIALIZED, 0, 0);
  t.is(nodePrivateRegister(k, P, 0), -ENODEV);
  t.is(nodePrivateRegister(k, P, -1), -EINVAL);
});

test('§4.4 register: N_MEMORY node -> -EBUSY', (t) => {
  const k = bootExample();
  t.is(nodePrivateRegister(k, D0, 0), -EBUSY);
  t.is(k.get(k.L.NODE_PRIVATE, D0), 0);
});

test('§4.4 register: another np -> -EBUSY; same np -> 0 no-op; success publishes refcount 1 and private, ops not reset', (t) => {
  const k = bootExample({ secondPrivate: true });
  k.set(k.L.NP_OPS, 0, opsIdByName(k, 'mpol')); // left over from an earlier life
  t.is(nodePrivateRegister(k, P, 0), 0);
  t.is(k.get(k.L.NODE_NP, P), 1);
  t.is(k.get(k.L.NODE_PRIVATE, P), 1);
  t.is(k.get(k.L.NP_REFCOUNT, 0), 1);
  t.is(k.get(k.L.NP_OPS, 0), opsIdByName(k, 'mpol'));
  const snap = k.s.slice();
  t.is(nodePrivateRegister(k, P, 0), 0);
  t.deepEqual(k.s, snap);
  t.is(nodePrivateRegister(k, P, 1), -EBUSY);
});

test('§4.5 set_ops: the -EINVAL flag rules, then -ENODEV without np, then overwrite', (t) => {
  const k = bootExample();
  t.is(nodePrivateSetOps(k, P, OPS_NULL), -EINVAL);
  t.is(nodePrivateSetOps(k, 99, opsIdByName(k, 'mpol')), -EINVAL);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mig-no-cb')), -EINVAL); // MIGRATION without folio_migrate
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol-no-mig')), -EINVAL);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol-wp')), -EINVAL);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'numa-no-mig')), -EINVAL);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'compact-no-mig')), -EINVAL);
  // Flag checks run before the np lookup: a valid table on an unregistered node is -ENODEV.
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol')), -ENODEV);
  t.is(nodePrivateRegister(k, P, 0), 0);
  // set_ops does not check N_MEMORY_PRIVATE: P is registered but has no memory online.
  t.false(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol')), 0);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'demote')), 0); // overwrites
  t.is(k.get(k.L.NP_OPS, 0), opsIdByName(k, 'demote'));
});

test('§4.6 clear_ops: !possible -EINVAL, no np -ENODEV, other ops -EINVAL, else NULL', (t) => {
  const k = bootWithP();
  const mpol = opsIdByName(k, 'mpol');
  t.is(nodePrivateClearOps(k, 99, mpol), -EINVAL);
  t.is(nodePrivateClearOps(k, D0, mpol), -ENODEV);
  t.is(nodePrivateClearOps(k, P, opsIdByName(k, 'demote')), -EINVAL);
  t.is(nodePrivateClearOps(k, P, mpol), 0);
  t.is(k.get(k.L.NP_OPS, 0), OPS_NULL);
  t.false(nodePrivateHasFlag(k, P, NP_OPS_MIGRATION));
});

test('§4.7 unregister: no np -> 0; N_MEMORY_PRIVATE -> -EBUSY; offline-but-present does not block', (t) => {
  const k = bootWithP();
  t.is(nodePrivateUnregisterBegin(k, D0), 0);
  t.true(nodePrivateUnregisterFinish(k, D0));
  t.is(nodePrivateUnregisterBegin(k, 99), 0);
  t.is(nodePrivateUnregisterBegin(k, P), -EBUSY);
  t.is(k.get(k.L.NODE_NP, P), 1);
  const { first, n } = nodeBlocks(k, P);
  const r = offlineAndRemovePrivateMemory(k, P, first, n, k.g.driverThread);
  t.is(r.remove, 0);
  t.is(r.unregister, 0);
  t.is(k.get(k.L.NODE_NP, P), 0);
  t.is(k.get(k.L.NODE_PRIVATE, P), 0);
  t.true(nodePrivateUnregisterDrop(k, P, k.g.driverThread));
  t.true(nodePrivateUnregisterWait(k, P));
  t.is(k.get(k.L.NP_REFCOUNT, 0), 0);
  t.is(k.get(k.L.NP_RELEASED, 0), 1);
  t.is(k.get(k.L.GH_NP_UNREG_OPS, 0), opsIdByName(k, 'mpol') + 1);
});

test('§4.7 unregister waits for synchronize_rcu and for the migrate_to reference to drain', (t) => {
  const k = bootWithP();
  const cpu = k.g.cpuThread(0);
  // A thread holds an RCU read section across steps: the grace period waits.
  k.setBits(k.L.THR_LOCKS, cpu, LK_RCU);
  const { first, n } = nodeBlocks(k, P);
  // Take a migrate_to reference first (it is taken under RCU before the pointer is cleared).
  t.is(nodePrivateMigrateToGet(k, cpu, P), 0);
  t.is(k.get(k.L.NP_REFCOUNT, 0), 2);
  t.is(offlineAndRemovePrivateMemory(k, P, first, n, k.g.driverThread).unregister, 0);
  t.false(nodePrivateUnregisterDrop(k, P, k.g.driverThread), 'synchronize_rcu waits');
  k.clearBits(k.L.THR_LOCKS, cpu, LK_RCU);
  // drivers/base/node.c: node_private_unregister drops the base reference, then wait_for_completion.
  t.true(nodePrivateUnregisterDrop(k, P, k.g.driverThread));
  t.is(k.get(k.L.NP_REFCOUNT, 0), 1, 'the base reference is dropped before the wait');
  t.false(nodePrivateUnregisterWait(k, P), 'waiting on the completion');
  nodePrivateMigrateToPut(k, cpu, P);
  t.false(k.has(k.L.THR_REFS, cpu, REF_NP));
  t.is(k.get(k.L.NP_RELEASED, 0), 1, 'the holder\'s put is the last one: it completes `released`');
  t.true(nodePrivateUnregisterWait(k, P));
  t.is(k.get(k.L.NP_REFCOUNT, 0), 0);
  t.is(k.get(k.L.GH_EVENTS) & EV_OPS_AFTER_UNREGISTER, 0);
});

test('§4.7 only online memory counts: blocks present but offline do not make unregister -EBUSY', (t) => {
  const k = bootWithP();
  const { first } = nodeBlocks(k, P);
  t.is(offlinePages(k, first, k.g.driverThread), 0);
  t.is(k.get(k.L.BLOCK_STATE, first), BLOCK_OFFLINE);
  t.is(nodePrivateUnregisterBegin(k, P), 0);
  t.true(nodePrivateUnregisterFinish(k, P));
});

test('re-register clears GH_NP_UNREG_OPS (a new life of the np)', (t) => {
  const k = bootWithP();
  const { first, n } = nodeBlocks(k, P);
  offlineAndRemovePrivateMemory(k, P, first, n, k.g.driverThread);
  t.true(nodePrivateUnregisterFinish(k, P));
  t.not(k.get(k.L.GH_NP_UNREG_OPS, 0), 0);
  t.is(nodePrivateRegister(k, P, 0), 0);
  t.is(k.get(k.L.GH_NP_UNREG_OPS, 0), 0);
});

test('node_private_migrate_to: -ENODEV without np, ops or migrate_to; the MIGRATION flag is not checked (4.2, A5)', (t) => {
  const k = bootWithP({}, 'bare');
  const cpu = k.g.cpuThread(0);
  t.is(nodePrivateMigrateTo(k, cpu, [], D0, MIGRATE_SYNC, MR_SYSCALL).ret, -ENODEV);
  t.is(nodePrivateMigrateTo(k, cpu, [], P, MIGRATE_SYNC, MR_SYSCALL).ret, -ENODEV); // 'bare' has no migrate_to
  t.is(nodePrivateClearOps(k, P, opsIdByName(k, 'bare')), 0);
  t.is(nodePrivateMigrateTo(k, cpu, [], P, MIGRATE_SYNC, MR_SYSCALL).ret, -ENODEV);
  // migrate_to present without the MIGRATION flag: still called (generic migrate_pages of an empty list = 0).
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'cb-no-flag')), 0);
  t.false(nodePrivateHasFlag(k, P, NP_OPS_MIGRATION));
  t.is(nodePrivateMigrateTo(k, cpu, [], P, MIGRATE_SYNC, MR_SYSCALL).ret, 0);
  t.is(k.get(k.L.NP_REFCOUNT, 0), 1);
  t.is(nodePrivateMigrateToGet(k, cpu, P), 0);
  t.is(k.get(k.L.NP_REFCOUNT, 0), 2);
  t.true(k.has(k.L.THR_REFS, cpu, REF_NP));
  nodePrivateMigrateToPut(k, cpu, P);
  t.is(k.get(k.L.NP_REFCOUNT, 0), 1);
});

test('R4/R5: a migrate_to call in flight after unregister returned (mutant unregister-no-drain) records EV_OPS_AFTER_UNREGISTER', (t) => {
  for (const mutant of [null, 'unregister-no-drain']) {
    const k = bootWithP({ mutant });
    const cpu = k.g.cpuThread(0);
    t.is(nodePrivateMigrateToGet(k, cpu, P), 0);
    const { first, n } = nodeBlocks(k, P);
    offlineAndRemovePrivateMemory(k, P, first, n, k.g.driverThread);
    const done = nodePrivateUnregisterDrop(k, P, k.g.driverThread) && nodePrivateUnregisterWait(k, P);
    t.is(done, mutant !== null);
    nodePrivateMigrateToCall(k, cpu, [], P, MIGRATE_SYNC, MR_SYSCALL);
    nodePrivateMigrateToPut(k, cpu, P);
    t.is((k.get(k.L.GH_EVENTS) & EV_OPS_AFTER_UNREGISTER) !== 0, mutant !== null);
  }
});

test('flags read live: no np or no ops reads as 0; dispatch helpers follow them', (t) => {
  const k = bootWithP({}, 'demote');
  const pfn = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0);
  t.is(k.g.pfnNode[pfn], P);
  t.true(folioIsPrivateNode(k, pfn));
  t.true(folioManagedWrprotect(k, pfn));
  t.true(folioManagedAllowsMigrate(k, pfn));
  t.is(folioManagedAllowsUserMigrate(k, pfn), P);
  t.is(nodePrivateClearOps(k, P, opsIdByName(k, 'demote')), 0);
  t.false(folioManagedWrprotect(k, pfn));
  t.false(folioManagedAllowsMigrate(k, pfn));
  t.is(folioManagedAllowsUserMigrate(k, pfn), -ENOENT);
  t.false(nodePrivateHasFlag(k, P, NP_OPS_PROTECT_WRITE));
  const d = allocPagesNode(k, D0, GFP_HIGHUSER_MOVABLE, 0);
  t.true(folioManagedAllowsMigrate(k, d));
  t.false(folioManagedWrprotect(k, d));
});

test('folio_managed_on_free calls free_folio whenever it is non-NULL (not gated by flags)', (t) => {
  const k = bootWithP({}, 'demote');
  const pfn = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0);
  t.false(folioManagedOnFree(k, 0, pfn)); // generic free_folio returns false: back to the buddy
  const k2 = bootWithP({}, 'mpol'); // no free_folio
  const p2 = allocPagesNode(k2, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0);
  t.false(folioManagedOnFree(k2, 0, p2));
});

test('§1.1 show_has_memory: N_MEMORY plus private nodes with NP_OPS_MEMPOLICY', (t) => {
  const k = bootWithP({}, 'demote');
  t.is(showHasMemory(k), 0b011);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol')), 0);
  t.is(showHasMemory(k), 0b111);
  t.true(k.has(k.L.NODE_STATES, D0, N_MEMORY));
});
