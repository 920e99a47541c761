// The phantom golden report (testing/cli/golden/phantom_40x40x32.json) against ITK's own
// LabelOverlapMeasuresImageFilter on the same pair, read by ITK from the NRRD files
// lobedice-phantom writes: per-label Dice, Jaccard, volume similarity, sensitivity, precision,
// and the pooled Dice (GetDiceCoefficient() without a label).
#include "check.h"
#include "cli_test_util.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkLabelOverlapMeasuresImageFilter.h>

#include <string>

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

static const check_case cases[] = {{"golden_phantom_itk", golden_phantom_itk}};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
