/**
 * Runs the `mlops` command line against the demo's runtime, as an operator would in another shell: a separate
 * process, `--local`, the project folder whose `.local/runtime.json` names this runtime.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { DemoContext } from './demo-context';

/** What a command printed and how it exited. */
export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `mlops -C <cli project> <args…> --local`. */
export function runMlops(context: DemoContext, args: readonly string[]): Promise<CliResult> {
  const bin = path.join(context.projectRoot, 'cli', 'bin.mjs');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, '-C', context.cliProject, ...args, '--local'],
      { cwd: context.projectRoot, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`mlops ${args.join(' ')} did not run: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** How the demo prints a command for the reader to try (with `npm run demo -- --keep`, in another shell). */
export function mlopsCommand(args: string): string {
  return `▸ npx mlops ${args} --local`;
}
