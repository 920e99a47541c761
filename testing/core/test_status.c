/* Status sentences and the version: every status has its own sentence, an unknown value the
 * generic one, and the version the header was compiled with is the one linked. */
#include "check.h"
#include "lobedice/lobedice.h"

#include <stdio.h>
#include <string.h>

/* Every status the header declares, from LOBEDICE_OK down to the last one. */
static const lobedice_status all_statuses[] = {
    LOBEDICE_OK,       LOBEDICE_EINVAL,     LOBEDICE_ENOMEM,    LOBEDICE_EOVERFLOW,
    LOBEDICE_EDTYPE,   LOBEDICE_ESIZE,      LOBEDICE_ESPACING,  LOBEDICE_ELABEL,
    LOBEDICE_EPALETTE, LOBEDICE_ENOTFINITE, LOBEDICE_EWEIGHT,   LOBEDICE_ENONINTEGER,
    LOBEDICE_EIO,      LOBEDICE_EFORMAT,    LOBEDICE_EGEOMETRY, LOBEDICE_ECONVENTION,
    LOBEDICE_EOVERLAP};
#define NSTATUSES (sizeof all_statuses / sizeof all_statuses[0])

static int is_sentence(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 1 && s[n - 1] == '.' && s[0] >= 'A' && s[0] <= 'Z';
}

static void test_sentences(void)
{
    /* the values are pinned: 0, -1, ..., -16 with none left out */
    for (size_t i = 0; i < NSTATUSES; i++)
        CHECK_INT(all_statuses[i], -(int)i);
    const char *generic = lobedice_strerror((lobedice_status)1);
    CHECK(is_sentence(generic));
    for (size_t i = 0; i < NSTATUSES; i++) {
        const char *s = lobedice_strerror(all_statuses[i]);
        if (!is_sentence(s))
            fprintf(stderr, "status %d: \"%s\"\n", (int)all_statuses[i], s ? s : "(null)");
        CHECK(is_sentence(s));
        CHECK(s && strcmp(s, generic) != 0); /* a known status never gets the generic one */
        for (size_t j = 0; j < i; j++)
            CHECK(s && strcmp(s, lobedice_strerror(all_statuses[j])) != 0);
    }
    /* unknown values, on either side of the known ones, get the generic sentence */
    const int unknown[4] = {1, -17, 1000, -1000};
    for (size_t i = 0; i < 4; i++)
        CHECK_STR(lobedice_strerror((lobedice_status)unknown[i]), generic);
}

static void test_version(void)
{
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", LOBEDICE_VERSION_MAJOR, LOBEDICE_VERSION_MINOR,
             LOBEDICE_VERSION_PATCH);
    CHECK_STR(LOBEDICE_VERSION_STRING, expected);
    CHECK_STR(lobedice_version(), LOBEDICE_VERSION_STRING);
    CHECK_UINT(lobedice_version_number(), LOBEDICE_VERSION_NUMBER);
    CHECK_UINT(LOBEDICE_VERSION_NUMBER, LOBEDICE_VERSION_MAJOR * 10000 +
                                            LOBEDICE_VERSION_MINOR * 100 + LOBEDICE_VERSION_PATCH);
}

static const check_case cases[] = {
    {"sentences", test_sentences},
    {"version", test_version},
};

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
