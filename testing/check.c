#include "check.h"

int check_failures = 0;

void check_str(const char *a, const char *b, const char *file, int line, const char *text_a,
               const char *text_b)
{
    if (!a || !b || strcmp(a, b) != 0) {
        fprintf(stderr, "%s:%d: check failed: %s == %s (\"%s\" vs \"%s\")\n", file, line, text_a,
                text_b, a ? a : "(null)", b ? b : "(null)");
        check_failures++;
    }
}

int check_main(int argc, char **argv, const check_case *cases, size_t ncases)
{
    int ran = 0;
    for (size_t i = 0; i < ncases; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        int before = check_failures;
        cases[i].run();
        printf("%s %s\n", check_failures == before ? "ok  " : "FAIL", cases[i].name);
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "%s: no case named '%s'\n", argv[0], argc > 1 ? argv[1] : "");
        return 101;
    }
    fflush(stdout);
    return check_failures > 100 ? 100 : check_failures;
}
