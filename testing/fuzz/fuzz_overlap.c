/* Fuzz target: the comparison, per-label overlap, label sets, the label union and the
 * disagreement map on arbitrary small volumes (sizes, dtypes, spacing, labels, sets, options);
 * checks the invariants of docs/measures.md on every result. */
#include "fuzz_input.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    lobedice_volume vr, vp;
    fuzz_volume_pair(&in, 9, &vr, &vp);
    const size_t n = vr.size[0] * vr.size[1] * vr.size[2];

    int64_t labels[8] = {0};
    const size_t nlabels = fuzz_u8(&in) % 9;
    for (size_t i = 0; i < nlabels; i++)
        labels[i] = (int64_t)(fuzz_u8(&in) % 12) - 2;
    lobedice_label_overlap ov[8];
    lobedice_status st = lobedice_overlap(ov, &vr, &vp, labels, nlabels, fuzz_u8(&in) % 3);
    if (st == LOBEDICE_OK)
        for (size_t i = 0; i < nlabels; i++) {
            FUZZ_REQUIRE(ov[i].tp + ov[i].fp + ov[i].fn + ov[i].tn == n);
            FUZZ_REQUIRE(isnan(ov[i].dice) || (ov[i].dice >= 0 && ov[i].dice <= 1));
            FUZZ_REQUIRE(isnan(ov[i].jaccard) || (ov[i].jaccard >= 0 && ov[i].jaccard <= 1));
            FUZZ_REQUIRE(isfinite(ov[i].volume_ref_ml) && isfinite(ov[i].volume_pred_ml));
        }
    lobedice_overlap_summary summary;
    if (st == LOBEDICE_OK && lobedice_overlap_summarize(&summary, ov, nlabels) == LOBEDICE_OK)
        FUZZ_REQUIRE(isnan(summary.pooled_dice) ||
                     (summary.pooled_dice >= 0 && summary.pooled_dice <= 1));

    /* two label sets made of the labels above */
    lobedice_label_set sets[2] = {{0, labels, nlabels / 2},
                                  {1, labels + nlabels / 2, nlabels - nlabels / 2}};
    lobedice_label_overlap so[2];
    st = lobedice_overlap_sets(so, &vr, &vp, sets, 2, fuzz_u8(&in) % 3);
    if (st == LOBEDICE_OK)
        for (int i = 0; i < 2; i++)
            FUZZ_REQUIRE(so[i].tp + so[i].fp + so[i].fn + so[i].tn == n);

    int64_t present[32];
    size_t count = 0;
    st = lobedice_labels_union(present, 32, &count, &vr, &vp, 1);
    if (st == LOBEDICE_OK)
        for (size_t i = 1; i < count && i < 32; i++)
            FUZZ_REQUIRE(present[i - 1] < present[i]);

    /* the comparison with labels found or given, regions, every policy, surfaces or not */
    lobedice_compare_options co = LOBEDICE_COMPARE_OPTIONS_INIT;
    const uint8_t flags = fuzz_u8(&in);
    if (flags & 1) {
        co.labels = labels;
        co.nlabels = nlabels;
    }
    const lobedice_region region = {"R", labels, nlabels};
    if (flags & 2) {
        co.region_mode = LOBEDICE_REGIONS_GIVEN;
        co.regions = &region;
        co.nregions = 1;
    }
    co.surface_distances = (flags >> 2) & 1;
    co.empty_policy = (lobedice_empty_policy)((flags >> 3) % 4);
    co.tolerance_mm = fuzz_double(&in);
    co.threads = fuzz_u8(&in) % 3;
    lobedice_comparison *c = NULL;
    if (lobedice_compare(&c, &vr, &vp, &co) == LOBEDICE_OK) {
        for (size_t row = 0; row < lobedice_comparison_rows(c); row++) {
            double counts = 0;
            for (int m = LOBEDICE_MEASURE_TP; m <= LOBEDICE_MEASURE_TN; m++)
                counts += lobedice_comparison_value(c, row, (lobedice_measure)m);
            FUZZ_REQUIRE(counts == (double)n);
            const double dice = lobedice_comparison_value(c, row, LOBEDICE_MEASURE_DICE),
                         hd = lobedice_comparison_value(c, row, LOBEDICE_MEASURE_HD),
                         hd95 = lobedice_comparison_value(c, row, LOBEDICE_MEASURE_HD95);
            FUZZ_REQUIRE(isnan(dice) || (dice >= 0 && dice <= 1));
            FUZZ_REQUIRE(isnan(hd) || (hd >= hd95 && hd95 >= 0));
            uint64_t voxel[3];
            if (lobedice_comparison_hd_voxel(voxel, c, row) == LOBEDICE_OK)
                FUZZ_REQUIRE(voxel[0] < vr.size[0] && voxel[1] < vr.size[1] &&
                             voxel[2] < vr.size[2]);
        }
        size_t used = 0;
        const double mean = lobedice_comparison_mean(c, LOBEDICE_MEASURE_DICE, &used);
        FUZZ_REQUIRE(used <= lobedice_comparison_label_rows(c));
        FUZZ_REQUIRE(used ? mean >= 0 && mean <= 1 : isnan(mean));
        lobedice_comparison_free(c);
    }

    lobedice_dtype map_dtype;
    if (lobedice_disagreement_dtype(&map_dtype, nlabels) == LOBEDICE_OK) {
        void *map = calloc(n ? n : 1, 4);
        FUZZ_REQUIRE(map);
        lobedice_disagreement_map(map, map_dtype, &vr, &vp, labels, nlabels, 1);
        free(map);
    }
    free((void *)vr.data);
    free((void *)vp.data);
    return 0;
}
