import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: this file lives in `<root>/local/emulator/`. */
export const repoRoot: string = fileURLToPath(new URL('../..', import.meta.url));

/** The git-ignored virtual environment that `scripts/setup-local.sh` creates. */
export const venvDir: string = join(repoRoot, '.venv');

/** Python interpreter of the virtual environment. */
export const venvPython: string = join(venvDir, 'bin', 'python');

/** The setup script (creates `.venv` and installs the pinned moto). */
export const setupScript: string = join(repoRoot, 'scripts', 'setup-local.sh');

/** Default folder for emulator logs (git-ignored). */
export const logDir: string = join(repoRoot, '.local', 'logs');

/** The moto version `scripts/setup-local.sh` pins (its `MOTO_VERSION=`). */
export function pinnedMotoVersion(): string | undefined {
  return /^MOTO_VERSION="([^"]+)"/m.exec(readFileSync(setupScript, 'utf8'))?.[1];
}

/** True when `.venv` holds the moto version the setup script pins (its stamp file exists). */
export function isMotoInstalled(): boolean {
  const version = pinnedMotoVersion();
  return (
    version !== undefined &&
    existsSync(join(venvDir, `.mlops-setup-${version}`)) &&
    existsSync(join(venvDir, 'bin', 'moto_server')) &&
    existsSync(venvPython)
  );
}
