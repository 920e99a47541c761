/*
 * itk::LobeDiceComparisonImageFilter: per-label comparison of a predicted label map with a
 * reference, computed by the LobeDice C core. Header-only; link lobedice::lobedice and ITK.
 */
#ifndef itkLobeDiceComparisonImageFilter_h
#define itkLobeDiceComparisonImageFilter_h

#include "itkImageToImageFilter.h"
#include "lobedice/lobedice.h"

#include <cstdint>
#include <type_traits>
#include <vector>

namespace itk
{

/** \class LobeDiceComparisonImageFilter
 * \brief Per-label overlap and surface-distance measures between a reference and a predicted
 * label image, computed by the LobeDice C core.
 *
 * For a label l, A = reference voxels equal to l, B = predicted voxels equal to l:
 * tp = |A and B|, fp = |B \ A|, fn = |A \ B|, tn = N - tp - fp - fn;
 * Dice = 2 tp / (2 tp + fp + fn), Jaccard = tp / (tp + fp + fn), precision = tp / |B|,
 * sensitivity = tp / |A|, specificity = tn / (tn + fp), volume similarity
 * = 2 (|B| - |A|) / (|A| + |B|) (ITK's signed form), false negative error = fn / |A| and false
 * positive error = fp / |B| (as LabelOverlapMeasuresImageFilter defines them with the
 * prediction as its source and the reference as its target). Undefined values are NaN (ITK's
 * filter returns the largest double instead). With SetComputeSurfaceDistances(true), the
 * surface measures over the 6-connected boundary voxels of A and B: Hausdorff distance (HD),
 * HD95, average symmetric surface distance (ASSD) and normalized surface Dice (NSD) at
 * GetTolerance() mm; NaN when A or B is empty. Every definition is in docs/measures.md.
 *
 * The filter hands the two image buffers, their size and the reference spacing straight to
 * the core: no copy, no per-voxel work here. Both images must therefore lie on the same grid
 * (same size, origin, spacing and direction: ITK checks the physical space, the filter the
 * sizes) and be buffered whole; bring a cropped or differently sampled prediction onto the
 * reference grid first (lobedice_image_align, or ResampleImageFilter with nearest-neighbour
 * interpolation). Pixel types must be 8-, 16- or 32-bit integers, signed or not (cast other
 * label images first). Images may be 2-D or 3-D.
 *
 * The output is the reference image, passed through. The core runs on GetNumberOfWorkUnits()
 * threads, at most the threader's GetMaximumNumberOfThreads() (ITK's default of several work
 * units per thread would otherwise oversubscribe the cores); results do not depend on it. A failing
 * core call becomes an ExceptionObject carrying lobedice_strerror's sentence.
 *
 * \ingroup LobeDice
 */
template <typename TReferenceImage, typename TPredictedImage = TReferenceImage>
class ITK_TEMPLATE_EXPORT LobeDiceComparisonImageFilter
    : public ImageToImageFilter<TReferenceImage, TReferenceImage>
{
  public:
    ITK_DISALLOW_COPY_AND_MOVE(LobeDiceComparisonImageFilter);

    using Self = LobeDiceComparisonImageFilter;
    using Superclass = ImageToImageFilter<TReferenceImage, TReferenceImage>;
    using Pointer = SmartPointer<Self>;
    using ConstPointer = SmartPointer<const Self>;

    itkNewMacro(Self);
    itkTypeMacro(LobeDiceComparisonImageFilter, ImageToImageFilter);

    using ReferenceImageType = TReferenceImage;
    using PredictedImageType = TPredictedImage;
    using LabelType = int64_t;
    using LabelListType = std::vector<LabelType>;
    using RealType = double;
    using CountType = uint64_t;
    using OverlapType = lobedice_label_overlap;
    using SurfaceType = lobedice_label_surface;
    using PresenceType = lobedice_presence;

    static constexpr unsigned int ImageDimension = TReferenceImage::ImageDimension;
    static_assert(ImageDimension == 2 || ImageDimension == 3,
                  "LobeDiceComparisonImageFilter compares 2-D or 3-D label images");
    static_assert(TPredictedImage::ImageDimension == ImageDimension,
                  "the reference and predicted images must have the same dimension");

    /** The core's dtype for an integer pixel type of 8, 16 or 32 bits. */
    template <typename TPixel> static constexpr lobedice_dtype DTypeOf()
    {
        static_assert(std::is_integral<TPixel>::value && !std::is_same<TPixel, bool>::value &&
                          (sizeof(TPixel) == 1 || sizeof(TPixel) == 2 || sizeof(TPixel) == 4),
                      "label pixels must be 8-, 16- or 32-bit integers; cast the image first");
        return sizeof(TPixel) == 1
                   ? (std::is_signed<TPixel>::value ? LOBEDICE_INT8 : LOBEDICE_UINT8)
               : sizeof(TPixel) == 2
                   ? (std::is_signed<TPixel>::value ? LOBEDICE_INT16 : LOBEDICE_UINT16)
                   : (std::is_signed<TPixel>::value ? LOBEDICE_INT32 : LOBEDICE_UINT32);
    }

    /** The reference (ground-truth) label image; it is also the output. */
    itkSetInputMacro(ReferenceImage, TReferenceImage);
    itkGetInputMacro(ReferenceImage, TReferenceImage);

    /** The predicted label image, on the reference grid. */
    itkSetInputMacro(PredictedImage, TPredictedImage);
    itkGetInputMacro(PredictedImage, TPredictedImage);

    /** The labels to measure, in the order results are reported. Empty (the default): every
     * non-zero label present in either image, ascending. */
    virtual void SetLabels(const LabelListType &labels);
    itkGetConstReferenceMacro(Labels, LabelListType);

    /** The labels the last Update measured (the ones set, or the ones found). */
    itkGetConstReferenceMacro(MeasuredLabels, LabelListType);

    /** Also compute HD, HD95, ASSD and NSD (off by default: they cost more than the overlap). */
    itkSetMacro(ComputeSurfaceDistances, bool);
    itkGetConstMacro(ComputeSurfaceDistances, bool);
    itkBooleanMacro(ComputeSurfaceDistances);

    /** The normalized-surface-Dice tolerance in mm (default 1.0). */
    itkSetMacro(Tolerance, RealType);
    itkGetConstMacro(Tolerance, RealType);

    /** Everything the core reports for a label (throws when the label was not measured). */
    const OverlapType &GetLabelOverlap(LabelType label) const;
    const SurfaceType &GetLabelSurface(LabelType label) const;

    /** One entry per measured label, in the order of GetMeasuredLabels(). */
    itkGetConstReferenceMacro(Overlaps, std::vector<OverlapType>);
    itkGetConstReferenceMacro(Surfaces, std::vector<SurfaceType>);

    /** Per-label overlap measures. */
    CountType GetTruePositives(LabelType label) const
    {
        return this->GetLabelOverlap(label).tp;
    }
    CountType GetFalsePositives(LabelType label) const
    {
        return this->GetLabelOverlap(label).fp;
    }
    CountType GetFalseNegatives(LabelType label) const
    {
        return this->GetLabelOverlap(label).fn;
    }
    CountType GetTrueNegatives(LabelType label) const
    {
        return this->GetLabelOverlap(label).tn;
    }
    RealType GetDiceCoefficient(LabelType label) const
    {
        return this->GetLabelOverlap(label).dice;
    }
    RealType GetJaccardCoefficient(LabelType label) const
    {
        return this->GetLabelOverlap(label).jaccard;
    }
    RealType GetPrecision(LabelType label) const
    {
        return this->GetLabelOverlap(label).precision;
    }
    RealType GetSensitivity(LabelType label) const
    {
        return this->GetLabelOverlap(label).sensitivity;
    }
    RealType GetSpecificity(LabelType label) const
    {
        return this->GetLabelOverlap(label).specificity;
    }
    /** Volumes in ml (voxel count times the voxel volume of the reference). */
    RealType GetReferenceVolume(LabelType label) const
    {
        return this->GetLabelOverlap(label).volume_ref_ml;
    }
    RealType GetPredictedVolume(LabelType label) const
    {
        return this->GetLabelOverlap(label).volume_pred_ml;
    }
    RealType GetVolumeSimilarity(LabelType label) const
    {
        return this->GetLabelOverlap(label).volume_similarity;
    }
    /** fn / |A| and fp / |B|: ITK's false negative and false positive errors. */
    RealType GetFalseNegativeError(LabelType label) const;
    RealType GetFalsePositiveError(LabelType label) const;
    /** Present in both images, in one only, or in neither. */
    PresenceType GetPresence(LabelType label) const
    {
        return lobedice_overlap_presence(&this->GetLabelOverlap(label));
    }

    /** Per-label surface measures in mm (NSD a fraction); need SetComputeSurfaceDistances(true). */
    RealType GetHausdorffDistance(LabelType label) const
    {
        return this->GetLabelSurface(label).hd;
    }
    RealType GetHausdorffDistance95(LabelType label) const
    {
        return this->GetLabelSurface(label).hd95;
    }
    RealType GetAverageSymmetricSurfaceDistance(LabelType label) const
    {
        return this->GetLabelSurface(label).assd;
    }
    RealType GetNormalizedSurfaceDice(LabelType label) const
    {
        return this->GetLabelSurface(label).nsd;
    }

    /** Aggregates over the measured labels: means over the labels where a measure is defined,
     * with the number of labels that took part, and pooled Dice 2 sum(tp) / (2 sum(tp) +
     * sum(fp) + sum(fn)) (what LabelOverlapMeasuresImageFilter::GetDiceCoefficient() returns). */
    itkGetConstReferenceMacro(OverlapSummary, lobedice_overlap_summary);
    RealType GetMeanDiceCoefficient() const
    {
        return m_OverlapSummary.mean_dice;
    }
    SizeValueType GetNumberOfLabelsInMeanDice() const
    {
        return m_OverlapSummary.n_dice;
    }
    RealType GetPooledDiceCoefficient() const
    {
        return m_OverlapSummary.pooled_dice;
    }
    /** Means of the surface measures over the labels where they are defined (both masks
     * non-empty); GetNumberOfLabelsInSurfaceMeans() tells how many. */
    RealType GetMeanHausdorffDistance() const;
    RealType GetMeanHausdorffDistance95() const;
    RealType GetMeanAverageSymmetricSurfaceDistance() const;
    RealType GetMeanNormalizedSurfaceDice() const;
    SizeValueType GetNumberOfLabelsInSurfaceMeans() const;

  protected:
    LobeDiceComparisonImageFilter();
    ~LobeDiceComparisonImageFilter() override = default;

    void PrintSelf(std::ostream &os, Indent indent) const override;

    /** Both inputs and the output are needed whole: the core sees complete buffers. */
    void GenerateInputRequestedRegion() override;
    void EnlargeOutputRequestedRegion(DataObject *data) override;

    /** The reference passes through as the output (no copy). */
    void AllocateOutputs() override;

    void GenerateData() override;

  private:
    template <typename TImage> static lobedice_volume VolumeOf(const TImage *image);

    void Check(lobedice_status status, const char *call) const;

    static void ReportProgress(void *user, double fraction);

    size_t IndexOf(LabelType label) const;

    RealType SurfaceMean(size_t offset, size_t *used) const;

    LabelListType m_Labels;
    LabelListType m_MeasuredLabels;
    bool m_ComputeSurfaceDistances{false};
    RealType m_Tolerance{1.0};
    std::vector<OverlapType> m_Overlaps;
    std::vector<SurfaceType> m_Surfaces;
    lobedice_overlap_summary m_OverlapSummary{};
};

} // end namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkLobeDiceComparisonImageFilter.hxx"
#endif

#endif
