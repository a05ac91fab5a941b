// How a worker thread rebuilds the System the main thread explores: Systems
// are objects with closures and cannot be sent, so the caller names a module,
// an exported function and plain-data arguments that build the same System.

import type { System } from './system.ts';

export interface SystemRecipe {
  /** Module URL (file:) to import. */
  readonly module: string;
  /** Exported function building the System. */
  readonly exportName: string;
  /** Its arguments (structured-clonable). */
  readonly args: readonly unknown[];
  /** If the function returns an object holding the System, the key to take it from. */
  readonly property?: string;
}

export async function loadSystem(r: SystemRecipe): Promise<System> {
  const m = (await import(r.module)) as Record<string, unknown>;
  const f = m[r.exportName];
  if (typeof f !== 'function') throw new Error(`system recipe: ${r.module} has no function '${r.exportName}'`);
  const made = (f as (...a: unknown[]) => unknown)(...r.args);
  const sys = r.property !== undefined ? (made as Record<string, unknown>)[r.property] : made;
  if (typeof sys !== 'object' || sys === null || typeof (sys as System).step !== 'function') throw new Error('system recipe: did not build a System');
  return sys as System;
}
