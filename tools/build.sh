#!/usr/bin/env bash
# Installs what Basin needs (tools/bootstrap.sh), then configures and builds it
# in build/ (Release, Ninja, ccache). Extra arguments go to CMake's configure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/bootstrap.sh"
cmake -S "$root" -B "$root/build" -G Ninja "$@" >/dev/null
cmake --build "$root/build" --parallel "$(nproc)"
