// A clean stop on SIGINT / SIGTERM during a long synchronous exploration.
//
// Why a pipe and not process.on('SIGTERM'): the explorer's hot loop is
// synchronous, and Node runs signal handlers only from its event loop, so a
// handler would fire after the run is over. The package bin
// (bin/cramcheck.mjs) therefore receives the signal itself and writes one
// byte to a pipe it passed as a file descriptor (CRAMCHECK_STOP_FD); the
// explorer polls that pipe (a non-blocking read every few thousand states),
// stops, and the command prints its partial statistics with exit 3. The pipe
// reaching end-of-file means the bin is gone: stop too, never run on as an
// orphan. Run without the bin (tests, `tsx src/cli/main.ts`), nothing is
// installed and a signal keeps its default effect.

import { readSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';

export interface StopSource {
  /** True once a stop was requested; cheap enough to poll from a hot loop. */
  readonly requested: () => boolean;
  /** What asked for the stop ('SIGINT', 'SIGTERM', ..., or the bin exiting), once requested. */
  readonly reason: () => string | null;
  /**
   * For a command that polls requested(): keep a signal sent to the whole
   * process group (a terminal's ^C, `timeout`'s SIGTERM, a hangup) from
   * killing this process before it can print its partial statistics: the bin
   * gets the same signal and forwards it through the pipe. Commands that never
   * poll keep the default effect.
   */
  readonly holdGroupSignals: () => void;
}

const NEVER: StopSource = { requested: () => false, reason: () => null, holdGroupSignals: () => {} };

/** The byte the bin writes for each forwarded signal (bin/cramcheck.mjs has the same table). */
export const STOP_BYTES: Readonly<Record<string, number>> = { SIGINT: 1, SIGTERM: 2, SIGHUP: 3, 'the loss of its parent process (npx killed?)': 4 };
const SIGNAL_BY_BYTE: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(STOP_BYTES).map(([k, v]) => [v, k]));

let installed: StopSource | null = null;

/**
 * Install the stop pipe the bin passed (once per process); without one, a
 * source that never stops. While the event loop runs (no exploration in
 * progress) a stop byte ends the process as the signal would (exit 128 +
 * signal number); during a synchronous run, requested() sees it instead.
 */
export function installStopPipe(env: NodeJS.ProcessEnv = process.env): StopSource {
  if (installed) return installed;
  const fdText = env['CRAMCHECK_STOP_FD'];
  if (fdText === undefined || !/^\d+$/.test(fdText)) return (installed = NEVER);
  const fd = Number(fdText);
  let sock: Socket;
  try {
    // libuv puts the pipe in non-blocking mode, so requested() never waits.
    sock = new Socket({ fd, readable: true, writable: false });
  } catch {
    return (installed = NEVER);
  }
  sock.unref();
  let why: string | null = null;
  const exitNow = (reason: string): void => {
    process.stderr.write(`cramcheck: stopped (${reason})\n`);
    process.exit(128 + (constants.signals[reason as keyof typeof constants.signals] ?? 15));
  };
  sock.on('data', (b: Buffer) => exitNow(b[0] === 4 ? 'SIGHUP' : (SIGNAL_BY_BYTE[b[0]!] ?? 'SIGTERM')));
  sock.on('end', () => exitNow('SIGHUP'));
  sock.on('error', () => {});
  const buf = Buffer.alloc(16);
  installed = {
    requested(): boolean {
      if (why !== null) return true;
      try {
        const n = readSync(fd, buf, 0, buf.length, null);
        why = n > 0 ? (SIGNAL_BY_BYTE[buf[0]!] ?? 'a signal') : 'the cramcheck bin exited';
      } catch (e) {
        if ((e as { code?: string }).code !== 'EAGAIN') why = 'the stop pipe failed';
      }
      return why !== null;
    },
    reason: () => why,
    // The handler only runs once the synchronous run yields to the event loop;
    // by then the forwarded byte has stopped it (a signal sent to this process
    // alone, not to its group, is therefore not acted on until the run ends).
    holdGroupSignals: () => {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});
    },
  };
  return installed;
}
