#!/bin/sh
# Writes the seed corpora (testing/fuzz/corpus/<target>/) with the project's own programs:
# lobedice-phantom (NRRD raw and gzip) and LobeDice --errorMap (NIfTI, .nii.gz, MetaImage) for
# fuzz_read; phantom voxels behind a few header bytes for the core targets; command lines of
# docs/cli.md for fuzz_cli_args. Usage: testing/fuzz/make_seeds.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out/fuzz_read" "$out/fuzz_overlap" "$out/fuzz_surface" "$out/fuzz_loss" \
  "$out/fuzz_cli_args"

cd "$work"
"$build/bin/lobedice-phantom" --size 8,8,6 ref.nrrd pred.nrrd >/dev/null
"$build/bin/lobedice-phantom" --size 8,8,6 --type short --encoding gzip refgz.nrrd predgz.nrrd >/dev/null
for ext in nii nii.gz mha; do
  "$build/bin/LobeDice" --errorMap "map.$ext" ref.nrrd pred.nrrd >/dev/null
done
# fuzz_read: the first byte picks the extension (0 .nrrd, 1 .nii, 2 .nii.gz, 3 .mha, 4 .nhdr,
# 5 .mhd, 6 .hdr), the rest is the file
{ printf '\000'; cat ref.nrrd; } >"$out/fuzz_read/nrrd_raw"
{ printf '\000'; cat refgz.nrrd; } >"$out/fuzz_read/nrrd_gzip"
{ printf '\001'; cat map.nii; } >"$out/fuzz_read/nifti"
{ printf '\002'; cat map.nii.gz; } >"$out/fuzz_read/nifti_gz"
{ printf '\003'; cat map.mha; } >"$out/fuzz_read/metaimage"
{ printf '\004'; sed -n '1,/^$/p' ref.nrrd | sed '/^$/d; s/sizes: 8 8 6/sizes: 4 4 4/'; echo 'data file: data.raw'; } >"$out/fuzz_read/nhdr"
{ printf '\005'; sed -n '1,/ElementDataFile/p' map.mha | sed 's/DimSize = 8 8 6/DimSize = 4 4 4/; s/ElementDataFile = LOCAL/ElementDataFile = data.raw/'; } >"$out/fuzz_read/mhd"
# the core targets: 3 size bytes, 2 dtype bytes, spacing selectors, then phantom voxels
voxels() { tail -c 384 ref.nrrd; }
{ printf '\010\010\006\000\003\010\010\017'; voxels; printf '\005\001\002\003\004\005'; } >"$out/fuzz_overlap/phantom"
{ printf '\006\004\001\001\001\001\001\001'; voxels | head -c 48; printf '\004\001\002\003\000'; } >"$out/fuzz_overlap/example"
{ printf '\010\010\006\000\000\010\010\017'; voxels; printf '\003\001\002\003\010\001'; } >"$out/fuzz_surface/phantom"
{ printf '\002\003\030'; voxels | head -c 300; } >"$out/fuzz_loss/phantom"
# fuzz_cli_args: arguments separated by NUL bytes
printf 'ref.nrrd\000pred.nrrd' >"$out/fuzz_cli_args/plain"
printf -- '--surfaceDistances\000--tolerance\0001\000--outputJson\000r.json\000--outputTable\000t.csv\000--errorMap\000e.nrrd\000ref.nrrd\000pred.seg.nrrd' >"$out/fuzz_cli_args/outputs"
printf -- '--labels\0001,2,3\000--labelNames\000upper,middle,lower\000--regions\000none\000ref.nii.gz\000pred.nii.gz' >"$out/fuzz_cli_args/labels"
printf -- '--regions\000Right=1+2+3,Left=4+5\000--emptyPolicy\000one\000--threads\0004\000ref.mha\000pred.mha' >"$out/fuzz_cli_args/regions"
printf -- '--returnparameterfile\000/tmp/x.params\000--processinformationaddress\0000\000--threads\000\000--tolerance\000\000a\000b' >"$out/fuzz_cli_args/slicer"
du -sh "$out"
