#!/bin/sh
# make demo: writes the lung phantom pair, compares them with LobeDice (surface distances on),
# prints the per-lobe table and leaves the reports in OUT_DIR. Usage: demo.sh BUILD_DIR OUT_DIR
set -eu
build=${1:-build}
out=${2:-demo-out}
mkdir -p "$out"
"$build/bin/lobedice-phantom" --size 256,256,160 "$out/reference.nrrd" "$out/prediction.nrrd"
echo "Wrote the lung phantom pair to $out/ (reference.nrrd, prediction.nrrd)."
echo
# --printTable: the table on standard output as well as the files.
"$build/bin/LobeDice" --surfaceDistances --printTable \
    --outputJson "$out/report.json" \
    --outputTable "$out/table.csv" \
    --errorMap "$out/errormap.nrrd" \
    "$out/reference.nrrd" "$out/prediction.nrrd"
echo
echo "Wrote to $out/: report.json (every measure, JSON), table.csv + table.schema.csv (Slicer"
echo "table with column types and units), errormap.nrrd + errormap.ctbl (disagreement map on the"
echo "reference grid: 1-5 correct lobe, 100+10*R+P reference lobe R predicted as P, 0 = background;"
echo "loaded in Slicer as a segmentation it shows each class by name and colour; the .ctbl colour"
echo "table names every value for a label map)."
