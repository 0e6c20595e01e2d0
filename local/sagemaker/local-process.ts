/**
 * A container stand-in: a child process in its own process group, so stopping it also stops whatever it spawned
 * (`npx` -> `node`, a shell -> python, ...). Nothing may outlive `kill()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

import { sleepMs } from './scaled-clock';

/** Which command to run where; what an image resolver returns. */
export interface LocalCommand {
  /** argv; the first element is looked up on `PATH`. */
  readonly command: readonly string[];
  /** Working directory; relative paths in `command` are relative to it. */
  readonly cwd: string;
}

/** How the process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Receives each output line as it is written. */
export type LineListener = (stream: 'stdout' | 'stderr', line: string) => void;

/** A running local command. */
export class LocalProcess {
  /** Resolves when the process has exited and its output has been read to the end. */
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private done = false;

  private constructor(child: ChildProcess, onLine: LineListener) {
    this.child = child;
    const streamsClosed = [readLines(child, 'stdout', onLine), readLines(child, 'stderr', onLine)];
    const exit = new Promise<ProcessExit>((resolve) => {
      child.once('error', (error) => {
        onLine('stderr', `failed to start: ${error.message}`);
        resolve({ code: 127, signal: null });
      });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.exited = exit.then(async (result) => {
      this.done = true;
      await Promise.all(streamsClosed);
      return result;
    });
  }

  /** Starts `command` with exactly `env` (the caller decides what to inherit). */
  static start(command: LocalCommand, env: Readonly<Record<string, string>>, onLine: LineListener): LocalProcess {
    const [file, ...args] = command.command;
    if (file === undefined) throw new RangeError('command must not be empty');
    // detached: the child leads a new process group, which kill() signals as a whole.
    const child = spawn(file, args, { cwd: command.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    return new LocalProcess(child, onLine);
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return !this.done;
  }

  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.done) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone; exactly the state we wanted.
    }
  }

  /**
   * SIGTERM, then SIGKILL once `graceMs` has passed (SageMaker gives training 120 s, serving 30 s, REFERENCE 4).
   * Resolves once the process has exited.
   */
  async stop(graceMs: number): Promise<ProcessExit> {
    this.signal('SIGTERM');
    const graceOver = new AbortController();
    const grace = sleepMs(graceMs, graceOver.signal).then(
      () => undefined,
      () => undefined,
    );
    const exited = await Promise.race([this.exited, grace]);
    graceOver.abort(); // no timer may keep the event loop alive after the process is gone
    if (exited !== undefined) return exited;
    this.signal('SIGKILL');
    return this.exited;
  }

  /** SIGKILL to the group at once; for shutdown paths that must not wait. */
  kill(): void {
    this.signal('SIGKILL');
  }
}

function readLines(child: ChildProcess, name: 'stdout' | 'stderr', onLine: LineListener): Promise<void> {
  const stream = child[name];
  if (stream === null) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => onLine(name, line));
  return new Promise((resolve) => lines.once('close', resolve));
}

/** The defined entries of an environment such as `process.env`, as `spawn` wants them. */
export function inheritableEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
