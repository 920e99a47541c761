#!/bin/sh
# Installs LobeDice from the build tree into a scratch prefix, then builds an outside program
# against it twice: through find_package(lobedice) and through pkg-config. With --with-io (a
# build with ITK) the find_package project also builds and runs a consumer of lobedice::io.
# The scratch folder is removed however the script ends.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR SCRATCH_DIR C_COMPILER VERSION [--with-io]
set -eu
build=$1 src=$2 scratch=$3 cc=$4 version=$5
with_io=OFF
if [ $# -ge 6 ]; then
    [ "$6" = --with-io ] || { echo "install_test.sh: unknown option '$6'" >&2; exit 2; }
    with_io=ON
fi
rm -rf "$scratch"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' HUP INT TERM
mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
libdir=$(ls -d "$scratch"/prefix/lib*/pkgconfig | head -n 1)
libdir=${libdir%/pkgconfig}

cmake -S "$src/testing/install/consumer" -B "$scratch/consumer" \
    -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_C_COMPILER="$cc" \
    -DCONSUMER_WITH_IO="$with_io" -DCONSUMER_VERSION="$version" >/dev/null
cmake --build "$scratch/consumer" >/dev/null
LD_LIBRARY_PATH="$libdir" "$scratch/consumer/consumer"
if [ "$with_io" = ON ]; then
    LD_LIBRARY_PATH="$libdir" "$scratch/consumer/consumer_io" "$scratch"
fi

PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --exact-version "$version" lobedice
"$cc" -o "$scratch/consumer-pc" "$src/testing/install/consumer/consumer.c" \
    $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs lobedice)
LD_LIBRARY_PATH="$libdir" "$scratch/consumer-pc"
