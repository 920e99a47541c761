/* Fuzz target: surface distances of labels and label sets on arbitrary small volumes, spacing
 * (NaN, infinities, subnormal, huge) and tolerance; checks that every defined result is finite
 * and ordered (hd95 <= hd, nsd in [0, 1]). */
#include "fuzz_input.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    lobedice_volume vr, vp;
    fuzz_volume_pair(&in, 13, &vr, &vp);
    int64_t labels[4];
    const size_t nlabels = fuzz_u8(&in) % 5;
    for (size_t i = 0; i < nlabels; i++)
        labels[i] = (int64_t)(fuzz_u8(&in) % 12) - 2;
    lobedice_label_set sets[2] = {{7, labels, nlabels}, {8, labels, nlabels ? 1 : 0}};
    lobedice_surface_options opts = LOBEDICE_SURFACE_OPTIONS_INIT;
    uint64_t hd_voxel[2 * 3];
    opts.version = fuzz_u8(&in) & 1 ? 1 : LOBEDICE_SURFACE_OPTIONS_VERSION; /* both layouts */
    if (opts.version == LOBEDICE_SURFACE_OPTIONS_VERSION)
        opts.hd_voxel = hd_voxel;
    opts.tolerance_mm = fuzz_double(&in);
    opts.threads = fuzz_u8(&in) % 3;
    uint64_t histogram[2 * 4];
    if (fuzz_u8(&in) & 1) {
        opts.histogram = histogram;
        opts.histogram_bins = 4;
        opts.histogram_bin_mm = fuzz_double(&in);
    }
    lobedice_label_surface out[2];
    if (lobedice_surface_distances_sets(out, &vr, &vp, sets, 2, &opts) == LOBEDICE_OK)
        for (int i = 0; i < 2; i++) {
            if (isnan(out[i].hd))
                continue;
            FUZZ_REQUIRE(isfinite(out[i].hd) && out[i].hd >= 0);
            FUZZ_REQUIRE(out[i].hd95 <= out[i].hd && out[i].hd95 >= 0);
            FUZZ_REQUIRE(out[i].assd <= out[i].hd && out[i].assd >= 0);
            FUZZ_REQUIRE(out[i].nsd >= 0 && out[i].nsd <= 1);
        }
    lobedice_label_surface single[4];
    lobedice_surface_distances(single, &vr, &vp, labels, nlabels, opts.tolerance_mm, opts.threads);
    free((void *)vr.data);
    free((void *)vp.data);
    return 0;
}
