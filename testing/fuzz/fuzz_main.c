/* Runs a fuzz target once on each file named on the command line (each seed and each
 * regression input kept in testing/fuzz/), for builds without libFuzzer: this is how every
 * input that once crashed stays a test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "cannot open %s\n", argv[i]);
            return 1;
        }
        uint8_t *data = NULL;
        size_t size = 0, cap = 0;
        for (;;) {
            if (size == cap) {
                uint8_t *grown = realloc(data, cap = cap ? 2 * cap : 4096);
                if (!grown) {
                    fclose(f);
                    free(data);
                    return 1;
                }
                data = grown;
            }
            size_t got = fread(data + size, 1, cap - size, f);
            size += got;
            if (got == 0)
                break;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(data, size);
        free(data);
    }
    printf("%d inputs ran\n", argc - 1);
    return 0;
}
