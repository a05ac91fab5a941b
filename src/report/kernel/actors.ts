// How a mail names the kernel model's actors: the titles of the CPU columns.

/** 'cpu0' -> 'CPU0', 'irq-lthresh' -> 'lthresh IRQ thread', ... (actor names of src/kernel/sched.ts threadLabel). */
export function actorTitle(actor: string): string {
  const cpu = /^cpu(\d+)$/.exec(actor);
  if (cpu) return `CPU${cpu[1]}`;
  const ow = /^overflow\(cpu(\d+)\)$/.exec(actor);
  if (ow) return `overflow work (CPU${ow[1]})`;
  if (actor === 'irq-lthresh') return 'lthresh IRQ thread';
  if (actor === 'irq-hthresh') return 'hthresh IRQ thread';
  if (actor === 'cxl-flush') return 'cxl-flush kthread';
  if (actor === 'driver') return 'CXL region driver';
  if (actor === 'admin') return 'admin';
  return actor;
}
