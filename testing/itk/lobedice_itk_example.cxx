/* An ITK pipeline with LobeDice: two readers, the comparison filter, a printed table.
 *
 *   lobedice_itk_example REFERENCE PREDICTION [--surface]
 *
 * Both files must hold label maps on the same grid (see lobedice_image_align otherwise). */
#include "itkImageFileReader.h"
#include "itkLobeDiceComparisonImageFilter.h"

#include <cstdio>
#include <cstring>

int main(int argc, char *argv[])
{
    const bool surface = argc == 4 && std::strcmp(argv[3], "--surface") == 0;
    if (argc != 3 && !surface) {
        std::fprintf(stderr, "usage: %s REFERENCE PREDICTION [--surface]\n", argv[0]);
        return 2;
    }
    using ImageType = itk::Image<short, 3>;
    using ReaderType = itk::ImageFileReader<ImageType>;
    using CompareType = itk::LobeDiceComparisonImageFilter<ImageType>;

    auto reference = ReaderType::New();
    reference->SetFileName(argv[1]);
    auto predicted = ReaderType::New();
    predicted->SetFileName(argv[2]);
    auto compare = CompareType::New();
    compare->SetReferenceImage(reference->GetOutput());
    compare->SetPredictedImage(predicted->GetOutput());
    compare->SetComputeSurfaceDistances(surface);
    try {
        compare->Update();
    } catch (const itk::ExceptionObject &e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.GetDescription());
        return 1;
    }

    std::printf("label      dice   jaccard  ref_ml  pred_ml%s\n",
                surface ? "  hd95_mm  assd_mm    nsd" : "");
    for (CompareType::LabelType label : compare->GetMeasuredLabels()) {
        std::printf("%5lld  %8.6f  %8.6f  %6.1f  %7.1f", static_cast<long long>(label),
                    compare->GetDiceCoefficient(label), compare->GetJaccardCoefficient(label),
                    compare->GetReferenceVolume(label), compare->GetPredictedVolume(label));
        if (surface)
            std::printf("  %7.2f  %7.2f  %5.3f", compare->GetHausdorffDistance95(label),
                        compare->GetAverageSymmetricSurfaceDistance(label),
                        compare->GetNormalizedSurfaceDice(label));
        std::printf("\n");
    }
    itk::SizeValueType used = 0;
    const double mean_dice = compare->GetMean(LOBEDICE_MEASURE_DICE, &used);
    std::printf("mean Dice %.6f over %lu labels, pooled Dice %.6f\n", mean_dice,
                static_cast<unsigned long>(used), compare->GetPooledDiceCoefficient());
    return 0;
}
