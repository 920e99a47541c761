/* Fuzz target: the image reading path (lobedice_image_read, ITK's NRRD, NIfTI and MetaImage
 * readers behind it) on mutated headers and bodies. The first byte picks the file name's
 * extension; the rest is the file. A .nhdr, .mhd or .hdr header may name the data file
 * "data.raw" (or "image.img"), which holds 64 bytes. A read gives a valid image or a sentence
 * on one line. */
#define _GNU_SOURCE
#include "lobedice/lobedice_io.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_bytes(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(bytes, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static char folder[64];

/* At exit: the folder and the two data files (each input is removed after its read). */
static void remove_folder(void)
{
    static const char *const files[] = {"data.raw", "image.img"};
    char path[128];
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", folder, files[i]);
        unlink(path);
    }
    rmdir(folder);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"image.nrrd", "image.nii", "image.nii.gz", "image.mha",
                                        "image.nhdr", "image.mhd", "image.hdr"};
    if (!folder[0]) {
        snprintf(folder, sizeof folder, "/tmp/lobedice-fuzz-read-%d", (int)getpid());
        mkdir(folder, 0700);
        atexit(remove_folder);
        uint8_t raw[64];
        for (int i = 0; i < 64; i++)
            raw[i] = (uint8_t)(i % 6);
        char path[128];
        snprintf(path, sizeof path, "%s/data.raw", folder);
        write_bytes(path, raw, sizeof raw);
        snprintf(path, sizeof path, "%s/image.img", folder);
        write_bytes(path, raw, sizeof raw);
    }
    if (size < 1)
        return 0;
    char path[128];
    snprintf(path, sizeof path, "%s/%s", folder, names[data[0] % 7]);
    if (write_bytes(path, data + 1, size - 1) != 0)
        return 0;
    lobedice_image *image = NULL;
    char message[1024];
    lobedice_status st = lobedice_image_read(&image, path, 1, message, sizeof message);
    if (st == LOBEDICE_OK) {
        size_t voxels = 0;
        if (lobedice_volume_voxels(&voxels, &image->volume) != LOBEDICE_OK)
            __builtin_trap(); /* a read image is always a valid volume */
    } else if (image != NULL || strchr(message, '\n') || message[0] != 'C') {
        __builtin_trap(); /* a failure is one sentence "Cannot read ...", and no image */
    }
    lobedice_image_free(image);
    unlink(path);
    return 0;
}
