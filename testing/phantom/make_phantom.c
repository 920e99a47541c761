/* Writes the lung phantom pair as NRRD files the way Slicer and ITK write label maps.
 *
 *   lobedice-phantom [--size X,Y,Z] [--type uchar|short] [--encoding raw|gzip]
 *                    [--crop-prediction] [--case N] REFERENCE.nrrd PREDICTION.nrrd
 *
 * --case N (default 0) makes the N-th patient of a data set (phantom_fill_case).
 * --crop-prediction stores the prediction cropped to its non-zero bounding box with the origin
 * moved accordingly, as a Slicer segmentation exported to seg.nrrd is. Each file is written to
 * a temporary name beside the target and renamed into place. */
#define _POSIX_C_SOURCE 200809L
#include "phantom.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

typedef struct nrrd_spec {
    size_t size[3];
    double spacing[3], origin[3];
    int is_short, gzip;
} nrrd_spec;

/* Why a write failed, for the one message write_nrrd prints: errno of the failing call (errno is
 * cleared before each checked call, so a call that fails without setting it leaves 0, never a
 * stale value), or the zlib status when compression failed. */
typedef struct write_error {
    int errnum;
    int zlib;
} write_error;

static int fail_errno(write_error *err)
{
    err->errnum = errno;
    return -1;
}

static int write_payload(FILE *f, const void *data, size_t bytes, int gzip, write_error *err)
{
    if (!gzip) {
        errno = 0;
        return fwrite(data, 1, bytes, f) == bytes ? 0 : fail_errno(err);
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    int zrc = deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK) {
        err->zlib = zrc;
        return -1;
    }
    unsigned char buf[1 << 16];
    const unsigned char *in = data;
    size_t left = bytes;
    int rc = 0, flush;
    do {
        size_t chunk = left > (1u << 30) ? (1u << 30) : left;
        z.next_in = (unsigned char *)in;
        z.avail_in = (uInt)chunk;
        in += chunk;
        left -= chunk;
        flush = left ? Z_NO_FLUSH : Z_FINISH;
        do {
            z.next_out = buf;
            z.avail_out = sizeof buf;
            zrc = deflate(&z, flush);
            if (zrc == Z_STREAM_ERROR && rc == 0) {
                err->zlib = zrc;
                rc = -1;
            }
            size_t have = sizeof buf - z.avail_out;
            errno = 0;
            if (rc == 0 && fwrite(buf, 1, have, f) != have)
                rc = fail_errno(err);
        } while (z.avail_out == 0);
    } while (flush != Z_FINISH);
    deflateEnd(&z);
    return rc;
}

/* Writes to "<path>.tmp-<pid>", created exclusively (never an existing file), then renames it
 * into place; on failure prints one sentence and removes the temporary file. */
static int write_nrrd(const char *path, const nrrd_spec *s, const void *data, size_t bytes)
{
    size_t tmp_len = strlen(path) + 32;
    char *tmp = malloc(tmp_len);
    if (!tmp) {
        fprintf(stderr, "lobedice-phantom: not enough memory to write '%s'.\n", path);
        return -1;
    }
    snprintf(tmp, tmp_len, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        int errnum = errno;
        if (fd >= 0) {
            close(fd);
            remove(tmp);
        }
        fprintf(stderr, "lobedice-phantom: cannot create '%s': %s.\n", tmp, strerror(errnum));
        free(tmp);
        return -1;
    }
    write_error err = {0, Z_OK};
    int rc = 0;
    errno = 0;
    if (fprintf(f,
                "NRRD0004\n# Complete NRRD file format specification at:\n"
                "# http://teem.sourceforge.net/nrrd/format.html\n"
                "type: %s\ndimension: 3\nspace: left-posterior-superior\n"
                "sizes: %zu %zu %zu\n"
                "space directions: (%.17g,0,0) (0,%.17g,0) (0,0,%.17g)\n"
                "kinds: domain domain domain\nendian: little\nencoding: %s\n"
                "space origin: (%.17g,%.17g,%.17g)\n\n",
                s->is_short ? "short" : "unsigned char", s->size[0], s->size[1], s->size[2],
                s->spacing[0], s->spacing[1], s->spacing[2], s->gzip ? "gzip" : "raw", s->origin[0],
                s->origin[1], s->origin[2]) < 0)
        rc = fail_errno(&err);
    if (rc == 0)
        rc = write_payload(f, data, bytes, s->gzip, &err);
    errno = 0;
    if (fclose(f) != 0 && rc == 0)
        rc = fail_errno(&err);
    errno = 0;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = fail_errno(&err);
    if (rc != 0) {
        if (err.zlib != Z_OK)
            fprintf(stderr,
                    "lobedice-phantom: cannot write '%s': gzip compression failed (zlib "
                    "status %d).\n",
                    path, err.zlib);
        else
            fprintf(stderr, "lobedice-phantom: cannot write '%s': %s.\n", path,
                    err.errnum ? strerror(err.errnum) : "unknown error");
        remove(tmp);
    }
    free(tmp);
    return rc;
}

/* Crops map (size in s) to its non-zero bounding box in place; updates s. */
static void crop_to_content(uint8_t *map, nrrd_spec *s)
{
    size_t lo[3], hi[3];
    if (phantom_content_box(map, s->size, lo, hi) != 0)
        return; /* nothing to crop to */
    size_t out = 0;
    for (size_t z = lo[2]; z < hi[2]; z++)
        for (size_t y = lo[1]; y < hi[1]; y++) {
            const uint8_t *row = map + lo[0] + s->size[0] * (y + s->size[1] * z);
            memmove(map + out, row, hi[0] - lo[0]);
            out += hi[0] - lo[0];
        }
    for (int a = 0; a < 3; a++) {
        s->origin[a] += (double)lo[a] * s->spacing[a];
        s->size[a] = hi[a] - lo[a];
    }
}

/* main checked that the voxel count times 2 fits in size_t. */
static int write_map(const char *path, nrrd_spec s, uint8_t *map, int crop)
{
    if (crop)
        crop_to_content(map, &s);
    size_t n = s.size[0] * s.size[1] * s.size[2];
    if (!s.is_short)
        return write_nrrd(path, &s, map, n);
    int16_t *wide = malloc(n * sizeof *wide);
    if (!wide) {
        fprintf(stderr, "lobedice-phantom: not enough memory to write '%s'.\n", path);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        wide[i] = map[i];
    int rc = write_nrrd(path, &s, wide, n * sizeof *wide);
    free(wide);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: lobedice-phantom [--size X,Y,Z] [--type uchar|short] "
               "[--encoding raw|gzip] [--crop-prediction] [--case N] REFERENCE.nrrd "
               "PREDICTION.nrrd\n");
}

int main(int argc, char **argv)
{
    nrrd_spec spec = {.size = {256, 256, 160}};
    int crop = 0;
    unsigned variant = 0;
    static const struct option options[] = {{"size", required_argument, NULL, 's'},
                                            {"type", required_argument, NULL, 't'},
                                            {"encoding", required_argument, NULL, 'e'},
                                            {"crop-prediction", no_argument, NULL, 'c'},
                                            {"case", required_argument, NULL, 'n'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 's': {
            char tail;
            if (sscanf(optarg, "%zu,%zu,%zu%c", &spec.size[0], &spec.size[1], &spec.size[2],
                       &tail) != 3 ||
                !spec.size[0] || !spec.size[1] || !spec.size[2]) {
                fprintf(stderr,
                        "lobedice-phantom: --size expects X,Y,Z positive integers, "
                        "got '%s'.\n",
                        optarg);
                return 2;
            }
            break;
        }
        case 't':
            if (strcmp(optarg, "uchar") && strcmp(optarg, "short")) {
                fprintf(stderr, "lobedice-phantom: --type expects uchar or short, got '%s'.\n",
                        optarg);
                return 2;
            }
            spec.is_short = strcmp(optarg, "short") == 0;
            break;
        case 'e':
            if (strcmp(optarg, "raw") && strcmp(optarg, "gzip")) {
                fprintf(stderr, "lobedice-phantom: --encoding expects raw or gzip, got '%s'.\n",
                        optarg);
                return 2;
            }
            spec.gzip = strcmp(optarg, "gzip") == 0;
            break;
        case 'c': crop = 1; break;
        case 'n': {
            char tail;
            if (sscanf(optarg, "%u%c", &variant, &tail) != 1) {
                fprintf(stderr, "lobedice-phantom: --case expects a whole number, got '%s'.\n",
                        optarg);
                return 2;
            }
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        usage(stderr);
        return 2;
    }
    size_t bytes;
    if (__builtin_mul_overflow(spec.size[0], spec.size[1], &bytes) ||
        __builtin_mul_overflow(bytes, spec.size[2], &bytes) ||
        __builtin_mul_overflow(bytes, sizeof(int16_t), &bytes)) {
        fprintf(stderr, "lobedice-phantom: --size %zu,%zu,%zu is too large.\n", spec.size[0],
                spec.size[1], spec.size[2]);
        return 2;
    }
    phantom_geometry(spec.size, spec.spacing, spec.origin);
    for (int k = 0; k < 2; k++) {
        uint8_t *map =
            phantom_new_case(spec.size, k == 0 ? PHANTOM_REFERENCE : PHANTOM_PREDICTION, variant);
        if (!map) {
            fprintf(stderr, "lobedice-phantom: not enough memory for a %zux%zux%zu volume.\n",
                    spec.size[0], spec.size[1], spec.size[2]);
            return 1;
        }
        int rc = write_map(argv[optind + k], spec, map, k == 1 && crop);
        free(map);
        if (rc != 0)
            return 1;
    }
    return 0;
}
