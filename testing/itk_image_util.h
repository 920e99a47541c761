// ITK images over the buffers of tests and benchmarks (header-only): the one way they turn a
// buffer (x fastest, as the core and the phantom store them) into an itk::Image.
#ifndef LOBEDICE_ITK_IMAGE_UTIL_H
#define LOBEDICE_ITK_IMAGE_UTIL_H

#include <itkImage.h>

#include <cstddef>

namespace itk_image_util_detail
{
// Size, spacing and origin (NULL: 0) of the first D axes, identity direction.
template <typename TImage>
void set_geometry(TImage *image, const size_t *size, const double *spacing, const double *origin)
{
    constexpr unsigned D = TImage::ImageDimension;
    typename TImage::RegionType region;
    typename TImage::SpacingType sp;
    typename TImage::PointType org;
    for (unsigned a = 0; a < D; a++) {
        region.SetSize(a, size[a]);
        sp[a] = spacing[a];
        org[a] = origin ? origin[a] : 0.0;
    }
    image->SetRegions(region);
    image->SetSpacing(sp);
    image->SetOrigin(org);
}
} // namespace itk_image_util_detail

// An image over `buffer` (size[0] * ... * size[D-1] pixels) without a copy. The image does not
// own the buffer: the buffer must outlive the image and every filter output that aliases it.
template <typename T, unsigned D>
typename itk::Image<T, D>::Pointer itk_wrap(T *buffer, const size_t *size, const double *spacing,
                                            const double *origin = nullptr)
{
    auto image = itk::Image<T, D>::New();
    itk_image_util_detail::set_geometry(image.GetPointer(), size, spacing, origin);
    image->GetPixelContainer()->SetImportPointer(
        buffer, image->GetLargestPossibleRegion().GetNumberOfPixels(), false);
    return image;
}

// A new image of pixel type T holding static_cast<T> of every value of `buffer` (for another
// pixel type than the buffer's; use itk_wrap when the type is the same).
template <typename T, unsigned D, typename S>
typename itk::Image<T, D>::Pointer itk_copy_as(const S *buffer, const size_t *size,
                                               const double *spacing,
                                               const double *origin = nullptr)
{
    auto image = itk::Image<T, D>::New();
    itk_image_util_detail::set_geometry(image.GetPointer(), size, spacing, origin);
    image->Allocate();
    const size_t n = image->GetLargestPossibleRegion().GetNumberOfPixels();
    T *out = image->GetBufferPointer();
    for (size_t i = 0; i < n; i++)
        out[i] = static_cast<T>(buffer[i]);
    return image;
}

#endif
