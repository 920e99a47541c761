// lobedice_overlap against ITK's LabelOverlapMeasuresImageFilter on the lung phantom: per-label
// counts, Dice, Jaccard, volume similarity and the error rates, and the pooled Dice (ITK's
// GetDiceCoefficient() without a label). ITK images wrap the phantom buffers (no copy), or hold
// a converted copy for another pixel type.
#include "check.h"
#include "itk_image_util.h"
#include "lobedice/lobedice.h"
#include "phantom_volume.h"

#include <itkLabelOverlapMeasuresImageFilter.h>

#include <algorithm>
#include <vector>

namespace
{

using LabelImage = itk::Image<unsigned char, 3>;
using Overlap = itk::LabelOverlapMeasuresImageFilter<LabelImage>;
using ShortImage = itk::Image<short, 3>;
using ShortOverlap = itk::LabelOverlapMeasuresImageFilter<ShortImage>;

// ITK's source image is the segmentation, its target the ground truth: source = prediction, so
// that its volume similarity 2 (source - target) / (source + target) is ours.
template <typename TFilter>
typename TFilter::Pointer itk_overlap(const typename TFilter::LabelImageType *ref,
                                      const typename TFilter::LabelImageType *pred)
{
    auto filter = TFilter::New();
    filter->SetSourceImage(pred);
    filter->SetTargetImage(ref);
    filter->Update();
    return filter;
}

void compare_with_itk(const size_t size[3])
{
    phantom_pair *p = phantom_pair_new(size);
    CHECK_FATAL(p != nullptr);
    auto wrap = [p](uint8_t *buffer) {
        return itk_wrap<uint8_t, 3>(buffer, p->size, p->spacing, p->origin);
    };
    auto filter = itk_overlap<Overlap>(wrap(p->ref), wrap(p->pred));
    const auto measures = filter->GetLabelSetMeasures();

    const lobedice_volume rv = phantom_volume(p, PHANTOM_REFERENCE);
    const lobedice_volume pv = phantom_volume(p, PHANTOM_PREDICTION);
    const int64_t lobes[5] = {1, 2, 3, 4, 5};
    lobedice_label_overlap out[5];
    CHECK_INT(lobedice_overlap(out, &rv, &pv, lobes, 5, 0), LOBEDICE_OK);

    for (size_t i = 0; i < 5; i++) {
        const auto label = static_cast<unsigned char>(lobes[i]);
        auto it = measures.find(label);
        CHECK_FATAL(it != measures.end());
        const auto &m = it->second;
        CHECK_INT(out[i].label, lobes[i]);
        CHECK_UINT(out[i].tp, m.m_Intersection);
        CHECK_UINT(out[i].tp + out[i].fn, m.m_Target);
        CHECK_UINT(out[i].tp + out[i].fp, m.m_Source);
        CHECK_UINT(out[i].tp + out[i].fp + out[i].fn, m.m_Union);
        CHECK(out[i].tp > 0 && out[i].fp > 0 && out[i].fn > 0); // the phantom disagrees
        CHECK_NEAR(out[i].dice, filter->GetDiceCoefficient(label), 1e-12);
        CHECK_NEAR(out[i].jaccard, filter->GetJaccardCoefficient(label), 1e-12);
        CHECK_NEAR(out[i].volume_similarity, filter->GetVolumeSimilarity(label), 1e-12);
        CHECK_NEAR(1.0 - out[i].sensitivity, filter->GetFalseNegativeError(label), 1e-12);
        CHECK_NEAR(1.0 - out[i].precision, filter->GetFalsePositiveError(label), 1e-12);
    }
    lobedice_overlap_summary summary;
    CHECK_INT(lobedice_overlap_summarize(&summary, out, 5), LOBEDICE_OK);
    CHECK_NEAR(summary.pooled_dice, filter->GetDiceCoefficient(), 1e-12);

    // Mixed dtypes: an int16 prediction gives the same numbers.
    std::vector<int16_t> pred16(p->pred, p->pred + p->voxels);
    lobedice_volume pv16 = pv;
    pv16.data = pred16.data();
    pv16.dtype = LOBEDICE_INT16;
    lobedice_label_overlap out16[5];
    CHECK_INT(lobedice_overlap(out16, &rv, &pv16, lobes, 5, 0), LOBEDICE_OK);
    for (size_t i = 0; i < 5; i++)
        CHECK_NEAR(out16[i].dice, filter->GetDiceCoefficient(static_cast<unsigned char>(i + 1)),
                   1e-12);

    // ITK on short copies of both maps agrees with the core on the int16 prediction.
    auto short_filter =
        itk_overlap<ShortOverlap>(itk_copy_as<short, 3>(p->ref, p->size, p->spacing, p->origin),
                                  itk_copy_as<short, 3>(p->pred, p->size, p->spacing, p->origin));
    for (size_t i = 0; i < 5; i++) {
        const auto label = static_cast<short>(lobes[i]);
        CHECK_UINT(out16[i].tp, short_filter->GetLabelSetMeasures()[label].m_Intersection);
        CHECK_NEAR(out16[i].dice, short_filter->GetDiceCoefficient(label), 1e-12);
    }

    // Regions: the right lung {1, 2, 3} and the left lung {4, 5} as sets, against ITK on maps
    // relabelled to 1 (right) and 2 (left).
    const int64_t right[3] = {1, 2, 3}, left[2] = {4, 5};
    const lobedice_label_set lungs[2] = {{1, right, 3}, {2, left, 2}};
    lobedice_label_overlap regions[2];
    CHECK_INT(lobedice_overlap_sets(regions, &rv, &pv, lungs, 2, 0), LOBEDICE_OK);
    auto to_lung = [](uint8_t v) -> uint8_t { return v == 0 ? 0 : v <= 3 ? 1 : 2; };
    std::vector<uint8_t> ref_lungs(p->voxels), pred_lungs(p->voxels);
    std::transform(p->ref, p->ref + p->voxels, ref_lungs.begin(), to_lung);
    std::transform(p->pred, p->pred + p->voxels, pred_lungs.begin(), to_lung);
    auto lung_filter = itk_overlap<Overlap>(wrap(ref_lungs.data()), wrap(pred_lungs.data()));
    for (unsigned char side = 1; side <= 2; side++) {
        const lobedice_label_overlap &r = regions[side - 1];
        CHECK_INT(r.label, side);
        CHECK_UINT(r.tp, lung_filter->GetLabelSetMeasures()[side].m_Intersection);
        CHECK_NEAR(r.dice, lung_filter->GetDiceCoefficient(side), 1e-12);
        CHECK_NEAR(r.jaccard, lung_filter->GetJaccardCoefficient(side), 1e-12);
        CHECK_NEAR(r.volume_similarity, lung_filter->GetVolumeSimilarity(side), 1e-12);
    }
    // The ITK images only borrow the buffers: release them before the buffers go.
    filter = nullptr;
    lung_filter = nullptr;
    phantom_pair_free(p);
}

void test_phantom(void)
{
    const size_t size[3] = {96, 96, 64};
    compare_with_itk(size);
}

void test_odd_phantom(void)
{
    const size_t size[3] = {61, 47, 33};
    compare_with_itk(size);
}

const check_case cases[] = {
    {"phantom", test_phantom},
    {"odd_phantom", test_odd_phantom},
};

} // namespace

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
