// The cpuset hierarchy (issue 12 item 10, cgroup v2, src/kernel/cpuset.ts):
// the root's effective mems track N_MEMORY ∪ N_MEMORY_PRIVATE (v4's
// cpuset_handle_hotplug), a child's effective mems are its cpuset.mems ∩ the
// parent's (the parent's when that is empty), and each task's mems_allowed is
// guarantee_online_mems of its cpuset. Every update runs within one step, so
// the relations hold in every state.

import type { Property } from '../src/explore/system.ts';
import { cpusetChildCount, guaranteeOnlineMems, taskCpuset } from '../src/kernel/cpuset.ts';
import { N_MEMORY, N_MEMORY_PRIVATE } from '../src/kernel/defs.ts';
import { nodesInState } from '../src/kernel/zonelist.ts';
import { prop, type StateView } from './common.ts';

function maskStr(mask: number): string {
  const out: number[] = [];
  for (let n = 0; mask >> n; n++) if (mask & (1 << n)) out.push(n);
  return `{${out.join(',')}}`;
}

export function cpusetProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-CPUSET-HIER', 'kernel/cgroup/cpuset.c: cpuset_handle_hotplug (v4: N_MEMORY | N_MEMORY_PRIVATE), update_nodemasks_hier, cpuset_hotplug_update_tasks, guarantee_online_mems (v4), cpuset_change_task_nodemask', (k) => {
      const root = k.get(k.L.G_CPUSET_MEMS);
      const online = nodesInState(k, N_MEMORY) | nodesInState(k, N_MEMORY_PRIVATE);
      if (root !== online) return `the root cpuset's effective mems ${maskStr(root)} but N_MEMORY | N_MEMORY_PRIVATE is ${maskStr(online)}`;
      if (!k.cfg.actors.cpuset) return null;
      const n = cpusetChildCount(k);
      for (let cs = 0; cs < n; cs++) {
        const name = n === 1 ? 'the child cpuset' : `child cpuset ${cs}`;
        const mems = k.get(k.L.CS_CHILD_MEMS, cs);
        const eff = k.get(k.L.CS_CHILD_EFF, cs);
        // cgroup v1: effective_mems = mems_allowed, a subset of the root's (writes check it, hotplug shrinks it).
        const v1 = k.cfg.cpusetV1 === true;
        const want = v1 ? mems : mems & root || root;
        if (v1 && (mems & ~root) !== 0) return `${name}'s cpuset.mems ${maskStr(mems)} is not a subset of the root's ${maskStr(root)} (cgroup v1)`;
        if (eff !== want) return `${name}'s effective mems ${maskStr(eff)} but cpuset.mems ${maskStr(mems)} ∩ the root's ${maskStr(root)} gives ${maskStr(want)}`;
        // v1: the tasks of an emptied child keep their masks until remove_tasks_in_empty_cpuset moves them.
        if (v1 && k.get(k.L.CS_V1_XFER, cs)) continue;
        const task = guaranteeOnlineMems(k, eff);
        for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
          if (taskCpuset(k, cpu) !== cs) continue;
          const got = k.get(k.L.TASK_MEMS, cpu);
          if (got !== task) return `cpu${cpu}'s task has mems_allowed ${maskStr(got)} but guarantee_online_mems(${n === 1 ? 'child' : `cs${cs}`}) is ${maskStr(task)}`;
        }
      }
      return null;
    }),
  ];
}
