/* A small check library for the project's tests (in the spirit of libuv's task.h).
 * A failed check prints file, line, the expression and both values, and the case goes on;
 * the program's exit status is the number of failed checks (capped at 100). */
#ifndef LOBEDICE_CHECK_H
#define LOBEDICE_CHECK_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

extern int check_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__,  \
                    #a, #b, check_a_, check_b_);                                                   \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_UINT(a, b)                                                                           \
    do {                                                                                           \
        unsigned long long check_a_ = (unsigned long long)(a), check_b_ = (unsigned long long)(b); \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%llu vs %llu)\n", __FILE__, __LINE__,  \
                    #a, #b, check_a_, check_b_);                                                   \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

/* |a - b| <= tol, or both NaN. */
#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double check_a_ = (double)(a), check_b_ = (double)(b);                                     \
        if (!((isnan(check_a_) && isnan(check_b_)) ||                                              \
              fabs(check_a_ - check_b_) <= (double)(tol))) {                                       \
            fprintf(stderr, "%s:%d: check failed: %s ~ %s (%.17g vs %.17g, tol %g)\n", __FILE__,   \
                    __LINE__, #a, #b, check_a_, check_b_, (double)(tol));                          \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

/* Bitwise-equal doubles (NaN equals NaN): for thread-count invariance. */
#define CHECK_SAME(a, b)                                                                           \
    do {                                                                                           \
        double check_a_ = (double)(a), check_b_ = (double)(b);                                     \
        if (!((isnan(check_a_) && isnan(check_b_)) ||                                              \
              memcmp(&check_a_, &check_b_, sizeof check_a_) == 0)) {                               \
            fprintf(stderr, "%s:%d: check failed: %s is bitwise %s (%.17g vs %.17g)\n", __FILE__,  \
                    __LINE__, #a, #b, check_a_, check_b_);                                         \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

/* A function, so that a temporary such as std::string(...).c_str() lives until compared. */
void check_str(const char *a, const char *b, const char *file, int line, const char *text_a,
               const char *text_b);
#define CHECK_STR(a, b) check_str((a), (b), __FILE__, __LINE__, #a, #b)

/* A case that cannot go on (allocation failed, fixture missing) stops the program. */
#define CHECK_FATAL(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fatal: %s\n", __FILE__, __LINE__, #cond);                      \
            exit(100);                                                                             \
        }                                                                                          \
    } while (0)

typedef struct check_case {
    const char *name;
    void (*run)(void);
} check_case;

/* Runs the case named by argv[1], or every case when there is no argument; one CTest entry per
 * case calls the program with the case name (see lobedice_add_test in testing/CMakeLists.txt).
 * Returns the exit status. */
int check_main(int argc, char **argv, const check_case *cases, size_t ncases);

#define CHECK_COUNT(array) (sizeof(array) / sizeof((array)[0]))

#ifdef __cplusplus
}
#endif

#endif
