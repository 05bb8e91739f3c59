#!/usr/bin/env bash
# Builds (when needed) and runs Basin's benchmarks, printing their figures.
#
#   bench/run.sh                       every benchmark (bench/bench_*.cpp), default options
#   bench/run.sh views --frames 200    one benchmark (name without bench_), with its options
#   bench/run.sh --build-dir DIR ...   use another build folder (default: build/, as made by
#                                      ./tools/build.sh; configured here if missing)
#
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the benchmark commands only (not
# for this shell or the build): on the reference machine they halve OpenBLAS's speed.
# Every benchmark goes through run_one below, so later ones (BLAS-heavy included) run
# the same way.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"
if [[ "${1:-}" == "--build-dir" ]]; then
  [[ $# -ge 2 ]] || { echo "run.sh: --build-dir needs a folder" >&2; exit 2; }
  build="$(realpath -m "$2")"
  shift 2
fi

# Benchmarks: one bench/bench_NAME.cpp builds one target bench_NAME.
all=()
for src in "$root"/bench/bench_*.cpp; do
  name="$(basename "$src" .cpp)"
  all+=("${name#bench_}")
done

selected=("${all[@]}")
args=()
if [[ $# -gt 0 ]]; then
  case "$1" in
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; echo "benchmarks: ${all[*]}"; exit 0 ;;
  esac
  name="${1#bench_}"
  if [[ ! -f "$root/bench/bench_$name.cpp" ]]; then
    echo "run.sh: no benchmark '$1' (have: ${all[*]})" >&2
    exit 2
  fi
  selected=("$name")
  shift
  args=("$@")
fi

targets=()
for name in "${selected[@]}"; do targets+=("bench_$name"); done
if [[ ! -f "$build/build.ninja" && ! -f "$build/Makefile" ]]; then
  echo "== configuring $build (Release, Ninja)"
  cmake -S "$root" -B "$build" -G Ninja -DBASIN_BUILD_BENCH=ON >/dev/null
fi
echo "== building ${targets[*]} in $build"
cmake --build "$build" --target "${targets[@]}" --parallel "$(nproc)" | grep -v '^ninja: no work' || true
for t in "${targets[@]}"; do
  if [[ ! -x "$build/bench/$t" ]]; then
    echo "run.sh: $build/bench/$t was not built (is BASIN_BUILD_BENCH off in $build?)" >&2
    exit 1
  fi
done

was=""
for v in OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; do
  if [[ -n "${!v+x}" ]]; then was+=" $v=${!v}"; fi
done
echo "== OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the benchmark commands only" \
     "(they halve OpenBLAS speed on this machine); in this shell:${was:- not set}"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m)," \
     "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || echo 'unknown CPU')"

run_one() {
  local exe="$1"
  shift
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$exe" "$@"
}

status=0
for name in "${selected[@]}"; do
  echo
  echo "== bench_$name ${args[*]:-}"
  if ! run_one "$build/bench/bench_$name" ${args[@]+"${args[@]}"}; then
    echo "== bench_$name FAILED" >&2
    status=1
  fi
done
exit $status
