/* The C I/O API over ITK (lobedice_io.h). C++ inside, C outside: every exception stops at the
 * C boundary (io_call) and becomes a status plus one sentence in the caller's buffer.
 * Per-voxel work (conversion, placement) is done by the core; ITK reads, writes and
 * resamples. ITK's NIfTI and MetaImage code only prints when a file is shorter than its header
 * says (on read and on write), so the voxel data of those files is checked here. */
#include "lobedice/lobedice_io.h"

#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageIOFactory.h"
#include "itkMetaDataObject.h"
#include "itkMetaImageIOFactory.h"
#include "itkMinimumMaximumImageCalculator.h"
#include "itkNearestNeighborInterpolateImageFunction.h"
#include "itkNiftiImageIOFactory.h"
#include "itkNrrdImageIOFactory.h"
#include "itkResampleImageFilter.h"
#include "itkVectorImage.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <type_traits>
#include <unistd.h>
#include <vector>
#include <zlib.h>

namespace
{

using Image3 = itk::ImageBase<3>;

/* The image handed to C callers; the ITK image in `owner` owns the voxel buffer. */
/* The segments of a Slicer segmentation, read from a file or given for writing; the strings
 * the C structs point to live here. */
struct segmentation_store {
    std::vector<std::string> ids, names, tags;
    std::vector<lobedice_segment> segments;
    lobedice_segmentation info{};
};

struct image_holder : lobedice_image {
    itk::DataObject::Pointer owner;
    std::shared_ptr<const segmentation_store> segmentation; /* NULL for a plain label map */
};

std::shared_ptr<segmentation_store> segmentation_header(itk::ImageIOBase &io);
image_holder *read_segmentation(itk::ImageIOBase &io, const char *path,
                                std::shared_ptr<segmentation_store> store, size_t threads);
bool is_segmentation(const itk::MetaDataDictionary &keys);
struct segment_list {
    const lobedice_segment *segments;
    size_t count;
};
void set_segment_keys(itk::ImageIOBase &io, const lobedice_image &image, const segment_list *list,
                      const std::string &ext);

/* An error with its status and its reason (no capital, no full stop), thrown inside and caught
 * at the C boundary, which makes "<context>: <reason>." of it. */
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

/* "<action> '<path>': <reason>." (or "<action>: <reason>." without a path). snprintf into the
 * caller's buffer allocates nothing, so this works when memory has run out. */
void write_message(char *message, size_t message_size, const char *action, const char *path,
                   const char *reason) noexcept
{
    if (!message || message_size == 0)
        return;
    if (path)
        std::snprintf(message, message_size, "%s '%s': %s.", action, path, reason);
    else
        std::snprintf(message, message_size, "%s: %s.", action, reason);
}

/* A fixed sentence (for misuse of the API: a NULL argument). */
void write_text(char *message, size_t message_size, const char *text) noexcept
{
    if (message && message_size > 0)
        std::snprintf(message, message_size, "%s", text);
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

/* lobedice_strerror's sentence as a clause: first letter small, no full stop. */
std::string status_clause(lobedice_status st)
{
    std::string text = one_line(lobedice_strerror(st));
    if (!text.empty())
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
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

/* "(a, b, c)" */
std::string triple_text(const double v[3])
{
    return "(" + format_value(v[0]) + ", " + format_value(v[1]) + ", " + format_value(v[2]) + ")";
}

std::string size_text(const size_t size[3])
{
    return std::to_string(size[0]) + " x " + std::to_string(size[1]) + " x " +
           std::to_string(size[2]);
}

/* An ITK exception's description without ITK's "ITK ERROR: Class(0x...): " prefix; for NRRD
 * files, only teem's innermost (most specific) complaint. */
std::string itk_reason(const itk::ExceptionObject &e)
{
    std::string text = one_line(e.GetDescription());
    if (text.compare(0, 11, "ITK ERROR: ") == 0) {
        size_t end = text.find("): ");
        text = text.substr(end != std::string::npos ? end + 3 : 11);
        /* "A.  No B!" from a generic ITK exception: one clause, "A; no B" */
        for (size_t at; (at = text.find(". ")) != std::string::npos;) {
            size_t next = text.find_first_not_of(' ', at + 1);
            if (next == std::string::npos)
                break;
            text = text.substr(0, at) + "; " +
                   static_cast<char>(std::tolower(static_cast<unsigned char>(text[next]))) +
                   text.substr(next + 1);
        }
        while (!text.empty() && (text.back() == '!' || text.back() == '.' || text.back() == ' '))
            text.pop_back();
    }
    size_t teem = text.rfind("[nrrd] ");
    if (teem != std::string::npos) {
        std::string inner = text.substr(teem + 7);
        size_t colon = inner.find(": ");
        text = "the NRRD library reports: " +
               (colon == std::string::npos ? inner : inner.substr(colon + 2));
    }
    return one_line(text);
}

/* Runs body; any exception becomes a status and "<action> '<path>': <reason>." in message.
 * Everything that may allocate happens inside the try: nothing escapes. */
template <typename Body>
lobedice_status io_call(char *message, size_t message_size, const char *action, const char *path,
                        Body &&body) noexcept
{
    lobedice_status status = LOBEDICE_EIO;
    try {
        try {
            body();
            return LOBEDICE_OK;
        } catch (const io_error &e) {
            status = e.status;
            write_message(message, message_size, action, path, e.message.c_str());
        } catch (const std::bad_alloc &) {
            status = LOBEDICE_ENOMEM;
            write_message(message, message_size, action, path, "not enough memory");
        } catch (const itk::MemoryAllocationError &) {
            status = LOBEDICE_ENOMEM;
            write_message(message, message_size, action, path, "not enough memory");
        } catch (const itk::ExceptionObject &e) {
            status = LOBEDICE_EIO;
            write_message(message, message_size, action, path, itk_reason(e).c_str());
        } catch (const std::exception &e) {
            status = LOBEDICE_EIO;
            write_message(message, message_size, action, path, one_line(e.what()).c_str());
        } catch (...) {
            status = LOBEDICE_EIO;
            write_message(message, message_size, action, path, "an unknown error occurred");
        }
    } catch (...) {
        /* Building the reason itself ran out of memory: a fixed one. */
        write_message(message, message_size, action, path,
                      "not enough memory to describe the error");
    }
    return status;
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

/* ---- Pixel types ------------------------------------------------------------------------- */

/* The one mapping between the core's dtypes and ITK's component types. */
struct dtype_component {
    lobedice_dtype dtype;
    itk::IOComponentEnum component;
};
constexpr dtype_component dtype_components[] = {
    {LOBEDICE_UINT8, itk::IOComponentEnum::UCHAR},   {LOBEDICE_INT8, itk::IOComponentEnum::CHAR},
    {LOBEDICE_UINT16, itk::IOComponentEnum::USHORT}, {LOBEDICE_INT16, itk::IOComponentEnum::SHORT},
    {LOBEDICE_UINT32, itk::IOComponentEnum::UINT},   {LOBEDICE_INT32, itk::IOComponentEnum::INT}};

/* The dtype of an ITK component type, or NULL when it is not one of them. */
const lobedice_dtype *dtype_of(itk::IOComponentEnum component)
{
    for (const auto &entry : dtype_components)
        if (entry.component == component)
            return &entry.dtype;
    return nullptr;
}

/* The ITK component type of a dtype (validated by the caller). */
itk::IOComponentEnum component_of(lobedice_dtype dtype)
{
    for (const auto &entry : dtype_components)
        if (entry.dtype == dtype)
            return entry.component;
    return itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE;
}

/* Calls f with a value of the C type of dtype. Every caller has validated dtype (with
 * lobedice_volume_voxels, lobedice_dtype_for_range or the table above). */
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
}

/* ---- Geometry of the C struct ------------------------------------------------------------ */

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

/* How a message names an image: "the prediction" / "the prediction's", or "it" / "its" when
 * the context already names the file. */
struct image_name {
    const char *subject, *possessive;
};
constexpr image_name read_file_name{"it", "its"}, written_image{"the image", "the image's"},
    new_image_name{"the new image", "the new image's"},
    prediction{"the prediction", "the prediction's"},
    reference_name{"the reference", "the reference's"};

/* The checks every image passes before it is used (read, written, aligned, created): the
 * volume as the core sees it, then a finite origin and a finite, invertible direction. The
 * message names the field that is wrong. */
void check_geometry(const lobedice_image &image, const image_name &name)
{
    const std::string owner = name.possessive;
    size_t voxels = 0;
    const lobedice_volume &v = image.volume;
    switch (lobedice_status st = lobedice_volume_voxels(&voxels, &v)) {
    case LOBEDICE_OK: break;
    case LOBEDICE_EINVAL: throw io_error{st, std::string(name.subject) + " has no voxel buffer"};
    case LOBEDICE_EDTYPE: {
        int raw = 0; /* a C caller may have stored any int: never load it as the enum */
        static_assert(sizeof raw == sizeof v.dtype, "lobedice_dtype is an int-sized enum");
        std::memcpy(&raw, &v.dtype, sizeof raw);
        throw io_error{st,
                       owner + " pixel type " + std::to_string(raw) + " is not a lobedice_dtype"};
    }
    case LOBEDICE_ESIZE:
        throw io_error{st, owner + " size " + size_text(v.size) + " has no voxels"};
    case LOBEDICE_ESPACING: {
        bool positive = true;
        for (double s : v.spacing)
            positive = positive && std::isfinite(s) && s > 0;
        throw io_error{st, owner + " spacing " + triple_text(v.spacing) + " mm " +
                               (positive ? "makes its voxel volume, physical volume or diagonal "
                                           "overflow or vanish"
                                         : "is not finite and positive")};
    }
    case LOBEDICE_EOVERFLOW:
        throw io_error{st, owner + " size " + size_text(v.size) + " does not fit in memory"};
    default: throw io_error{st, std::string(name.subject) + " is not usable: " + status_clause(st)};
    }
    if (!(std::isfinite(image.origin[0]) && std::isfinite(image.origin[1]) &&
          std::isfinite(image.origin[2])))
        throw io_error{LOBEDICE_EINVAL,
                       owner + " origin " + triple_text(image.origin) + " mm is not finite"};
    for (int i = 0; i < 9; i++)
        if (!std::isfinite(image.direction[i]))
            throw io_error{LOBEDICE_EINVAL, owner + " direction matrix holds " +
                                                format_value(image.direction[i]) +
                                                ", which is not finite"};
    double inv[9];
    if (!invert3(inv, image.direction))
        throw io_error{LOBEDICE_EINVAL, owner + " direction matrix is not invertible"};
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

/* ---- Voxel data in files ------------------------------------------------------------------
 * Every file a header names for its voxel data, and whether all of it is there. Each data file
 * must be a regular file before any library opens it (a FIFO or a device would block a read
 * forever or feed it endless bytes). teem checks that NRRD data is complete itself; niftilib and
 * MetaIO only print, and niftilib turns non-finite floats into 0, so NIfTI and MetaImage data
 * are checked here before ITK reads them. */

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool ends_with(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() &&
           lowercase(text.substr(text.size() - suffix.size())) == suffix;
}

/* "a folder", "a FIFO (named pipe)", ... for a file that is not a regular file. */
const char *kind_of_file(mode_t mode)
{
    return S_ISDIR(mode)    ? "a folder"
           : S_ISFIFO(mode) ? "a FIFO (named pipe)"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

/* Throws unless `name` is a regular file. `role` names it in the reason: "" for the image file
 * itself ("it is a FIFO ..."), else e.g. "its data file 'x.raw'". */
void require_regular_file(const std::string &name, const std::string &role)
{
    struct stat info;
    const std::string subject = role.empty() ? "it" : role;
    if (stat(name.c_str(), &info) != 0) {
        if (errno == ENOENT && !role.empty())
            throw io_error{LOBEDICE_EIO, subject + " does not exist"};
        throw io_error{LOBEDICE_EIO, (role.empty() ? "" : subject + ": ") + system_reason(errno)};
    }
    if (!S_ISREG(info.st_mode))
        throw io_error{LOBEDICE_EIO,
                       subject + " is " + kind_of_file(info.st_mode) + ", not a regular file"};
}

/* A file opened for reading, closed at the end of the scope. O_NONBLOCK and the fstat check
 * keep a file swapped for a FIFO after require_regular_file from blocking the open. */
struct input_file {
    int fd;
    explicit input_file(const std::string &name)
        : fd(open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK))
    {
        if (fd < 0)
            throw io_error{LOBEDICE_EIO, system_reason(errno)};
        struct stat info;
        if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
            close(fd);
            throw io_error{LOBEDICE_EIO, "'" + name + "' is not a regular file"};
        }
    }
    ~input_file()
    {
        close(fd);
    }
    input_file(const input_file &) = delete;
    input_file &operator=(const input_file &) = delete;

    /* Up to n bytes from offset (fewer at the end of the file). */
    size_t read_at(unsigned char *buffer, size_t n, uint64_t offset) const
    {
        size_t got = 0;
        while (got < n) {
            ssize_t r = pread(fd, buffer + got, n - got, static_cast<off_t>(offset + got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                throw io_error{LOBEDICE_EIO, system_reason(errno)};
            if (r == 0)
                break;
            got += static_cast<size_t>(r);
        }
        return got;
    }
};

uint64_t file_size(const std::string &name)
{
    struct stat info;
    if (stat(name.c_str(), &info) != 0)
        throw io_error{LOBEDICE_EIO, system_reason(errno)};
    return static_cast<uint64_t>(info.st_size);
}

/* Receives the bytes of a data stream in order, in pieces of any size. */
using byte_sink = std::function<void(const unsigned char *, size_t)>;

struct inflated {
    uint64_t bytes = 0;    /* bytes that came out */
    bool complete = false; /* the stream (every gzip member) ended, its checksum verified */
    bool damaged = false;  /* zlib refused the data (not merely cut short) */
};

/* Inflates the zlib or gzip stream that starts at byte `start` of `file`, to its end (gzip
 * members may follow one another, as gzip and zlib's gzread allow), or until `limit` bytes came
 * out. What comes out goes to sink (may be empty). */
inflated inflate_file(const std::string &file, uint64_t start, uint64_t limit,
                      const byte_sink &sink)
{
    input_file in(file);
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) /* 32: a zlib or a gzip header */
        throw std::bad_alloc();
    struct end_stream {
        z_stream *z;
        ~end_stream()
        {
            inflateEnd(z);
        }
    } end{&z};
    std::vector<unsigned char> input(1 << 16), output(1 << 16);
    uint64_t position = start;
    bool eof = false;
    auto refill = [&] { /* keeps the unread input, appends what follows */
                        if (eof)
                            return;
                        size_t keep = z.avail_in;
                        if (keep)
                            std::memmove(input.data(), z.next_in, keep);
                        size_t got = in.read_at(input.data() + keep, input.size() - keep, position);
                        position += got;
                        eof = got == 0;
                        z.next_in = input.data();
                        z.avail_in = static_cast<uInt>(keep + got);
    };
    inflated result;
    for (;;) {
        if (z.avail_in == 0)
            refill();
        z.next_out = output.data();
        z.avail_out = static_cast<uInt>(output.size());
        int rc = inflate(&z, Z_NO_FLUSH);
        size_t out = output.size() - z.avail_out;
        if (sink && out)
            sink(output.data(), out);
        result.bytes += out;
        if (result.bytes >= limit)
            return result;
        if (rc == Z_STREAM_END) {
            if (z.avail_in < 2)
                refill();
            if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
                inflateReset(&z); /* another gzip member */
                continue;
            }
            result.complete = true; /* anything after the stream is ignored, as gzip does */
            return result;
        }
        if (rc == Z_MEM_ERROR)
            throw std::bad_alloc();
        if (rc == Z_BUF_ERROR && z.avail_in == 0 && eof)
            return result; /* the file ends inside the stream */
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            result.damaged = true;
            return result;
        }
    }
}

bool is_gzip(const std::string &name)
{
    input_file in(name);
    unsigned char magic[2];
    return in.read_at(magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

/* A run of voxel data: `need` bytes from byte `start` of `file`, stored as they are, or, when
 * `compressed`, from byte `start` of the zlib/gzip stream that begins at byte `stream_start` of
 * the file (NIfTI counts vox_offset in the inflated stream of a .nii.gz). */
struct voxel_data {
    std::string file;
    uint64_t start = 0;
    uint64_t need = 0;
    bool compressed = false;
    uint64_t stream_start = 0;
};

/* need = a * b * c... with overflow checks; false when it does not fit. */
bool multiply(uint64_t &product, uint64_t factor)
{
    return !__builtin_mul_overflow(product, factor, &product);
}

/* The text of a header: the first bytes of a file, up to 1 MiB. */
std::string header_text(const std::string &path)
{
    std::string text(static_cast<size_t>(1) << 20, '\0');
    input_file in(path);
    text.resize(in.read_at(reinterpret_cast<unsigned char *>(&text[0]), text.size(), 0));
    return text;
}

std::string trimmed(const std::string &s)
{
    size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> words(const std::string &s)
{
    std::vector<std::string> out;
    for (size_t at = 0; (at = s.find_first_not_of(" \t\r\n", at)) != std::string::npos;) {
        size_t end = s.find_first_of(" \t\r\n", at);
        out.push_back(s.substr(at, end == std::string::npos ? std::string::npos : end - at));
        at = end;
    }
    return out;
}

/* `name` as the header means it: relative names are relative to the header's folder. */
std::string beside(const std::string &header, const std::string &name)
{
    size_t slash = header.find_last_of('/');
    return name[0] == '/' || slash == std::string::npos ? name : header.substr(0, slash + 1) + name;
}

/* The header's lines up to its end (a blank line, or the end of the text). */
std::vector<std::string> header_lines(const std::string &text)
{
    std::vector<std::string> lines;
    for (size_t at = 0; at < text.size();) {
        size_t end = text.find('\n', at);
        std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() && end != std::string::npos)
            break;
        lines.push_back(line);
        if (end == std::string::npos)
            break;
        at = end + 1;
    }
    return lines;
}

/* The data file names of a numbered pattern "<format> <min> <max> <step>" (NRRD and MetaImage
 * alike). The format may hold one integer conversion (%d, %u, %i with a width and flag 0) and
 * %% only: it is never handed to printf. */
std::vector<std::string> numbered_files(const std::vector<std::string> &w, const std::string &field)
{
    const std::string bad = "its " + field + " field names numbered data files";
    if (w.size() < 4)
        throw io_error{LOBEDICE_EFORMAT, bad + " but not <format> <min> <max> <step>"};
    long long first = 0, last = 0, step = 0;
    try {
        first = std::stoll(w[1]);
        last = std::stoll(w[2]);
        step = std::stoll(w[3]);
    } catch (const std::exception &) {
        throw io_error{LOBEDICE_EFORMAT, bad + " with a <min> <max> <step> that is not three "
                                               "whole numbers"};
    }
    long long span = 0;
    if (step == 0 || __builtin_sub_overflow(last, first, &span) || span / step < 0 ||
        span / step >= 1000000)
        throw io_error{LOBEDICE_EFORMAT, bad + " from " + w[1] + " to " + w[2] + " by " + w[3] +
                                             ", which is not 1 to 1000000 files"};
    const std::string &format = w[0];
    size_t percent = std::string::npos;
    for (size_t i = 0; i < format.size(); i++) {
        if (format[i] != '%')
            continue;
        if (i + 1 < format.size() && format[i + 1] == '%') {
            i++;
            continue;
        }
        if (percent != std::string::npos)
            throw io_error{LOBEDICE_EFORMAT,
                           bad + " with more than one number in '" + format + "'"};
        percent = i;
    }
    size_t spec_end = percent == std::string::npos
                          ? std::string::npos
                          : format.find_first_not_of("0123456789", percent + 1);
    if (spec_end == std::string::npos ||
        std::string("diu").find(format[spec_end]) == std::string::npos)
        throw io_error{LOBEDICE_EFORMAT,
                       bad + " with the format '" + format + "', which holds no %d number"};
    const std::string flags = format.substr(percent + 1, spec_end - percent - 1);
    const bool zeros = !flags.empty() && flags[0] == '0';
    const size_t width = flags.empty() ? 0 : static_cast<size_t>(std::min(std::stoul(flags), 64UL));
    auto unescape = [](const std::string &s) {
        std::string out;
        for (size_t i = 0; i < s.size(); i++)
            out += s[i], i += s[i] == '%' && i + 1 < s.size() && s[i + 1] == '%';
        return out;
    };
    const std::string head = unescape(format.substr(0, percent)),
                      tail = unescape(format.substr(spec_end + 1));
    std::vector<std::string> names;
    for (long long i = first; step > 0 ? i <= last : i >= last; i += step) {
        char number[96]; /* our own format around the checked width: never the file's */
        std::snprintf(number, sizeof number, zeros ? "%0*lld" : "%*lld", static_cast<int>(width),
                      i);
        names.push_back(head + number + tail);
    }
    return names;
}

/* The data files a NRRD header names ("data file:" or "datafile:"): none for attached data. */
std::vector<std::string> nrrd_data_files(const std::string &path)
{
    const std::vector<std::string> lines = header_lines(header_text(path));
    for (size_t i = 0; i < lines.size(); i++) {
        const std::string &line = lines[i];
        size_t colon = line.find(':');
        if (colon == std::string::npos || line[0] == '#')
            continue;
        const std::string key = trimmed(line.substr(0, colon));
        if (key != "data file" && key != "datafile")
            continue;
        const std::string value = trimmed(line.substr(colon + 1));
        const std::vector<std::string> w = words(value);
        std::vector<std::string> names;
        if (!w.empty() && w[0] == "LIST") {
            for (size_t j = i + 1; j < lines.size(); j++)
                if (!trimmed(lines[j]).empty())
                    names.push_back(trimmed(lines[j]));
        } else if (value.find('%') != std::string::npos) {
            names = numbered_files(w, "'data file'");
        } else {
            names.push_back(value);
        }
        for (auto &name : names)
            name = beside(path, name);
        return names;
    }
    return {};
}

/* ---- NIfTI ---- */

/* Bytes per voxel of a NIfTI datatype code, as niftilib counts them (0 when unknown). */
uint64_t nifti_bytes_per_voxel(int datatype)
{
    static const struct {
        int code;
        unsigned bytes;
    } sizes[] = {{2, 1},    {256, 1},   {4, 2},     {512, 2},  {8, 4},  {768, 4},
                 {16, 4},   {64, 8},    {1024, 8},  {1280, 8}, {32, 8}, {128, 3},
                 {2304, 4}, {1536, 16}, {1792, 16}, {2048, 32}};
    for (const auto &s : sizes)
        if (s.code == datatype)
            return s.bytes;
    return 0;
}

/* What a NIfTI-1, NIfTI-2 or ANALYZE 7.5 header says about its voxel data. */
struct nifti_header {
    bool single_file = false; /* magic n+1 / n+2: the data follows the header */
    bool big_endian = false;
    int datatype = 0;
    uint64_t header_bytes = 0; /* 348 or 540 */
    uint64_t offset = 0;       /* vox_offset, checked */
    uint64_t data_bytes = 0;   /* nvox * bytes per voxel */
};

/* The image file of a two-file NIfTI or ANALYZE image, as niftilib finds it: the header's name
 * with .img (or .img.gz, in either case) for .hdr; the first that exists. */
std::string nifti_image_file(const std::string &path)
{
    std::string stem = path;
    for (const char *ext : {".hdr.gz", ".img.gz", ".hdr", ".img"})
        if (ends_with(path, ext)) {
            stem = path.substr(0, path.size() - std::strlen(ext));
            break;
        }
    for (const char *ext : {".img", ".IMG", ".img.gz", ".IMG.gz"}) {
        struct stat info;
        if (lstat((stem + ext).c_str(), &info) == 0)
            return stem + ext;
    }
    return stem + ".img";
}

/* The NIfTI header of path (the .hdr of a pair), gzip or not. Throws a reason when it is cut
 * short, unknown, or its dimensions, vox_offset or orientation make no sense (before niftilib
 * turns them into a read at the wrong place). False when its datatype is unknown (ITK will say
 * so). */
bool read_nifti_header(nifti_header &out, const std::string &path)
{
    std::vector<unsigned char> h(540);
    size_t got = 0;
    if (is_gzip(path)) {
        got = static_cast<size_t>(
            std::min<uint64_t>(inflate_file(path, 0, h.size(),
                                            [&](const unsigned char *p, size_t n) {
                                                size_t take = std::min(n, h.size() - got);
                                                std::memcpy(h.data() + got, p, take);
                                                got += take;
                                            })
                                   .bytes,
                               h.size()));
    } else {
        got = input_file(path).read_at(h.data(), h.size(), 0);
    }
    if (got < 348)
        throw io_error{LOBEDICE_EIO, "its header ends after " + std::to_string(got) +
                                         " bytes, before its 348th byte"};
    bool big = false;
    auto load = [&](size_t at, size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v |= static_cast<uint64_t>(h[at + (big ? n - 1 - i : i)]) << (8 * i);
        return v;
    };
    auto i16 = [&](size_t at) { return static_cast<int16_t>(load(at, 2)); };
    auto f32 = [&](size_t at) {
        uint32_t bits = static_cast<uint32_t>(load(at, 4));
        float v;
        std::memcpy(&v, &bits, 4);
        return static_cast<double>(v);
    };
    auto f64 = [&](size_t at) {
        uint64_t bits = load(at, 8);
        double v;
        std::memcpy(&v, &bits, 8);
        return v;
    };
    /* The fields the orientation is built from: ITK takes the single-precision SVD of that
     * matrix, and vnl aborts the process on a NaN or an infinity and loops forever once squares
     * overflow (a value near FLT_MAX). */
    auto require_finite = [](const std::string &field, double v) {
        if (!std::isfinite(v))
            throw io_error{LOBEDICE_EFORMAT, "its header's " + field + " is " + format_value(v) +
                                                 ", not a finite number"};
        if (std::fabs(v) > 1e18)
            throw io_error{LOBEDICE_EFORMAT, "its header's " + field + " is " + format_value(v) +
                                                 ", more than 1e18 in magnitude"};
    };
    auto check_orientation = [&](bool nifti, int qform, int sform, size_t pixdim, size_t quatern,
                                 size_t srow, auto value, size_t step) {
        for (int i = 1; i <= 3; i++)
            require_finite("pixdim[" + std::to_string(i) + "]", value(pixdim + step * i));
        static const char *const q[6] = {"quatern_b", "quatern_c", "quatern_d",
                                         "qoffset_x", "qoffset_y", "qoffset_z"};
        for (int i = 0; nifti && qform > 0 && i < 6; i++)
            require_finite(q[i], value(quatern + step * i));
        for (int i = 0; nifti && sform > 0 && i < 12; i++)
            require_finite(std::string("srow_") + "xyz"[i / 4] + "[" + std::to_string(i % 4) + "]",
                           value(srow + step * i));
    };
    uint32_t sizeof_hdr = static_cast<uint32_t>(load(0, 4));
    const uint32_t sizeof_hdr_little = sizeof_hdr;
    if (sizeof_hdr != 348 && sizeof_hdr != 540) {
        big = true; /* the file is in its writer's byte order: sizeof_hdr tells which */
        sizeof_hdr = static_cast<uint32_t>(load(0, 4));
    }
    out.big_endian = big;
    uint64_t nvox = 1;
    std::string dims_text;
    auto count_axis = [&](int64_t n) {
        dims_text += (dims_text.empty() ? "" : " x ") + std::to_string(n);
        if (n < 1)
            throw io_error{LOBEDICE_EFORMAT, "its header gives an axis " + std::to_string(n) +
                                                 " voxels, not 1 or more"};
        if (!multiply(nvox, static_cast<uint64_t>(n)))
            throw io_error{LOBEDICE_EOVERFLOW, "its size " + dims_text +
                                                   "... does not fit in "
                                                   "memory"};
    };
    if (sizeof_hdr == 348) {
        out.single_file = std::memcmp(&h[344], "n+1", 4) == 0;
        out.header_bytes = 348;
        out.datatype = i16(70);
        int dims = i16(40);
        if (dims < 1 || dims > 7)
            throw io_error{LOBEDICE_EFORMAT, "its header gives dim[0] = " + std::to_string(dims) +
                                                 ", not 1 to 7 axes"};
        for (int i = 1; i <= dims; i++)
            count_axis(i16(40 + 2 * i));
        uint32_t bits = static_cast<uint32_t>(load(108, 4));
        float vox_offset;
        std::memcpy(&vox_offset, &bits, 4);
        const uint64_t least = out.single_file ? 348 : 0;
        if (!(vox_offset >= static_cast<float>(least) && vox_offset < 1.8e19f) ||
            vox_offset != std::floor(vox_offset))
            throw io_error{LOBEDICE_EFORMAT, "its header's vox_offset " + format_value(vox_offset) +
                                                 " is not a whole byte offset of " +
                                                 std::to_string(least) +
                                                 " or more (where the voxel data starts)"};
        out.offset = static_cast<uint64_t>(vox_offset);
        const bool nifti = out.single_file || std::memcmp(&h[344], "ni1", 4) == 0;
        check_orientation(nifti, i16(252), i16(254), 76, 256, 280, f32, 4);
    } else if (sizeof_hdr == 540 && got >= 540) {
        out.single_file = std::memcmp(&h[4], "n+2", 4) == 0;
        out.header_bytes = 540;
        out.datatype = i16(12);
        int64_t dims = static_cast<int64_t>(load(16, 8));
        if (dims < 1 || dims > 7)
            throw io_error{LOBEDICE_EFORMAT, "its header gives dim[0] = " + std::to_string(dims) +
                                                 ", not 1 to 7 axes"};
        for (int i = 1; i <= dims; i++)
            count_axis(static_cast<int64_t>(load(16 + 8 * i, 8)));
        int64_t vox_offset = static_cast<int64_t>(load(168, 8));
        const int64_t least = out.single_file ? 540 : 0;
        if (vox_offset < least)
            throw io_error{LOBEDICE_EFORMAT, "its header's vox_offset " +
                                                 std::to_string(vox_offset) + " is not " +
                                                 std::to_string(least) + " or more"};
        out.offset = static_cast<uint64_t>(vox_offset);
        check_orientation(true, static_cast<int32_t>(load(344, 4)),
                          static_cast<int32_t>(load(348, 4)), 104, 352, 400, f64, 8);
    } else if (sizeof_hdr == 540) {
        throw io_error{LOBEDICE_EIO, "its header ends after " + std::to_string(got) +
                                         " bytes, before its 540th byte"};
    } else { /* ITK's reader took it for NIfTI: none of its fields can be checked */
        throw io_error{LOBEDICE_EFORMAT, "its header's sizeof_hdr is " +
                                             std::to_string(sizeof_hdr_little) +
                                             ", not 348 (NIfTI-1, ANALYZE 7.5) or 540 (NIfTI-2)"};
    }
    out.data_bytes = nifti_bytes_per_voxel(out.datatype);
    if (out.data_bytes == 0)
        return false; /* ITK names the pixel type it cannot read */
    if (!multiply(out.data_bytes, nvox) || out.data_bytes + out.offset < out.data_bytes /* wraps */)
        throw io_error{LOBEDICE_EOVERFLOW, "its size " + dims_text + " does not fit in memory"};
    return true;
}

/* ---- MetaImage ---- */

/* What a MetaImage header says about where its voxel data lives. */
struct meta_header {
    std::vector<std::string> files; /* detached data files; empty for LOCAL */
    uint64_t local_start = 0;       /* LOCAL: the byte after the ElementDataFile line */
    long long header_size = 0; /* HeaderSize: bytes skipped in each data file, -1: at its end */
    unsigned file_dims = 0;    /* LIST or pattern: axes per data file (0: all but the last) */
    bool compressed = false;
};

/* MetaIO reads a key up to '=', ':' or the line's end, then looks for the separator past the
 * line's end, compares keys up to a NUL, copies an unknown key into 255 bytes and reads 500
 * bytes of a line: a header line it could read otherwise than read_meta_header (and so name
 * another data file) or that would overflow it is refused. */
void require_meta_line(const std::string &text, size_t line, size_t end, int number)
{
    std::string s = text.substr(line, end - line);
    if (!s.empty() && s.back() == '\r')
        s.pop_back();
    if (trimmed(s).empty())
        return;
    std::string quoted; /* the line's start, control characters as \xHH */
    bool control = false;
    for (size_t i = 0; i < s.size(); i++) {
        const bool c = static_cast<unsigned char>(s[i]) < 0x20 && s[i] != '\t';
        control = control || c || s[i] == 0x7f;
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(s[i]));
        if (i < 60)
            quoted += c || s[i] == 0x7f ? std::string(hex) : std::string(1, s[i]);
    }
    const std::string which = "its header's line " + std::to_string(number) + " ('" + quoted +
                              (s.size() > 60 ? "..." : "") + "')";
    const size_t equals = s.find_first_of("=:");
    const std::string key = equals == std::string::npos ? "" : trimmed(s.substr(0, equals));
    if (control)
        throw io_error{LOBEDICE_EFORMAT, which + " holds a control character"};
    if (key.empty())
        throw io_error{LOBEDICE_EFORMAT, which + " is not one 'Key = value' line"};
    if (s.size() >= 500 || key.size() >= 255)
        throw io_error{LOBEDICE_EFORMAT, which + " is " + std::to_string(s.size()) +
                                             " bytes long with a key of " +
                                             std::to_string(key.size()) +
                                             " (MetaIO reads up to 499, keys up to 254)"};
}

/* "Key = value" lines, the last one ElementDataFile (LOCAL data starts right after it, as MetaIO
 * reads it; LIST names follow it, one or more per line). */
meta_header read_meta_header(const std::string &path)
{
    const std::string text = header_text(path);
    meta_header out;
    int number = 0;
    for (size_t line = 0; line < text.size();) {
        size_t end = text.find('\n', line);
        if (end == std::string::npos)
            end = text.size();
        require_meta_line(text, line, end, ++number);
        size_t equals = text.find_first_of("=:", line);
        if (equals < end) {
            const std::string key = trimmed(text.substr(line, equals - line));
            const std::string value = trimmed(text.substr(equals + 1, end - equals - 1));
            if (key == "CompressedData")
                out.compressed = lowercase(value) == "true" || value == "1";
            else if (key == "HeaderSize")
                out.header_size = std::atoll(value.c_str());
            else if (key == "ElementDataFile") {
                const std::vector<std::string> w = words(value);
                if (value == "LOCAL") {
                    out.local_start = end + 1;
                } else if (!w.empty() && w[0] == "LIST") {
                    out.file_dims =
                        w.size() > 1 ? static_cast<unsigned>(std::atoi(w[1].c_str())) : 0;
                    for (const auto &name : words(text.substr(std::min(end + 1, text.size()))))
                        out.files.push_back(beside(path, name));
                } else if (value.find('%') != std::string::npos && w.size() >= 4) {
                    out.file_dims =
                        w.size() > 4 ? static_cast<unsigned>(std::atoi(w[4].c_str())) : 0;
                    for (const auto &name : numbered_files(w, "ElementDataFile"))
                        out.files.push_back(beside(path, name));
                } else if (!value.empty()) {
                    out.files.push_back(beside(path, value));
                } else {
                    throw io_error{LOBEDICE_EFORMAT, "its header's ElementDataFile names no file"};
                }
                return out;
            }
        }
        line = end + 1;
    }
    throw io_error{LOBEDICE_EFORMAT, "its header has no ElementDataFile line (in its first " +
                                         std::to_string(text.size()) + " bytes)"};
}

/* ---- The checks ---- */

/* Every file the image's header names for its voxel data, for require_regular_file. */
std::vector<std::string> data_files(const std::string &kind, const std::string &path)
{
    if (kind == "NrrdImageIO")
        return nrrd_data_files(path);
    if (kind == "MetaImageIO")
        return read_meta_header(path).files;
    if (kind == "NiftiImageIO") {
        nifti_header h;
        if (read_nifti_header(h, path) && !h.single_file) {
            if (ends_with(path, ".nii") || ends_with(path, ".nii.gz"))
                throw io_error{LOBEDICE_EFORMAT, "its header's magic field is not 'n+1' or 'n+2' "
                                                 "(a .nii file holds its header and data "
                                                 "together)"};
            return {nifti_image_file(path)};
        }
    }
    return {};
}

/* Where the voxel data of a NIfTI or MetaImage image lives, run by run (one per data file).
 * Empty for NRRD, whose data teem checks. */
std::vector<voxel_data> voxel_layout(const itk::ImageIOBase &io, const std::string &path)
{
    const std::string kind = io.GetNameOfClass();
    std::vector<voxel_data> runs;
    if (kind == "NiftiImageIO") {
        nifti_header h;
        if (!read_nifti_header(h, path))
            return runs;
        const std::string file = h.single_file ? path : nifti_image_file(path);
        runs.push_back(voxel_data{file, h.offset, h.data_bytes, is_gzip(file), 0});
        return runs;
    }
    if (kind != "MetaImageIO")
        return runs;
    const meta_header m = read_meta_header(path);
    const uint64_t voxel_bytes = io.GetImageSizeInBytes();
    if (m.files.empty()) { /* LOCAL */
        const uint64_t skip = static_cast<uint64_t>(std::max(0LL, m.header_size));
        if (m.compressed)
            runs.push_back(voxel_data{path, 0, voxel_bytes, true, m.local_start + skip});
        else
            runs.push_back(voxel_data{path, m.local_start + skip, voxel_bytes, false, 0});
        return runs;
    }
    /* One data file holds everything, or each file of a LIST or pattern holds file_dims axes. */
    uint64_t each = voxel_bytes;
    const unsigned ndim = io.GetNumberOfDimensions();
    if (m.files.size() > 1 || m.file_dims) {
        const unsigned axes = m.file_dims && m.file_dims < ndim ? m.file_dims : ndim - 1;
        each = io.GetComponentSize() * io.GetNumberOfComponents();
        for (unsigned a = 0; a < axes; a++)
            each *= io.GetDimensions(a); /* no overflow: the whole size was checked */
    }
    const uint64_t count = each ? voxel_bytes / each : 1;
    if (m.files.size() < count)
        throw io_error{LOBEDICE_EIO, "its header lists " + std::to_string(m.files.size()) +
                                         " data files for " + std::to_string(count) + " slices"};
    for (uint64_t i = 0; i < count; i++) {
        voxel_data d{m.files[i], 0, each, m.compressed, 0};
        if (!m.compressed && m.header_size > 0)
            d.start = static_cast<uint64_t>(m.header_size);
        if (!m.compressed && m.header_size == -1) { /* the data ends the file */
            uint64_t size = file_size(d.file);
            d.start = size >= each ? size - each : 0;
        }
        runs.push_back(d);
    }
    return runs;
}

/* Checks that a run of voxel data is all there; each stored or inflated piece of it (in order,
 * from byte 0 of the stream for compressed runs) goes to sink. `what` names the file in the
 * reason ("its voxel data" or "its data file 'x'"). */
void check_run(const voxel_data &d, const std::string &what, const byte_sink &sink)
{
    const uint64_t size = file_size(d.file);
    if (!d.compressed) {
        if (size < d.start || size - d.start < d.need)
            throw io_error{LOBEDICE_EIO, what + " is cut short: its header announces " +
                                             std::to_string(d.need) + " bytes from byte " +
                                             std::to_string(d.start) + ", and the file holds " +
                                             std::to_string(size) + " bytes"};
        if (sink) {
            input_file in(d.file);
            std::vector<unsigned char> buffer(1 << 20);
            for (uint64_t done = 0; done < d.need;) {
                size_t n = static_cast<size_t>(std::min<uint64_t>(buffer.size(), d.need - done));
                size_t got = in.read_at(buffer.data(), n, d.start + done);
                if (got == 0)
                    throw io_error{LOBEDICE_EIO, what + " ended while it was read"};
                sink(buffer.data(), got);
                done += got;
            }
        }
        return;
    }
    uint64_t position = 0;
    const uint64_t end = d.start + d.need;
    inflated z = inflate_file(d.file, d.stream_start, std::numeric_limits<uint64_t>::max(),
                              [&](const unsigned char *p, size_t n) {
                                  uint64_t lo = std::max(position, d.start),
                                           hi = std::min(position + n, end);
                                  if (sink && lo < hi)
                                      sink(p + (lo - position), static_cast<size_t>(hi - lo));
                                  position += n;
                              });
    if (z.damaged)
        throw io_error{LOBEDICE_EIO, what + " is damaged: zlib cannot decompress it"};
    if (!z.complete || z.bytes < end)
        throw io_error{LOBEDICE_EIO, what + " is cut short: its header announces " +
                                         std::to_string(end) + " bytes once decompressed, and " +
                                         (z.complete ? "it holds "
                                                     : "the compressed stream ends "
                                                       "after ") +
                                         std::to_string(z.bytes)};
}

/* A NIfTI float image must hold finite values only: niftilib silently reads NaN and the
 * infinities as 0. The core scans the stored bytes; the message names the voxel. */
struct nonfinite_scan {
    size_t value_size = 0;
    bool big_endian = false;
    uint64_t index = 0;
    std::vector<unsigned char> carry;
    uint64_t first = std::numeric_limits<uint64_t>::max();

    void operator()(const unsigned char *p, size_t n)
    {
        if (first != std::numeric_limits<uint64_t>::max())
            return;
        while (n && !carry.empty()) { /* a value split between two pieces */
            carry.push_back(*p++);
            n--;
            if (carry.size() == value_size) {
                scan(carry.data(), 1);
                carry.clear();
            }
        }
        size_t whole = n / value_size;
        scan(p, whole);
        carry.assign(p + whole * value_size, p + n);
    }
    void scan(const unsigned char *p, size_t count)
    {
        size_t at = count;
        lobedice_first_nonfinite(&at, p, count, value_size, big_endian);
        if (at < count && first == std::numeric_limits<uint64_t>::max())
            first = index + at;
        index += count;
    }
};

/* After ReadImageInformation: every data file of a NIfTI or MetaImage image holds every byte
 * its header announces, and NIfTI floats are finite; NRRD data is teem's to check. */
void check_voxel_data_before_reading(itk::ImageIOBase &io, const char *path)
{
    const std::vector<voxel_data> runs = voxel_layout(io, path);
    nifti_header h;
    const bool floats = std::string(io.GetNameOfClass()) == "NiftiImageIO" &&
                        read_nifti_header(h, path) && (h.datatype == 16 || h.datatype == 64);
    nonfinite_scan scan;
    scan.value_size = floats ? static_cast<size_t>(h.datatype == 16 ? 4 : 8) : 0;
    scan.big_endian = h.big_endian;
    for (const auto &run : runs) {
        const std::string what =
            run.file == path ? std::string("its voxel data") : "its data file '" + run.file + "'";
        check_run(run, what, floats ? byte_sink(std::ref(scan)) : byte_sink());
    }
    if (floats && scan.first != std::numeric_limits<uint64_t>::max()) {
        size_t size[3] = {1, 1, 1};
        for (unsigned a = 0; a < std::min(3u, io.GetNumberOfDimensions()); a++)
            size[a] = io.GetDimensions(a);
        throw io_error{LOBEDICE_ENONINTEGER,
                       "voxel " + index_text(static_cast<size_t>(scan.first), size) +
                           " holds a value that is not a finite number (NaN or an infinity)"};
    }
}

/* ---- Reading ------------------------------------------------------------------------------ */

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
image_holder *read_whole_numbers(itk::ImageIOBase *io, const char *path, unsigned dimension,
                                 size_t threads)
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
    geometry.volume.data = values->GetBufferPointer();
    check_geometry(geometry, read_file_name);
    std::unique_ptr<image_holder> out(new_image(dtype, geometry, false));
    size_t count = 0, bad = 0;
    lobedice_volume_voxels(&count, &out->volume);
    const double *data = values->GetBufferPointer();
    lobedice_status st = lobedice_labels_from_double(lobedice_image_buffer(out.get()), dtype, data,
                                                     count, &bad, threads);
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
        throw io_error{st, status_clause(st)};
    return out.release();
}

/* While it lives, what the process writes to standard error (niftilib's fprintf, MetaIO's
 * std::cerr, ITK's output window) goes to a temporary file instead, so that it can be folded
 * into the one sentence of a failure. Descriptor 2 belongs to the whole process: one capture
 * at a time. */
class stderr_capture
{
  public:
    stderr_capture() : hold_(lock())
    {
        std::fflush(stderr);
        std::cerr.flush();
        file_ = std::tmpfile();
        saved_ = file_ ? dup(2) : -1;
        if (saved_ >= 0 && dup2(fileno(file_), 2) < 0) {
            close(saved_);
            saved_ = -1;
        }
    }
    ~stderr_capture()
    {
        restore();
        if (file_)
            std::fclose(file_);
    }
    stderr_capture(const stderr_capture &) = delete;
    stderr_capture &operator=(const stderr_capture &) = delete;

    /* What was captured, as one line of at most 300 bytes; restores standard error. */
    std::string text()
    {
        restore();
        if (!file_)
            return "";
        char buffer[301];
        std::rewind(file_);
        size_t n = std::fread(buffer, 1, sizeof buffer - 1, file_);
        return one_line(std::string(buffer, n));
    }

  private:
    void restore()
    {
        if (saved_ < 0)
            return;
        std::fflush(stderr);
        std::cerr.flush();
        dup2(saved_, 2);
        close(saved_);
        saved_ = -1;
    }
    static std::mutex &lock()
    {
        static std::mutex m;
        return m;
    }
    std::lock_guard<std::mutex> hold_;
    FILE *file_ = nullptr;
    int saved_ = -1;
};

/* Whether a library's printed text reports an error (niftilib's "** ERROR", MetaIO's "cannot
 * open slice" or "data not read completely"), as opposed to a warning. */
bool reports_error(const std::string &text)
{
    const std::string lower = lowercase(text);
    for (const char *word :
         {"error", "cannot", "can't", "could not", "couldn't", "fail", "not read", "incomplete"})
        if (lower.find(word) != std::string::npos)
            return true;
    return false;
}

/* Before a reader allocates: the data files must be able to hold what a NRRD header announces
 * (stored bytes; at most 8 bytes per character of text; at most 1032 bytes per byte of a gzip
 * stream, zlib's limit), so that a short file with a huge header is refused, not allocated.
 * teem checks the exact count as it reads. */
void check_nrrd_data_can_fit(const std::string &path, const std::vector<std::string> &files,
                             uint64_t need)
{
    const std::string text = header_text(path);
    uint64_t available = 0;
    if (files.empty()) {
        size_t blank = text.find("\n\n");
        uint64_t size = file_size(path);
        available = blank == std::string::npos || blank + 2 > size ? size : size - (blank + 2);
    }
    for (const auto &file : files)
        available += file_size(file);
    std::string encoding = "raw";
    for (const auto &line : header_lines(text))
        if (line.compare(0, 9, "encoding:") == 0)
            encoding = lowercase(trimmed(line.substr(9)));
    const uint64_t factor = encoding == "raw"                          ? 1
                            : (encoding == "gzip" || encoding == "gz") ? 1032
                                                                       : 8;
    if (available < need && (factor == 1 || available < need / factor + 1))
        throw io_error{LOBEDICE_EIO, "its voxel data is cut short: its header announces " +
                                         std::to_string(need) + " bytes, and its data " +
                                         (factor == 1 ? "holds " : "cannot hold them in ") +
                                         std::to_string(available) + " bytes"};
}

/* What a read accepts, for its messages: label maps or (for pictures) any scalar image. */
struct read_kind {
    const char *components; /* "... values per voxel (...), and <this>" */
    const char *dimensions; /* "... voxels, and <this>" */
};
constexpr read_kind label_maps{"LobeDice compares scalar label maps",
                               "LobeDice compares 2-D and 3-D label maps"},
    scalar_images{"LobeDice shows scalar images", "LobeDice shows 2-D and 3-D images"};

/* The file and its header: an existing readable regular file an ITK reader recognises, whose
 * data files are regular files too (before any library opens one). *files: the data files. */
itk::ImageIOBase::Pointer open_header(const char *path, std::vector<std::string> *files)
{
    require_regular_file(path, "");
    if (access(path, R_OK) != 0)
        throw io_error{LOBEDICE_EIO, system_reason(errno)};
    register_io_factories();
    itk::ImageIOBase::Pointer io =
        itk::ImageIOFactory::CreateImageIO(path, itk::ImageIOFactory::IOFileModeEnum::ReadMode);
    if (!io)
        throw io_error{LOBEDICE_EFORMAT, "no ITK reader recognises the file (LobeDice reads "
                                         "NRRD, NIfTI and MetaImage images)"};
    *files = data_files(io->GetNameOfClass(), path);
    for (const auto &file : *files)
        require_regular_file(file, "its data file '" + file + "'");
    io->SetFileName(path);
    io->ReadImageInformation();
    return io;
}

/* The checks of every read after the header, up to the voxels: one value per voxel (or one
 * per layer of a segmentation), 2 or 3 axes (more only when the extra ones have size 1), a size
 * that fits, a sane geometry, complete voxel data. Returns the dimension, 2 or 3. */
unsigned check_scalar_image(itk::ImageIOBase &io, const char *path,
                            const std::vector<std::string> &files, const read_kind &accepts,
                            bool layers = false)
{
    const unsigned components = io.GetNumberOfComponents();
    if (components != 1 && !layers)
        throw io_error{LOBEDICE_EFORMAT,
                       "it holds " + std::to_string(components) +
                           " values per voxel (a vector image, or a segmentation with several "
                           "layers), and " +
                           accepts.components};
    const unsigned ndim = io.GetNumberOfDimensions();
    bool extra_axes = false;
    std::string sizes;
    for (unsigned a = 0; a < ndim; a++) {
        sizes += (a ? " x " : "") + std::to_string(io.GetDimensions(a));
        extra_axes = extra_axes || (a >= 3 && io.GetDimensions(a) > 1);
    }
    if (ndim < 2 || extra_axes)
        throw io_error{LOBEDICE_EFORMAT, "it is a " + std::to_string(ndim) + "-D image of " +
                                             sizes + " voxels, and " + accepts.dimensions};
    /* ITK multiplies sizes unchecked: a header whose voxel count overflows must stop here. */
    size_t bytes = sizeof(double) * std::max(components, 1u);
    for (unsigned a = 0; a < ndim; a++)
        if (__builtin_mul_overflow(bytes, static_cast<size_t>(io.GetDimensions(a)), &bytes))
            throw io_error{LOBEDICE_EOVERFLOW, "its size " + sizes + " does not fit in memory"};
    {
        lobedice_image info{};
        info.volume = {path, LOBEDICE_UINT8, {1, 1, 1}, {1, 1, 1}};
        info.direction[0] = info.direction[4] = info.direction[8] = 1;
        for (unsigned a = 0; a < std::min(ndim, 3u); a++) {
            info.volume.size[a] = io.GetDimensions(a);
            info.volume.spacing[a] = io.GetSpacing(a);
        }
        check_geometry(info, read_file_name); /* sizes and spacing, before anything allocates */
    }
    if (std::string(io.GetNameOfClass()) == "NrrdImageIO")
        check_nrrd_data_can_fit(path, files, io.GetImageSizeInBytes());
    check_voxel_data_before_reading(io, path);
    return ndim == 2 ? 2 : 3;
}

image_holder *read_image_quietly(const char *path, size_t threads)
{
    std::vector<std::string> files;
    itk::ImageIOBase::Pointer io = open_header(path, &files);
    /* Slicer writes segmentations as NRRD only; their segments name the lobes */
    if (std::string(io->GetNameOfClass()) == "NrrdImageIO" &&
        is_segmentation(io->GetMetaDataDictionary())) {
        auto store = segmentation_header(*io);
        check_scalar_image(*io, path, files, label_maps, true);
        return read_segmentation(*io, path, std::move(store), threads);
    }
    const unsigned dimension = check_scalar_image(*io, path, files, label_maps);

    const itk::IOComponentEnum component = io->GetComponentType();
    if (component == itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE)
        throw io_error{LOBEDICE_EFORMAT, "its pixel type " +
                                             itk::ImageIOBase::GetComponentTypeAsString(component) +
                                             " is not a number type"};
    image_holder *out = nullptr;
    if (const lobedice_dtype *kept = dtype_of(component)) {
        with_dtype(*kept, [&](auto tag) {
            auto image = read_as<decltype(tag)>(io, path);
            out = hold(image, *kept, dimension, image->GetBufferPointer());
        });
    } else {
        out = read_whole_numbers(io, path, dimension, threads); /* 64-bit ints, floats */
    }
    std::unique_ptr<image_holder> owned(out);
    check_geometry(*owned, read_file_name);
    return owned.release();
}

/* A real-valued image for pictures; the ITK image in `owner` owns the voxels. */
struct real_holder : lobedice_real_image {
    itk::DataObject::Pointer owner;
};

real_holder *read_real_image_quietly(const char *path)
{
    std::vector<std::string> files;
    itk::ImageIOBase::Pointer io = open_header(path, &files);
    const unsigned dimension = check_scalar_image(*io, path, files, scalar_images);
    auto image = read_as<float>(io, path);
    auto out = std::make_unique<real_holder>();
    out->owner = image;
    out->data = image->GetBufferPointer();
    out->dimension = dimension;
    lobedice_image geometry{};
    take_geometry(geometry, *image);
    geometry.volume.data = out->data;
    geometry.volume.dtype = LOBEDICE_UINT8; /* any: only the geometry is checked */
    check_geometry(geometry, read_file_name);
    for (int a = 0; a < 3; a++) {
        out->size[a] = geometry.volume.size[a];
        out->spacing[a] = geometry.volume.spacing[a];
        out->origin[a] = geometry.origin[a];
    }
    std::memcpy(out->direction, geometry.direction, sizeof out->direction);
    return out.release();
}

/* A read with what the libraries print captured: folded into the reason of a failure, and a
 * failure itself when it reports an error on a read that seemed to succeed. */
template <typename Read> auto read_captured(Read read)
{
    stderr_capture capture;
    std::unique_ptr<std::remove_pointer_t<decltype(read())>> out;
    try {
        out.reset(read());
    } catch (const itk::ExceptionObject &e) {
        const std::string said = capture.text();
        if (said.empty())
            throw;
        /* ITK's generic "File cannot be read ... Reason: <errno text>" says less than the library
         */
        std::string reason = itk_reason(e);
        if (reason.compare(0, 19, "File cannot be read") == 0)
            reason = "its header cannot be read";
        throw io_error{LOBEDICE_EIO, reason + "; the image library printed '" + said + "'"};
    }
    const std::string said = capture.text();
    if (reports_error(said))
        throw io_error{LOBEDICE_EIO,
                       "the image library reported a problem while reading it: '" + said + "'"};
    return out.release();
}

image_holder *read_image(const char *path, size_t threads)
{
    return read_captured([&] { return read_image_quietly(path, threads); });
}

real_holder *read_real_image(const char *path)
{
    return read_captured([&] { return read_real_image_quietly(path); });
}

/* ---- Writing ------------------------------------------------------------------------------ */

/* The file extension that picks the writer, or "" when it is not one we write. */
std::string write_extension(const std::string &path)
{
    const std::string lower = lowercase(path);
    for (const char *ext : {".nii.gz", ".nrrd", ".nii", ".mha"}) {
        size_t n = std::strlen(ext);
        if (lower.size() > n && lower.compare(lower.size() - n, n, ext) == 0)
            return path.substr(path.size() - n);
    }
    return "";
}

/* The written file must hold the whole header and every voxel: on a full disk or over a file
 * size limit, NIfTI and MetaImage writers only print, and teem may fail mid-way. The file is
 * read back as a reader would see it (header by ITK, data runs by check_run). */
void check_written(const std::string &name, uint64_t voxel_bytes)
{
    const io_error short_file{LOBEDICE_EIO, "the file system took only " +
                                                std::to_string(file_size(name)) +
                                                " bytes of it (disk full or file size limit)"};
    std::vector<voxel_data> runs;
    try {
        itk::ImageIOBase::Pointer io = itk::ImageIOFactory::CreateImageIO(
            name.c_str(), itk::ImageIOFactory::IOFileModeEnum::ReadMode);
        if (!io)
            throw short_file;
        io->SetFileName(name);
        io->ReadImageInformation();
        if (std::string(io->GetNameOfClass()) == "NrrdImageIO") {
            /* as written here: attached data after the first blank line */
            const std::string text = header_text(name);
            const size_t blank = text.find("\n\n");
            if (blank == std::string::npos)
                throw short_file;
            const bool gzip = text.substr(0, blank).find("\nencoding: gz") != std::string::npos;
            runs.push_back(gzip ? voxel_data{name, 0, voxel_bytes, true, blank + 2}
                                : voxel_data{name, blank + 2, voxel_bytes, false, 0});
        } else {
            runs = voxel_layout(*io, name);
        }
        for (const auto &run : runs)
            check_run(run, "its data", byte_sink());
    } catch (const itk::ExceptionObject &) {
        throw short_file;
    } catch (const io_error &) {
        throw short_file;
    }
}

/* What every written image must be: valid geometry, 2-D or 3-D, a name that picks a format. */
std::string check_writable(const lobedice_image &image, const std::string &path)
{
    check_geometry(image, written_image);
    if (image.dimension != 2 && image.dimension != 3)
        throw io_error{LOBEDICE_EINVAL, "the image's dimension is " +
                                            std::to_string(image.dimension) + ", not 2 or 3"};
    if (image.dimension == 2 && image.volume.size[2] != 1)
        throw io_error{LOBEDICE_EINVAL, "the image is 2-D but has " +
                                            std::to_string(image.volume.size[2]) +
                                            " slices along z, not 1"};
    const std::string ext = write_extension(path);
    if (ext.empty())
        throw io_error{LOBEDICE_EFORMAT,
                       "the name must end in .nrrd, .nii, .nii.gz or .mha to pick the format"};
    return ext;
}

/* Writes the image into `temp`, a staged file whose name ends in the target's extension (so
 * that ITK picks the same writer), with a Slicer segmentation's keys when segments is not NULL,
 * and checks that the file holds all of it. */
void write_image_to(const lobedice_image &image, const std::string &temp, const std::string &ext,
                    bool compress, const segment_list *segments)
{
    stderr_capture capture; /* the writers print on failure; the sentence says it */
    register_io_factories();
    itk::ImageIOBase::Pointer io = itk::ImageIOFactory::CreateImageIO(
        temp.c_str(), itk::ImageIOFactory::IOFileModeEnum::WriteMode);
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
    io->SetPixelType(itk::IOPixelEnum::SCALAR);
    io->SetComponentType(component_of(image.volume.dtype));
    io->SetNumberOfComponents(1);
    io->SetUseCompression(compress);
    io->SetFileName(temp);
    io->SetIORegion(region);
    if (segments)
        set_segment_keys(*io, image, segments, ext);
    size_t voxels = 0;
    lobedice_volume_voxels(&voxels, &image.volume);
    const uint64_t voxel_bytes = voxels * lobedice_dtype_size(image.volume.dtype);
    try {
        io->Write(image.volume.data);
    } catch (const itk::ExceptionObject &e) {
        check_written(temp, voxel_bytes); /* a short file explains it best */
        const std::string said = capture.text();
        throw io_error{LOBEDICE_EIO,
                       itk_reason(e) +
                           (said.empty() ? "" : "; the image library printed '" + said + "'")};
    }
    check_written(temp, voxel_bytes);
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
    return io_error{LOBEDICE_EGEOMETRY, "the prediction spans " + box_text(moving) +
                                            " and the reference spans " + box_text(reference) +
                                            ", so they do not overlap in physical space"};
}

/* Nearest-neighbour resampling of moving onto reference's grid with ITK. Values are only
 * copied, so a signed dtype is resampled as the unsigned type of the same width: every bit
 * pattern survives, and three instantiations cover the six dtypes. */
template <typename U>
image_holder *resample_as(const lobedice_image &moving, const lobedice_image &reference,
                          size_t threads)
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
    if (threads) { /* 0: ITK's default, every core */
        resample->GetMultiThreader()->SetMaximumNumberOfThreads(
            static_cast<itk::ThreadIdType>(std::min<size_t>(threads, ITK_MAX_THREADS)));
        resample->SetNumberOfWorkUnits(
            static_cast<itk::ThreadIdType>(std::min<size_t>(threads, ITK_MAX_THREADS)));
    }
    resample->Update();
    typename ImageType::Pointer out = resample->GetOutput();
    out->DisconnectPipeline();
    return hold(out, moving.volume.dtype, reference.dimension, out->GetBufferPointer());
}

/* The new image on the reference grid, or NULL when moving is already on it (IDENTICAL). */
image_holder *align(const lobedice_image &moving, const lobedice_image &reference,
                    lobedice_alignment &how, size_t threads)
{
    check_geometry(moving, prediction);
    check_geometry(reference, reference_name);
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
                                      reference.volume.size, &moving.volume, shift, threads);
            if (st != LOBEDICE_OK)
                throw io_error{st, "the prediction cannot be placed on the reference grid: " +
                                       status_clause(st)};
            how = LOBEDICE_ALIGN_PLACED;
            return out.release();
        }
    }
    image_holder *out = nullptr;
    with_dtype(moving.volume.dtype, [&](auto tag) {
        out = resample_as<std::make_unsigned_t<decltype(tag)>>(moving, reference, threads);
    });
    how = LOBEDICE_ALIGN_RESAMPLED;
    return out;
}

/* The reference's grid, exactly: an aligned image carries the reference's spacing, origin,
 * direction and dimension, so that ITK's own same-space check (1e-6 * spacing) accepts the
 * pair even where align tolerated a float32-rounded header. */
void take_reference_grid(lobedice_image &image, const lobedice_image &reference)
{
    std::memcpy(image.volume.spacing, reference.volume.spacing, sizeof image.volume.spacing);
    std::memcpy(image.origin, reference.origin, sizeof image.origin);
    std::memcpy(image.direction, reference.direction, sizeof image.direction);
    image.dimension = reference.dimension;
}

/* ---- Slicer segmentations -----------------------------------------------------------------
 * vtkMRMLSegmentationStorageNode (Slicer, Libs/MRML/Core) writes a NRRD whose header carries
 * "Segmentation_*" keys and, per segment i, "Segment<i>_ID", "_Name", "_Color", "_Tags",
 * "_LabelValue", "_Layer", "_Extent"; several layers are a list axis before the three spatial
 * ones (read by ITK as that many components). Segments are keyed by (layer, label value). Read,
 * the segments standing for lobes (the core decides which) are flattened by the core into one
 * lobe map. */

std::string segment_key(size_t index, const char *field)
{
    return "Segment" + std::to_string(index) + "_" + field;
}

bool has_key(const itk::MetaDataDictionary &keys, const std::string &key, std::string *value)
{
    std::string v;
    if (!itk::ExposeMetaData<std::string>(keys, key, v))
        return false;
    if (value)
        *value = v;
    return true;
}

/* Slicer's reader loops while Segment<i>_ID exists; a segmentation without segments still has
 * its Segmentation_* keys. */
bool is_segmentation(const itk::MetaDataDictionary &keys)
{
    if (has_key(keys, segment_key(0, "ID"), nullptr))
        return true;
    for (const std::string &key : keys.GetKeys())
        if (key.compare(0, 13, "Segmentation_") == 0)
            return true;
    return false;
}

/* A whole number in a header value, or an error naming the key. */
int64_t key_integer(const std::string &key, const std::string &value)
{
    std::istringstream in(value);
    long long v = 0;
    std::string rest;
    if (!(in >> v) || (in >> rest))
        throw io_error{LOBEDICE_EFORMAT, "its header key " + key + " holds '" + one_line(value) +
                                             "', which is not a whole number"};
    return static_cast<int64_t>(v);
}

std::string lobe_name(int64_t lobe)
{
    char name[32];
    lobedice_label_name(name, sizeof name, lobe);
    return name;
}

/* "'right upper lobe' (layer 0, value 3)" */
std::string segment_text(const lobedice_segment &s)
{
    return "'" + std::string(s.name) + "' (layer " + std::to_string(s.layer) + ", value " +
           std::to_string(s.label_value) + ")";
}

/* The segments of the header, with the defaults Slicer's reader uses for missing keys: label
 * value 1, layer = the segment's index, name = its ID. */
std::shared_ptr<segmentation_store> segment_keys(const itk::MetaDataDictionary &keys,
                                                 size_t nlayers)
{
    auto store = std::make_shared<segmentation_store>();
    size_t n = 0;
    while (has_key(keys, segment_key(n, "ID"), nullptr))
        n++;
    store->ids.resize(n);
    store->names.resize(n);
    store->tags.resize(n);
    store->segments.resize(n);
    for (size_t i = 0; i < n; i++) {
        lobedice_segment &s = store->segments[i];
        std::string value;
        has_key(keys, segment_key(i, "ID"), &store->ids[i]);
        if (!has_key(keys, segment_key(i, "Name"), &store->names[i]))
            store->names[i] = store->ids[i];
        has_key(keys, segment_key(i, "Tags"), &store->tags[i]);
        s.label_value = has_key(keys, segment_key(i, "LabelValue"), &value)
                            ? key_integer(segment_key(i, "LabelValue"), value)
                            : 1;
        const int64_t layer = has_key(keys, segment_key(i, "Layer"), &value)
                                  ? key_integer(segment_key(i, "Layer"), value)
                                  : static_cast<int64_t>(i);
        if (layer < 0 || static_cast<uint64_t>(layer) >= nlayers)
            throw io_error{LOBEDICE_EFORMAT,
                           "its segment " + std::to_string(i) + " ('" + store->names[i] +
                               "') is in layer " + std::to_string(layer) + ", but the file has " +
                               std::to_string(nlayers) + (nlayers == 1 ? " layer" : " layers")};
        s.layer = static_cast<size_t>(layer);
        s.color[0] = s.color[1] = s.color[2] = -1;
        if (has_key(keys, segment_key(i, "Color"), &value)) {
            std::istringstream in(value);
            if (!(in >> s.color[0] >> s.color[1] >> s.color[2]))
                throw io_error{LOBEDICE_EFORMAT, "its header key " + segment_key(i, "Color") +
                                                     " holds '" + one_line(value) +
                                                     "', which is not three numbers"};
        }
        for (size_t j = 0; j < i; j++)
            if (store->segments[j].layer == s.layer &&
                store->segments[j].label_value == s.label_value)
                throw io_error{LOBEDICE_EFORMAT, "its segments " + std::to_string(j) + " and " +
                                                     std::to_string(i) + " both have value " +
                                                     std::to_string(s.label_value) + " in layer " +
                                                     std::to_string(s.layer)};
    }
    for (size_t i = 0; i < n; i++) {
        store->segments[i].id = store->ids[i].c_str();
        store->segments[i].name = store->names[i].c_str();
        store->segments[i].tags = store->tags[i].c_str();
    }
    std::string offset;
    if (has_key(keys, "Segmentation_ReferenceImageExtentOffset", &offset)) {
        std::istringstream in(offset);
        long long o[3];
        if (!(in >> o[0] >> o[1] >> o[2]))
            throw io_error{LOBEDICE_EFORMAT,
                           "its header key Segmentation_ReferenceImageExtentOffset holds '" +
                               one_line(offset) + "', which is not three whole numbers"};
        for (int a = 0; a < 3; a++)
            store->info.extent_offset[a] = o[a];
    }
    store->info.nlayers = nlayers;
    return store;
}

/* The layers of the file (one value per layer and voxel, layer fastest) as an ITK image that
 * owns them, and their geometry. */
template <typename T>
itk::ImageBase<3>::Pointer read_layers(itk::ImageIOBase &io, const char *path, size_t nlayers,
                                       const void **buffer)
{
    if (nlayers == 1) {
        auto image = read_as<T>(&io, path);
        *buffer = image->GetBufferPointer();
        return image.GetPointer();
    }
    using VectorType = itk::VectorImage<T, 3>;
    auto reader = itk::ImageFileReader<VectorType>::New();
    reader->SetImageIO(&io);
    reader->SetFileName(path);
    reader->Update();
    typename VectorType::Pointer image = reader->GetOutput();
    image->DisconnectPipeline();
    *buffer = image->GetBufferPointer();
    return image.GetPointer();
}

/* The header of a Slicer segmentation: its axes and value type, and its segments, each matched
 * to its lobe (terminology, then name); a file none of whose segments is a lobe is refused here,
 * before any voxel is read. */
std::shared_ptr<segmentation_store> segmentation_header(itk::ImageIOBase &io)
{
    const unsigned ndim = io.GetNumberOfDimensions();
    if (ndim < 2 || ndim > 3)
        throw io_error{LOBEDICE_EFORMAT,
                       "it is a Slicer segmentation of " + std::to_string(ndim) +
                           " spatial axes, and LobeDice reads 2-D and 3-D segmentations (a "
                           "legacy 4-D segmentation must be saved again by a recent Slicer)"};
    if (!dtype_of(io.GetComponentType()))
        throw io_error{LOBEDICE_EFORMAT,
                       "it is a Slicer segmentation whose values are " +
                           itk::ImageIOBase::GetComponentTypeAsString(io.GetComponentType()) +
                           ", not 8-, 16- or 32-bit integers"};
    auto store = segment_keys(io.GetMetaDataDictionary(), io.GetNumberOfComponents());
    size_t nlobes = 0;
    for (lobedice_segment &s : store->segments) {
        lobedice_segment_lobe(&s.lobe, &s.matched_by, s.name, s.tags);
        nlobes += s.lobe != 0;
    }
    if (nlobes == 0 && !store->segments.empty()) {
        std::string names;
        for (size_t i = 0; i < store->segments.size() && i < 8; i++)
            names += (i ? ", '" : "'") + store->names[i] + "'";
        if (store->segments.size() > 8)
            names += ", ...";
        throw io_error{LOBEDICE_ECONVENTION,
                       "it is a Slicer segmentation, but none of its " +
                           std::to_string(store->segments.size()) + " segments (" + names +
                           ") is a lung lobe by its terminology or its name (docs/conventions.md "
                           "lists both)"};
    }
    return store;
}

/* The voxels of a segmentation whose header segmentation_header and check_scalar_image
 * accepted: its layers read, then flattened into one lobe map by the core. */
image_holder *read_segmentation(itk::ImageIOBase &io, const char *path,
                                std::shared_ptr<segmentation_store> store, size_t threads)
{
    const lobedice_dtype dtype = *dtype_of(io.GetComponentType());
    const size_t nlayers = io.GetNumberOfComponents();
    const void *buffer = nullptr;
    itk::ImageBase<3>::Pointer layers;
    with_dtype(dtype,
               [&](auto tag) { layers = read_layers<decltype(tag)>(io, path, nlayers, &buffer); });
    lobedice_image geometry{};
    take_geometry(geometry, *layers);
    geometry.dimension = io.GetNumberOfDimensions() == 2 ? 2 : 3;

    std::vector<lobedice_segment_label> labels;
    for (const lobedice_segment &s : store->segments)
        labels.push_back({s.layer, s.label_value, s.lobe});
    std::unique_ptr<image_holder> out(new_image(LOBEDICE_UINT8, geometry, false));
    check_geometry(*out, read_file_name);
    lobedice_volume layer_volume = geometry.volume;
    layer_volume.data = buffer;
    layer_volume.dtype = dtype;
    std::vector<uint64_t> voxels(store->segments.size());
    lobedice_segment_overlap overlap{};
    lobedice_status st = lobedice_segments_flatten(lobedice_image_buffer(out.get()), LOBEDICE_UINT8,
                                                   voxels.data(), &overlap, &layer_volume, nlayers,
                                                   labels.data(), labels.size(), threads);
    if (st == LOBEDICE_EOVERLAP) {
        const lobedice_segment &a = store->segments[overlap.first];
        const lobedice_segment &b = store->segments[overlap.second];
        throw io_error{st, "its segments " + segment_text(a) + " and " + segment_text(b) +
                               " are different lobes (" + lobe_name(a.lobe) + " and " +
                               lobe_name(b.lobe) + ") but share " + std::to_string(overlap.voxels) +
                               " voxels, and a lobe map holds one lobe per voxel"};
    }
    if (st != LOBEDICE_OK)
        throw io_error{st, "its segments cannot be flattened: " + status_clause(st)};
    for (size_t i = 0; i < store->segments.size(); i++)
        store->segments[i].voxels = voxels[i];
    store->info.nsegments = store->segments.size();
    store->info.segments = store->segments.data();
    out->segmentation = store;
    return out.release();
}

/* Formats a number as Slicer's header does ("0.501961"). */
std::string color_text(const double color[3])
{
    std::ostringstream out;
    out << color[0] << " " << color[1] << " " << color[2];
    return out.str();
}

/* The keys Slicer's segmentation reader needs, for a one-layer image of segments. */
void set_segment_keys(itk::ImageIOBase &io, const lobedice_image &image, const segment_list *list,
                      const std::string &ext)
{
    if (lowercase(ext) != ".nrrd")
        throw io_error{LOBEDICE_EFORMAT,
                       "a segmentation is written as NRRD: the name must end in .nrrd"};
    itk::MetaDataDictionary &keys = io.GetMetaDataDictionary();
    const size_t *n = image.volume.size;
    const std::string extent = "0 " + std::to_string(n[0] - 1) + " 0 " + std::to_string(n[1] - 1) +
                               " 0 " + std::to_string(n[2] - 1);
    itk::EncapsulateMetaData<std::string>(keys, "Segmentation_MasterRepresentation",
                                          "Binary labelmap");
    itk::EncapsulateMetaData<std::string>(keys, "Segmentation_ContainedRepresentationNames",
                                          "Binary labelmap|");
    itk::EncapsulateMetaData<std::string>(keys, "Segmentation_ReferenceImageExtentOffset", "0 0 0");
    for (size_t i = 0; i < list->count; i++) {
        const lobedice_segment &s = list->segments[i];
        for (double c : s.color)
            if (!(c >= 0 && c <= 1))
                throw io_error{LOBEDICE_EINVAL, "segment " + std::to_string(i) +
                                                    " has a colour component " + format_value(c) +
                                                    ", not from 0 to 1"};
        if (s.layer != 0)
            throw io_error{LOBEDICE_EINVAL, "segment " + std::to_string(i) + " is in layer " +
                                                std::to_string(s.layer) +
                                                ", and only one layer is written"};
        for (const char *text : {s.id, s.name, s.tags})
            if (text && std::strpbrk(text, "\n\r"))
                throw io_error{LOBEDICE_EINVAL, "segment " + std::to_string(i) +
                                                    " has a line break in its ID, name or tags"};
        const std::string id = s.id && *s.id ? s.id : "Segment_" + std::to_string(i + 1);
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "ID"), id);
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "Name"), s.name ? s.name : id);
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "Color"), color_text(s.color));
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "ColorAutoGenerated"), "0");
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "NameAutoGenerated"), "0");
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "LabelValue"),
                                              std::to_string(s.label_value));
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "Layer"), "0");
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "Extent"), extent);
        itk::EncapsulateMetaData<std::string>(keys, segment_key(i, "Tags"), s.tags ? s.tags : "");
    }
}

} // namespace

extern "C" {

lobedice_status lobedice_image_read(lobedice_image **image, const char *path, size_t threads,
                                    char *message, size_t message_size) noexcept
{
    if (image)
        *image = nullptr;
    if (!image || !path) {
        write_text(message, message_size, "lobedice_image_read needs an image and a path.");
        return LOBEDICE_EINVAL;
    }
    return io_call(message, message_size, "Cannot read", path,
                   [&] { *image = read_image(path, threads); });
}

lobedice_status lobedice_real_image_read(lobedice_real_image **image, const char *path,
                                         char *message, size_t message_size) noexcept
{
    if (!image || !path) {
        write_text(message, message_size, "lobedice_real_image_read needs an image and a path.");
        return LOBEDICE_EINVAL;
    }
    *image = nullptr;
    return io_call(message, message_size, "Cannot read", path,
                   [&] { *image = read_real_image(path); });
}

void lobedice_real_image_free(lobedice_real_image *image) noexcept
{
    delete static_cast<real_holder *>(image);
}

lobedice_status lobedice_image_new(lobedice_image **image, lobedice_dtype dtype,
                                   const size_t size[3], const double spacing[3],
                                   const double origin[3], const double direction[9]) noexcept
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
    return io_call(nullptr, 0, "", nullptr, [&] {
        check_geometry(geometry, new_image_name);
        *image = new_image(dtype, geometry, true);
    });
}

lobedice_status lobedice_grid_affine(const double origin[3], const double direction[9],
                                     const double spacing[3], double index_to_lps[12],
                                     double lps_to_index[12]) noexcept
{
    if (!origin || !direction || !spacing)
        return LOBEDICE_EINVAL;
    for (int r = 0; r < 3; r++)
        if (!std::isfinite(origin[r]) || !std::isfinite(spacing[r]) || !(spacing[r] > 0))
            return LOBEDICE_EINVAL;
    for (int i = 0; i < 9; i++)
        if (!std::isfinite(direction[i]))
            return LOBEDICE_EINVAL;
    /* (D S)^-1 = S^-1 D^-1: the direction alone decides invertibility, whatever the spacing. */
    double inv[9];
    if (!invert3(inv, direction))
        return LOBEDICE_EINVAL;
    for (int r = 0; r < 3; r++) {
        double back = 0;
        for (int c = 0; c < 3; c++) {
            if (index_to_lps)
                index_to_lps[4 * r + c] = direction[3 * r + c] * spacing[c];
            if (lps_to_index)
                lps_to_index[4 * r + c] = inv[3 * r + c] / spacing[r];
            back -= inv[3 * r + c] / spacing[r] * origin[c];
        }
        if (index_to_lps)
            index_to_lps[4 * r + 3] = origin[r];
        if (lps_to_index)
            lps_to_index[4 * r + 3] = back;
    }
    return LOBEDICE_OK;
}

void *lobedice_image_buffer(lobedice_image *image) noexcept
{
    return image ? const_cast<void *>(image->volume.data) : nullptr;
}

void lobedice_image_free(lobedice_image *image) noexcept
{
    delete static_cast<image_holder *>(image);
}

} // extern "C"

namespace
{

/* The one way an image reaches a file: checked, staged in `set`, written, read back. */
lobedice_status write_staged(const lobedice_image &image, const segment_list *segments,
                             lobedice_outputs *set, const char *target, int compress, char *message,
                             size_t message_size)
{
    std::string ext;
    lobedice_status st = io_call(message, message_size, "Cannot write", target,
                                 [&] { ext = check_writable(image, target); });
    const char *temp = nullptr;
    if (st == LOBEDICE_OK)
        st = lobedice_outputs_stage(set, target, &temp, message, message_size);
    if (st == LOBEDICE_OK)
        st = io_call(message, message_size, "Cannot write", target,
                     [&] { write_image_to(image, temp, ext, compress != 0, segments); });
    if (st != LOBEDICE_OK) /* all or nothing: a set missing an output must not be committed */
        lobedice_outputs_abandon(set);
    return st;
}

/* write_staged and commit in a set of one. */
lobedice_status write_now(const lobedice_image &image, const segment_list *segments,
                          const char *path, int compress, char *message, size_t message_size)
{
    lobedice_outputs *set = nullptr;
    lobedice_status st = lobedice_outputs_new(&set);
    if (st != LOBEDICE_OK) {
        write_message(message, message_size, "Cannot write", path, "not enough memory");
        return st;
    }
    st = write_staged(image, segments, set, path, compress, message, message_size);
    if (st == LOBEDICE_OK)
        st = lobedice_outputs_commit(set, message, message_size);
    lobedice_outputs_free(set);
    return st;
}

} // namespace

extern "C" {

lobedice_status lobedice_image_write_staged(const lobedice_image *image, lobedice_outputs *set,
                                            const char *target, int compress, char *message,
                                            size_t message_size) noexcept
{
    if (!image || !set || !target || !*target) {
        write_text(message, message_size,
                   "lobedice_image_write_staged needs an image, a set and a path.");
        return LOBEDICE_EINVAL;
    }
    return write_staged(*image, nullptr, set, target, compress, message, message_size);
}

lobedice_status lobedice_image_write(const lobedice_image *image, const char *path, int compress,
                                     char *message, size_t message_size) noexcept
{
    if (!image || !path || !*path) {
        write_text(message, message_size, "lobedice_image_write needs an image and a path.");
        return LOBEDICE_EINVAL;
    }
    return write_now(*image, nullptr, path, compress, message, message_size);
}

lobedice_status lobedice_image_align(lobedice_image **moving, lobedice_alignment *how,
                                     const lobedice_image *reference, size_t threads, char *message,
                                     size_t message_size) noexcept
{
    if (!moving || !*moving || !how || !reference) {
        write_text(message, message_size,
                   "lobedice_image_align needs the prediction (*moving), the reference and how.");
        return LOBEDICE_EINVAL;
    }
    return io_call(message, message_size, "Cannot align the images", nullptr, [&] {
        lobedice_alignment result = LOBEDICE_ALIGN_IDENTICAL;
        image_holder *aligned = align(**moving, *reference, result, threads);
        if (aligned) {
            aligned->segmentation = static_cast<image_holder *>(*moving)->segmentation;
            lobedice_image_free(*moving);
            *moving = aligned;
        }
        take_reference_grid(**moving, *reference);
        *how = result;
    });
}

const lobedice_segmentation *lobedice_image_segmentation(const lobedice_image *image) noexcept
{
    const image_holder *holder = static_cast<const image_holder *>(image);
    return holder && holder->segmentation ? &holder->segmentation->info : nullptr;
}

lobedice_status lobedice_image_write_segmentation(const lobedice_image *image,
                                                  const lobedice_segment *segments,
                                                  size_t nsegments, const char *path, int compress,
                                                  char *message, size_t message_size) noexcept
{
    if (!image || !path || !*path || (nsegments && !segments)) {
        write_text(message, message_size,
                   "lobedice_image_write_segmentation needs an image, its segments and a path.");
        return LOBEDICE_EINVAL;
    }
    const segment_list list{segments, nsegments};
    return write_now(*image, &list, path, compress, message, message_size);
}

lobedice_status lobedice_image_write_segmentation_staged(const lobedice_image *image,
                                                         const lobedice_segment *segments,
                                                         size_t nsegments, lobedice_outputs *set,
                                                         const char *target, int compress,
                                                         char *message,
                                                         size_t message_size) noexcept
{
    if (!image || !set || !target || !*target || (nsegments && !segments)) {
        write_text(message, message_size,
                   "lobedice_image_write_segmentation_staged needs an image, its segments, a set "
                   "and a path.");
        return LOBEDICE_EINVAL;
    }
    const segment_list list{segments, nsegments};
    return write_staged(*image, &list, set, target, compress, message, message_size);
}

} // extern "C"
