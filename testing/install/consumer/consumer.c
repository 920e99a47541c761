/* Compiles against the installed header and checks that header and library agree. */
#include <lobedice/lobedice.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    if (lobedice_version_number() != LOBEDICE_VERSION_NUMBER ||
        strcmp(lobedice_version(), LOBEDICE_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s but library %s\n", LOBEDICE_VERSION_STRING, lobedice_version());
        return 1;
    }
    const uint8_t ref[4] = {1, 1, 0, 2}, pred[4] = {1, 0, 0, 2};
    lobedice_volume a = {ref, LOBEDICE_UINT8, {4, 1, 1}, {1, 1, 1}};
    lobedice_volume b = {pred, LOBEDICE_UINT8, {4, 1, 1}, {1, 1, 1}};
    const int64_t labels[2] = {1, 2};
    lobedice_label_overlap out[2];
    lobedice_status st = lobedice_overlap(out, &a, &b, labels, 2, 0);
    if (st != LOBEDICE_OK) {
        fprintf(stderr, "lobedice_overlap: %s\n", lobedice_strerror(st));
        return 1;
    }
    printf("lobedice %s: dice(1) = %.6f, dice(2) = %.6f\n", lobedice_version(), out[0].dice,
           out[1].dice);
    return out[0].dice > 0.66 && out[0].dice < 0.67 && out[1].dice == 1.0 ? 0 : 1;
}
