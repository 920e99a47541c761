#!/bin/sh
# make demo-batch: writes a 12-case phantom data set in mixed formats (NRRD, seg.nrrd, NIfTI,
# MetaImage) with one broken prediction and one prediction without a reference, runs
# lobedice-batch on it with surface distances, and leaves the results in OUT_DIR/results.
# Usage: demo_batch.sh BUILD_DIR OUT_DIR
set -eu
build=${1:-build}
out=${2:-demo-batch-out}
mkdir -p "$out"
rm -rf "$out/data"
"$build/bin/lobedice-dataset" --size 256,256,160 --cases 12 --broken 7 --unmatched "$out/data"
echo
status=0
"$build/bin/lobedice-batch" --surfaceDistances "$out/data/reference" "$out/data/prediction" \
    --out "$out/results" || status=$?
echo
if [ "$status" -ne 1 ]; then
    echo "demo-batch: lobedice-batch ended with status $status; 1 was expected (the demo holds a" \
        "broken case and an unmatched file)." >&2
    exit 1
fi
echo "Status 1, as intended: case07's prediction is broken and case13 has no reference."
echo "Wrote to $out/results/: cases.csv (every case, row and measure), summary.csv and"
echo "summary.json (n, undefined, mean, SD, median, IQR, min, max, 95 % bootstrap CI; volume"
echo "agreement), failures.csv, unmatched.csv, plots/ (dice_box.png, hd95_box.png,"
echo "volume_bland_altman.png) and cases/ (one record per case, for --resume)."
