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
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::SetLabelNames(
    const NameListType &names)
{
    if (names != m_LabelNames) {
        m_LabelNames = names;
        this->Modified();
    }
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::SetRegions(
    const RegionListType &regions)
{
    m_Regions = regions;
    m_RegionsGiven = true;
    this->Modified();
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::ClearRegions()
{
    m_Regions.clear();
    m_RegionsGiven = false;
    this->Modified();
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::ParseConvention(
    lobedice_label_convention *out, const std::string &text) -> const lobedice_label_convention *
{
    if (text.empty()) {
        return nullptr;
    }
    lobedice_convention_error error{};
    if (lobedice_convention_parse(out, &error, text.c_str()) != LOBEDICE_OK) {
        std::string presets; // the core's list, so a new preset needs no edit here
        for (size_t i = 0; const char *name = lobedice_convention_preset_name(i); i++) {
            presets += (i ? ", " : "") + std::string(name);
        }
        itkGenericExceptionMacro(<< "The label convention '" << text << "' is neither a preset ("
                                 << presets
                                 << ") nor VALUE=LOBE pairs such as 10=LUL,11=LLL: look at '"
                                 << text.substr(error.offset, error.length) << "'");
    }
    return out;
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::SetReferenceLabelConvention(
    const std::string &convention)
{
    lobedice_label_convention parsed;
    ParseConvention(&parsed, convention);
    if (convention != m_ReferenceLabelConvention) {
        m_ReferenceLabelConvention = convention;
        this->Modified();
    }
}

template <typename TReferenceImage, typename TPredictedImage>
void LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::SetPredictedLabelConvention(
    const std::string &convention)
{
    lobedice_label_convention parsed;
    ParseConvention(&parsed, convention);
    if (convention != m_PredictedLabelConvention) {
        m_PredictedLabelConvention = convention;
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
    if (!m_LabelNames.empty() && m_LabelNames.size() != m_Labels.size()) {
        itkExceptionMacro(<< "SetLabelNames gave " << m_LabelNames.size() << " names for "
                          << m_Labels.size() << " labels");
    }
    this->AllocateOutputs();
    m_Comparison.reset();
    m_MeasuredLabels.clear();
    m_MeasuredRegions.clear();

    const lobedice_volume ref = VolumeOf(reference);
    const lobedice_volume pred = VolumeOf(predicted);
    // The settings as the core's options; the core copies what it keeps.
    std::vector<const char *> names;
    for (const std::string &name : m_LabelNames) {
        names.push_back(name.c_str());
    }
    std::vector<lobedice_region> regions;
    for (const RegionType &region : m_Regions) {
        regions.push_back({region.name.c_str(), region.labels.data(), region.labels.size()});
    }
    lobedice_compare_options options = LOBEDICE_COMPARE_OPTIONS_INIT;
    options.labels = m_Labels.empty() ? nullptr : m_Labels.data();
    options.nlabels = m_Labels.size();
    options.label_names = names.empty() ? nullptr : names.data();
    options.region_mode = m_RegionsGiven ? LOBEDICE_REGIONS_GIVEN : LOBEDICE_REGIONS_LUNGS;
    options.regions = regions.data();
    options.nregions = regions.size();
    options.surface_distances = m_ComputeSurfaceDistances;
    options.tolerance_mm = m_Tolerance;
    options.empty_policy = m_EmptyPolicy;
    // ITK splits work into more units than threads (4 per thread by default); the core wants
    // threads, so it gets the work units, capped by the threads ITK's threader would use.
    options.threads = std::min<size_t>(this->GetNumberOfWorkUnits(),
                                       this->GetMultiThreader()->GetMaximumNumberOfThreads());
    options.progress = &Self::ReportProgress;
    options.progress_user = this;
    lobedice_label_convention conventions[2];
    options.ref_convention = ParseConvention(&conventions[0], m_ReferenceLabelConvention);
    options.pred_convention = ParseConvention(&conventions[1], m_PredictedLabelConvention);
    options.check_labels = m_CheckLabels;
    lobedice_comparison *comparison = nullptr;
    const lobedice_status status = lobedice_compare(&comparison, &ref, &pred, &options);
    lobedice_label_check check;
    if (status == LOBEDICE_ECONVENTION &&
        lobedice_labels_check(&check, &ref, &pred, &options) == LOBEDICE_OK) {
        const char *image = check.input ? "predicted" : "reference";
        if (check.mismatch == LOBEDICE_LABELS_OTHER_PRESET) {
            itkExceptionMacro(<< "The " << image << " image's values fit the label convention "
                              << check.fits[0] << ", not the one it is read with (set it with Set"
                              << (check.input ? "Predicted" : "Reference")
                              << "LabelConvention, or SetCheckLabels(false))");
        }
        itkExceptionMacro(<< "The two images share no label under their label conventions (set "
                             "them with SetReferenceLabelConvention and "
                             "SetPredictedLabelConvention, or SetCheckLabels(false))");
    }
    Check(status, "lobedice_compare");
    m_Comparison.reset(comparison);

    const lobedice_compare_options *measured = lobedice_comparison_options(comparison);
    m_MeasuredLabels.assign(measured->labels, measured->labels + measured->nlabels);
    for (size_t r = 0; r < measured->nregions; ++r) {
        const lobedice_region &region = measured->regions[r];
        m_MeasuredRegions.push_back(
            {region.name, LabelListType(region.labels, region.labels + region.nlabels)});
    }
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetComparison() const
    -> const lobedice_comparison *
{
    if (!m_Comparison) {
        itkExceptionMacro(<< "Nothing was measured yet: call Update first");
    }
    return m_Comparison.get();
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetMeasuredLabels() const
    -> const LabelListType &
{
    return m_MeasuredLabels;
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetMeasuredRegions() const
    -> const RegionListType &
{
    return m_MeasuredRegions;
}

template <typename TReferenceImage, typename TPredictedImage>
size_t LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::RowOf(LabelType label) const
{
    const auto it = std::find(m_MeasuredLabels.begin(), m_MeasuredLabels.end(), label);
    if (!m_Comparison || it == m_MeasuredLabels.end()) {
        itkExceptionMacro(<< "Label " << label
                          << " was not measured (call Update first, or add it with SetLabels)");
    }
    return static_cast<size_t>(it - m_MeasuredLabels.begin());
}

template <typename TReferenceImage, typename TPredictedImage>
size_t LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::RowOf(
    const std::string &region) const
{
    const auto it = std::find_if(m_MeasuredRegions.begin(), m_MeasuredRegions.end(),
                                 [&region](const RegionType &r) { return r.name == region; });
    if (!m_Comparison || it == m_MeasuredRegions.end()) {
        itkExceptionMacro(<< "Region '" << region
                          << "' was not measured (call Update first, or add it with SetRegions)");
    }
    return m_MeasuredLabels.size() + static_cast<size_t>(it - m_MeasuredRegions.begin());
}

template <typename TReferenceImage, typename TPredictedImage>
std::string
LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetLabelName(LabelType label) const
{
    return lobedice_comparison_row(m_Comparison.get(), this->RowOf(label))->name;
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetMeasure(
    LabelType label, MeasureType measure) const -> RealType
{
    return lobedice_comparison_value(m_Comparison.get(), this->RowOf(label), measure);
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetRegionMeasure(
    const std::string &region, MeasureType measure) const -> RealType
{
    return lobedice_comparison_value(m_Comparison.get(), this->RowOf(region), measure);
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetPresence(
    LabelType label) const -> PresenceType
{
    return lobedice_comparison_row(m_Comparison.get(), this->RowOf(label))->presence;
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetRegionPresence(
    const std::string &region) const -> PresenceType
{
    return lobedice_comparison_row(m_Comparison.get(), this->RowOf(region))->presence;
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetMean(
    MeasureType measure, SizeValueType *used) const -> RealType
{
    size_t n = 0;
    const RealType mean = lobedice_comparison_mean(this->GetComparison(), measure, &n);
    if (used) {
        *used = static_cast<SizeValueType>(n);
    }
    return mean;
}

template <typename TReferenceImage, typename TPredictedImage>
auto LobeDiceComparisonImageFilter<TReferenceImage, TPredictedImage>::GetPooledDiceCoefficient()
    const -> RealType
{
    return lobedice_comparison_pooled_dice(this->GetComparison());
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
        os << "]";
    };
    os << indent << "Labels: ";
    print_labels(m_Labels);
    os << std::endl << indent << "LabelNames: [";
    for (size_t i = 0; i < m_LabelNames.size(); ++i) {
        os << (i ? ", " : "") << m_LabelNames[i];
    }
    os << "]" << std::endl;
    os << indent << "Regions: " << (m_RegionsGiven ? "" : "the lung regions for lobes 1..5 ");
    for (const RegionType &region : m_Regions) {
        os << region.name << "=";
        print_labels(region.labels);
        os << " ";
    }
    os << std::endl;
    os << indent << "ComputeSurfaceDistances: " << (m_ComputeSurfaceDistances ? "On" : "Off")
       << std::endl;
    os << indent << "Tolerance: " << m_Tolerance << " mm" << std::endl;
    os << indent << "EmptyPolicy: " << lobedice_empty_policy_name(m_EmptyPolicy) << std::endl;
    os << indent << "ReferenceLabelConvention: "
       << (m_ReferenceLabelConvention.empty() ? "(identity)" : m_ReferenceLabelConvention)
       << std::endl;
    os << indent << "PredictedLabelConvention: "
       << (m_PredictedLabelConvention.empty() ? "(identity)" : m_PredictedLabelConvention)
       << std::endl;
    os << indent << "CheckLabels: " << (m_CheckLabels ? "On" : "Off") << std::endl;
    const lobedice_comparison *c = m_Comparison.get();
    os << indent << "Rows measured: " << lobedice_comparison_rows(c) << std::endl;
    for (size_t row = 0; row < lobedice_comparison_rows(c); ++row) {
        os << indent.GetNextIndent() << lobedice_comparison_row(c, row)->name << " ("
           << lobedice_presence_name(lobedice_comparison_row(c, row)->presence) << "):";
        for (int m = 0; m < LOBEDICE_MEASURE_COUNT; ++m) {
            const lobedice_measure_info *info =
                lobedice_measure_get_info(static_cast<lobedice_measure>(m));
            if (!info->is_surface || m_ComputeSurfaceDistances) {
                os << " " << info->key << "="
                   << lobedice_comparison_value(c, row, static_cast<lobedice_measure>(m));
            }
        }
        os << std::endl;
    }
    if (c) {
        os << indent << "Mean Dice: " << lobedice_comparison_mean(c, LOBEDICE_MEASURE_DICE, nullptr)
           << ", pooled Dice: " << lobedice_comparison_pooled_dice(c) << std::endl;
    }
}

} // end namespace itk

#endif
