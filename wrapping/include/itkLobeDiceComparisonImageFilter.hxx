#ifndef itkLobeDiceComparisonImageFilter_hxx
#define itkLobeDiceComparisonImageFilter_hxx

#include "itkLobeDiceComparisonImageFilter.h"

#include <algorithm>
#include <cstddef>
#include <limits>

namespace itk
{

template <typename TReferenceImage, typename TPredictedImage>
LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::LobeDiceComparisonImageFilter()
{
    Self::SetPrimaryInputName("ReferenceImage");
    Self::AddRequiredInputName("PredictedImage", 1);
    const RealType nan = std::numeric_limits<RealType>::quiet_NaN();
    m_OverlapSummary.mean_dice = m_OverlapSummary.mean_jaccard = m_OverlapSummary.mean_precision =
        nan;
    m_OverlapSummary.mean_sensitivity = m_OverlapSummary.mean_specificity = nan;
    m_OverlapSummary.mean_volume_similarity = m_OverlapSummary.pooled_dice = nan;
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::SetLabels(
    const LabelListType &labels)
{
    if (labels != m_Labels) {
        m_Labels = labels;
        this->Modified();
    }
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GenerateInputRequestedRegion()
{
    Superclass::GenerateInputRequestedRegion();
    if (auto *reference = const_cast<TReferenceImage *>(this->GetReferenceImage())) {
        reference->SetRequestedRegionToLargestPossibleRegion();
    }
    if (auto *predicted = const_cast<TPredictedImage *>(this->GetPredictedImage())) {
        predicted->SetRequestedRegionToLargestPossibleRegion();
    }
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::EnlargeOutputRequestedRegion(
    DataObject *data)
{
    Superclass::EnlargeOutputRequestedRegion(data);
    data->SetRequestedRegionToLargestPossibleRegion();
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::AllocateOutputs()
{
    this->GraftOutput(const_cast<TReferenceImage *>(this->GetReferenceImage()));
}

template <typename TReferenceImage, typename TPredictedImage>
template <typename TImage>
lobedice_volume
LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::VolumeOf(const TImage *image)
{
    lobedice_volume volume{};
    volume.data = image->GetBufferPointer();
    volume.dtype = DTypeOf<typename TImage::PixelType>();
    const auto size = image->GetLargestPossibleRegion().GetSize();
    for (unsigned int a = 0; a < 3; ++a) {
        volume.size[a] = a < ImageDimension ? static_cast<size_t>(size[a]) : 1;
        volume.spacing[a] = a < ImageDimension ? image->GetSpacing()[a] : 1.0;
    }
    return volume;
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::Check(lobedice_status status,
                                                                            const char *call) const
{
    if (status != LOBEDICE_OK) {
        itkExceptionMacro(<< call << " failed: " << lobedice_strerror(status));
    }
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::ReportProgress(
    void *user, double fraction)
{
    static_cast<Self *>(user)->UpdateProgress(static_cast<float>(fraction));
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GenerateData()
{
    const TReferenceImage *reference = this->GetReferenceImage();
    const TPredictedImage *predicted = this->GetPredictedImage();
    // ITK's VerifyInputInformation has checked origin, spacing and direction; the core needs
    // equal sizes and whole buffers as well.
    if (reference->GetLargestPossibleRegion() != predicted->GetLargestPossibleRegion()) {
        itkExceptionMacro(<< "The reference and predicted images must lie on the same grid, but "
                             "the reference region is "
                          << reference->GetLargestPossibleRegion()
                          << " and the predicted region is "
                          << predicted->GetLargestPossibleRegion());
    }
    if (reference->GetBufferedRegion() != reference->GetLargestPossibleRegion() ||
        predicted->GetBufferedRegion() != predicted->GetLargestPossibleRegion()) {
        itkExceptionMacro(<< "The reference and predicted images must be buffered whole");
    }
    this->AllocateOutputs();

    const lobedice_volume ref = VolumeOf(reference);
    const lobedice_volume pred = VolumeOf(predicted);
    // ITK splits work into more units than threads (4 per thread by default); the core wants
    // threads, so it gets the work units, capped by the threads ITK's threader would use.
    const size_t threads = std::min<size_t>(this->GetNumberOfWorkUnits(),
                                            this->GetMultiThreader()->GetMaximumNumberOfThreads());

    m_MeasuredLabels = m_Labels;
    if (m_MeasuredLabels.empty()) {
        // Every non-zero value of either image: one pass per image.
        for (const lobedice_volume *volume : {&ref, &pred}) {
            std::vector<LabelType> present(256);
            size_t count = 0;
            Check(lobedice_labels_present(present.data(), present.size(), &count, volume, threads),
                  "lobedice_labels_present");
            if (count > present.size()) {
                present.resize(count);
                Check(lobedice_labels_present(present.data(), present.size(), &count, volume,
                                              threads),
                      "lobedice_labels_present");
            }
            present.resize(count);
            m_MeasuredLabels.insert(m_MeasuredLabels.end(), present.begin(), present.end());
        }
        std::sort(m_MeasuredLabels.begin(), m_MeasuredLabels.end());
        m_MeasuredLabels.erase(std::unique(m_MeasuredLabels.begin(), m_MeasuredLabels.end()),
                               m_MeasuredLabels.end());
        m_MeasuredLabels.erase(
            std::remove(m_MeasuredLabels.begin(), m_MeasuredLabels.end(), LabelType{0}),
            m_MeasuredLabels.end());
    }

    const size_t n = m_MeasuredLabels.size();
    std::vector<lobedice_label_set> sets(n);
    for (size_t i = 0; i < n; ++i) {
        sets[i].id = m_MeasuredLabels[i];
        sets[i].labels = &m_MeasuredLabels[i];
        sets[i].nlabels = 1;
    }
    m_Overlaps.assign(n, OverlapType{});
    m_Surfaces.clear();
    Check(lobedice_overlap_sets(m_Overlaps.data(), &ref, &pred, sets.data(), n, threads),
          "lobedice_overlap_sets");
    Check(lobedice_overlap_summarize(&m_OverlapSummary, m_Overlaps.data(), n),
          "lobedice_overlap_summarize");

    if (m_ComputeSurfaceDistances) {
        lobedice_surface_options options;
        lobedice_surface_options_init(&options);
        options.tolerance_mm = m_Tolerance;
        options.threads = threads;
        options.progress = &Self::ReportProgress;
        options.progress_user = this;
        m_Surfaces.assign(n, SurfaceType{});
        Check(lobedice_surface_distances_sets(m_Surfaces.data(), &ref, &pred, sets.data(), n,
                                              &options),
              "lobedice_surface_distances_sets");
    }
}

template <typename TReferenceImage, typename TPredictedImage>
size_t
LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::IndexOf(LabelType label) const
{
    const auto it = std::find(m_MeasuredLabels.begin(), m_MeasuredLabels.end(), label);
    if (it == m_MeasuredLabels.end() || m_Overlaps.size() != m_MeasuredLabels.size()) {
        itkExceptionMacro(<< "Label " << label
                          << " was not measured (call Update first, or add it with SetLabels)");
    }
    return static_cast<size_t>(it - m_MeasuredLabels.begin());
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetLabelOverlap(
    LabelType label) const -> const OverlapType &
{
    return m_Overlaps[this->IndexOf(label)];
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetLabelSurface(
    LabelType label) const -> const SurfaceType &
{
    const size_t i = this->IndexOf(label);
    if (m_Surfaces.size() != m_MeasuredLabels.size()) {
        itkExceptionMacro(<< "Surface distances were not computed: call "
                             "SetComputeSurfaceDistances(true) before Update");
    }
    return m_Surfaces[i];
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetFalseNegativeError(
    LabelType label) const -> RealType
{
    const OverlapType &o = this->GetLabelOverlap(label);
    const CountType reference = o.tp + o.fn;
    return reference ? static_cast<RealType>(o.fn) / static_cast<RealType>(reference)
                     : std::numeric_limits<RealType>::quiet_NaN();
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetFalsePositiveError(
    LabelType label) const -> RealType
{
    const OverlapType &o = this->GetLabelOverlap(label);
    const CountType predicted = o.tp + o.fp;
    return predicted ? static_cast<RealType>(o.fp) / static_cast<RealType>(predicted)
                     : std::numeric_limits<RealType>::quiet_NaN();
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::SurfaceMean(
    size_t offset, size_t *used) const -> RealType
{
    if (m_Surfaces.empty()) {
        if (used) {
            *used = 0;
        }
        return std::numeric_limits<RealType>::quiet_NaN();
    }
    const auto *first = reinterpret_cast<const double *>(
        reinterpret_cast<const char *>(m_Surfaces.data()) + offset);
    return lobedice_mean_defined(first, m_Surfaces.size(), sizeof(SurfaceType), used);
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetMeanHausdorffDistance()
    const -> RealType
{
    return this->SurfaceMean(offsetof(SurfaceType, hd), nullptr);
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetMeanHausdorffDistance95()
    const -> RealType
{
    return this->SurfaceMean(offsetof(SurfaceType, hd95), nullptr);
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage,
                                   TPredictedImage>::GetMeanAverageSymmetricSurfaceDistance() const
    -> RealType
{
    return this->SurfaceMean(offsetof(SurfaceType, assd), nullptr);
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetMeanNormalizedSurfaceDice()
    const -> RealType
{
    return this->SurfaceMean(offsetof(SurfaceType, nsd), nullptr);
}

template <typename TReferenceImage, typename TPredictedImage>
SizeValueType
LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetNumberOfLabelsInSurfaceMeans()
    const
{
    size_t used = 0;
    this->SurfaceMean(offsetof(SurfaceType, hd), &used);
    return used;
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::PrintSelf(std::ostream &os,
                                                                                Indent indent) const
{
    Superclass::PrintSelf(os, indent);
    auto print_labels = [&os](const LabelListType &labels) {
        os << "[";
        for (size_t i = 0; i < labels.size(); ++i) {
            os << (i ? ", " : "") << labels[i];
        }
        os << "]" << std::endl;
    };
    os << indent << "Labels: ";
    print_labels(m_Labels);
    os << indent << "MeasuredLabels: ";
    print_labels(m_MeasuredLabels);
    os << indent << "ComputeSurfaceDistances: " << (m_ComputeSurfaceDistances ? "On" : "Off")
       << std::endl;
    os << indent << "Tolerance: " << m_Tolerance << " mm" << std::endl;
    os << indent << "Overlaps (label tp fp fn tn dice jaccard precision sensitivity specificity "
       << "volume_ref_ml volume_pred_ml volume_similarity): " << m_Overlaps.size() << std::endl;
    for (const OverlapType &o : m_Overlaps) {
        os << indent.GetNextIndent() << o.label << " " << o.tp << " " << o.fp << " " << o.fn << " "
           << o.tn << " " << o.dice << " " << o.jaccard << " " << o.precision << " "
           << o.sensitivity << " " << o.specificity << " " << o.volume_ref_ml << " "
           << o.volume_pred_ml << " " << o.volume_similarity << std::endl;
    }
    os << indent << "OverlapSummary: labels " << m_OverlapSummary.labels << ", mean Dice "
       << m_OverlapSummary.mean_dice << " (" << m_OverlapSummary.n_dice << "), mean Jaccard "
       << m_OverlapSummary.mean_jaccard << " (" << m_OverlapSummary.n_jaccard
       << "), mean precision " << m_OverlapSummary.mean_precision << " ("
       << m_OverlapSummary.n_precision << "), mean sensitivity "
       << m_OverlapSummary.mean_sensitivity << " (" << m_OverlapSummary.n_sensitivity
       << "), mean specificity " << m_OverlapSummary.mean_specificity << " ("
       << m_OverlapSummary.n_specificity << "), mean volume similarity "
       << m_OverlapSummary.mean_volume_similarity << " (" << m_OverlapSummary.n_volume_similarity
       << "), pooled Dice " << m_OverlapSummary.pooled_dice << std::endl;
    os << indent << "Surfaces (label ref_surface_voxels pred_surface_voxels hd hd95 assd nsd): "
       << m_Surfaces.size() << std::endl;
    for (const SurfaceType &s : m_Surfaces) {
        os << indent.GetNextIndent() << s.label << " " << s.ref_surface_voxels << " "
           << s.pred_surface_voxels << " " << s.hd << " " << s.hd95 << " " << s.assd << " " << s.nsd
           << std::endl;
    }
}

} // end namespace itk

#endif
