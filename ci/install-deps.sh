#!/usr/bin/env bash
# Installs what the build and tests need and a fresh machine may lack:
# cmake, a C compiler, the aarch64 cross compiler (the linux-aarch64 jar), clang (libFuzzer, ci/fuzz.sh), nm/readelf/unzip, netcat (the README's example), ss (iproute2: ListenBacklogTest), python3 (test.sh's
# closing summary) and a JDK 17 + Maven.
set -euo pipefail
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v gcc >/dev/null || need+=(gcc)
command -v clang >/dev/null || need+=(clang)   # libFuzzer targets (ci/fuzz.sh)
command -v nm >/dev/null || need+=(binutils)
# --- issue 15 (armjar): the cross compiler of the linux-aarch64 native jar (binutils-aarch64-linux-gnu with it)
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
# --- end issue 15 (armjar)
command -v unzip >/dev/null || need+=(unzip)
command -v nc >/dev/null || need+=(netcat-openbsd)
command -v ss >/dev/null || need+=(iproute2)     # ListenBacklogTest reads a listener's backlog with ss
command -v python3 >/dev/null || need+=(python3)
command -v mvn >/dev/null || need+=(maven)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
