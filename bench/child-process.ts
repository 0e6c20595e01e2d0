import { spawnSync } from 'node:child_process';

/**
 * Runs one contestant of a benchmark in its own process (`<script> --child <mode> <args...>`), so its peak RSS is
 * its own, and returns the JSON it prints on its last line, checked by `isResult`.
 */
export function runChild<T>(
  script: string,
  mode: string,
  args: readonly (string | undefined)[],
  isResult: (value: unknown) => value is T,
  timeoutMs: number,
): T {
  const argv = [script, '--child', mode, ...args.filter((a): a is string => a !== undefined)];
  const result = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 24, timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`${mode} failed: ${result.stderr}`);
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  const parsed: unknown = JSON.parse(line);
  if (!isResult(parsed)) throw new Error(`${mode}: unexpected output ${line}`);
  return parsed;
}
