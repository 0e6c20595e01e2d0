import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { forgetChild, reapOnExit, signalGroup } from './child-process-reaper';
import { EmulatorError, EmulatorSetupError, MotoStartError } from './errors';
import { findFreePort } from './free-port';
import { isMotoInstalled, logDir, repoRoot, setupScript, venvPython } from './repo-paths';

/** A running moto server on a loopback port. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`; point a gateway (not SDK clients directly) at it. */
  readonly endpoint: string;
  readonly port: number;
  /** Process id; the process also leads its own process group. */
  readonly pid: number;
  /** File that receives moto's stdout and stderr. */
  readonly logFile: string;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s). Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startMoto}. */
export interface StartMotoOptions {
  /**
   * File for moto's output (appended).
   * @default `.local/logs/moto-<port>.log` under the repository root
   */
  readonly logFile?: string;
  /**
   * How long to wait for the health check.
   * @default 20_000
   */
  readonly startTimeoutMs?: number;
}

// moto's own entry point (what `.venv/bin/moto_server` runs), plus a watchdog thread: when the Node parent
// dies (even by SIGKILL, which no exit hook sees) the stdin pipe closes and the server exits instead of
// outliving the test run. It reads the raw fd: a thread blocked in sys.stdin's buffered reader makes Python
// abort at shutdown.
const LAUNCHER = [
  '# moto_server launcher with a parent watchdog',
  'import os, sys, threading',
  'def _watch():',
  '    try:',
  '        while os.read(0, 4096):',
  '            pass',
  '    finally:',
  '        os._exit(0)',
  'threading.Thread(target=_watch, daemon=True).start()',
  'from moto.server import main',
  'main()',
].join('\n');

const MAX_PORT_ATTEMPTS = 5;

/**
 * Starts `moto_server` from `.venv` on a free loopback port and waits until it answers.
 * Runs `scripts/setup-local.sh` first when `.venv` lacks the moto version the script pins. The server is
 * killed when this process exits (normally, by signal or by an uncaught exception) if `stop()` was not called.
 */
export async function startMoto(opts: StartMotoOptions = {}): Promise<MotoServer> {
  ensureMotoInstalled();
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++) {
    const port = await findFreePort();
    try {
      return await launch(port, opts);
    } catch (error) {
      // Another process may take the port between findFreePort and moto's bind; try another one.
      if (error instanceof MotoStartError && /address already in use/i.test(error.logTail)) {
        lastError = error;
        continue;
      }
      throw error;
    }
  }
  throw new EmulatorError(`moto could not bind a free port after ${MAX_PORT_ATTEMPTS} attempts`, {
    cause: lastError,
  });
}

/** Wipes all state of every service and account (`POST /moto-api/reset`). */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new EmulatorError(`moto reset failed: HTTP ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

function ensureMotoInstalled(): void {
  if (isMotoInstalled()) return;
  const result = spawnSync('bash', [setupScript], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new EmulatorSetupError(
      `${setupScript} failed (exit ${String(result.status)}):\n${result.stdout}${result.stderr}`,
      result.status,
      { cause: result.error },
    );
  }
  if (!isMotoInstalled()) throw new EmulatorSetupError(`${setupScript} succeeded but moto is not in .venv`, 0);
}

async function launch(port: number, opts: StartMotoOptions): Promise<MotoServer> {
  if (opts.logFile === undefined) pruneOldLogs();
  const logFile = opts.logFile ?? join(logDir, `moto-${port}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(venvPython, ['-c', LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
      cwd: repoRoot,
      detached: true,
      stdio: ['pipe', logFd, logFd],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new MotoStartError('could not spawn moto', logFile, readTail(logFile));
  reapOnExit(pid);
  // The child must not keep this process alive, and its stdin pipe must stay open until we exit.
  child.unref();
  if (child.stdin instanceof Socket) child.stdin.unref();
  child.stdin?.on('error', () => undefined);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    forgetChild(pid);
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (hasExited) return;
    signalGroup(pid, 'SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
    if (!killed) {
      signalGroup(pid, 'SIGKILL');
      await exited;
    }
    child.stdin?.destroy();
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (hasExited) {
      throw new MotoStartError(`moto exited while starting on port ${port}`, logFile, readTail(logFile));
    }
    if (await isHealthy(endpoint)) return { endpoint, port, pid, logFile, stop };
    await sleep(50);
  }
  await stop();
  throw new MotoStartError(
    `moto did not answer ${endpoint}/moto-api/ within ${opts.startTimeoutMs ?? 20_000} ms`,
    logFile,
    readTail(logFile),
  );
}

async function isHealthy(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

// Each server logs to its own file; a day is long enough to read the log of a failed run.
function pruneOldLogs(maxAgeMs = 24 * 3600 * 1000): void {
  try {
    for (const name of readdirSync(logDir)) {
      const file = join(logDir, name);
      if (/^moto-\d+\.log$/.test(name) && Date.now() - statSync(file).mtimeMs > maxAgeMs) rmSync(file, { force: true });
    }
  } catch {
    // no log folder yet
  }
}

function readTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
