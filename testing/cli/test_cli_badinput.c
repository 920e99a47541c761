/* The catalogue of bad inputs: damaged and hostile files in all three formats (NRRD, NIfTI,
 * MetaImage), in both input positions, with every kind of output asked for, both when no
 * output existed and when every output existed before; and interrupts (SIGINT, SIGTERM,
 * SIGHUP) while reading, measuring and writing. Each case checks the exact sentence, the exit
 * status, that no output appears, that every earlier output keeps its bytes and that no input
 * changed. Every file is made here. */
#define _GNU_SOURCE
#include "check.h"
#include "cli_test_util.h"

#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[1024];

/* ---- writing images by hand --------------------------------------------------------------- */

static int write_gz(const char *path, const void *bytes, size_t n)
{
    gzFile f = gzopen(path, "wb");
    if (!f)
        return -1;
    int ok = gzwrite(f, bytes, (unsigned)n) == (int)n;
    return gzclose(f) == Z_OK && ok ? 0 : -1;
}

/* A 6 x 4 x 1 NIfTI-1 image (datatype 4 short or 16 float) with vox_offset 352, as bytes. */
static size_t nifti_bytes(unsigned char *out, int16_t datatype, float vox_offset,
                          const void *voxels, size_t voxel_bytes)
{
    memset(out, 0, 352);
    int32_t sizeof_hdr = 348;
    int16_t dim[8] = {3, 6, 4, 1, 1, 1, 1, 1}, bitpix = (int16_t)(datatype == 16 ? 32 : 16);
    float pixdim[8] = {1, 1, 1, 1, 1, 1, 1, 1}, slope = 1;
    memcpy(out, &sizeof_hdr, 4);
    memcpy(out + 40, dim, sizeof dim);
    memcpy(out + 70, &datatype, 2);
    memcpy(out + 72, &bitpix, 2);
    memcpy(out + 76, pixdim, sizeof pixdim);
    memcpy(out + 108, &vox_offset, 4);
    memcpy(out + 112, &slope, 4);
    memcpy(out + 344, "n+1", 4);
    memcpy(out + 352, voxels, voxel_bytes);
    return 352 + voxel_bytes;
}

static const char mha_header[] = "ObjectType = Image\nNDims = 3\nBinaryData = True\n"
                                 "BinaryDataByteOrderMSB = False\nDimSize = 6 4 1\n"
                                 "ElementSpacing = 1 1 1\nElementType = MET_SHORT\n";

/* ---- the bad files ------------------------------------------------------------------------ */

typedef struct bad_case {
    const char *name, *file; /* file: the bad input's name in the folder */
    void (*make)(const char *path);
    const char *reason; /* "%s" stands for the folder */
} bad_case;

static void nrrd_header(char *buf, size_t size, const char *type, const char *encoding,
                        const char *extra)
{
    snprintf(buf, size,
             "NRRD0004\ntype: %s\ndimension: 3\nsizes: 6 4 1\nspacings: 1 1 1\nendian: little\n"
             "encoding: %s\n%s\n",
             type, encoding, extra);
}

static void make_nrrd_short(const char *path)
{
    char h[512];
    nrrd_header(h, sizeof h, "short", "raw", "");
    size_t n = strlen(h);
    memcpy(h + n, example_pred, 20);
    CHECK_FATAL(write_file(path, h, n + 20) == 0);
}

static void make_nrrd_gzip_short(const char *path)
{
    char h[512];
    nrrd_header(h, sizeof h, "short", "gzip", "");
    unsigned char z[256];
    uLongf zn = sizeof z;
    CHECK_FATAL(compress2(z, &zn, (const Bytef *)example_pred, 20, 9) == Z_OK);
    size_t n = strlen(h);
    memcpy(h + n, z, zn);
    CHECK_FATAL(write_file(path, h, n + zn) == 0);
}

static void make_nhdr_fifo(const char *path)
{
    char h[512], data[1200];
    snprintf(data, sizeof data, "%s/fifo.raw", dir);
    CHECK_FATAL(mkfifo(data, 0644) == 0);
    nrrd_header(h, sizeof h, "short", "raw", "data file: fifo.raw\n");
    CHECK_FATAL(write_file(path, h, strlen(h) - 1) == 0);
}

static void make_fifo(const char *path)
{
    CHECK_FATAL(mkfifo(path, 0644) == 0);
}

static void make_folder(const char *path)
{
    CHECK_FATAL(mkdir(path, 0755) == 0);
}

static void make_nrrd_infinity(const char *path)
{
    float v[24];
    for (int i = 0; i < 24; i++)
        v[i] = (float)example_pred[i];
    v[7] = INFINITY;
    char h[512];
    nrrd_header(h, sizeof h, "float", "raw", "");
    size_t n = strlen(h);
    char buf[1024];
    memcpy(buf, h, n);
    memcpy(buf + n, v, sizeof v);
    CHECK_FATAL(write_file(path, buf, n + sizeof v) == 0);
}

/* Spacings each finite whose product (the voxel volume) is not. */
static void make_nrrd_infinite_volume(const char *path)
{
    char h[512];
    nrrd_header(h, sizeof h, "short", "raw", "");
    char *spacings = strstr(h, "spacings: 1 1 1");
    CHECK_FATAL(spacings != NULL);
    char buf[1024];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%.*sspacings: 1e200 1e200 1%s",
                                (int)(spacings - h), h, spacings + strlen("spacings: 1 1 1"));
    memcpy(buf + n, example_pred, 48);
    CHECK_FATAL(write_file(path, buf, n + 48) == 0);
}

static void make_nii_short(const char *path)
{
    unsigned char b[512];
    size_t n = nifti_bytes(b, 4, 352, example_pred, sizeof example_pred);
    CHECK_FATAL(write_file(path, b, n - 10) == 0);
}

static void make_niigz_short(const char *path)
{
    unsigned char b[512];
    size_t n = nifti_bytes(b, 4, 352, example_pred, sizeof example_pred);
    CHECK_FATAL(write_gz(path, b, n - 10) == 0);
}

static void make_nii_offset(const char *path, float offset)
{
    unsigned char b[512];
    size_t n = nifti_bytes(b, 4, offset, example_pred, sizeof example_pred);
    CHECK_FATAL(write_file(path, b, n) == 0);
}

static void make_nii_past_end(const char *path)
{
    make_nii_offset(path, 100000);
}

static void make_nii_before_start(const char *path)
{
    make_nii_offset(path, 100);
}

static void make_nii_nan_offset(const char *path)
{
    make_nii_offset(path, NAN);
}

/* A header whose orientation holds a NaN (quatern_b, qform_code 1) or an infinity
 * (srow_y[1], sform_code 1): ITK's SVD of it would abort the process. */
static void make_nii_nan_quatern(const char *path)
{
    unsigned char b[512];
    size_t n = nifti_bytes(b, 4, 352, example_pred, sizeof example_pred);
    const int16_t qform_code = 1;
    const float nan = NAN;
    memcpy(b + 252, &qform_code, 2);
    memcpy(b + 256, &nan, 4);
    CHECK_FATAL(write_file(path, b, n) == 0);
}

static void make_niigz_inf_srow(const char *path)
{
    unsigned char b[512];
    size_t n = nifti_bytes(b, 4, 352, example_pred, sizeof example_pred);
    const int16_t sform_code = 1;
    const float srow[12] = {1, 0, 0, 0, 0, INFINITY, 0, 0, 0, 0, 1, 0};
    memcpy(b + 254, &sform_code, 2);
    memcpy(b + 280, srow, sizeof srow);
    CHECK_FATAL(write_gz(path, b, n) == 0);
}

/* srow_y[2] near FLT_MAX: ITK's single-precision SVD of it never ended. */
static void make_nii_huge_srow(const char *path)
{
    unsigned char b[512];
    size_t n = nifti_bytes(b, 4, 352, example_pred, sizeof example_pred);
    const int16_t sform_code = 1;
    const float srow[12] = {1, 0, 0, 0, 0, 1, -1.7014118e38f, 0, 0, 0, 1, 0};
    memcpy(b + 254, &sform_code, 2);
    memcpy(b + 280, srow, sizeof srow);
    CHECK_FATAL(write_file(path, b, n) == 0);
}

/* An sform whose 3 x 3 part is zero: ITK's reason, folded into one clause. */
static void make_nii_zero_sform(const char *path)
{
    unsigned char b[512];
    size_t n = nifti_bytes(b, 4, 352, example_pred, sizeof example_pred);
    const int16_t sform_code = 1;
    memcpy(b + 254, &sform_code, 2);
    CHECK_FATAL(write_file(path, b, n) == 0);
}

/* A sizeof_hdr niftilib still reads (only its low bytes are 348): no field would be checked. */
static void make_nii_odd_sizeof_hdr(const char *path)
{
    unsigned char b[512];
    size_t n = nifti_bytes(b, 4, 352, example_pred, sizeof example_pred);
    const int32_t sizeof_hdr = 0x1d00015c;
    memcpy(b, &sizeof_hdr, 4);
    CHECK_FATAL(write_file(path, b, n) == 0);
}

static void make_nii_nan_voxel(const char *path)
{
    float v[24];
    for (int i = 0; i < 24; i++)
        v[i] = (float)example_pred[i];
    v[13] = NAN; /* voxel (1, 2, 0) */
    unsigned char b[512];
    size_t n = nifti_bytes(b, 16, 352, v, sizeof v);
    CHECK_FATAL(write_gz(path, b, n) == 0);
}

static void make_mha_short(const char *path)
{
    char b[1024];
    size_t n = (size_t)snprintf(b, sizeof b, "%sElementDataFile = LOCAL\n", mha_header);
    memcpy(b + n, example_pred, 30);
    CHECK_FATAL(write_file(path, b, n + 30) == 0);
}

static void make_mha_infinite_volume(const char *path)
{
    char b[1024];
    size_t n = (size_t)snprintf(b, sizeof b,
                                "ObjectType = Image\nNDims = 3\nBinaryData = True\n"
                                "BinaryDataByteOrderMSB = False\nDimSize = 6 4 1\n"
                                "ElementSpacing = 1 1e300 1e300\nElementType = MET_SHORT\n"
                                "ElementDataFile = LOCAL\n");
    memcpy(b + n, example_pred, 48);
    CHECK_FATAL(write_file(path, b, n + 48) == 0);
}

static void make_mhd_folder(const char *path)
{
    char b[1024];
    snprintf(b, sizeof b, "%sElementDataFile = voxels.raw\n", mha_header);
    CHECK_FATAL(write_file(path, b, strlen(b)) == 0);
    CHECK_FATAL(mkdir(path_in(dir, "voxels.raw"), 0755) == 0);
}

static void make_mhd_missing(const char *path)
{
    char b[1024];
    snprintf(b, sizeof b, "%sElementDataFile = voxels.raw\n", mha_header);
    CHECK_FATAL(write_file(path, b, strlen(b)) == 0);
}

static void make_mhd_list_missing(const char *path)
{
    char b[1024];
    snprintf(b, sizeof b,
             "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
             "DimSize = 6 2 2\nElementSpacing = 1 1 1\nElementType = MET_SHORT\n"
             "ElementDataFile = LIST\nslice0.raw\nslice1.raw\n");
    CHECK_FATAL(write_file(path, b, strlen(b)) == 0);
    CHECK_FATAL(write_file(path_in(dir, "slice0.raw"), example_pred, 24) == 0);
}

static void make_mhd_fifo(const char *path)
{
    char b[1024];
    snprintf(b, sizeof b, "%sElementDataFile = voxels.raw\n", mha_header);
    CHECK_FATAL(write_file(path, b, strlen(b)) == 0);
    CHECK_FATAL(mkfifo(path_in(dir, "voxels.raw"), 0644) == 0);
}

/* Lines MetaIO reads otherwise than a line-by-line reader: a key without '=' takes the next
 * line's value (so the FIFO named on the line after is the data file), and a key is compared up
 * to a NUL byte. */
static void make_mhd_keyless_line(const char *path)
{
    char b[1024];
    snprintf(b, sizeof b, "%sJunk\nElementDataFile = LOCAL\nElementDataFile = voxels.raw\n",
             mha_header);
    CHECK_FATAL(write_file(path, b, strlen(b)) == 0);
    CHECK_FATAL(mkfifo(path_in(dir, "voxels.raw"), 0644) == 0);
}

static void make_mhd_nul_key(const char *path)
{
    char b[1024];
    size_t n = (size_t)snprintf(b, sizeof b, "%sElementDataFile", mha_header);
    n += (size_t)snprintf(b + n + 1, sizeof b - n - 1, "x = voxels.raw\n") + 1; /* NUL kept */
    CHECK_FATAL(write_file(path, b, n) == 0);
    CHECK_FATAL(mkfifo(path_in(dir, "voxels.raw"), 0644) == 0);
}

/* A key of 300 bytes: MetaIO copies an unknown key into 255 (glibc stopped the overflow). */
static void make_mha_long_key(const char *path)
{
    char key[301], b[1024];
    memset(key, 'K', 300);
    key[300] = '\0';
    size_t n =
        (size_t)snprintf(b, sizeof b, "%s%s = 1\nElementDataFile = LOCAL\n", mha_header, key);
    memcpy(b + n, example_pred, 48);
    CHECK_FATAL(write_file(path, b, n + 48) == 0);
}

static const bad_case cases[] = {
    {"nrrd_cut_short", "bad.nrrd", make_nrrd_short,
     "its voxel data is cut short: its header announces 48 bytes, and its data holds 20 bytes"},
    {"nrrd_gzip_cut_short", "bad.nrrd", make_nrrd_gzip_short,
     "the NRRD library reports: expected 48 bytes but received 20"},
    {"nhdr_fifo_data", "bad.nhdr", make_nhdr_fifo,
     "its data file '%s/fifo.raw' is a FIFO (named pipe), not a regular file"},
    {"input_fifo", "bad.nrrd", make_fifo, "it is a FIFO (named pipe), not a regular file"},
    {"input_folder", "bad.nrrd", make_folder, "it is a folder, not a regular file"},
    {"nrrd_infinity", "bad.nrrd", make_nrrd_infinity,
     "voxel (1, 1, 0) holds inf, which is not a finite number"},
    {"nrrd_infinite_volume", "bad.nrrd", make_nrrd_infinite_volume,
     "its spacing (1e+200, 1e+200, 1) mm makes its voxel volume, physical volume or diagonal "
     "overflow or vanish"},
    {"nii_cut_short", "bad.nii", make_nii_short,
     "its voxel data is cut short: its header announces 48 bytes from byte 352, and the file "
     "holds 390 bytes"},
    {"niigz_cut_short", "bad.nii.gz", make_niigz_short,
     "its voxel data is cut short: its header announces 400 bytes once decompressed, and it "
     "holds 390"},
    {"nii_offset_past_end", "bad.nii", make_nii_past_end,
     "its voxel data is cut short: its header announces 48 bytes from byte 100000, and the file "
     "holds 400 bytes"},
    {"nii_offset_before_start", "bad.nii", make_nii_before_start,
     "its header's vox_offset 100 is not a whole byte offset of 348 or more (where the voxel "
     "data starts)"},
    {"nii_offset_nan", "bad.nii", make_nii_nan_offset,
     "its header's vox_offset nan is not a whole byte offset of 348 or more (where the voxel "
     "data starts)"},
    {"nii_nan_quatern", "bad.nii", make_nii_nan_quatern,
     "its header's quatern_b is nan, not a finite number"},
    {"niigz_inf_srow", "bad.nii.gz", make_niigz_inf_srow,
     "its header's srow_y[1] is inf, not a finite number"},
    {"nii_huge_srow", "bad.nii", make_nii_huge_srow,
     "its header's srow_y[2] is -1.7014118346046923e+38, more than 1e18 in magnitude"},
    {"nii_zero_sform", "bad.nii", make_nii_zero_sform,
     "ITK only supports orthonormal direction cosines; no orthonormal definition found"},
    {"nii_odd_sizeof_hdr", "bad.nii", make_nii_odd_sizeof_hdr,
     "its header's sizeof_hdr is 486539612, not 348 (NIfTI-1, ANALYZE 7.5) or 540 (NIfTI-2)"},
    {"niigz_nan_voxel", "bad.nii.gz", make_nii_nan_voxel,
     "voxel (1, 2, 0) holds a value that is not a finite number (NaN or an infinity)"},
    {"mha_cut_short", "bad.mha", make_mha_short,
     "its voxel data is cut short: its header announces 48 bytes from byte 165, and the file "
     "holds 195 bytes"},
    {"mha_infinite_volume", "bad.mha", make_mha_infinite_volume,
     "its spacing (1, 1e+300, 1e+300) mm makes its voxel volume, physical volume or diagonal "
     "overflow or vanish"},
    {"mhd_data_folder", "bad.mhd", make_mhd_folder,
     "its data file '%s/voxels.raw' is a folder, not a regular file"},
    {"mhd_data_missing", "bad.mhd", make_mhd_missing,
     "its data file '%s/voxels.raw' does not exist"},
    {"mhd_list_missing", "bad.mhd", make_mhd_list_missing,
     "its data file '%s/slice1.raw' does not exist"},
    {"mhd_keyless_line", "bad.mhd", make_mhd_keyless_line,
     "its header's line 8 ('Junk') is not one 'Key = value' line"},
    {"mhd_nul_key", "bad.mhd", make_mhd_nul_key,
     "its header's line 8 ('ElementDataFile\\x00x = voxels.raw') holds a control character"},
    {"mha_long_key", "bad.mha", make_mha_long_key,
     "its header's line 8 ('KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK...') is "
     "304 "
     "bytes long with a key of 300 (MetaIO reads up to 499, keys up to 254)"},
    {"mhd_data_fifo", "bad.mhd", make_mhd_fifo,
     "its data file '%s/voxels.raw' is a FIFO (named pipe), not a regular file"},
};

/* ---- the outputs --------------------------------------------------------------------------- */

/* Every output kind, varied over the cases: table .csv or .tsv, map in each format. */
typedef struct outputs {
    const char *files[7]; /* names in the folder: json, table, schema, map, colour table, rpf */
    size_t count;
} outputs;

static outputs outputs_for(size_t i)
{
    static const char *tables[][2] = {{"t.csv", "t.schema.csv"}, {"t.tsv", "t.schema.tsv"}};
    static const char *maps[][2] = {
        {"m.nrrd", "m.ctbl"}, {"m.nii", "m.ctbl"}, {"m.nii.gz", "m.ctbl"}, {"m.mha", "m.ctbl"}};
    outputs o = {
        {"r.json", tables[i % 2][0], tables[i % 2][1], maps[i % 4][0], maps[i % 4][1], "r.params"},
        6};
    return o;
}

/* Snapshot of the folder: every name and its bytes (folders and FIFOs by name only). */
typedef struct snapshot {
    char *names[64], *bytes[64];
    size_t lens[64];
    int count;
} snapshot;

static void take(snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->count = list_dir(dir, s->names, 64);
    for (int i = 0; i < s->count && i < 64; i++) {
        struct stat st;
        char *path = path_join(dir, s->names[i]);
        if (path && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            s->bytes[i] = read_file(path, &s->lens[i]);
        free(path);
    }
}

static int same_name(const snapshot *s, const char *name)
{
    for (int i = 0; i < s->count && i < 64; i++)
        if (strcmp(s->names[i], name) == 0)
            return i;
    return -1;
}

/* The folder holds exactly what it held before, byte for byte. */
static void expect_unchanged(const snapshot *before, const char *what)
{
    snapshot now;
    take(&now);
    if (now.count != before->count) {
        fprintf(stderr, "%s: the folder holds %d entries, before %d:\n", what, now.count,
                before->count);
        for (int i = 0; i < now.count && i < 64; i++)
            fprintf(stderr, "  %s\n", now.names[i]);
        check_failures++;
    }
    for (int i = 0; i < now.count && i < 64; i++) {
        int j = same_name(before, now.names[i]);
        if (j < 0 || (before->bytes[j] == NULL) != (now.bytes[i] == NULL) ||
            (now.bytes[i] && (now.lens[i] != before->lens[j] ||
                              memcmp(now.bytes[i], before->bytes[j], now.lens[i]) != 0))) {
            fprintf(stderr, "%s: '%s' is new or changed\n", what, now.names[i]);
            check_failures++;
        }
    }
    for (int i = 0; i < now.count && i < 64; i++) {
        free(now.names[i]);
        free(now.bytes[i]);
    }
}

static void release(snapshot *s)
{
    for (int i = 0; i < s->count && i < 64; i++) {
        free(s->names[i]);
        free(s->bytes[i]);
    }
}

/* One bad case in one position, with or without earlier outputs. */
static void run_case(size_t k, int position, int earlier)
{
    const bad_case *c = &cases[k];
    char name[256];
    snprintf(name, sizeof name, "%s/%s-%d-%d", CLI_SCRATCH_DIR, c->name, position, earlier);
    snprintf(dir, sizeof dir, "%s", name);
    CHECK_FATAL(fresh_dir(dir) == 0);
    char good[1200], bad[1200];
    snprintf(good, sizeof good, "%s/good.nrrd", dir);
    snprintf(bad, sizeof bad, "%s/%s", dir, c->file);
    CHECK_FATAL(write_example_pair(good, path_in(dir, "unused.nrrd")) == 0);
    unlink(path_in(dir, "unused.nrrd"));
    c->make(bad);
    outputs o = outputs_for(k + (size_t)position);
    if (earlier)
        for (size_t i = 0; i < o.count; i++) {
            char text[64];
            snprintf(text, sizeof text, "earlier %s\n", o.files[i]);
            CHECK_FATAL(write_file(path_in(dir, o.files[i]), text, strlen(text)) == 0);
        }
    snapshot before;
    take(&before);
    const char *ref = position == 0 ? bad : good, *pred = position == 0 ? good : bad;
    const char *argv[] = {LOBEDICE_EXE,
                          "--surfaceDistances",
                          "--outputJson",
                          path_in(dir, o.files[0]),
                          "--outputTable",
                          path_in(dir, o.files[1]),
                          "--errorMap",
                          path_in(dir, o.files[3]),
                          "--returnparameterfile",
                          path_in(dir, o.files[5]),
                          ref,
                          pred,
                          NULL};
    char reason[1024], want[2600];
    snprintf(reason, sizeof reason, c->reason, dir);
    snprintf(want, sizeof want, "LobeDice: cannot read %s '%s': %s.\n",
             position == 0 ? "the reference" : "the prediction", bad, reason);
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    if (r.status != 1 || strcmp(r.err, want) != 0) {
        fprintf(stderr, "%s (%s, %s outputs): exit %d\n  got  %s  want %s", c->name,
                position == 0 ? "reference" : "prediction", earlier ? "earlier" : "no", r.status,
                r.err, want);
        check_failures++;
    }
    run_result_free(&r);
    expect_unchanged(&before, c->name);
    release(&before);
}

static void catalogue(void)
{
    for (size_t k = 0; k < CHECK_COUNT(cases); k++)
        for (int position = 0; position < 2; position++)
            for (int earlier = 0; earlier < 2; earlier++)
                run_case(k, position, earlier);
}

/* The same folder layout with good inputs succeeds: the failures above come from the files. */
static void catalogue_control(void)
{
    snprintf(dir, sizeof dir, "%s/control", CLI_SCRATCH_DIR);
    CHECK_FATAL(fresh_dir(dir) == 0);
    CHECK_FATAL(write_example_pair(path_in(dir, "good.nrrd"), path_in(dir, "other.nrrd")) == 0);
    const char *argv[] = {LOBEDICE_EXE,
                          "--outputJson",
                          path_in(dir, "r.json"),
                          "--outputTable",
                          path_in(dir, "t.csv"),
                          "--errorMap",
                          path_in(dir, "m.nii.gz"),
                          path_in(dir, "good.nrrd"),
                          path_in(dir, "other.nrrd"),
                          NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    CHECK_INT(r.status, 0);
    CHECK_UINT(r.err_len, 0);
    CHECK_INT(list_dir(dir, NULL, 0), 2 + 5);
    run_result_free(&r);
}

/* ---- interrupts ---------------------------------------------------------------------------- */

static int seen_reading(const char *folder, const char *out)
{
    (void)folder;
    return strstr(out, "Reading the prediction") != NULL;
}

static int seen_comparing(const char *folder, const char *out)
{
    (void)folder;
    return strstr(out, "<filter-comment>Comparing") != NULL;
}

/* A staged output exists: the run is writing. */
static int seen_staged(const char *folder, const char *out)
{
    (void)out;
    char *names[64];
    int n = list_dir(folder, names, 64), staged = 0;
    for (int i = 0; i < n && i < 64; i++) {
        staged |= strncmp(names[i], ".lobedice-", 10) == 0;
        free(names[i]);
    }
    return staged;
}

static void interrupt_at(const char *label, int sig, int (*trigger)(const char *, const char *))
{
    snprintf(dir, sizeof dir, "%s/interrupt-%s-%d", CLI_SCRATCH_DIR, label, sig);
    CHECK_FATAL(fresh_dir(dir) == 0);
    const char *make[] = {LOBEDICE_PHANTOM_EXE,
                          "--size",
                          "192,192,120",
                          "--type",
                          "short",
                          path_in(dir, "ref.nrrd"),
                          path_in(dir, "pred.nrrd"),
                          NULL};
    run_result r;
    CHECK_FATAL(run_program(&r, make) == 0 && r.status == 0);
    run_result_free(&r);
    static const char *const names[] = {"r.json",   "t.csv",  "t.schema.csv",
                                        "m.nii.gz", "m.ctbl", "r.params"};
    for (size_t i = 0; i < 6; i++)
        CHECK_FATAL(write_file(path_in(dir, names[i]), "earlier\n", 8) == 0);
    snapshot before;
    take(&before);
    const char *argv[] = {LOBEDICE_EXE,
                          "--surfaceDistances",
                          "--outputJson",
                          path_in(dir, "r.json"),
                          "--outputTable",
                          path_in(dir, "t.csv"),
                          "--errorMap",
                          path_in(dir, "m.nii.gz"),
                          "--returnparameterfile",
                          path_in(dir, "r.params"),
                          path_in(dir, "ref.nrrd"),
                          path_in(dir, "pred.nrrd"),
                          NULL};
    CHECK_FATAL(run_program_signalled(&r, argv, sig, trigger, dir) == 0);
    if (r.status != 128 + sig) {
        fprintf(stderr, "interrupt while %s: exit %d, expected %d (stderr: %s)\n", label, r.status,
                128 + sig, r.err);
        check_failures++;
    }
    CHECK_UINT(r.err_len, 0);
    run_result_free(&r);
    expect_unchanged(&before, label);
    release(&before);
}

static void interrupts(void)
{
    interrupt_at("reading", SIGINT, seen_reading);
    interrupt_at("measuring", SIGTERM, seen_comparing);
    interrupt_at("writing", SIGHUP, seen_staged);
    interrupt_at("writing", SIGINT, seen_staged);
}

static const check_case tests[] = {
    {"catalogue", catalogue}, {"catalogue_control", catalogue_control}, {"interrupts", interrupts}};

int main(int argc, char **argv)
{
    CHECK_FATAL(fresh_dir(CLI_SCRATCH_DIR) == 0);
    return check_main(argc, argv, tests, CHECK_COUNT(tests));
}
