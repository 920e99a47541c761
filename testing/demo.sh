#!/bin/sh
# make demo: writes the lung phantom pair, compares them with LobeDice (surface distances on),
# prints the per-lobe table and leaves the reports, the distance-coloured surface model and the
# quality-control picture in OUT_DIR. Usage: demo.sh BUILD_DIR OUT_DIR
set -eu
build=${1:-build}
out=${2:-demo-out}
mkdir -p "$out"
"$build/bin/lobedice-phantom" --size 256,256,160 "$out/reference.nrrd" "$out/prediction.nrrd"
echo "Wrote the lung phantom pair to $out/ (reference.nrrd, prediction.nrrd)."
echo
# --printTable: the table on standard output as well as the files. Without a display, a virtual
# one (xvfb-run, installed by make deps) gives the snapshot its 3-D view.
under=""
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
    under="xvfb-run -a"
fi
$under "$build/bin/LobeDice" --surfaceDistances --printTable \
    --outputJson "$out/report.json" \
    --outputTable "$out/table.csv" \
    --errorMap "$out/errormap.nrrd" \
    --distanceModel "$out/distance-model.vtk" \
    --snapshot "$out/snapshot.png" \
    "$out/reference.nrrd" "$out/prediction.nrrd"
echo
echo "Wrote to $out/: report.json (every measure, JSON), table.csv + table.schema.csv (Slicer"
echo "table with column types and units), errormap.nrrd + errormap.ctbl (disagreement map on the"
echo "reference grid: 1-5 correct lobe, 100+10*R+P reference lobe R predicted as P, 0 = background;"
echo "loaded in Slicer as a segmentation it shows each class by name and colour; the .ctbl colour"
echo "table names every value for a label map)."
echo "distance-model.vtk: the predicted lobes' surfaces (LPS) with SignedDistance (mm to the"
echo "reference lobe, + beyond it); in Slicer: Add Data, then Models > Display > Scalars >"
echo "SignedDistance. snapshot.png: slices, outlines, missed/extra voxels and the per-lobe table"
echo "(the 3-D view needs an X display: run under xvfb-run without one)."
