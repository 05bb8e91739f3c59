#!/usr/bin/env bash
# README command 1: set up, build, and open Basin on its built-in demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/build.sh"
exec "$root/build/app/basin" demo "$@"
