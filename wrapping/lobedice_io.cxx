/* The C I/O API over ITK (lobedice_io.h). C++ inside, C outside: every exception stops at the
 * C boundary (io_call) and becomes a status plus one sentence in the caller's buffer.
 * Per-voxel work (conversion, placement) is done by the core; ITK reads, writes and
 * resamples. ITK's NIfTI and MetaImage code only prints when a file is shorter than its header
 * says (on read and on write), so the voxel data of those files is checked here. */
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
#include <limits>
#include <memory>
#include <new>
#include <random>
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
struct image_holder : lobedice_image {
    itk::DataObject::Pointer owner;
};

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
        if (end != std::string::npos)
            text = text.substr(end + 3);
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
    case LOBEDICE_ESPACING:
        throw io_error{st, owner + " spacing " + triple_text(v.spacing) +
                               " mm is not finite and positive"};
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
 * Where a file keeps its voxel data and whether all of it is there. NRRD reads need none of
 * this (teem refuses a short file itself), NIfTI and MetaImage reads and every write do. */

/* A file opened for reading, closed at the end of the scope. */
struct input_file {
    int fd;
    explicit input_file(const std::string &name) : fd(open(name.c_str(), O_RDONLY | O_CLOEXEC))
    {
        if (fd < 0)
            throw io_error{LOBEDICE_EIO, system_reason(errno)};
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

struct inflated {
    uint64_t bytes = 0;    /* bytes that came out */
    bool complete = false; /* the stream (every gzip member) ended, its checksum verified */
    bool damaged = false;  /* zlib refused the data (not merely cut short) */
};

/* Inflates the zlib or gzip stream that starts at byte `start` of `file`, to its end (gzip
 * members may follow one another, as gzip and zlib's gzread allow), or until `limit` bytes came
 * out. The first head->size() bytes that come out are copied to *head (head may be NULL). */
inflated inflate_file(const std::string &file, uint64_t start, uint64_t limit,
                      std::vector<unsigned char> *head)
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
        if (head && result.bytes < head->size())
            std::memcpy(head->data() + result.bytes, output.data(),
                        std::min<uint64_t>(out, head->size() - result.bytes));
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

bool is_gzip(const input_file &in)
{
    unsigned char magic[2];
    return in.read_at(magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

/* Where a file keeps its voxel data: `need` bytes from byte `start` of `file`, stored as they
 * are, or inflating to at least `need` bytes from a zlib/gzip stream starting there. */
struct voxel_data {
    std::string file;
    uint64_t start = 0;
    uint64_t need = 0;
    bool compressed = false;
};

/* need = a * b * c... with overflow checks; false when it does not fit. */
bool multiply(uint64_t &product, uint64_t factor)
{
    return !__builtin_mul_overflow(product, factor, &product);
}

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

/* A single-file NIfTI-1 or NIfTI-2 image (.nii, or .nii.gz when the file is gzip): its header
 * holds vox_offset, the datatype and the dimensions. niftilib reads nvox * nbyper bytes from
 * max(vox_offset, header size). False when the file is not a single-file NIfTI image whose
 * header can be read (a .hdr/.img pair, an ANALYZE file, a header cut short). */
bool nifti_voxel_data(voxel_data &out, const std::string &path)
{
    std::vector<unsigned char> h(540);
    bool gzip = false;
    size_t got = 0;
    {
        input_file in(path);
        gzip = is_gzip(in);
        got = gzip ? 0 : in.read_at(h.data(), h.size(), 0);
    }
    if (gzip)
        got = static_cast<size_t>(
            std::min<uint64_t>(inflate_file(path, 0, h.size(), &h).bytes, h.size()));
    if (got < 348)
        return false;
    /* The file is in its writer's byte order: sizeof_hdr tells which. */
    bool big = false;
    auto load = [&](size_t at, size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v |= static_cast<uint64_t>(h[at + (big ? n - 1 - i : i)]) << (8 * i);
        return v;
    };
    auto i16 = [&](size_t at) { return static_cast<int16_t>(load(at, 2)); };
    uint32_t sizeof_hdr = static_cast<uint32_t>(load(0, 4));
    if (sizeof_hdr != 348 && sizeof_hdr != 540) {
        big = true;
        sizeof_hdr = static_cast<uint32_t>(load(0, 4));
    }
    uint64_t nvox = 1, offset = 0;
    int datatype = 0;
    if (sizeof_hdr == 348) {
        if (std::memcmp(&h[344], "n+1", 4) != 0)
            return false;
        datatype = i16(70);
        int dims = i16(40);
        if (dims < 1 || dims > 7)
            return false;
        for (int i = 1; i <= dims; i++)
            if (!multiply(nvox, static_cast<uint64_t>(std::max<int16_t>(i16(40 + 2 * i), 1))))
                return false;
        uint32_t bits = static_cast<uint32_t>(load(108, 4));
        float vox_offset;
        std::memcpy(&vox_offset, &bits, 4);
        offset = vox_offset > 348 && vox_offset < 1e18f ? static_cast<uint64_t>(vox_offset) : 348;
    } else if (sizeof_hdr == 540 && got >= 540) {
        if (std::memcmp(&h[4], "n+2", 4) != 0)
            return false;
        datatype = i16(12);
        int64_t dims = static_cast<int64_t>(load(16, 8));
        if (dims < 1 || dims > 7)
            return false;
        for (int i = 1; i <= dims; i++)
            if (!multiply(nvox, static_cast<uint64_t>(std::max<int64_t>(
                                    static_cast<int64_t>(load(16 + 8 * i, 8)), 1))))
                return false;
        int64_t vox_offset = static_cast<int64_t>(load(168, 8));
        offset = vox_offset > 540 ? static_cast<uint64_t>(vox_offset) : 540;
    } else {
        return false;
    }
    uint64_t need = nifti_bytes_per_voxel(datatype);
    if (need == 0 || !multiply(need, nvox) || __builtin_add_overflow(need, offset, &need))
        return false;
    out.file = path;
    out.start = 0; /* vox_offset counts in the inflated stream of a .nii.gz */
    out.need = need;
    out.compressed = gzip;
    return true;
}

/* The text of a header: the first bytes of a file, up to 64 KiB. */
std::string header_text(const std::string &path)
{
    std::string text(1 << 16, '\0');
    input_file in(path);
    text.resize(in.read_at(reinterpret_cast<unsigned char *>(&text[0]), text.size(), 0));
    return text;
}

std::string trimmed(const std::string &s)
{
    size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/* A MetaImage file (.mha, or .mhd with its data file): "Key = value" lines, the last one
 * ElementDataFile; LOCAL data starts right after that line, as MetaIO reads it. False for
 * layouts not checked here (a list or pattern of data files, a HeaderSize that skips bytes of
 * LOCAL data or counts from the end). voxel_bytes: what the header announces. */
bool meta_voxel_data(voxel_data &out, const std::string &path, uint64_t voxel_bytes)
{
    const std::string text = header_text(path);
    bool compressed = false;
    long long header_size = 0;
    for (size_t line = 0; line < text.size();) {
        size_t end = text.find('\n', line);
        if (end == std::string::npos)
            return false; /* no ElementDataFile line in the first 64 KiB */
        size_t equals = text.find_first_of("=:", line);
        if (equals < end) {
            const std::string key = trimmed(text.substr(line, equals - line));
            const std::string value = trimmed(text.substr(equals + 1, end - equals - 1));
            if (key == "CompressedData")
                compressed =
                    !value.empty() && (value[0] == 'T' || value[0] == 't' || value[0] == '1');
            else if (key == "HeaderSize")
                header_size = std::atoll(value.c_str());
            else if (key == "ElementDataFile") {
                out.need = voxel_bytes;
                out.compressed = compressed;
                if (value == "LOCAL") {
                    out.file = path;
                    out.start = end + 1;
                    return header_size == 0;
                }
                if (value.empty() || value.find_first_of(" %") != std::string::npos ||
                    value.compare(0, 4, "LIST") == 0 || header_size < 0)
                    return false;
                size_t slash = path.find_last_of('/');
                out.file = value[0] == '/' || slash == std::string::npos
                               ? value
                               : path.substr(0, slash + 1) + value;
                out.start = compressed ? 0 : static_cast<uint64_t>(header_size);
                return true;
            }
        }
        line = end + 1;
    }
    return false;
}

/* A NRRD file with its data attached (as ITK writes it): the header ends at the first empty
 * line; "encoding: gzip" data is one gzip stream. */
bool nrrd_voxel_data(voxel_data &out, const std::string &path, uint64_t voxel_bytes)
{
    const std::string text = header_text(path);
    size_t blank = text.find("\n\n");
    if (blank == std::string::npos)
        return false;
    const std::string header = text.substr(0, blank + 1);
    if (header.find("\ndata file:") != std::string::npos ||
        header.find("\ndatafile:") != std::string::npos)
        return false;
    out.file = path;
    out.start = blank + 2;
    out.need = voxel_bytes;
    out.compressed = header.find("\nencoding: gz") != std::string::npos;
    return true;
}

/* What a file holds of its voxel data. */
struct voxel_data_state {
    uint64_t file_bytes = 0; /* size of the data file */
    bool complete = false;
    bool damaged = false;
};

voxel_data_state examine(const voxel_data &d)
{
    voxel_data_state s;
    s.file_bytes = file_size(d.file);
    if (s.file_bytes < d.start)
        return s;
    if (!d.compressed) {
        s.complete = s.file_bytes - d.start >= d.need;
        return s;
    }
    inflated z = inflate_file(d.file, d.start, std::numeric_limits<uint64_t>::max(), nullptr);
    s.complete = z.complete && z.bytes >= d.need;
    s.damaged = z.damaged;
    return s;
}

/* After ReadImageInformation: the NIfTI or MetaImage file must hold every voxel its header
 * announces (niftilib and MetaIO only print when it does not, and the image would be read with
 * wrong voxels). */
void check_voxel_data_before_reading(itk::ImageIOBase &io, const char *path)
{
    voxel_data d;
    const std::string kind = io.GetNameOfClass();
    bool known = kind == "NiftiImageIO"  ? nifti_voxel_data(d, path)
                 : kind == "MetaImageIO" ? meta_voxel_data(d, path, io.GetImageSizeInBytes())
                                         : false;
    if (!known)
        return;
    voxel_data_state s = examine(d);
    if (s.damaged)
        throw io_error{LOBEDICE_EIO, "its compressed voxel data is damaged (zlib cannot "
                                     "decompress it)"};
    if (!s.complete)
        throw io_error{LOBEDICE_EIO, "its voxel data is shorter than its header announces"};
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

/* What a read accepts, for its messages: label maps or (for pictures) any scalar image. */
struct read_kind {
    const char *components; /* "... values per voxel (...), and <this>" */
    const char *dimensions; /* "... voxels, and <this>" */
};
constexpr read_kind label_maps{"LobeDice compares scalar label maps",
                               "LobeDice compares 2-D and 3-D label maps"},
    scalar_images{"LobeDice shows scalar images", "LobeDice shows 2-D and 3-D images"};

/* The checks of every read, up to the voxels: an existing readable file that an ITK reader
 * recognises, one value per voxel, 2 or 3 axes (more only when the extra ones have size 1), a
 * size that fits, complete voxel data. Sets *dimension to 2 or 3. */
itk::ImageIOBase::Pointer open_image(const char *path, const read_kind &kind, unsigned *dimension)
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
                           "layers), and " +
                           kind.components};
    const unsigned ndim = io->GetNumberOfDimensions();
    bool extra_axes = false;
    std::string sizes;
    for (unsigned a = 0; a < ndim; a++) {
        sizes += (a ? " x " : "") + std::to_string(io->GetDimensions(a));
        extra_axes = extra_axes || (a >= 3 && io->GetDimensions(a) > 1);
    }
    if (ndim < 2 || extra_axes)
        throw io_error{LOBEDICE_EFORMAT, "it is a " + std::to_string(ndim) + "-D image of " +
                                             sizes + " voxels, and " + kind.dimensions};
    *dimension = ndim == 2 ? 2 : 3;
    /* ITK multiplies sizes unchecked: a header whose voxel count overflows must stop here. */
    size_t bytes = sizeof(double);
    for (unsigned a = 0; a < ndim; a++)
        if (__builtin_mul_overflow(bytes, static_cast<size_t>(io->GetDimensions(a)), &bytes))
            throw io_error{LOBEDICE_EOVERFLOW, "its size " + sizes + " does not fit in memory"};
    check_voxel_data_before_reading(*io, path);
    return io;
}

image_holder *read_image(const char *path, size_t threads)
{
    unsigned dimension = 3;
    itk::ImageIOBase::Pointer io = open_image(path, label_maps, &dimension);

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
        out = read_whole_numbers(io, path, dimension,
                                 threads); /* 64-bit integers and floating point */
    }
    std::unique_ptr<image_holder> owned(out);
    check_geometry(*owned, read_file_name);
    return owned.release();
}

/* A real-valued image for pictures; the ITK image in `owner` owns the voxels. */
struct real_holder : lobedice_real_image {
    itk::DataObject::Pointer owner;
};

real_holder *read_real_image(const char *path)
{
    unsigned dimension = 3;
    itk::ImageIOBase::Pointer io = open_image(path, scalar_images, &dimension);
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

/* ---- Writing ------------------------------------------------------------------------------ */

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

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

/* The written file must hold the whole header and every voxel: on a full disk or over a file
 * size limit, NIfTI and MetaImage writers only print, and teem fails mid-way. */
void check_written(const std::string &name, const std::string &ext, uint64_t voxel_bytes)
{
    voxel_data d;
    const std::string lower = lowercase(ext);
    bool known = lower == ".nrrd"  ? nrrd_voxel_data(d, name, voxel_bytes)
                 : lower == ".mha" ? meta_voxel_data(d, name, voxel_bytes)
                                   : nifti_voxel_data(d, name);
    const std::string took = "the file system took only " + std::to_string(file_size(name));
    const char *why = " (disk full or file size limit)";
    if (!known) /* cut short inside the header */
        throw io_error{LOBEDICE_EIO, took + " bytes, which end inside the header" + why};
    voxel_data_state s = examine(d);
    if (s.complete)
        return;
    if (d.compressed)
        throw io_error{LOBEDICE_EIO,
                       took + " bytes, which end inside the compressed voxel data" + why};
    throw io_error{LOBEDICE_EIO, took + " of " + std::to_string(d.start + d.need) + " bytes" + why};
}

void write_image(const lobedice_image &image, const std::string &path, bool compress)
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
    io->SetPixelType(itk::IOPixelEnum::SCALAR);
    io->SetComponentType(component_of(image.volume.dtype));
    io->SetNumberOfComponents(1);
    io->SetUseCompression(compress);
    io->SetFileName(temporary.name);
    io->SetIORegion(region);
    size_t voxels = 0;
    lobedice_volume_voxels(&voxels, &image.volume);
    const uint64_t voxel_bytes = voxels * lobedice_dtype_size(image.volume.dtype);
    try {
        io->Write(image.volume.data);
    } catch (const itk::ExceptionObject &) {
        check_written(temporary.name, ext, voxel_bytes); /* a short file explains it best */
        throw;
    }
    check_written(temporary.name, ext, voxel_bytes);

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

void *lobedice_image_buffer(lobedice_image *image) noexcept
{
    return image ? const_cast<void *>(image->volume.data) : nullptr;
}

void lobedice_image_free(lobedice_image *image) noexcept
{
    delete static_cast<image_holder *>(image);
}

lobedice_status lobedice_image_write(const lobedice_image *image, const char *path, int compress,
                                     char *message, size_t message_size) noexcept
{
    if (!image || !path || !*path) {
        write_text(message, message_size, "lobedice_image_write needs an image and a path.");
        return LOBEDICE_EINVAL;
    }
    return io_call(message, message_size, "Cannot write", path,
                   [&] { write_image(*image, path, compress != 0); });
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
            lobedice_image_free(*moving);
            *moving = aligned;
        }
        take_reference_grid(**moving, *reference);
        *how = result;
    });
}

} // extern "C"
