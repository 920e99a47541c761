/* The C I/O API over ITK (lobedice_io.h). C++ inside, C outside: every exception stops at the
 * C boundary (io_call) and becomes a status plus one sentence in the caller's buffer.
 * Per-voxel work (conversion, placement) is done by the core; ITK reads, writes and
 * resamples. */
#include "lobedice/lobedice_io.h"

#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageIOFactory.h"
#include "itkMetaImageIOFactory.h"
#include "itkMinimumMaximumImageCalculator.h"
#include "itkNearestNeighborInterpolateImageFunction.h"
#include "itkNiftiImageIOFactory.h"
#include "itkNrrdImageIOFactory.h"
#include "itkResampleImageFilter.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace
{

using Image3 = itk::ImageBase<3>;

/* The image handed to C callers; the ITK image in `owner` owns the voxel buffer. */
struct image_holder : lobedice_image {
    itk::DataObject::Pointer owner;
};

/* An error with its status and its sentence, thrown inside and caught at the C boundary. */
struct io_error {
    lobedice_status status;
    std::string message;
};

/* Tolerances for comparing grids. Spacing and direction: 1e-6 (relative for spacing), ITK's own
 * default for "inputs occupy the same physical space", and well above the float32 rounding of
 * NIfTI headers (6e-8). Origin: 1e-3 voxel, far above float32 rounding of an origin (1e-5 mm at
 * 500 mm) and far below any offset nearest-neighbour resampling would resolve differently. */
constexpr double spacing_tolerance = 1e-6;
constexpr double direction_tolerance = 1e-6;
constexpr double voxel_tolerance = 1e-3;

void set_message(char *message, size_t message_size, const std::string &text)
{
    if (message && message_size > 0)
        std::snprintf(message, message_size, "%s", text.c_str());
}

/* One line, no trailing full stop, so it can end a sentence. */
std::string one_line(const std::string &text)
{
    std::string out;
    for (char c : text) {
        bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
        if (space && (out.empty() || out.back() == ' '))
            continue;
        out += space ? ' ' : c;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '.' || out.back() == ':'))
        out.pop_back();
    return out;
}

/* strerror_r comes in two flavours (GNU returns the text, XSI an int); both are reentrant,
 * unlike strerror. */
[[maybe_unused]] const char *strerror_text(const char *text, const char *)
{
    return text;
}
[[maybe_unused]] const char *strerror_text(int rc, const char *buffer)
{
    return rc == 0 ? buffer : "unknown error";
}

std::string system_reason(int error)
{
    char buffer[256] = "";
    std::string reason = strerror_text(strerror_r(error, buffer, sizeof buffer), buffer);
    if (!reason.empty())
        reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    return reason;
}

/* Shortest text that reads back as the same double; whole numbers without an exponent. */
std::string format_value(double v)
{
    char text[64];
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e17) {
        std::snprintf(text, sizeof text, "%.0f", v);
        return text;
    }
    for (int digits = 1; digits <= 17; digits++) {
        std::snprintf(text, sizeof text, "%.*g", digits, v);
        if (std::strtod(text, nullptr) == v || std::isnan(v))
            break;
    }
    return text;
}

/* An ITK exception's description without ITK's "ITK ERROR: Class(0x...): " prefix; for the
 * NRRD reader, only teem's innermost (most specific) complaint. */
std::string itk_reason(const itk::ExceptionObject &e)
{
    std::string text = one_line(e.GetDescription());
    if (text.compare(0, 11, "ITK ERROR: ") == 0) {
        size_t end = text.find("): ");
        if (end != std::string::npos)
            text = text.substr(end + 3);
    }
    size_t teem = text.rfind("[nrrd] ");
    if (teem != std::string::npos) {
        std::string inner = text.substr(teem + 7);
        size_t colon = inner.find(": ");
        text = "the NRRD reader reports: " +
               (colon == std::string::npos ? inner : inner.substr(colon + 2));
    }
    return one_line(text);
}

/* Runs body; any exception becomes a status and "<context>: <reason>." in message. */
template <typename Body>
lobedice_status io_call(char *message, size_t message_size, const std::string &context, Body &&body)
{
    try {
        body();
        return LOBEDICE_OK;
    } catch (const io_error &e) {
        set_message(message, message_size, context + ": " + e.message + ".");
        return e.status;
    } catch (const std::bad_alloc &) {
        set_message(message, message_size, context + ": not enough memory.");
        return LOBEDICE_ENOMEM;
    } catch (const itk::MemoryAllocationError &) {
        set_message(message, message_size, context + ": not enough memory.");
        return LOBEDICE_ENOMEM;
    } catch (const itk::ExceptionObject &e) {
        set_message(message, message_size, context + ": " + itk_reason(e) + ".");
        return LOBEDICE_EIO;
    } catch (const std::exception &e) {
        set_message(message, message_size, context + ": " + one_line(e.what()) + ".");
        return LOBEDICE_EIO;
    } catch (...) {
        set_message(message, message_size, context + ": an unknown error occurred.");
        return LOBEDICE_EIO;
    }
}

/* Registers the NRRD, NIfTI and MetaImage readers once per process, unless something (such as
 * ITK's factory register manager in the calling program) already did. Explicit, so the library
 * works from a C program that knows nothing of ITK. */
void register_io_factories()
{
    static const bool registered = [] {
        auto ensure = [](const char *name, void (*register_one)()) {
            for (auto *factory : itk::ObjectFactoryBase::GetRegisteredFactories())
                if (std::strcmp(factory->GetNameOfClass(), name) == 0)
                    return;
            register_one();
        };
        ensure("NrrdImageIOFactory", &itk::NrrdImageIOFactory::RegisterOneFactory);
        ensure("NiftiImageIOFactory", &itk::NiftiImageIOFactory::RegisterOneFactory);
        ensure("MetaImageIOFactory", &itk::MetaImageIOFactory::RegisterOneFactory);
        return true;
    }();
    (void)registered;
}

/* Calls f with a value of the C type of dtype. */
template <typename F> void with_dtype(lobedice_dtype dtype, F &&f)
{
    switch (dtype) {
    case LOBEDICE_UINT8: f(uint8_t{}); return;
    case LOBEDICE_INT8: f(int8_t{}); return;
    case LOBEDICE_UINT16: f(uint16_t{}); return;
    case LOBEDICE_INT16: f(int16_t{}); return;
    case LOBEDICE_UINT32: f(uint32_t{}); return;
    case LOBEDICE_INT32: f(int32_t{}); return;
    }
    throw io_error{LOBEDICE_EDTYPE, "the pixel type is not a supported integer label type"};
}

/* Copies an ITK image's geometry into the C struct. */
void take_geometry(lobedice_image &out, const Image3 &image)
{
    const auto size = image.GetLargestPossibleRegion().GetSize();
    for (unsigned a = 0; a < 3; a++) {
        out.volume.size[a] = static_cast<size_t>(size[a]);
        out.volume.spacing[a] = image.GetSpacing()[a];
        out.origin[a] = image.GetOrigin()[a];
        for (unsigned b = 0; b < 3; b++)
            out.direction[3 * a + b] = image.GetDirection()[a][b];
    }
}

/* Gives the C struct's geometry to an ITK image (region, spacing, origin, direction). */
void give_geometry(Image3 &image, const lobedice_image &geometry)
{
    Image3::RegionType region;
    Image3::SpacingType spacing;
    Image3::PointType origin;
    Image3::DirectionType direction;
    for (unsigned a = 0; a < 3; a++) {
        region.SetSize(a, static_cast<itk::SizeValueType>(geometry.volume.size[a]));
        spacing[a] = geometry.volume.spacing[a];
        origin[a] = geometry.origin[a];
        for (unsigned b = 0; b < 3; b++)
            direction[a][b] = geometry.direction[3 * a + b];
    }
    image.SetRegions(region);
    image.SetSpacing(spacing);
    image.SetOrigin(origin);
    image.SetDirection(direction);
}

image_holder *hold(Image3 *image, lobedice_dtype dtype, unsigned dimension, void *buffer)
{
    auto holder = std::make_unique<image_holder>();
    holder->owner = image;
    holder->volume.data = buffer;
    holder->volume.dtype = dtype;
    holder->dimension = dimension;
    take_geometry(*holder, *image);
    return holder.release();
}

/* A new zero-filled (or uninitialised) image of dtype on geometry's grid. */
image_holder *new_image(lobedice_dtype dtype, const lobedice_image &geometry, bool zero)
{
    image_holder *out = nullptr;
    with_dtype(dtype, [&](auto tag) {
        using ImageType = itk::Image<decltype(tag), 3>;
        auto image = ImageType::New();
        give_geometry(*image, geometry);
        image->Allocate(zero);
        out = hold(image, dtype, geometry.dimension, image->GetBufferPointer());
    });
    return out;
}

std::string index_text(size_t i, const size_t size[3])
{
    size_t x = i % size[0], y = i / size[0] % size[1], z = i / size[0] / size[1];
    return "(" + std::to_string(x) + ", " + std::to_string(y) + ", " + std::to_string(z) + ")";
}

/* Reads a scalar image of pixel type T as a 3-D image (a 2-D file gets size 1, spacing 1 and
 * the identity along z from ITK's reader). */
template <typename T>
typename itk::Image<T, 3>::Pointer read_as(itk::ImageIOBase *io, const char *path)
{
    using ImageType = itk::Image<T, 3>;
    auto reader = itk::ImageFileReader<ImageType>::New();
    reader->SetImageIO(io);
    reader->SetFileName(path);
    reader->Update();
    typename ImageType::Pointer image = reader->GetOutput();
    image->DisconnectPipeline();
    if (io->GetNumberOfDimensions() > 3) {
        /* Trailing axes of size 1: ITK's reader drops the direction then; keep the file's. */
        Image3::DirectionType direction;
        for (unsigned a = 0; a < 3; a++)
            for (unsigned b = 0; b < 3; b++)
                direction[b][a] = io->GetDirection(a)[b];
        image->SetDirection(direction);
    }
    return image;
}

/* A floating-point or 64-bit integer image: accepted when every value is a whole number that a
 * label dtype holds; the core converts and names the first voxel that is not. */
image_holder *read_whole_numbers(itk::ImageIOBase *io, const char *path, unsigned dimension)
{
    auto values = read_as<double>(io, path);
    auto range = itk::MinimumMaximumImageCalculator<itk::Image<double, 3>>::New();
    range->SetImage(values);
    range->Compute(); /* NaN never compares, so it is skipped here and named below */
    double lo = range->GetMinimum(), hi = range->GetMaximum();
    lobedice_dtype dtype = lo >= 0 ? LOBEDICE_UINT32 : LOBEDICE_INT32;
    bool known_range = std::isfinite(lo) && std::isfinite(hi) && lo <= hi &&
                       lo >= static_cast<double>(INT32_MIN) &&
                       hi <= static_cast<double>(UINT32_MAX);
    if (known_range)
        lobedice_dtype_for_range(&dtype, static_cast<int64_t>(std::floor(lo)),
                                 static_cast<int64_t>(std::ceil(hi)));
    lobedice_image geometry{};
    take_geometry(geometry, *values);
    geometry.dimension = dimension;
    std::unique_ptr<image_holder> out(new_image(dtype, geometry, false));
    size_t count = 0, bad = 0;
    lobedice_volume_voxels(&count, &out->volume);
    const double *data = values->GetBufferPointer();
    lobedice_status st =
        lobedice_labels_from_double(lobedice_image_buffer(out.get()), dtype, data, count, &bad);
    if (st == LOBEDICE_ENONINTEGER) {
        double v = data[bad];
        std::string what =
            "voxel " + index_text(bad, geometry.volume.size) + " holds " + format_value(v);
        if (!std::isfinite(v))
            throw io_error{st, what + ", which is not a finite number"};
        if (v != std::floor(v))
            throw io_error{st, what + ", which is not a whole number (label maps hold integers)"};
        throw io_error{st, what + ", and the values from " + format_value(lo) + " to " +
                               format_value(hi) +
                               " fit no label type LobeDice supports (8-, 16- or 32-bit "
                               "integers)"};
    }
    if (st != LOBEDICE_OK)
        throw io_error{st, one_line(lobedice_strerror(st))};
    return out.release();
}

image_holder *read_image(const char *path)
{
    struct stat info;
    if (stat(path, &info) != 0)
        throw io_error{LOBEDICE_EIO, system_reason(errno)};
    if (S_ISDIR(info.st_mode))
        throw io_error{LOBEDICE_EIO, "it is a folder, not an image file"};
    if (access(path, R_OK) != 0)
        throw io_error{LOBEDICE_EIO, system_reason(errno)};
    register_io_factories();
    itk::ImageIOBase::Pointer io =
        itk::ImageIOFactory::CreateImageIO(path, itk::ImageIOFactory::IOFileModeEnum::ReadMode);
    if (!io)
        throw io_error{LOBEDICE_EFORMAT, "no ITK reader recognises the file (LobeDice reads "
                                         "NRRD, NIfTI and MetaImage label maps)"};
    io->SetFileName(path);
    io->ReadImageInformation();

    const unsigned components = io->GetNumberOfComponents();
    if (components != 1)
        throw io_error{LOBEDICE_EFORMAT,
                       "it holds " + std::to_string(components) +
                           " values per voxel (a vector image, or a segmentation with several "
                           "layers), and LobeDice compares scalar label maps"};
    const unsigned ndim = io->GetNumberOfDimensions();
    bool extra_axes = false;
    std::string sizes;
    for (unsigned a = 0; a < ndim; a++) {
        sizes += (a ? " x " : "") + std::to_string(io->GetDimensions(a));
        extra_axes = extra_axes || (a >= 3 && io->GetDimensions(a) > 1);
    }
    if (ndim < 2 || extra_axes)
        throw io_error{LOBEDICE_EFORMAT, "it is a " + std::to_string(ndim) + "-D image of " +
                                             sizes +
                                             " voxels, and LobeDice compares 2-D and 3-D "
                                             "label maps"};
    const unsigned dimension = ndim == 2 ? 2 : 3;
    /* ITK multiplies sizes unchecked: a header whose voxel count overflows must stop here. */
    size_t bytes = sizeof(double);
    for (unsigned a = 0; a < ndim; a++)
        if (__builtin_mul_overflow(bytes, static_cast<size_t>(io->GetDimensions(a)), &bytes))
            throw io_error{LOBEDICE_EOVERFLOW, "its size " + sizes + " does not fit in memory"};

    using C = itk::IOComponentEnum;
    auto keep = [&](auto tag, lobedice_dtype dtype) {
        auto image = read_as<decltype(tag)>(io, path);
        return hold(image, dtype, dimension, image->GetBufferPointer());
    };
    image_holder *out = nullptr;
    switch (io->GetComponentType()) {
    case C::UCHAR: out = keep(uint8_t{}, LOBEDICE_UINT8); break;
    case C::CHAR: out = keep(int8_t{}, LOBEDICE_INT8); break;
    case C::USHORT: out = keep(uint16_t{}, LOBEDICE_UINT16); break;
    case C::SHORT: out = keep(int16_t{}, LOBEDICE_INT16); break;
    case C::UINT: out = keep(uint32_t{}, LOBEDICE_UINT32); break;
    case C::INT: out = keep(int32_t{}, LOBEDICE_INT32); break;
    case C::ULONG:
    case C::LONG:
    case C::ULONGLONG:
    case C::LONGLONG:
    case C::FLOAT:
    case C::DOUBLE:
    case C::LDOUBLE: out = read_whole_numbers(io, path, dimension); break;
    default:
        throw io_error{LOBEDICE_EFORMAT,
                       "its pixel type " +
                           itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) +
                           " is not a number type"};
    }
    size_t voxels = 0;
    lobedice_status st = lobedice_volume_voxels(&voxels, &out->volume);
    if (st != LOBEDICE_OK) {
        lobedice_image_free(out);
        throw io_error{st, "its geometry is not usable: " + one_line(lobedice_strerror(st))};
    }
    return out;
}

/* The file extension that picks the writer, or "" when it is not one we write. */
std::string write_extension(const std::string &path)
{
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char *ext : {".nii.gz", ".nrrd", ".nii", ".mha"}) {
        size_t n = std::strlen(ext);
        if (lower.size() > n && lower.compare(lower.size() - n, n, ext) == 0)
            return path.substr(path.size() - n);
    }
    return "";
}

/* Creates an empty, unique file beside `path` whose name ends in `ext` (so that ITK picks the
 * same writer), with the permissions a new file would get. Returns its name. */
std::string create_temporary(const std::string &path, const std::string &ext)
{
    size_t slash = path.find_last_of('/');
    std::string folder = slash == std::string::npos ? "." : path.substr(0, slash ? slash : 1);
    std::string stem = path.substr(slash == std::string::npos ? 0 : slash + 1);
    stem = stem.substr(0, stem.size() - ext.size());
    std::random_device seed;
    std::mt19937_64 random(seed() ^ (static_cast<uint64_t>(getpid()) << 32));
    for (int attempt = 0; attempt < 100; attempt++) {
        char tag[32];
        std::snprintf(tag, sizeof tag, "%012llx",
                      static_cast<unsigned long long>(random() & 0xffffffffffffULL));
        std::string name = folder + "/." + stem + ".tmp-" + tag + ext;
        int fd = open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            close(fd);
            return name;
        }
        if (errno != EEXIST)
            throw io_error{LOBEDICE_EIO, "cannot create a file in the folder '" + folder +
                                             "': " + system_reason(errno)};
    }
    throw io_error{LOBEDICE_EIO, "cannot find a free temporary name in '" + folder + "'"};
}

/* Removes the temporary file unless the write was committed. */
struct temporary_file {
    std::string name;
    bool committed = false;
    ~temporary_file()
    {
        if (!committed)
            std::remove(name.c_str());
    }
};

void write_image(const lobedice_image &image, const std::string &path, bool compress)
{
    size_t voxels = 0;
    lobedice_status st = lobedice_volume_voxels(&voxels, &image.volume);
    if (st != LOBEDICE_OK)
        throw io_error{st, one_line(lobedice_strerror(st))};
    if (image.dimension != 2 && image.dimension != 3)
        throw io_error{LOBEDICE_EINVAL, "the image's dimension is " +
                                            std::to_string(image.dimension) + ", not 2 or 3"};
    if (image.dimension == 2 && image.volume.size[2] != 1)
        throw io_error{LOBEDICE_EINVAL, "a 2-D image must have size[2] == 1, not " +
                                            std::to_string(image.volume.size[2])};
    const std::string ext = write_extension(path);
    if (ext.empty())
        throw io_error{LOBEDICE_EFORMAT,
                       "the name must end in .nrrd, .nii, .nii.gz or .mha to pick the format"};
    register_io_factories();
    temporary_file temporary{create_temporary(path, ext)};
    itk::ImageIOBase::Pointer io = itk::ImageIOFactory::CreateImageIO(
        temporary.name.c_str(), itk::ImageIOFactory::IOFileModeEnum::WriteMode);
    if (!io)
        throw io_error{LOBEDICE_EFORMAT, "no ITK writer is registered for '" + ext + "' files"};

    /* What itk::ImageFileWriter does for a whole image, without a template per pixel type. */
    const unsigned dim = image.dimension;
    io->SetNumberOfDimensions(dim);
    itk::ImageIORegion region(dim);
    for (unsigned a = 0; a < dim; a++) {
        io->SetDimensions(a, static_cast<itk::SizeValueType>(image.volume.size[a]));
        io->SetSpacing(a, image.volume.spacing[a]);
        io->SetOrigin(a, image.origin[a]);
        std::vector<double> axis(dim);
        for (unsigned b = 0; b < dim; b++)
            axis[b] = image.direction[3 * b + a]; /* column a is the direction of axis a */
        io->SetDirection(a, axis);
        region.SetIndex(a, 0);
        region.SetSize(a, image.volume.size[a]);
    }
    using C = itk::IOComponentEnum;
    C component = C::UNKNOWNCOMPONENTTYPE;
    switch (image.volume.dtype) {
    case LOBEDICE_UINT8: component = C::UCHAR; break;
    case LOBEDICE_INT8: component = C::CHAR; break;
    case LOBEDICE_UINT16: component = C::USHORT; break;
    case LOBEDICE_INT16: component = C::SHORT; break;
    case LOBEDICE_UINT32: component = C::UINT; break;
    case LOBEDICE_INT32: component = C::INT; break;
    }
    io->SetPixelType(itk::IOPixelEnum::SCALAR);
    io->SetComponentType(component);
    io->SetNumberOfComponents(1);
    io->SetUseCompression(compress);
    io->SetFileName(temporary.name);
    io->SetIORegion(region);
    io->Write(image.volume.data);

    if (std::rename(temporary.name.c_str(), path.c_str()) != 0)
        throw io_error{LOBEDICE_EIO, system_reason(errno)};
    temporary.committed = true;
}

/* ---- Geometry -------------------------------------------------------------------------- */

struct box {
    double lo[3], hi[3];
};

/* index -> physical point: origin + D * diag(spacing) * index. */
void index_to_point(double point[3], const lobedice_image &image, const double index[3])
{
    for (int r = 0; r < 3; r++) {
        point[r] = image.origin[r];
        for (int c = 0; c < 3; c++)
            point[r] += image.direction[3 * r + c] * image.volume.spacing[c] * index[c];
    }
}

/* The axis-aligned physical box covered by the image's voxels (voxel edges, not centres). */
box physical_box(const lobedice_image &image)
{
    box b;
    for (int a = 0; a < 3; a++) {
        b.lo[a] = INFINITY;
        b.hi[a] = -INFINITY;
    }
    for (int corner = 0; corner < 8; corner++) {
        double index[3], point[3];
        for (int a = 0; a < 3; a++)
            index[a] = ((corner >> a) & 1) ? static_cast<double>(image.volume.size[a]) - 0.5 : -0.5;
        index_to_point(point, image, index);
        for (int a = 0; a < 3; a++) {
            b.lo[a] = std::min(b.lo[a], point[a]);
            b.hi[a] = std::max(b.hi[a], point[a]);
        }
    }
    return b;
}

std::string box_text(const box &b)
{
    char text[256];
    std::snprintf(text, sizeof text, "x [%.2f, %.2f], y [%.2f, %.2f], z [%.2f, %.2f] mm", b.lo[0],
                  b.hi[0], b.lo[1], b.hi[1], b.lo[2], b.hi[2]);
    return text;
}

io_error disjoint(const box &moving, const box &reference)
{
    return io_error{LOBEDICE_EGEOMETRY, "the moving image spans " + box_text(moving) +
                                            " and the reference spans " + box_text(reference) +
                                            ", so they do not overlap in physical space"};
}

/* Inverse of a 3x3 row-major matrix; false when it is singular. */
bool invert3(double inv[9], const double m[9])
{
    double c00 = m[4] * m[8] - m[5] * m[7], c01 = m[5] * m[6] - m[3] * m[8],
           c02 = m[3] * m[7] - m[4] * m[6];
    double det = m[0] * c00 + m[1] * c01 + m[2] * c02;
    if (!(std::fabs(det) > 1e-12))
        return false;
    inv[0] = c00 / det;
    inv[1] = (m[2] * m[7] - m[1] * m[8]) / det;
    inv[2] = (m[1] * m[5] - m[2] * m[4]) / det;
    inv[3] = c01 / det;
    inv[4] = (m[0] * m[8] - m[2] * m[6]) / det;
    inv[5] = (m[2] * m[3] - m[0] * m[5]) / det;
    inv[6] = c02 / det;
    inv[7] = (m[1] * m[6] - m[0] * m[7]) / det;
    inv[8] = (m[0] * m[4] - m[1] * m[3]) / det;
    return true;
}

void check_geometry(const lobedice_image &image, const char *which)
{
    size_t voxels = 0;
    lobedice_status st = lobedice_volume_voxels(&voxels, &image.volume);
    if (st != LOBEDICE_OK)
        throw io_error{st, std::string("the ") + which +
                               " image is not usable: " + one_line(lobedice_strerror(st))};
    double inv[9];
    bool finite = true;
    for (int i = 0; i < 9; i++)
        finite = finite && std::isfinite(image.direction[i]);
    for (int a = 0; a < 3; a++)
        finite = finite && std::isfinite(image.origin[a]);
    if (!finite || !invert3(inv, image.direction))
        throw io_error{LOBEDICE_EINVAL, std::string("the ") + which +
                                            " image's origin or direction is not finite and "
                                            "invertible"};
}

/* Nearest-neighbour resampling of moving onto reference's grid with ITK. Values are only
 * copied, so a signed dtype is resampled as the unsigned type of the same width: every bit
 * pattern survives, and three instantiations cover the six dtypes. */
template <typename U>
image_holder *resample_as(const lobedice_image &moving, const lobedice_image &reference)
{
    using ImageType = itk::Image<U, 3>;
    auto input = ImageType::New();
    give_geometry(*input, moving);
    size_t voxels = 0;
    lobedice_volume_voxels(&voxels, &moving.volume);
    input->GetPixelContainer()->SetImportPointer(
        static_cast<U *>(const_cast<void *>(moving.volume.data)), voxels, false);

    auto grid = ImageType::New(); /* carries the reference geometry, no buffer */
    give_geometry(*grid, reference);
    auto resample = itk::ResampleImageFilter<ImageType, ImageType>::New();
    resample->SetInput(input);
    resample->SetInterpolator(itk::NearestNeighborInterpolateImageFunction<ImageType>::New());
    resample->SetDefaultPixelValue(0);
    resample->SetOutputParametersFromImage(grid);
    resample->Update();
    typename ImageType::Pointer out = resample->GetOutput();
    out->DisconnectPipeline();
    return hold(out, moving.volume.dtype, reference.dimension, out->GetBufferPointer());
}

image_holder *align(const lobedice_image &moving, const lobedice_image &reference,
                    lobedice_alignment &how)
{
    check_geometry(moving, "moving");
    check_geometry(reference, "reference");
    box bm = physical_box(moving), br = physical_box(reference);
    for (int a = 0; a < 3; a++)
        if (!(bm.lo[a] < br.hi[a] && br.lo[a] < bm.hi[a]))
            throw disjoint(bm, br);

    bool same_axes = true;
    for (int a = 0; a < 3; a++)
        same_axes =
            same_axes && std::fabs(moving.volume.spacing[a] - reference.volume.spacing[a]) <=
                             spacing_tolerance * reference.volume.spacing[a];
    for (int i = 0; i < 9; i++)
        same_axes = same_axes &&
                    std::fabs(moving.direction[i] - reference.direction[i]) <= direction_tolerance;

    if (same_axes) {
        /* Where moving's voxel (0,0,0) lies in reference voxel coordinates. */
        double inv[9], delta[3], offset[3];
        invert3(inv, reference.direction);
        for (int a = 0; a < 3; a++)
            delta[a] = moving.origin[a] - reference.origin[a];
        bool whole = true, zero = true, same_size = true;
        int64_t shift[3];
        for (int a = 0; a < 3; a++) {
            offset[a] =
                (inv[3 * a] * delta[0] + inv[3 * a + 1] * delta[1] + inv[3 * a + 2] * delta[2]) /
                reference.volume.spacing[a];
            double rounded = std::nearbyint(offset[a]);
            whole = whole && std::fabs(offset[a] - rounded) <= voxel_tolerance;
            shift[a] = static_cast<int64_t>(rounded); /* |offset| < size: the boxes overlap */
            zero = zero && shift[a] == 0;
            same_size = same_size && moving.volume.size[a] == reference.volume.size[a];
        }
        for (int a = 0; whole && a < 3; a++) {
            /* Exact in voxels, where the boxes of rotated grids are only approximate. */
            if (shift[a] <= -static_cast<int64_t>(moving.volume.size[a]) ||
                shift[a] >= static_cast<int64_t>(reference.volume.size[a]))
                throw disjoint(bm, br);
        }
        if (whole && zero && same_size) {
            how = LOBEDICE_ALIGN_IDENTICAL;
            return nullptr;
        }
        if (whole) {
            std::unique_ptr<image_holder> out(new_image(moving.volume.dtype, reference, true));
            lobedice_status st =
                lobedice_volume_paste(lobedice_image_buffer(out.get()), moving.volume.dtype,
                                      reference.volume.size, &moving.volume, shift);
            if (st != LOBEDICE_OK)
                throw io_error{st, one_line(lobedice_strerror(st))};
            how = LOBEDICE_ALIGN_PLACED;
            return out.release();
        }
    }
    image_holder *out = nullptr;
    switch (lobedice_dtype_size(moving.volume.dtype)) {
    case 1: out = resample_as<uint8_t>(moving, reference); break;
    case 2: out = resample_as<uint16_t>(moving, reference); break;
    case 4: out = resample_as<uint32_t>(moving, reference); break;
    default: throw io_error{LOBEDICE_EDTYPE, "the moving image's pixel type is not supported"};
    }
    how = LOBEDICE_ALIGN_RESAMPLED;
    return out;
}

} // namespace

extern "C" {

lobedice_status lobedice_image_read(lobedice_image **image, const char *path, char *message,
                                    size_t message_size)
{
    if (image)
        *image = nullptr;
    if (!image || !path) {
        set_message(message, message_size, "lobedice_image_read needs an image and a path.");
        return LOBEDICE_EINVAL;
    }
    return io_call(message, message_size, std::string("Cannot read '") + path + "'",
                   [&] { *image = read_image(path); });
}

lobedice_status lobedice_image_new(lobedice_image **image, lobedice_dtype dtype,
                                   const size_t size[3], const double spacing[3],
                                   const double origin[3], const double direction[9])
{
    if (!image)
        return LOBEDICE_EINVAL;
    *image = nullptr;
    if (!size || !spacing || !origin)
        return LOBEDICE_EINVAL;
    lobedice_image geometry{};
    geometry.dimension = 3;
    for (int a = 0; a < 3; a++) {
        geometry.volume.size[a] = size[a];
        geometry.volume.spacing[a] = spacing[a];
        geometry.origin[a] = origin[a];
        for (int b = 0; b < 3; b++)
            geometry.direction[3 * a + b] = direction ? direction[3 * a + b] : (a == b);
    }
    /* A C caller may pass any int; C++ must not load it as the enum before checking it. */
    unsigned raw = 0;
    static_assert(sizeof raw == sizeof dtype, "lobedice_dtype is an int-sized enum");
    std::memcpy(&raw, &dtype, sizeof raw);
    if (raw > LOBEDICE_INT32)
        return LOBEDICE_EDTYPE;
    geometry.volume.dtype = dtype;
    geometry.volume.data = &geometry; /* any non-NULL pointer, for the checks only */
    return io_call(nullptr, 0, "", [&] {
        check_geometry(geometry, "new");
        *image = new_image(dtype, geometry, true);
    });
}

void *lobedice_image_buffer(lobedice_image *image)
{
    return image ? const_cast<void *>(image->volume.data) : nullptr;
}

void lobedice_image_free(lobedice_image *image)
{
    delete static_cast<image_holder *>(image);
}

lobedice_status lobedice_image_write(const lobedice_image *image, const char *path, int compress,
                                     char *message, size_t message_size)
{
    if (!image || !path || !*path) {
        set_message(message, message_size, "lobedice_image_write needs an image and a path.");
        return LOBEDICE_EINVAL;
    }
    return io_call(message, message_size, std::string("Cannot write '") + path + "'",
                   [&] { write_image(*image, path, compress != 0); });
}

lobedice_status lobedice_image_align(lobedice_image **moving, lobedice_alignment *how,
                                     const lobedice_image *reference, char *message,
                                     size_t message_size)
{
    if (!moving || !*moving || !how || !reference) {
        set_message(message, message_size,
                    "lobedice_image_align needs a moving image, a reference image and *how.");
        return LOBEDICE_EINVAL;
    }
    return io_call(message, message_size, "Cannot align the images", [&] {
        lobedice_alignment result = LOBEDICE_ALIGN_IDENTICAL;
        image_holder *aligned = align(**moving, *reference, result);
        if (aligned) {
            lobedice_image_free(*moving);
            *moving = aligned;
        }
        *how = result;
    });
}

} // extern "C"
