/* itk::LobeDiceComparisonImageFilter against independent oracles: ITK's own
 * LabelOverlapMeasuresImageFilter on the lung phantom, the worked example of docs/measures.md
 * (2-D), and a direct call of the core's surface function; plus pixel-type and thread-count
 * invariance, the pass-through output, ITK's basic object checks and exceptions. */
#include "check.h"
#include "itkImage.h"
#include "itkLabelOverlapMeasuresImageFilter.h"
#include "itkLobeDiceComparisonImageFilter.h"
#include "itkTestingMacros.h"
#include "phantom.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace
{

template <typename T, unsigned D = 3> using ImageOf = itk::Image<T, D>;

const size_t phantom_size[3] = {40, 36, 30};

/* The phantom as an ITK image of pixel type T with the phantom's geometry. */
template <typename T> typename ImageOf<T>::Pointer phantom_image(enum phantom_kind kind)
{
    uint8_t *map = phantom_new(phantom_size, kind);
    CHECK_FATAL(map != nullptr);
    double spacing[3], origin[3];
    phantom_geometry(phantom_size, spacing, origin);
    auto image = ImageOf<T>::New();
    typename ImageOf<T>::RegionType region;
    for (unsigned a = 0; a < 3; a++)
        region.SetSize(a, phantom_size[a]);
    image->SetRegions(region);
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->Allocate();
    T *buffer = image->GetBufferPointer();
    for (size_t i = 0; i < region.GetNumberOfPixels(); i++)
        buffer[i] = static_cast<T>(map[i]);
    free(map);
    return image;
}

template <typename TRef, typename TPred>
typename itk::LobeDiceComparisonImageFilter<TRef, TPred>::Pointer compare(const TRef *ref,
                                                                          const TPred *pred)
{
    auto filter = itk::LobeDiceComparisonImageFilter<TRef, TPred>::New();
    filter->SetReferenceImage(ref);
    filter->SetPredictedImage(pred);
    return filter;
}

bool throws_with(const std::function<void()> &call, const char *expected)
{
    try {
        call();
    } catch (const itk::ExceptionObject &e) {
        if (std::strstr(e.GetDescription(), expected))
            return true;
        std::fprintf(stderr, "unexpected exception text: %s\n", e.GetDescription());
        return false;
    }
    return false;
}

void matches_itk_label_overlap()
{
    using Image = ImageOf<uint8_t>;
    auto ref = phantom_image<uint8_t>(PHANTOM_REFERENCE);
    auto pred = phantom_image<uint8_t>(PHANTOM_PREDICTION);
    auto filter = compare<Image, Image>(ref, pred);
    filter->Update();

    /* ITK's source is the segmentation being judged, its target the ground truth. */
    auto oracle = itk::LabelOverlapMeasuresImageFilter<Image>::New();
    oracle->SetSourceImage(pred);
    oracle->SetTargetImage(ref);
    oracle->Update();
    auto counts = oracle->GetLabelSetMeasures();

    const std::vector<int64_t> lobes = {1, 2, 3, 4, 5};
    CHECK(filter->GetMeasuredLabels() == lobes);
    double spacing[3], origin[3];
    phantom_geometry(phantom_size, spacing, origin);
    const double voxel_ml = spacing[0] * spacing[1] * spacing[2] / 1000.0;
    for (int64_t label : lobes) {
        const auto &c = counts[static_cast<uint8_t>(label)];
        CHECK_UINT(filter->GetTruePositives(label), c.m_Intersection);
        CHECK_UINT(filter->GetFalsePositives(label), c.m_SourceComplement);
        CHECK_UINT(filter->GetFalseNegatives(label), c.m_TargetComplement);
        CHECK_UINT(filter->GetTruePositives(label) + filter->GetFalsePositives(label) +
                       filter->GetFalseNegatives(label) + filter->GetTrueNegatives(label),
                   ref->GetLargestPossibleRegion().GetNumberOfPixels());
        CHECK_NEAR(filter->GetDiceCoefficient(label), oracle->GetDiceCoefficient(label), 1e-12);
        CHECK_NEAR(filter->GetJaccardCoefficient(label), oracle->GetJaccardCoefficient(label),
                   1e-12);
        CHECK_NEAR(filter->GetVolumeSimilarity(label), oracle->GetVolumeSimilarity(label), 1e-12);
        CHECK_NEAR(filter->GetFalseNegativeError(label), oracle->GetFalseNegativeError(label),
                   1e-12);
        CHECK_NEAR(filter->GetFalsePositiveError(label), oracle->GetFalsePositiveError(label),
                   1e-12);
        CHECK_NEAR(filter->GetReferenceVolume(label), c.m_Target * voxel_ml, 1e-9);
        CHECK_NEAR(filter->GetPredictedVolume(label), c.m_Source * voxel_ml, 1e-9);
        CHECK_NEAR(filter->GetSensitivity(label), 1.0 - oracle->GetFalseNegativeError(label),
                   1e-12);
        CHECK_NEAR(filter->GetPrecision(label), 1.0 - oracle->GetFalsePositiveError(label), 1e-12);
        CHECK_INT(filter->GetPresence(label), LOBEDICE_PRESENT);
        CHECK(filter->GetDiceCoefficient(label) > 0.5 && filter->GetDiceCoefficient(label) < 1);
    }
    /* Pooled Dice is what ITK reports without a label. */
    CHECK_NEAR(filter->GetPooledDiceCoefficient(), oracle->GetDiceCoefficient(), 1e-12);
    double sum = 0;
    for (int64_t label : lobes)
        sum += oracle->GetDiceCoefficient(label);
    CHECK_NEAR(filter->GetMeanDiceCoefficient(), sum / 5, 1e-12);
    itk::SizeValueType used = 0;
    CHECK_NEAR(filter->GetMean(LOBEDICE_MEASURE_DICE, &used), sum / 5, 1e-12);
    CHECK_UINT(used, 5);
}

/* A reference of one pixel type and a prediction of another give the same numbers, and so does
 * any number of work units. */
void pixel_types_and_work_units_do_not_matter()
{
    using U8 = ImageOf<uint8_t>;
    auto ref = phantom_image<uint8_t>(PHANTOM_REFERENCE);
    auto pred = phantom_image<uint8_t>(PHANTOM_PREDICTION);
    auto base = compare<U8, U8>(ref, pred);
    base->SetNumberOfWorkUnits(1);
    base->SetComputeSurfaceDistances(true);
    base->Update();

    auto pred16 = phantom_image<int16_t>(PHANTOM_PREDICTION);
    auto ref32 = phantom_image<uint32_t>(PHANTOM_REFERENCE);
    auto mixed = compare<ImageOf<uint32_t>, ImageOf<int16_t>>(ref32, pred16);
    mixed->SetNumberOfWorkUnits(3);
    mixed->SetComputeSurfaceDistances(true);
    mixed->Update();
    auto signed8 = compare<ImageOf<signed char>, ImageOf<signed char>>(
        phantom_image<signed char>(PHANTOM_REFERENCE),
        phantom_image<signed char>(PHANTOM_PREDICTION));
    signed8->SetNumberOfWorkUnits(2);
    signed8->Update();

    CHECK(mixed->GetMeasuredLabels() == base->GetMeasuredLabels());
    for (int64_t label : base->GetMeasuredLabels()) {
        CHECK_UINT(mixed->GetTruePositives(label), base->GetTruePositives(label));
        CHECK_UINT(mixed->GetTrueNegatives(label), base->GetTrueNegatives(label));
        CHECK_SAME(mixed->GetDiceCoefficient(label), base->GetDiceCoefficient(label));
        CHECK_SAME(mixed->GetSpecificity(label), base->GetSpecificity(label));
        CHECK_SAME(mixed->GetHausdorffDistance95(label), base->GetHausdorffDistance95(label));
        CHECK_SAME(mixed->GetAverageSymmetricSurfaceDistance(label),
                   base->GetAverageSymmetricSurfaceDistance(label));
        CHECK_SAME(signed8->GetJaccardCoefficient(label), base->GetJaccardCoefficient(label));
    }
}

/* docs/measures.md's 4 x 6 example as a 2-D image: closed-form values. */
void worked_example_2d()
{
    using Image = ImageOf<short, 2>;
    static const short ref_values[24] = {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3,
                                         0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0};
    static const short pred_values[24] = {1, 1, 2, 2, 0, 0, 1, 1, 2, 0, 0, 0,
                                          0, 0, 2, 2, 4, 4, 0, 0, 0, 2, 4, 0};
    auto make = [](const short *values) {
        auto image = Image::New();
        Image::RegionType region;
        region.SetSize(0, 6);
        region.SetSize(1, 4);
        image->SetRegions(region);
        const double spacing[2] = {0.5, 2.0};
        image->SetSpacing(spacing);
        image->Allocate();
        std::memcpy(image->GetBufferPointer(), values, sizeof(short) * 24);
        return image;
    };
    auto ref = make(ref_values), pred = make(pred_values);
    auto filter = compare<Image, Image>(ref, pred);
    filter->SetLabels({1, 2, 3, 4, 5});
    filter->SetComputeSurfaceDistances(true);
    filter->Update();
    CHECK_UINT(filter->GetTruePositives(2), 5);
    CHECK_UINT(filter->GetFalsePositives(2), 1);
    CHECK_UINT(filter->GetFalseNegatives(2), 1);
    CHECK_UINT(filter->GetTrueNegatives(2), 17);
    CHECK_NEAR(filter->GetDiceCoefficient(1), 1.0, 1e-15);
    CHECK_NEAR(filter->GetDiceCoefficient(2), 10.0 / 12.0, 1e-15);
    CHECK_NEAR(filter->GetJaccardCoefficient(2), 5.0 / 7.0, 1e-15);
    CHECK_NEAR(filter->GetDiceCoefficient(3), 0.0, 0);
    CHECK_NEAR(filter->GetDiceCoefficient(4), 0.0, 0);
    CHECK(std::isnan(filter->GetDiceCoefficient(5)));
    CHECK_INT(filter->GetPresence(3), LOBEDICE_MISSING_IN_PREDICTION);
    CHECK_INT(filter->GetPresence(4), LOBEDICE_MISSING_IN_REFERENCE);
    CHECK_INT(filter->GetPresence(5), LOBEDICE_ABSENT);
    /* 2 mm^2 x 1 mm (the third axis of a 2-D image) per voxel. */
    CHECK_NEAR(filter->GetReferenceVolume(3), 4 * 1.0 / 1000.0, 1e-15);
    itk::SizeValueType used = 0;
    CHECK_NEAR(filter->GetMean(LOBEDICE_MEASURE_DICE, &used), (1.0 + 10.0 / 12.0) / 4.0, 1e-15);
    CHECK_UINT(used, 4);
    CHECK_NEAR(filter->GetPooledDiceCoefficient(), 18.0 / 27.0, 1e-15);
    /* Label 1 matches exactly: every surface distance is 0; label 3 has no prediction. */
    CHECK_NEAR(filter->GetHausdorffDistance(1), 0.0, 0);
    CHECK_NEAR(filter->GetNormalizedSurfaceDice(1), 1.0, 0);
    CHECK(std::isnan(filter->GetHausdorffDistance(3)));
    filter->GetMean(LOBEDICE_MEASURE_HD, &used);
    CHECK_UINT(used, 2);
}

/* The surface values are exactly what the core computes on the same buffers. */
void surface_matches_core()
{
    using Image = ImageOf<uint8_t>;
    auto ref = phantom_image<uint8_t>(PHANTOM_REFERENCE);
    auto pred = phantom_image<uint8_t>(PHANTOM_PREDICTION);
    auto filter = compare<Image, Image>(ref, pred);
    filter->SetComputeSurfaceDistances(true);
    filter->SetTolerance(2.0);
    filter->Update();

    double spacing[3], origin[3];
    phantom_geometry(phantom_size, spacing, origin);
    lobedice_volume r = {ref->GetBufferPointer(), LOBEDICE_UINT8, {40, 36, 30}, {0, 0, 0}};
    lobedice_volume p = {pred->GetBufferPointer(), LOBEDICE_UINT8, {40, 36, 30}, {0, 0, 0}};
    std::memcpy(r.spacing, spacing, sizeof spacing);
    std::memcpy(p.spacing, spacing, sizeof spacing);
    const int64_t labels[5] = {1, 2, 3, 4, 5};
    lobedice_label_surface direct[5];
    CHECK_INT(lobedice_surface_distances(direct, &r, &p, labels, 5, 2.0, 0), LOBEDICE_OK);
    double hd_sum = 0, nsd_sum = 0;
    for (int k = 0; k < 5; k++) {
        CHECK_SAME(filter->GetMeasure(labels[k], LOBEDICE_MEASURE_REF_SURFACE_VOXELS),
                   static_cast<double>(direct[k].ref_surface_voxels));
        CHECK_SAME(filter->GetMeasure(labels[k], LOBEDICE_MEASURE_HD95_PRED_TO_REF),
                   direct[k].hd95_pred_to_ref);
        CHECK_SAME(filter->GetHausdorffDistance(labels[k]), direct[k].hd);
        CHECK_SAME(filter->GetHausdorffDistance95(labels[k]), direct[k].hd95);
        CHECK_SAME(filter->GetAverageSymmetricSurfaceDistance(labels[k]), direct[k].assd);
        CHECK_SAME(filter->GetNormalizedSurfaceDice(labels[k]), direct[k].nsd);
        CHECK(direct[k].hd > 0 && direct[k].nsd > 0 && direct[k].nsd < 1);
        hd_sum += direct[k].hd;
        nsd_sum += direct[k].nsd;
    }
    itk::SizeValueType used = 0;
    CHECK_NEAR(filter->GetMean(LOBEDICE_MEASURE_HD, &used), hd_sum / 5, 1e-12);
    CHECK_UINT(used, 5);
    CHECK_NEAR(filter->GetMean(LOBEDICE_MEASURE_NSD), nsd_sum / 5, 1e-12);

    /* Without surface distances every surface measure is undefined, never stale. */
    filter->SetComputeSurfaceDistances(false);
    filter->Update();
    CHECK(std::isnan(filter->GetHausdorffDistance(1)));
    CHECK(std::isnan(filter->GetMean(LOBEDICE_MEASURE_HD, &used)));
    CHECK_UINT(used, 0);
}

/* Labels asked for are reported in that order; one in neither image is absent (NaN Dice); one
 * not asked for cannot be queried. The output is the reference itself (no copy). */
void labels_and_pass_through()
{
    using Image = ImageOf<uint8_t>;
    auto ref = phantom_image<uint8_t>(PHANTOM_REFERENCE);
    auto pred = phantom_image<uint8_t>(PHANTOM_PREDICTION);
    auto filter = compare<Image, Image>(ref, pred);
    filter->SetLabels({5, 1, 9});
    filter->Update();
    CHECK(filter->GetMeasuredLabels() == std::vector<int64_t>({5, 1, 9}));
    CHECK_STR(lobedice_comparison_row(filter->GetComparison(), 0)->name, "LLL");
    CHECK_STR(filter->GetLabelName(9).c_str(), "label 9");
    CHECK_INT(filter->GetPresence(9), LOBEDICE_ABSENT);
    CHECK(std::isnan(filter->GetDiceCoefficient(9)));
    CHECK(std::isnan(filter->GetFalseNegativeError(9)));
    itk::SizeValueType used = 0;
    filter->GetMean(LOBEDICE_MEASURE_DICE, &used);
    CHECK_UINT(used, 2);
    CHECK(filter->GetMeasuredRegions().empty()); /* not the five lobes: no lung regions */
    CHECK(throws_with([&] { filter->GetDiceCoefficient(2); }, "Label 2 was not measured"));
    CHECK(filter->GetOutput()->GetBufferPointer() == ref->GetBufferPointer());

    /* Back to the default: every non-zero label present in either image. */
    filter->SetLabels({});
    filter->Update();
    CHECK(filter->GetMeasuredLabels() == std::vector<int64_t>({1, 2, 3, 4, 5}));
}

/* Regions and the empty policy: the lung regions by default for lobes 1..5, given ones, none;
 * a region's counts are those of the union of its labels; an absent label takes the policy. */
void regions_and_empty_policy()
{
    using Image = ImageOf<uint8_t>;
    auto ref = phantom_image<uint8_t>(PHANTOM_REFERENCE);
    auto pred = phantom_image<uint8_t>(PHANTOM_PREDICTION);
    auto filter = compare<Image, Image>(ref, pred);
    filter->Update();
    CHECK_UINT(filter->GetMeasuredRegions().size(), 3);
    CHECK_STR(filter->GetMeasuredRegions()[0].name.c_str(), "RightLung");
    /* the right lung's tp counts voxels in the union in both maps, not the sum of the lobes' */
    const Image *r = ref, *p = pred;
    size_t both = 0, n = r->GetLargestPossibleRegion().GetNumberOfPixels();
    for (size_t i = 0; i < n; i++) {
        const unsigned a = r->GetBufferPointer()[i], b = p->GetBufferPointer()[i];
        both += a >= 1 && a <= 3 && b >= 1 && b <= 3;
    }
    CHECK_SAME(filter->GetRegionMeasure("RightLung", LOBEDICE_MEASURE_TP),
               static_cast<double>(both));
    CHECK_INT(filter->GetRegionPresence("Lungs"), LOBEDICE_PRESENT);
    CHECK(throws_with([&] { filter->GetRegionMeasure("Heart", LOBEDICE_MEASURE_DICE); },
                      "Region 'Heart' was not measured"));

    filter->SetRegions({{"Upper", {1, 4}}});
    filter->SetLabels({1, 4, 7});
    filter->SetLabelNames({"right upper", "left upper", "nothing"});
    filter->SetEmptyPolicy(LOBEDICE_EMPTY_ONE);
    filter->Update();
    CHECK_UINT(filter->GetMeasuredRegions().size(), 1);
    CHECK_STR(filter->GetLabelName(4).c_str(), "left upper");
    CHECK_SAME(filter->GetDiceCoefficient(7), 1.0);
    CHECK_SAME(filter->GetJaccardCoefficient(7), 1.0);
    CHECK(std::isnan(filter->GetPrecision(7)));
    itk::SizeValueType used = 0;
    const double mean = filter->GetMean(LOBEDICE_MEASURE_DICE, &used);
    CHECK_UINT(used, 3);
    CHECK_NEAR(mean, (filter->GetDiceCoefficient(1) + filter->GetDiceCoefficient(4) + 1.0) / 3,
               1e-15);
    filter->SetEmptyPolicy(LOBEDICE_EMPTY_ZERO);
    filter->SetRegions({});
    filter->Update();
    CHECK_SAME(filter->GetDiceCoefficient(7), 0.0);
    CHECK(filter->GetMeasuredRegions().empty());
    filter->SetLabelNames({"only one"});
    CHECK(throws_with([&] { filter->Update(); }, "SetLabelNames gave 1 names for 3 labels"));
}

int exercise_basic_object_methods()
{
    using Image = ImageOf<uint8_t>;
    auto filter = itk::LobeDiceComparisonImageFilter<Image>::New();
    ITK_EXERCISE_BASIC_OBJECT_METHODS(filter, LobeDiceComparisonImageFilter, ImageToImageFilter);
    ITK_TEST_SET_GET_BOOLEAN(filter, ComputeSurfaceDistances, true);
    filter->SetTolerance(1.5);
    ITK_TEST_SET_GET_VALUE(1.5, filter->GetTolerance());
    return EXIT_SUCCESS;
}

void basic_object_methods()
{
    CHECK_INT(exercise_basic_object_methods(), EXIT_SUCCESS);
    /* PrintSelf shows every member, results included. */
    using Image = ImageOf<uint8_t>;
    auto filter = compare<Image, Image>(phantom_image<uint8_t>(PHANTOM_REFERENCE),
                                        phantom_image<uint8_t>(PHANTOM_PREDICTION));
    filter->SetLabels({1, 2});
    filter->Update();
    std::ostringstream text;
    filter->Print(text);
    for (const char *member :
         {"Labels: [1, 2]", "ComputeSurfaceDistances: Off", "Tolerance: 1 mm", "EmptyPolicy: nan",
          "Rows measured: 2", "RUL (present): dice=", "Mean Dice: "})
        CHECK(text.str().find(member) != std::string::npos);
}

void errors_become_exceptions()
{
    using Image = ImageOf<uint8_t>;
    auto ref = phantom_image<uint8_t>(PHANTOM_REFERENCE);
    auto pred = phantom_image<uint8_t>(PHANTOM_PREDICTION);

    /* A status from the core (a negative surface tolerance) carries lobedice_strerror. */
    auto filter = compare<Image, Image>(ref, pred);
    filter->SetComputeSurfaceDistances(true);
    filter->SetTolerance(-1.0);
    CHECK(throws_with([&] { filter->Update(); }, lobedice_strerror(LOBEDICE_EINVAL)));
    CHECK(throws_with([&] { filter->Update(); }, "lobedice_compare failed"));

    /* Same physical space, other size. */
    auto small = Image::New();
    Image::RegionType region;
    region.SetSize({{10, 10, 10}});
    small->SetRegions(region);
    small->SetSpacing(ref->GetSpacing());
    small->SetOrigin(ref->GetOrigin());
    small->Allocate(true);
    auto sized = compare<Image, Image>(ref, small);
    CHECK(throws_with([&] { sized->Update(); }, "must lie on the same grid"));

    /* Another origin: ITK's own check of the physical space. */
    auto moved = phantom_image<uint8_t>(PHANTOM_PREDICTION);
    auto origin = moved->GetOrigin();
    origin[0] += 5.0;
    moved->SetOrigin(origin);
    auto shifted = compare<Image, Image>(ref, moved);
    CHECK(throws_with([&] { shifted->Update(); }, "same physical space"));

    /* A missing input. */
    auto lonely = itk::LobeDiceComparisonImageFilter<Image>::New();
    lonely->SetReferenceImage(ref);
    CHECK(throws_with([&] { lonely->Update(); }, "PredictedImage"));
}

/* A TotalSegmentator-labelled prediction (lobes 12 13 14 10 11, a liver at 5) read through its
 * convention gives, lobe for lobe, the Dice ITK's LabelOverlapMeasuresImageFilter gives for the
 * lobe-valued pair; read as lobedice with the check on, Update refuses it. */
void label_conventions()
{
    using Lobes = ImageOf<uint8_t>;
    using Values = ImageOf<short>;
    auto ref = phantom_image<uint8_t>(PHANTOM_REFERENCE);
    auto pred = phantom_image<uint8_t>(PHANTOM_PREDICTION);
    auto ts = phantom_image<short>(PHANTOM_PREDICTION);
    static const short ts_value[6] = {0, 12, 13, 14, 10, 11};
    short *v = ts->GetBufferPointer();
    const size_t n = ts->GetLargestPossibleRegion().GetNumberOfPixels();
    for (size_t i = 0; i < n; i++)
        v[i] = v[i] ? ts_value[v[i]] : (i % 41 == 0 ? 5 : 0); /* liver specks */

    auto oracle = itk::LabelOverlapMeasuresImageFilter<Lobes>::New();
    oracle->SetSourceImage(pred);
    oracle->SetTargetImage(ref);
    oracle->Update();
    auto filter = compare<Lobes, Values>(ref, ts);
    filter->SetReferenceLabelConvention("lobedice");
    filter->SetPredictedLabelConvention("totalsegmentator");
    filter->SetCheckLabels(true);
    filter->Update();
    CHECK_UINT(filter->GetMeasuredLabels().size(), 5);
    for (int64_t lobe = 1; lobe <= 5; lobe++)
        CHECK_NEAR(filter->GetDiceCoefficient(lobe),
                   oracle->GetDiceCoefficient(static_cast<uint8_t>(lobe)), 1e-12);
    CHECK_STR(filter->GetPredictedLabelConvention().c_str(), "totalsegmentator");
    size_t nignored = 0;
    const lobedice_value_count *ignored =
        lobedice_comparison_ignored(filter->GetComparison(), LOBEDICE_INPUT_PREDICTION, &nignored);
    CHECK_UINT(nignored, 1);
    CHECK(ignored && ignored[0].value == 5);
    /* an explicit map says the same */
    filter->SetPredictedLabelConvention("10=LUL, 11=LLL, 12=RUL, 13=RML, 14=RLL");
    filter->Update();
    CHECK_NEAR(filter->GetDiceCoefficient(2), oracle->GetDiceCoefficient(2), 1e-12);

    filter->SetPredictedLabelConvention("lobedice");
    CHECK(throws_with([&] { filter->Update(); }, "fit the label convention totalsegmentator"));
    filter->SetCheckLabels(false);
    filter->Update();
    CHECK_NEAR(filter->GetDiceCoefficient(2), 0.0, 0); /* RML: 13 is no lobedice value */
    CHECK(throws_with([&] { filter->SetPredictedLabelConvention("10=LUX"); }, "'10=LUX'"));
    /* the presets named are the core's, every one of them */
    for (size_t i = 0; const char *preset = lobedice_convention_preset_name(i); i++)
        CHECK(throws_with([&] { filter->SetPredictedLabelConvention("bogus"); }, preset));
    CHECK_STR(filter->GetPredictedLabelConvention().c_str(), "lobedice");
}

} // namespace

int main(int argc, char **argv)
{
    static const check_case cases[] = {
        {"matches_itk_label_overlap", matches_itk_label_overlap},
        {"pixel_types_and_work_units_do_not_matter", pixel_types_and_work_units_do_not_matter},
        {"worked_example_2d", worked_example_2d},
        {"surface_matches_core", surface_matches_core},
        {"labels_and_pass_through", labels_and_pass_through},
        {"regions_and_empty_policy", regions_and_empty_policy},
        {"basic_object_methods", basic_object_methods},
        {"errors_become_exceptions", errors_become_exceptions},
        {"label_conventions", label_conventions},
    };
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
