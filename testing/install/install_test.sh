#!/bin/sh
# Installs the core from the build tree into a scratch prefix, then builds an outside program
# against it twice: through find_package(lobedice) and through pkg-config.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR SCRATCH_DIR C_COMPILER
set -eu
build=$1 src=$2 scratch=$3 cc=$4
rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
libdir=$(ls -d "$scratch"/prefix/lib*/pkgconfig | head -n 1)
libdir=${libdir%/pkgconfig}

cmake -S "$src/testing/install/consumer" -B "$scratch/consumer" \
    -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$scratch/consumer" >/dev/null
LD_LIBRARY_PATH="$libdir" "$scratch/consumer/consumer"

PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --exact-version 0.1.0 lobedice
"$cc" -o "$scratch/consumer-pc" "$src/testing/install/consumer/consumer.c" \
    $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs lobedice)
LD_LIBRARY_PATH="$libdir" "$scratch/consumer-pc"
rm -rf "$scratch"
