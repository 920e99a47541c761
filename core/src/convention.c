/* Label conventions (docs/conventions.md): the presets, the explicit map syntax, the lobes of
 * Slicer segments (terminology codes, then names), and the check that a map's values fit the
 * convention it is read with. */
#include "internal.h"
#include "label_lookup.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Lobes ------------------------------------------------------------------------------------
 */

static const char *const ld_lobe_abbreviations[] = {"RUL", "RML", "RLL", "LUL", "LLL"};

static int ld_equal_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* The lobe named by s[0..n) (an abbreviation in any case), 0 for none. */
static int64_t ld_lobe_of(const char *s, size_t n)
{
    for (int k = 0; k < 5; k++)
        if (n == 3 && ld_equal_nocase(s, ld_lobe_abbreviations[k], 3))
            return k + 1;
    return 0;
}

lobedice_status lobedice_lobe_parse(int64_t *lobe, const char *name)
{
    if (!lobe || !name)
        return LOBEDICE_EINVAL;
    const int64_t k = ld_lobe_of(name, strlen(name));
    if (!k)
        return LOBEDICE_EINVAL;
    *lobe = k;
    return LOBEDICE_OK;
}

/* ---- Presets ---------------------------------------------------------------------------------
 * values[k] is the value of lobe k + 1 (RUL, RML, RLL, LUL, LLL); max_value is the largest value
 * the tool writes for any structure (lobes and other organs), which tells two tools apart when
 * their lobe values overlap. Sources: docs/conventions.md. */
typedef struct ld_preset {
    const char *name;
    int64_t values[5];
    int64_t max_value;
} ld_preset;

static const ld_preset ld_presets[] = {
    {"lobedice", {1, 2, 3, 4, 5}, 5},
    {"lungmask", {3, 4, 5, 1, 2}, 5},                /* LTRCLobes: 1 LUL 2 LLL 3 RUL 4 RML 5 RLL */
    {"totalsegmentator", {12, 13, 14, 10, 11}, 117}, /* v2 task total: organs 1..117 */
    {"totalsegmentator-v1", {15, 16, 17, 13, 14}, 104}, /* v1: organs 1..104 */
};
#define LD_NPRESETS (sizeof ld_presets / sizeof *ld_presets)

const char *lobedice_convention_preset_name(size_t index)
{
    if (index < LD_NPRESETS)
        return ld_presets[index].name;
    return index == LD_NPRESETS ? "identity" : NULL;
}

static void ld_set_name(lobedice_label_convention *conv, const char *name)
{
    snprintf(conv->name, sizeof conv->name, "%s", name);
}

static void ld_fill_preset(lobedice_label_convention *conv, const ld_preset *p)
{
    memset(conv, 0, sizeof *conv);
    ld_set_name(conv, p->name);
    conv->npairs = 5;
    for (int k = 0; k < 5; k++) {
        conv->values[k] = p->values[k];
        conv->labels[k] = k + 1;
    }
}

lobedice_status lobedice_convention_preset(lobedice_label_convention *conv, const char *name)
{
    if (!conv || !name)
        return LOBEDICE_EINVAL;
    for (size_t i = 0; i < LD_NPRESETS; i++)
        if (strcmp(name, ld_presets[i].name) == 0) {
            ld_fill_preset(conv, &ld_presets[i]);
            return LOBEDICE_OK;
        }
    if (strcmp(name, "identity") == 0) {
        memset(conv, 0, sizeof *conv);
        ld_set_name(conv, "identity");
        conv->identity = 1;
        return LOBEDICE_OK;
    }
    return LOBEDICE_EINVAL;
}

int64_t lobedice_convention_label(const lobedice_label_convention *conv, int64_t value)
{
    if (!conv || conv->identity)
        return value;
    for (size_t i = 0; i < conv->npairs && i < LOBEDICE_CONVENTION_MAX_PAIRS; i++)
        if (conv->values[i] == value)
            return conv->labels[i];
    return 0;
}

/* ---- The explicit map --------------------------------------------------------------------------
 */

static void ld_trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static lobedice_status ld_parse_fail(lobedice_convention_error *error, const char *text,
                                     const char *at, size_t n, lobedice_convention_problem problem)
{
    if (error)
        *error = (lobedice_convention_error){(size_t)(at - text), n, problem};
    return LOBEDICE_EINVAL;
}

/* A non-zero whole number that a 32-bit label type holds (int32 or uint32). */
static int ld_parse_value(const char *s, size_t n, int64_t *value)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    const long long v = strtoll(buf, &end, 10);
    if (*end != '\0' || errno == ERANGE || v == 0 || v < INT32_MIN || v > (long long)UINT32_MAX)
        return -1; /* 0 is the background */
    *value = (int64_t)v;
    return 0;
}

lobedice_status lobedice_convention_parse(lobedice_label_convention *conv,
                                          lobedice_convention_error *error, const char *text)
{
    if (!conv || !text)
        return LOBEDICE_EINVAL;
    const char *whole = text;
    size_t whole_n = strlen(text);
    ld_trim(&whole, &whole_n);
    if (whole_n == 0)
        return ld_parse_fail(error, text, whole, 0, LOBEDICE_CONVENTION_EMPTY);
    char name[LOBEDICE_CONVENTION_NAME_SIZE];
    if (whole_n < sizeof name && !memchr(whole, '=', whole_n)) {
        for (size_t i = 0; i < whole_n; i++)
            name[i] = (char)tolower((unsigned char)whole[i]);
        name[whole_n] = '\0';
        if (lobedice_convention_preset(conv, name) == LOBEDICE_OK)
            return LOBEDICE_OK;
    }
    if (!memchr(whole, '=', whole_n))
        return ld_parse_fail(error, text, whole, whole_n, LOBEDICE_CONVENTION_SYNTAX);

    lobedice_label_convention out;
    memset(&out, 0, sizeof out);
    ld_set_name(&out, "custom");
    const char *item = text;
    for (;;) {
        const char *comma = strchr(item, ',');
        size_t n = comma ? (size_t)(comma - item) : strlen(item);
        const char *s = item;
        ld_trim(&s, &n);
        const char *eq = memchr(s, '=', n);
        if (!eq)
            return ld_parse_fail(error, text, s, n, LOBEDICE_CONVENTION_SYNTAX);
        const char *v = s, *l = eq + 1;
        size_t vn = (size_t)(eq - s), ln = n - vn - 1;
        ld_trim(&v, &vn);
        ld_trim(&l, &ln);
        int64_t value, lobe;
        if (ld_parse_value(v, vn, &value) != 0)
            return ld_parse_fail(error, text, s, n, LOBEDICE_CONVENTION_VALUE);
        if (!(lobe = ld_lobe_of(l, ln)))
            return ld_parse_fail(error, text, s, n, LOBEDICE_CONVENTION_LOBE);
        for (size_t i = 0; i < out.npairs; i++)
            if (out.values[i] == value)
                return ld_parse_fail(error, text, s, n, LOBEDICE_CONVENTION_REPEAT);
        if (out.npairs == LOBEDICE_CONVENTION_MAX_PAIRS)
            return ld_parse_fail(error, text, s, n, LOBEDICE_CONVENTION_TOO_MANY);
        out.values[out.npairs] = value;
        out.labels[out.npairs] = lobe;
        out.npairs++;
        if (!comma)
            break;
        item = comma + 1;
    }
    *conv = out;
    return LOBEDICE_OK;
}

/* ---- Slicer segments ---------------------------------------------------------------------------
 * Codes from Slicer's terminology lists (SegmentationCategoryTypeModifier-*.json): a lobe is a
 * type plus a laterality modifier, except the middle lobe; lateralised single concepts are in
 * SNOMED CT too (docs/conventions.md). */
#define LD_SCT_RIGHT "24028007"
#define LD_SCT_LEFT "7771000"

static const struct {
    const char *type, *modifier; /* modifier NULL: none needed */
    int64_t lobe;
} ld_lobe_codes[] = {
    {"45653009", LD_SCT_RIGHT, 1}, /* Upper lobe of lung, Right */
    {"45653009", LD_SCT_LEFT, 4},  /* Upper lobe of lung, Left */
    {"90572001", LD_SCT_RIGHT, 3}, /* Lower lobe of lung, Right */
    {"90572001", LD_SCT_LEFT, 5},  /* Lower lobe of lung, Left */
    {"72481006", NULL, 2},         /* Middle lobe of right lung */
    {"42400003", NULL, 1},         /* Upper lobe of right lung */
    {"44714003", NULL, 4},         /* Upper lobe of left lung */
    {"266005", NULL, 3},           /* Lower lobe of right lung */
    {"41224006", NULL, 5},         /* Lower lobe of left lung */
};

/* Field `index` of s[0..n) split at sep, or NULL (with *len 0) when there are fewer fields. */
static const char *ld_field(const char *s, size_t n, char sep, size_t index, size_t *len)
{
    const char *end = s + n;
    for (size_t i = 0; i < index; i++) {
        const char *next = memchr(s, sep, (size_t)(end - s));
        if (!next) {
            *len = 0;
            return NULL;
        }
        s = next + 1;
    }
    const char *stop = memchr(s, sep, (size_t)(end - s));
    *len = (size_t)((stop ? stop : end) - s);
    return s;
}

/* True when the code triple "scheme^value^meaning" is SNOMED CT's `value`. */
static int ld_is_sct(const char *triple, size_t n, const char *value)
{
    size_t sn, vn;
    const char *scheme = ld_field(triple, n, '^', 0, &sn);
    const char *code = ld_field(triple, n, '^', 1, &vn);
    return scheme && code && sn == 3 && memcmp(scheme, "SCT", 3) == 0 && vn == strlen(value) &&
           memcmp(code, value, vn) == 0;
}

/* The lobe of a TerminologyEntry value "context~category~type~modifier~...", 0 for none. */
static int64_t ld_terminology_lobe(const char *entry, size_t n)
{
    size_t tn, mn;
    const char *type = ld_field(entry, n, '~', 2, &tn);
    const char *modifier = ld_field(entry, n, '~', 3, &mn);
    if (!type)
        return 0;
    for (size_t i = 0; i < sizeof ld_lobe_codes / sizeof *ld_lobe_codes; i++) {
        if (!ld_is_sct(type, tn, ld_lobe_codes[i].type))
            continue;
        if (!ld_lobe_codes[i].modifier ||
            (modifier && ld_is_sct(modifier, mn, ld_lobe_codes[i].modifier)))
            return ld_lobe_codes[i].lobe;
    }
    return 0;
}

/* The TerminologyEntry tag among "key:value|key:value|". */
static const char *ld_terminology_tag(const char *tags, size_t *n)
{
    static const char key[] = "TerminologyEntry:";
    for (const char *p = tags; p && *p;) {
        const char *bar = strchr(p, '|');
        const size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len >= sizeof key - 1 && memcmp(p, key, sizeof key - 1) == 0) {
            *n = len - (sizeof key - 1);
            return p + sizeof key - 1;
        }
        p = bar ? bar + 1 : NULL;
    }
    return NULL;
}

/* Removes every occurrence of word from s (in place). */
static void ld_remove_word(char *s, const char *word)
{
    const size_t n = strlen(word);
    for (char *p; (p = strstr(s, word));)
        memmove(p, p + n, strlen(p + n) + 1);
}

/* The lobe a segment name stands for, 0 for none: lower case letters and digits only, the words
 * "lobe", "lung" and "of" dropped, then a side and a position in either order
 * ("rightupper", "upperright"), the middle lobe without a side, or an abbreviation. */
static int64_t ld_name_lobe(const char *name)
{
    char s[256];
    size_t n = 0;
    if (strlen(name) >= sizeof s)
        return 0; /* longer than any lobe name */
    for (const char *p = name; *p; p++)
        if (isalnum((unsigned char)*p))
            s[n++] = (char)tolower((unsigned char)*p);
    s[n] = '\0';
    const int64_t abbreviation = ld_lobe_of(s, n);
    if (abbreviation)
        return abbreviation;
    ld_remove_word(s, "lobe");
    ld_remove_word(s, "lung");
    ld_remove_word(s, "of");
    static const struct {
        const char *word;
        int position; /* 0 upper, 1 middle, 2 lower */
    } positions[] = {{"upper", 0}, {"superior", 0}, {"middle", 1}, {"lower", 2}, {"inferior", 2}};
    static const char *const sides[] = {"right", "left"};
    for (size_t i = 0; i < sizeof positions / sizeof *positions; i++) {
        const int pos = positions[i].position;
        if (pos == 1 && strcmp(s, "middle") == 0)
            return 2;
        for (int side = 0; side < 2; side++) {
            if (pos == 1 && side == 1)
                continue; /* the left lung has no middle lobe */
            char a[32], b[32];
            snprintf(a, sizeof a, "%s%s", sides[side], positions[i].word);
            snprintf(b, sizeof b, "%s%s", positions[i].word, sides[side]);
            if (strcmp(s, a) == 0 || strcmp(s, b) == 0)
                return side == 0 ? 1 + pos : (pos == 0 ? 4 : 5);
        }
    }
    return 0;
}

lobedice_status lobedice_segment_lobe(int64_t *lobe, lobedice_segment_match *how, const char *name,
                                      const char *tags)
{
    if (!lobe || !how)
        return LOBEDICE_EINVAL;
    size_t n = 0;
    const char *entry = tags ? ld_terminology_tag(tags, &n) : NULL;
    int64_t k = entry ? ld_terminology_lobe(entry, n) : 0;
    if (k) {
        *lobe = k;
        *how = LOBEDICE_MATCH_TERMINOLOGY;
        return LOBEDICE_OK;
    }
    k = name ? ld_name_lobe(name) : 0;
    *lobe = k;
    *how = k ? LOBEDICE_MATCH_NAME : LOBEDICE_MATCH_NONE;
    return LOBEDICE_OK;
}

/* ---- Does a map fit its convention?
 * --------------------------------------------------------------- A convention fits a map's
 * non-zero values V when it names at least min(3, its pairs) of them and, for a preset, no value of
 * V lies outside what that tool writes (0..max_value). When the convention in force does not fit
 * and a preset with another set of values does, the map is most likely read with the wrong
 * convention. The identity fits everything. */

typedef struct ld_fit {
    size_t named; /* values of V the convention names */
    int fits;
} ld_fit;

static ld_fit ld_fit_pairs(const int64_t *values, size_t npairs, int64_t max_value,
                           const lobedice_value_count *counts, size_t ncounts)
{
    ld_fit f = {0, 0};
    int outside = 0, any = 0;
    for (size_t i = 0; i < ncounts; i++) {
        const int64_t v = counts[i].value;
        if (v == 0)
            continue;
        any = 1;
        if (max_value && (v < 0 || v > max_value))
            outside = 1;
        for (size_t j = 0; j < npairs; j++)
            if (values[j] == v) {
                f.named++;
                break;
            }
    }
    const size_t need = npairs < 3 ? npairs : 3;
    f.fits = !any || (f.named >= need && !outside);
    return f;
}

/* The preset whose name is conv's, or NULL (custom or identity). */
static const ld_preset *ld_preset_of(const lobedice_label_convention *conv)
{
    for (size_t i = 0; i < LD_NPRESETS; i++)
        if (strcmp(conv->name, ld_presets[i].name) == 0)
            return &ld_presets[i];
    return NULL;
}

/* True when conv names exactly the values of preset p (the same values, maybe other lobes). */
static int ld_same_values(const lobedice_label_convention *conv, const ld_preset *p)
{
    if (conv->identity || conv->npairs != 5)
        return 0;
    for (int k = 0; k < 5; k++) {
        int found = 0;
        for (size_t i = 0; i < conv->npairs; i++)
            found |= conv->values[i] == p->values[k];
        if (!found)
            return 0;
    }
    return 1;
}

static int ld_present(const lobedice_value_count *counts, size_t ncounts, int64_t value)
{
    size_t lo = 0, hi = ncounts; /* counts are ascending by value */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (counts[mid].value < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ncounts && counts[lo].value == value;
}

/* The non-zero values of a map and the labels they are compared as (the smallest stored). */
static void ld_describe(lobedice_input_labels *in, const lobedice_label_convention *conv,
                        const lobedice_value_count *counts, size_t ncounts)
{
    memset(in, 0, sizeof *in);
    for (size_t i = 0; i < ncounts; i++) {
        if (counts[i].value == 0)
            continue;
        if (in->nvalues < LOBEDICE_CHECK_MAX_VALUES)
            in->values[in->nvalues] = counts[i].value;
        in->nvalues++;
    }
    if (conv->identity) {
        in->nlabels = in->nvalues;
        memcpy(in->labels, in->values, sizeof in->labels);
        return;
    }
    /* the labels of the pairs whose value is present, ascending and distinct */
    int64_t labels[LOBEDICE_CONVENTION_MAX_PAIRS];
    size_t n = 0;
    for (size_t i = 0; i < conv->npairs; i++)
        if (conv->values[i] != 0 && ld_present(counts, ncounts, conv->values[i]))
            labels[n++] = conv->labels[i];
    n = ld_sort_unique_int64(labels, n);
    for (size_t i = 0; i < n; i++) {
        if (in->nlabels < LOBEDICE_CHECK_MAX_VALUES)
            in->labels[in->nlabels] = labels[i];
        in->nlabels++;
    }
}

/* Do the labels of the two maps share one? Exact, over all values (not only the stored ones). */
static int ld_share_label(const lobedice_label_convention *const conventions[2],
                          const lobedice_value_count *const counts[2], const size_t ncounts[2])
{
    if (conventions[0]->identity && conventions[1]->identity) {
        for (size_t i = 0, j = 0; i < ncounts[0] && j < ncounts[1];) {
            const int64_t a = counts[0][i].value, b = counts[1][j].value;
            if (a == b && a != 0)
                return 1;
            if (a <= b)
                i++;
            else
                j++;
        }
        return 0;
    }
    /* one side is a map: its few labels, looked up on the other side */
    const int m = conventions[0]->identity ? 1 : 0, other = 1 - m;
    const lobedice_label_convention *conv = conventions[m];
    for (size_t i = 0; i < conv->npairs; i++) {
        if (conv->values[i] == 0 || !ld_present(counts[m], ncounts[m], conv->values[i]))
            continue;
        const int64_t label = conv->labels[i];
        for (size_t j = 0; j < ncounts[other]; j++)
            if (counts[other][j].value != 0 &&
                lobedice_convention_label(conventions[other], counts[other][j].value) == label)
                return 1;
    }
    return 0;
}

lobedice_status ld_labels_check(lobedice_label_check *check,
                                const lobedice_label_convention *const conventions[2],
                                const lobedice_value_count *const counts[2],
                                const size_t ncounts[2])
{
    memset(check, 0, sizeof *check);
    for (int i = 0; i < 2; i++)
        ld_describe(&check->inputs[i], conventions[i], counts[i], ncounts[i]);
    for (size_t input = 0; input < 2; input++) {
        const lobedice_label_convention *conv = conventions[input];
        if (conv->identity)
            continue;
        const ld_preset *own = ld_preset_of(conv);
        const ld_fit fit = ld_fit_pairs(conv->values, conv->npairs, own ? own->max_value : 0,
                                        counts[input], ncounts[input]);
        if (fit.fits)
            continue;
        /* the presets that fit, most values named first (table order among equals) */
        size_t order[LD_NPRESETS], named[LD_NPRESETS], nfit = 0;
        for (size_t p = 0; p < LD_NPRESETS; p++) {
            if (ld_same_values(conv, &ld_presets[p]))
                continue;
            const ld_fit f = ld_fit_pairs(ld_presets[p].values, 5, ld_presets[p].max_value,
                                          counts[input], ncounts[input]);
            if (!f.fits || f.named == 0)
                continue;
            size_t at = nfit;
            while (at > 0 && named[at - 1] < f.named) {
                order[at] = order[at - 1];
                named[at] = named[at - 1];
                at--;
            }
            order[at] = p;
            named[at] = f.named;
            nfit++;
        }
        if (nfit == 0)
            continue;
        check->mismatch = LOBEDICE_LABELS_OTHER_PRESET;
        check->input = input;
        /* the best, and those as good: values alone cannot choose among them */
        for (size_t k = 0; k < nfit && named[k] == named[0]; k++)
            check->fits[k] = ld_presets[order[k]].name;
        return LOBEDICE_OK;
    }
    if (check->inputs[0].nvalues && check->inputs[1].nvalues &&
        !ld_share_label(conventions, counts, ncounts))
        check->mismatch = LOBEDICE_LABELS_DISJOINT;
    return LOBEDICE_OK;
}

bool ld_convention_valid(const lobedice_label_convention *conv)
{
    if (!conv || conv->identity)
        return true;
    if (conv->npairs > LOBEDICE_CONVENTION_MAX_PAIRS)
        return false;
    for (size_t a = 0; a < conv->npairs; a++) {
        if (conv->labels[a] <= 0)
            return false;
        for (size_t b = 0; b < a; b++)
            if (conv->values[a] == conv->values[b])
                return false;
    }
    return true;
}

/* ---- A map's labels as voxels ---------------------------------------------------------------- */

#define LD_APPLY_CHUNK 16384

typedef struct ld_apply_ctx {
    void *out;
    lobedice_dtype out_dtype;
    const lobedice_volume *in;
    const ld_lookup *lookup; /* NULL: the identity */
    int64_t min, max;        /* what out_dtype holds */
    size_t voxels;
    _Atomic int failed;
} ld_apply_ctx;

static void ld_apply_chunk(void *arg, size_t task)
{
    ld_apply_ctx *c = arg;
    const size_t begin = task * LD_APPLY_CHUNK;
    const size_t count = c->voxels - begin < LD_APPLY_CHUNK ? c->voxels - begin : LD_APPLY_CHUNK;
    uint32_t codes[LD_APPLY_CHUNK];
    if (c->lookup)
        ld_lookup_span(c->lookup, codes, c->in->data, begin, count);
    for (size_t j = 0; j < count; j++) {
        const int64_t label =
            c->lookup ? (int64_t)codes[j] : ld_label_at(c->in->data, c->in->dtype, begin + j);
        if (label < c->min || label > c->max) {
            c->failed = 1;
            return;
        }
        ld_label_store(c->out, c->out_dtype, begin + j, label);
    }
}

lobedice_status lobedice_convention_apply(void *out, lobedice_dtype out_dtype,
                                          const lobedice_volume *in,
                                          const lobedice_label_convention *conv, size_t threads)
{
    if (!out || !in)
        return LOBEDICE_EINVAL;
    size_t voxels;
    lobedice_status st = lobedice_volume_voxels(&voxels, in);
    if (st != LOBEDICE_OK)
        return st;
    ld_apply_ctx c = {out, out_dtype, in, NULL, 0, 0, voxels, 0};
    if (!ld_dtype_range(out_dtype, &c.min, &c.max))
        return LOBEDICE_EDTYPE;
    ld_lookup lookup;
    const int mapped = conv && !conv->identity;
    if (!ld_convention_valid(conv))
        return LOBEDICE_EINVAL;
    if (mapped) {
        uint32_t codes[LOBEDICE_CONVENTION_MAX_PAIRS];
        for (size_t i = 0; i < conv->npairs; i++) {
            if (conv->labels[i] > UINT32_MAX)
                return LOBEDICE_EINVAL;
            codes[i] = (uint32_t)conv->labels[i];
        }
        st = ld_lookup_init(&lookup, in->dtype, conv->values, codes, conv->npairs);
        if (st != LOBEDICE_OK)
            return st;
        c.lookup = &lookup;
    }
    ld_parallel_for(threads, (voxels + LD_APPLY_CHUNK - 1) / LD_APPLY_CHUNK, ld_apply_chunk, &c);
    if (mapped)
        ld_lookup_free(&lookup);
    return c.failed ? LOBEDICE_ELABEL : LOBEDICE_OK;
}
