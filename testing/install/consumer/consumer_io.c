/* Compiles against the installed lobedice_io.h and links only lobedice::io (ITK stays inside it):
 * writes a small label map as gzip NRRD, reads it back, checks grid and voxels (Dice 1 for every
 * label, through the core), and checks that a missing file is refused with a sentence.
 * Usage: consumer_io FOLDER (a writable folder for the file). */
#include <lobedice/lobedice_io.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, lobedice_status st, const char *message)
{
    fprintf(stderr, "consumer_io: %s: %s (%s)\n", what, lobedice_strerror(st), message);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer_io FOLDER\n");
        return 2;
    }
    char path[4096], missing[4096], msg[512] = "";
    snprintf(path, sizeof path, "%s/consumer_io.nrrd", argv[1]);
    snprintf(missing, sizeof missing, "%s/no-such-file.nrrd", argv[1]);

    const size_t size[3] = {5, 4, 3};
    const double spacing[3] = {0.5, 0.75, 2.0}, origin[3] = {-10.0, 20.0, 5.5};
    lobedice_image *image = NULL, *back = NULL;
    lobedice_status st = lobedice_image_new(&image, LOBEDICE_UINT8, size, spacing, origin, NULL);
    if (st != LOBEDICE_OK)
        return fail("lobedice_image_new", st, "");
    uint8_t *voxels = lobedice_image_buffer(image);
    for (size_t i = 0; i < 60; i++)
        voxels[i] = (uint8_t)(i * 7 % 6); /* labels 0..5 */
    st = lobedice_image_write(image, path, 1, msg, sizeof msg);
    if (st != LOBEDICE_OK)
        return fail("lobedice_image_write", st, msg);
    st = lobedice_image_read(&back, path, 0, msg, sizeof msg);
    if (st != LOBEDICE_OK)
        return fail("lobedice_image_read", st, msg);
    int bad = back->volume.dtype != LOBEDICE_UINT8 || back->dimension != 3;
    for (int a = 0; a < 3; a++)
        bad |= back->volume.size[a] != size[a] || back->volume.spacing[a] != spacing[a] ||
               back->origin[a] != origin[a];
    if (bad) {
        fprintf(stderr, "consumer_io: %s came back with another type or grid\n", path);
        return 1;
    }
    const int64_t labels[5] = {1, 2, 3, 4, 5};
    lobedice_label_overlap out[5];
    st = lobedice_overlap(out, &image->volume, &back->volume, labels, 5, 0);
    if (st != LOBEDICE_OK)
        return fail("lobedice_overlap", st, "");
    for (int i = 0; i < 5; i++)
        if (out[i].dice != 1.0 || out[i].tp != 10) {
            fprintf(stderr, "consumer_io: label %d: Dice %g over %llu voxels, expected 1 over 10\n",
                    i + 1, out[i].dice, (unsigned long long)out[i].tp);
            return 1;
        }
    lobedice_image_free(back);
    lobedice_image_free(image);
    remove(path);

    lobedice_image *none = NULL;
    msg[0] = '\0';
    st = lobedice_image_read(&none, missing, 0, msg, sizeof msg);
    if (st != LOBEDICE_EIO || none || !strstr(msg, "no-such-file.nrrd")) {
        fprintf(stderr, "consumer_io: reading a missing file gave %s, message '%s'\n",
                lobedice_strerror(st), msg);
        return 1;
    }
    printf("lobedice_io %s: wrote and read back a 5x4x3 gzip NRRD, Dice 1 for labels 1..5; a "
           "missing file: %s\n",
           lobedice_version(), msg);
    return 0;
}
