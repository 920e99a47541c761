// The command line against ITK, the one ITK translation unit of the cli tests:
//  - the phantom golden report (testing/cli/golden/phantom_40x40x32.json) against ITK's own
//    LabelOverlapMeasuresImageFilter on the same pair, read by ITK from the NRRD files
//    lobedice-phantom writes: per-label Dice, Jaccard, volume similarity, sensitivity,
//    precision, and the pooled Dice (GetDiceCoefficient() without a label);
//  - LobeDice and itk::LobeDiceComparisonImageFilter give the same numbers, bit for bit, for
//    every combination of the empty policy, regions, surface distances and a label subset:
//    both front ends read their numbers from the one comparison of the core.
#include "check.h"
#include "cli_test_util.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkLabelOverlapMeasuresImageFilter.h>
#include <itkLobeDiceComparisonImageFilter.h>

#include <string>
#include <vector>

using LabelImage = itk::Image<short, 3>;

static LabelImage::Pointer read(const std::string &path)
{
    auto reader = itk::ImageFileReader<LabelImage>::New();
    reader->SetFileName(path);
    reader->Update();
    return reader->GetOutput();
}

static double number(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    CHECK_FATAL(v != nullptr && json_is_number(v));
    return json_number_value(v);
}

static void golden_phantom_itk()
{
    const std::string dir = std::string(CLI_SCRATCH_DIR);
    CHECK_FATAL(fresh_dir(dir.c_str()) == 0);
    const std::string ref = dir + "/reference.nrrd", pred = dir + "/prediction.nrrd";
    const char *make[] = {LOBEDICE_PHANTOM_EXE, "--size", "40,40,32",  "--type",     "short",
                          "--encoding",         "raw",    ref.c_str(), pred.c_str(), nullptr};
    run_result r;
    CHECK_FATAL(run_program(&r, make) == 0 && r.status == 0);
    run_result_free(&r);

    // ITK's source is the prediction and its target the reference: then its volume similarity
    // 2(|S|-|T|)/(|S|+|T|) is ours, 2(|B|-|A|)/(|A|+|B|), and its target overlap our
    // sensitivity.
    auto filter = itk::LabelOverlapMeasuresImageFilter<LabelImage>::New();
    filter->SetSourceImage(read(pred));
    filter->SetTargetImage(read(ref));
    filter->Update();

    const std::string golden = std::string(CLI_GOLDEN_DIR) + "/phantom_40x40x32.json";
    json_t *report = load_json(golden.c_str());
    const json_t *labels = json_object_get(report, "labels");
    CHECK_UINT(json_array_size(labels), 5);
    const double tol = 1e-12;
    for (size_t i = 0; i < json_array_size(labels); i++) {
        const json_t *row = json_array_get(labels, i);
        const auto label = static_cast<short>(json_integer_value(json_object_get(row, "label")));
        CHECK_NEAR(number(row, "dice"), filter->GetDiceCoefficient(label), tol);
        CHECK_NEAR(number(row, "jaccard"), filter->GetJaccardCoefficient(label), tol);
        CHECK_NEAR(number(row, "volume_similarity"), filter->GetVolumeSimilarity(label), tol);
        CHECK_NEAR(number(row, "sensitivity"), filter->GetTargetOverlap(label), tol);
        CHECK_NEAR(number(row, "precision"), 1.0 - filter->GetFalsePositiveError(label), tol);
    }
    CHECK_NEAR(number(json_object_get(report, "summary"), "pooled_dice"),
               filter->GetDiceCoefficient(), tol);
    json_decref(report);
}

// A JSON value as the core gives it: null is NaN.
static double json_value(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    CHECK_FATAL(v != nullptr);
    return json_is_null(v) ? NAN : json_number_value(v);
}

// Every measure of a JSON row against the filter's value for the same row.
template <typename Get> static void same_row(const json_t *row, bool surface, Get get)
{
    for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++) {
        const auto measure = static_cast<lobedice_measure>(m);
        const lobedice_measure_info *info = lobedice_measure_get_info(measure);
        if (info->is_surface && !surface) {
            CHECK(json_object_get(row, info->key) == nullptr);
            CHECK(std::isnan(get(measure)));
            continue;
        }
        CHECK_SAME(json_value(row, info->key), get(measure));
    }
}

static void cli_and_filter_agree()
{
    const std::string dir = std::string(CLI_SCRATCH_DIR) + "/agree";
    CHECK_FATAL(fresh_dir(dir.c_str()) == 0);
    const std::string ref = dir + "/reference.nrrd", pred = dir + "/prediction.nrrd",
                      json = dir + "/report.json";
    const char *make[] = {LOBEDICE_PHANTOM_EXE, "--size", "40,36,30",  "--type",     "short",
                          "--encoding",         "raw",    ref.c_str(), pred.c_str(), nullptr};
    run_result r;
    CHECK_FATAL(run_program(&r, make) == 0 && r.status == 0);
    run_result_free(&r);
    auto ref_image = read(ref), pred_image = read(pred);
    using Filter = itk::LobeDiceComparisonImageFilter<LabelImage>;

    const char *policies[3] = {"nan", "one", "zero"};
    const char *regions[3] = {nullptr, "none", "Upper=1+4,Lower=3+5,All=1+2+3+4+5+9"};
    const char *label_lists[2] = {nullptr, "2,5,9"};
    size_t runs = 0;
    for (const char *policy : policies)
        for (const char *region : regions)
            for (int surface = 0; surface < 2; surface++)
                for (const char *labels : label_lists) {
                    std::vector<const char *> argv = {LOBEDICE_EXE, "--emptyPolicy", policy};
                    if (labels) {
                        argv.push_back("--labels");
                        argv.push_back(labels);
                    }
                    if (region) {
                        argv.push_back("--regions");
                        argv.push_back(region);
                    }
                    if (surface)
                        argv.push_back("--surfaceDistances");
                    for (const char *arg :
                         {"--outputJson", json.c_str(), ref.c_str(), pred.c_str()})
                        argv.push_back(arg);
                    argv.push_back(nullptr);
                    CHECK_FATAL(run_program(&r, argv.data()) == 0);
                    if (r.status != 0)
                        fprintf(stderr, "%s: %s", command_text(argv.data()), r.err);
                    CHECK_FATAL(r.status == 0);
                    run_result_free(&r);
                    json_t *report = load_json(json.c_str());

                    auto filter = Filter::New();
                    filter->SetReferenceImage(ref_image);
                    filter->SetPredictedImage(pred_image);
                    lobedice_empty_policy p = LOBEDICE_EMPTY_NAN;
                    CHECK_FATAL(lobedice_empty_policy_parse(&p, policy) == LOBEDICE_OK);
                    filter->SetEmptyPolicy(p);
                    if (labels)
                        filter->SetLabels({2, 5, 9});
                    if (region && std::string(region) == "none")
                        filter->SetRegions({});
                    else if (region)
                        filter->SetRegions(
                            {{"Upper", {1, 4}}, {"Lower", {3, 5}}, {"All", {1, 2, 3, 4, 5, 9}}});
                    filter->SetComputeSurfaceDistances(surface != 0);
                    filter->Update();

                    const json_t *rows = json_object_get(report, "labels");
                    CHECK_UINT(json_array_size(rows), filter->GetMeasuredLabels().size());
                    for (size_t i = 0; i < json_array_size(rows); i++) {
                        const json_t *row = json_array_get(rows, i);
                        const auto label = json_integer_value(json_object_get(row, "label"));
                        CHECK_INT(label, filter->GetMeasuredLabels()[i]);
                        CHECK_STR(json_string_value(json_object_get(row, "name")),
                                  filter->GetLabelName(label).c_str());
                        CHECK_STR(json_string_value(json_object_get(row, "status")),
                                  lobedice_presence_name(filter->GetPresence(label)));
                        same_row(row, surface,
                                 [&](lobedice_measure m) { return filter->GetMeasure(label, m); });
                    }
                    rows = json_object_get(report, "regions");
                    CHECK_UINT(json_array_size(rows), filter->GetMeasuredRegions().size());
                    for (size_t i = 0; i < json_array_size(rows); i++) {
                        const json_t *row = json_array_get(rows, i);
                        const std::string name = json_string_value(json_object_get(row, "name"));
                        CHECK_STR(name.c_str(), filter->GetMeasuredRegions()[i].name.c_str());
                        same_row(row, surface, [&](lobedice_measure m) {
                            return filter->GetRegionMeasure(name, m);
                        });
                    }
                    const json_t *summary = json_object_get(report, "summary");
                    for (int m = 0; m < LOBEDICE_MEASURE_COUNT; m++) {
                        const auto measure = static_cast<lobedice_measure>(m);
                        const lobedice_measure_info *info = lobedice_measure_get_info(measure);
                        if (!info->is_averaged || (info->is_surface && !surface))
                            continue;
                        itk::SizeValueType used = 0;
                        const double mean = filter->GetMean(measure, &used);
                        CHECK_SAME(json_value(summary, ("mean_" + std::string(info->key)).c_str()),
                                   mean);
                        CHECK_UINT(json_integer_value(json_object_get(
                                       summary, ("n_" + std::string(info->key)).c_str())),
                                   used);
                    }
                    CHECK_SAME(json_value(summary, "pooled_dice"),
                               filter->GetPooledDiceCoefficient());
                    json_decref(report);
                    runs++;
                }
    CHECK_UINT(runs, 36);
}

static const check_case cases[] = {{"golden_phantom_itk", golden_phantom_itk},
                                   {"cli_and_filter_agree", cli_and_filter_agree}};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
