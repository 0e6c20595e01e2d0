import type { TestProject } from 'vitest/node';
import { startMoto } from '../../../local/emulator/moto-server';
import { MOTO_ENDPOINT_KEY } from './provided-context';

/**
 * vitest `globalSetup`: installs moto into `.venv` when needed, starts one moto server for the whole run and
 * provides its endpoint to test files (`inject('motoEndpoint')`). Each test file isolates itself with its own
 * account (`useLocalAws`). The returned teardown stops the server; exit hooks stop it on Ctrl-C or a crash.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const moto = await startMoto();
  project.provide(MOTO_ENDPOINT_KEY, moto.endpoint);
  if (process.env['MLOPS_LOCAL_VERBOSE'] === '1') {
    process.stdout.write(
      `moto ${moto.endpoint} ready in ${Math.round(performance.now() - started)} ms (log ${moto.logFile})\n`,
    );
  }
  return () => moto.stop();
}
