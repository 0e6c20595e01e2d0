/**
 * Kills the emulator processes this Node process started when it goes away, however it goes away:
 * normal exit, Ctrl-C, SIGTERM from a CI runner, or an uncaught exception. Each child is the leader of
 * its own process group (spawned `detached`), so killing `-pid` also takes anything it spawned.
 *
 * A SIGKILL of this process cannot be caught; for that case the moto launcher also exits when its stdin
 * pipe closes (see moto-server.ts).
 */

const groups = new Set<number>();
let hooksInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function killAll(): void {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
  groups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  // Our listener replaced Node's default "terminate on signal"; restore it when nobody else handles the signal.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // The monitor variant observes without changing Node's crash behaviour.
  process.on('uncaughtExceptionMonitor', killAll);
}

/** Registers the process group led by `pid` to be killed when this process exits. */
export function reapOnExit(pid: number): void {
  installHooks();
  groups.add(pid);
}

/** Forgets `pid` (after it was stopped normally). */
export function forgetChild(pid: number): void {
  groups.delete(pid);
}

/** Sends `signal` to the process group led by `pid`. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  killGroup(pid, signal);
}
