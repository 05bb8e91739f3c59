#!/usr/bin/env bash
# Installs the Debian 12 packages Basin needs to build, run and test.
# A fast no-op when everything is present; as non-root it prints the apt line to run.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format
  # Qt 6 (widgets, OpenGL widgets, Test come with qt6-base-dev), SVG
  qt6-base-dev libqt6opengl6-dev qt6-svg-dev qt6-qpa-plugins
  # VTK 9.1 (without its Qt 5 module) and the MPI it is built against
  libvtk9-dev libopenmpi-dev openmpi-bin
  # engine libraries (libtorch uses whichever BLAS the alternatives system
  # selects: without OpenBLAS it is the reference BLAS, 40x slower)
  libtorch-dev libopenblas0-openmp libeigen3-dev libhdf5-dev libzip-dev zlib1g-dev libstb-dev
  # views
  libimgui-dev libqcustomplot-dev libqcustomplot2.1-qt6
  # headless display and software OpenGL for GUI/GL tests
  xvfb xauth libgl1-mesa-dri libglx-mesa0 libegl-mesa0 fonts-dejavu-core
  # real PyTorch, used only to write interop fixtures in tests
  python3-torch python3-torchvision python3-numpy python3-h5py
  # fuzzing (libFuzzer)
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Basin needs these Debian packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "bootstrap: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
