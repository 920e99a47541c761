#!/bin/sh
# make demo: writes the lung phantom pair and compares them. Usage: demo.sh BUILD_DIR OUT_DIR
set -eu
build=${1:-build}
out=${2:-demo-out}
mkdir -p "$out"
"$build/bin/lobedice-phantom" --size 256,256,160 "$out/reference.nrrd" "$out/prediction.nrrd"
echo "Wrote the lung phantom pair to $out/ (reference.nrrd, prediction.nrrd)."
