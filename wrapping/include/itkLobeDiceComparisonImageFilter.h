/*
 * itk::LobeDiceComparisonImageFilter: per-label comparison of a predicted label map with a
 * reference, computed by the LobeDice C core. Header-only; link lobedice::lobedice and ITK.
 */
#ifndef itkLobeDiceComparisonImageFilter_h
#define itkLobeDiceComparisonImageFilter_h

#include "itkImageToImageFilter.h"
#include "lobedice/lobedice.h"

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace itk
{

/** \class LobeDiceComparisonImageFilter
 * \brief Per-label and per-region overlap and surface-distance measures between a reference
 * and a predicted label image: the LobeDice comparison (lobedice_compare), computed by the C
 * core.
 *
 * For a label l, A = reference voxels equal to l, B = predicted voxels equal to l:
 * tp = |A and B|, fp = |B \ A|, fn = |A \ B|, tn = N - tp - fp - fn;
 * Dice = 2 tp / (2 tp + fp + fn), Jaccard = tp / (tp + fp + fn), precision = tp / |B|,
 * sensitivity = tp / |A|, specificity = tn / (tn + fp), false negative error = fn / |A|, false
 * positive error = fp / |B|, volume similarity = 2 (|B| - |A|) / (|A| + |B|) (ITK's signed
 * form). A region (a union of labels such as the right lung 1+2+3) is measured as one mask.
 * Undefined values are NaN (ITK's LabelOverlapMeasuresImageFilter returns the largest double
 * instead); the Dice and Jaccard of a label in neither image follow SetEmptyPolicy. With
 * SetComputeSurfaceDistances(true), the surface measures over the 6-connected boundary voxels
 * of A and B: Hausdorff distance (HD), HD95, average symmetric surface distance (ASSD),
 * normalized surface Dice (NSD) at GetTolerance() mm, and their directed forms. Every
 * definition is in docs/measures.md; the names, units and descriptions of the measures come
 * from lobedice_measure_get_info. The command-line tool LobeDice reports the same numbers.
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

    /** A union of labels measured as one mask ("RightLung" = 1, 2, 3). */
    struct RegionType {
        std::string name;
        LabelListType labels;
    };
    using RegionListType = std::vector<RegionType>;
    using NameListType = std::vector<std::string>;
    using MeasureType = lobedice_measure;
    using EmptyPolicyType = lobedice_empty_policy;

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

    /** One name per label of SetLabels. Empty (the default): RUL, RML, RLL, LUL, LLL for the
     * lobes 1..5, otherwise "label N" (lobedice_label_name). */
    virtual void SetLabelNames(const NameListType &names);
    itkGetConstReferenceMacro(LabelNames, NameListType);

    /** The regions to measure. Unless SetRegions is called (or after ClearRegions), the lung
     * regions RightLung = 1+2+3, LeftLung = 4+5 and Lungs = 1+2+3+4+5 are measured when the
     * labels are exactly the lobes 1..5, and none otherwise. SetRegions({}) measures none. */
    virtual void SetRegions(const RegionListType &regions);
    virtual void ClearRegions();
    itkGetConstReferenceMacro(Regions, RegionListType);

    /** Also compute the surface measures (off by default: they cost more than the overlap). */
    itkSetMacro(ComputeSurfaceDistances, bool);
    itkGetConstMacro(ComputeSurfaceDistances, bool);
    itkBooleanMacro(ComputeSurfaceDistances);

    /** The normalized-surface-Dice tolerance in mm (default 1.0). */
    itkSetMacro(Tolerance, RealType);
    itkGetConstMacro(Tolerance, RealType);

    /** Dice and Jaccard of a label or region in neither image: LOBEDICE_EMPTY_NAN (default,
     * undefined and left out of the means), LOBEDICE_EMPTY_ONE or LOBEDICE_EMPTY_ZERO. */
    itkSetMacro(EmptyPolicy, EmptyPolicyType);
    itkGetConstMacro(EmptyPolicy, EmptyPolicyType);

    /** How each image's values become labels (docs/conventions.md): a preset ("lobedice",
     * "lungmask", "totalsegmentator", "totalsegmentator-v1", "identity") or a map such as
     * "10=LUL,11=LLL,12=RUL,13=RML,14=RLL", as lobedice_convention_parse reads it; a value the
     * convention does not name is background. Empty (the default): every value is its own
     * label. Labels, label names and regions then speak of the labels (1..5 for lobes). Throws
     * an ExceptionObject for a text the core refuses. */
    virtual void SetReferenceLabelConvention(const std::string &convention);
    virtual void SetPredictedLabelConvention(const std::string &convention);
    itkGetConstReferenceMacro(ReferenceLabelConvention, std::string);
    itkGetConstReferenceMacro(PredictedLabelConvention, std::string);

    /** Refuse images whose values do not fit their conventions (lobedice_labels_check): Update
     * then throws, naming the presets the values fit. Off by default. */
    itkSetMacro(CheckLabels, bool);
    itkGetConstMacro(CheckLabels, bool);
    itkBooleanMacro(CheckLabels);

    /** The labels the last Update measured (the ones set, or the ones found). */
    const LabelListType &GetMeasuredLabels() const;
    /** The regions the last Update measured, and the name of each measured label. */
    const RegionListType &GetMeasuredRegions() const;
    std::string GetLabelName(LabelType label) const;

    /** The core's result of the last Update, for everything below and more (rows, names,
     * presence, the options it ran with); owned by the filter, valid until the next Update. */
    const lobedice_comparison *GetComparison() const;

    /** Any measure of a label or of a region (throws when it was not measured); NaN when it
     * is undefined, or a surface measure when surface distances were not computed. */
    RealType GetMeasure(LabelType label, MeasureType measure) const;
    RealType GetRegionMeasure(const std::string &region, MeasureType measure) const;
    /** Present in both images, in one only, or in neither. */
    PresenceType GetPresence(LabelType label) const;
    PresenceType GetRegionPresence(const std::string &region) const;

    /** The mean of a measure over the measured labels where it is defined, and how many took
     * part; pooled Dice 2 sum(tp) / (2 sum(tp) + sum(fp) + sum(fn)) over the labels (what
     * LabelOverlapMeasuresImageFilter::GetDiceCoefficient() returns). */
    RealType GetMean(MeasureType measure, SizeValueType *used = nullptr) const;
    RealType GetPooledDiceCoefficient() const;

    /** ITK-style names for the common measures. */
    CountType GetTruePositives(LabelType label) const
    {
        return static_cast<CountType>(this->GetMeasure(label, LOBEDICE_MEASURE_TP));
    }
    CountType GetFalsePositives(LabelType label) const
    {
        return static_cast<CountType>(this->GetMeasure(label, LOBEDICE_MEASURE_FP));
    }
    CountType GetFalseNegatives(LabelType label) const
    {
        return static_cast<CountType>(this->GetMeasure(label, LOBEDICE_MEASURE_FN));
    }
    CountType GetTrueNegatives(LabelType label) const
    {
        return static_cast<CountType>(this->GetMeasure(label, LOBEDICE_MEASURE_TN));
    }
    RealType GetDiceCoefficient(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_DICE);
    }
    RealType GetJaccardCoefficient(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_JACCARD);
    }
    RealType GetPrecision(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_PRECISION);
    }
    RealType GetSensitivity(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_SENSITIVITY);
    }
    RealType GetSpecificity(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_SPECIFICITY);
    }
    RealType GetFalseNegativeError(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_FALSE_NEGATIVE_ERROR);
    }
    RealType GetFalsePositiveError(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_FALSE_POSITIVE_ERROR);
    }
    /** Volumes in ml (voxel count times the voxel volume of the reference). */
    RealType GetReferenceVolume(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_VOLUME_REF_ML);
    }
    RealType GetPredictedVolume(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_VOLUME_PRED_ML);
    }
    RealType GetVolumeSimilarity(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_VOLUME_SIMILARITY);
    }
    RealType GetHausdorffDistance(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_HD);
    }
    RealType GetHausdorffDistance95(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_HD95);
    }
    RealType GetAverageSymmetricSurfaceDistance(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_ASSD);
    }
    RealType GetNormalizedSurfaceDice(LabelType label) const
    {
        return this->GetMeasure(label, LOBEDICE_MEASURE_NSD);
    }
    RealType GetMeanDiceCoefficient() const
    {
        return this->GetMean(LOBEDICE_MEASURE_DICE);
    }

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

    /** The core's convention for a text ("" = none: NULL). */
    static const lobedice_label_convention *ParseConvention(lobedice_label_convention *out,
                                                            const std::string &text);

    static void ReportProgress(void *user, double fraction);

    /** The row of a label or region of the last Update (throws when there is none). */
    size_t RowOf(LabelType label) const;
    size_t RowOf(const std::string &region) const;

    struct ComparisonDeleter {
        void operator()(lobedice_comparison *comparison) const
        {
            lobedice_comparison_free(comparison);
        }
    };

    LabelListType m_Labels;
    NameListType m_LabelNames;
    RegionListType m_Regions;
    bool m_RegionsGiven{false};
    bool m_ComputeSurfaceDistances{false};
    RealType m_Tolerance{1.0};
    EmptyPolicyType m_EmptyPolicy{LOBEDICE_EMPTY_NAN};
    std::string m_ReferenceLabelConvention;
    std::string m_PredictedLabelConvention;
    bool m_CheckLabels{false};
    std::unique_ptr<lobedice_comparison, ComparisonDeleter> m_Comparison;
    LabelListType m_MeasuredLabels;
    RegionListType m_MeasuredRegions;
};

} // end namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkLobeDiceComparisonImageFilter.hxx"
#endif

#endif
