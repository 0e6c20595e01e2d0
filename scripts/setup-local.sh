#!/usr/bin/env bash
# Installs the local AWS emulator (moto in server mode) into a git-ignored virtual environment at .venv/.
# Idempotent: a stamp file names the installed version, so a second run only checks it and exits.
set -euo pipefail

MOTO_VERSION="5.2.5" # the version MOTO.md measured; bump both together
MIN_PYTHON="3.9"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.mlops-setup-$MOTO_VERSION"

if [[ -f "$stamp" && -x "$venv/bin/moto_server" ]]; then
  echo "setup-local: moto $MOTO_VERSION already installed in .venv"
  exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup-local: $python not found; install Python >= $MIN_PYTHON (Debian/Ubuntu: apt-get install python3 python3-venv)" >&2
  exit 2
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)'; then
  echo "setup-local: $("$python" --version 2>&1) is too old; moto needs Python >= $MIN_PYTHON" >&2
  exit 2
fi
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "setup-local: the Python venv module is missing (Debian/Ubuntu: apt-get install python3-venv)" >&2
  exit 2
fi
echo "setup-local: using $("$python" --version 2>&1) at $(command -v "$python")"

if [[ ! -x "$venv/bin/python" ]]; then
  # A .venv whose interpreter is gone (Python upgraded or removed) cannot be repaired in place.
  [[ -e "$venv" ]] && rm -rf "$venv"
  echo "setup-local: creating virtual environment .venv"
  "$python" -m venv "$venv"
fi

echo "setup-local: installing moto[server]==$MOTO_VERSION"
# --no-compile: byte-compiling botocore's thousands of modules took half of the install (26 s -> 12 s here); Python
# compiles what moto imports on first use instead, and keeps it.
"$venv/bin/python" -m pip install --disable-pip-version-check -q --no-compile "moto[server]==$MOTO_VERSION"

if [[ ! -x "$venv/bin/moto_server" ]]; then
  echo "setup-local: moto installed but .venv/bin/moto_server is missing" >&2
  exit 1
fi
rm -f "$venv"/.mlops-setup-*
touch "$stamp"
echo "setup-local: done (moto $MOTO_VERSION in .venv)"
