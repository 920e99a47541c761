/* Writes a data set of phantom patients for lobedice-batch (the demo, the Slurm test, the
 * benchmark), in the formats researchers have: NRRD, seg.nrrd, NIfTI (.nii, .nii.gz) and
 * MetaImage, written by lobedice_io.
 *
 *   lobedice-dataset [--size X,Y,Z] [--cases N] [--broken K] [--unmatched] [--nrrd-only] DIR
 *
 * DIR/reference/caseNN.<ext> and DIR/prediction/caseNN.<ext> for NN = 01..N (patient NN of
 * phantom_fill_case). --broken K makes case K's prediction an unreadable file; --unmatched adds
 * a prediction with no reference; --nrrd-only writes gzip NRRD only (the benchmark). */
#define _POSIX_C_SOURCE 200809L
#include "lobedice/lobedice_io.h"
#include "phantom.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const ref_ext[] = {".nrrd", ".nii.gz", ".mha", ".nii"};
static const char *const pred_ext[] = {".nii.gz", ".seg.nrrd", ".nrrd", ".mha", ".nii"};

static int write_map(const char *path, const size_t size[3], enum phantom_kind kind,
                     unsigned variant)
{
    double spacing[3], origin[3];
    phantom_geometry(size, spacing, origin);
    lobedice_image *image = NULL;
    char msg[1024];
    lobedice_status st = lobedice_image_new(&image, LOBEDICE_UINT8, size, spacing, origin, NULL);
    if (st == LOBEDICE_OK && phantom_fill_case(lobedice_image_buffer(image), size, kind, variant))
        st = LOBEDICE_EINVAL;
    if (st == LOBEDICE_OK) {
        /* ".seg.nrrd" is an NRRD file: lobedice_io picks the format from the last extension */
        st = lobedice_image_write(image, path, 1, msg, sizeof msg);
        if (st != LOBEDICE_OK)
            fprintf(stderr, "lobedice-dataset: %s\n", msg);
    } else {
        fprintf(stderr, "lobedice-dataset: cannot make '%s': %s\n", path, lobedice_strerror(st));
    }
    lobedice_image_free(image);
    return st == LOBEDICE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    size_t size[3] = {128, 128, 80};
    unsigned cases = 12, broken = 0;
    int unmatched = 0, nrrd_only = 0;
    static const struct option options[] = {
        {"size", required_argument, NULL, 's'},   {"cases", required_argument, NULL, 'n'},
        {"broken", required_argument, NULL, 'b'}, {"unmatched", no_argument, NULL, 'u'},
        {"nrrd-only", no_argument, NULL, 'r'},    {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        char tail;
        switch (opt) {
        case 's':
            if (sscanf(optarg, "%zu,%zu,%zu%c", &size[0], &size[1], &size[2], &tail) != 3 ||
                !size[0] || !size[1] || !size[2]) {
                fprintf(stderr, "lobedice-dataset: --size expects X,Y,Z, got '%s'.\n", optarg);
                return 2;
            }
            break;
        case 'n':
            if (sscanf(optarg, "%u%c", &cases, &tail) != 1 || cases < 1 || cases > 99) {
                fprintf(stderr, "lobedice-dataset: --cases expects 1 to 99, got '%s'.\n", optarg);
                return 2;
            }
            break;
        case 'b':
            if (sscanf(optarg, "%u%c", &broken, &tail) != 1) {
                fprintf(stderr, "lobedice-dataset: --broken expects a case number, got '%s'.\n",
                        optarg);
                return 2;
            }
            break;
        case 'u': unmatched = 1; break;
        case 'r': nrrd_only = 1; break;
        default: return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "usage: lobedice-dataset [--size X,Y,Z] [--cases N] [--broken K] "
                        "[--unmatched] [--nrrd-only] DIR\n");
        return 2;
    }
    const char *dir = argv[optind];
    char path[4096];
    const char *sub[2] = {"reference", "prediction"};
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "lobedice-dataset: cannot create '%s': %s.\n", dir, strerror(errno));
        return 1;
    }
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, sub[k]);
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "lobedice-dataset: cannot create '%s': %s.\n", path, strerror(errno));
            return 1;
        }
    }
    for (unsigned c = 1; c <= cases + (unsigned)unmatched; c++) {
        const int extra = c > cases; /* the unmatched prediction */
        for (int k = extra; k < 2; k++) {
            const char *ext = nrrd_only ? ".nrrd"
                              : k == 0  ? ref_ext[(c - 1) % 4]
                                        : pred_ext[(c - 1) % 5];
            snprintf(path, sizeof path, "%s/%s/case%02u%s", dir, sub[k], c, ext);
            if (k == 1 && c == broken) { /* a download cut short: a header and nothing else */
                FILE *f = fopen(path, "wb");
                if (!f ||
                    fputs("NRRD0004\ntype: unsigned char\ndimension: 3\nsizes: 9 9 9\n"
                          "encoding: raw\n\n",
                          f) < 0 ||
                    fclose(f) != 0) {
                    fprintf(stderr, "lobedice-dataset: cannot write '%s'.\n", path);
                    return 1;
                }
                continue;
            }
            if (write_map(path, size, k == 0 ? PHANTOM_REFERENCE : PHANTOM_PREDICTION, c) != 0)
                return 1;
        }
    }
    printf("Wrote %u cases (%zu x %zu x %zu) to %s/reference and %s/prediction%s%s.\n", cases,
           size[0], size[1], size[2], dir, dir, broken ? ", one with a broken prediction" : "",
           unmatched ? ", and a prediction without a reference" : "");
    return 0;
}
