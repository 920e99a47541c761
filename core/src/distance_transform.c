/* Exact separable Euclidean distance transform restricted to a box, evaluated at query voxels.
 *
 * Pass x (per row that holds features): the integer offset dx to the nearest feature of the row.
 * Pass y (per slice that holds features, per column x that holds queries): the lower envelope
 *   of the parabolas sx^2*dx(y')^2 + sy^2*(y - y')^2 over the rows y' that hold features gives,
 *   for a y of the column's query range, the row y* of the nearest feature in the slice. Stored
 *   as the integer pair (dx(y*), |y - y*|): no rounded real squared distance is kept, and a pair
 *   takes 4 bytes. With equal spacings along x and y the envelope is built and swept in exact
 *   integer arithmetic.
 * Pass z (per plane y, at the query voxels only): the in-slice squared distances
 *   G(z') = sx^2*dx^2 + sy^2*dy^2 are recomputed exactly from the pairs, and the minimum of
 *   G(z') + sz^2*(z - z')^2 over the slices z' that hold features is taken. A query starts from
 *   an upper bound (below) and from the slice nearest to it, and moves outwards on both sides
 *   only while the z term alone is below the lowest value found: no slice beyond can be lower,
 *   so it gets the minimum over all slices, the value of a full pass, usually after a few
 *   slices. A column whose queries could visit more slices in total than there are takes the
 *   full pass over all of them instead: the plain minimum for a few queries, the envelope for
 *   many.
 * Bounds (per plane y, before pass y): a query's squared distance is at most that to the
 *   nearest feature on its own row and on its own column along z, which is the value pass z
 *   computes for that feature. That bound limits the slices pass z can visit, so pass y builds
 *   every envelope but evaluates it only at the pairs pass z will read (marked in a byte map),
 *   a small part of the query ranges when the two surfaces are near each other.
 *
 * Envelopes are built with Maurer, Qi and Raghavan's (2003) division-free test for dropping a
 * parabola; one division per kept parabola then gives the crossings the sweep compares with.
 * Box flags are plane-major (see ld_dt_box), so planes are read as blocks. The work is split
 * into tasks (one slice, one plane, a few planes) that do not depend on the thread count, and
 * each task writes only its own outputs, so the distances are the same, in the same order, for
 * any thread count. */
#include "distance_transform.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Columns gathered together by a plane task in the z pass (a whole row in most boxes). */
enum { LD_Z_CHUNK = 256 };

/* ---- Scratch: one slot per worker (ld_parallel_for_workers), carved into pieces ---------- */

/* Carves an aligned piece of `bytes` out of a slot. */
static void *ld_carve(unsigned char **cursor, size_t bytes)
{
    void *p = *cursor;
    *cursor += (bytes + 63) & ~(size_t)63;
    return p;
}

/* Bytes that ld_carve needs for n pieces of the given sizes, or 0 on overflow. */
static size_t ld_carve_total(const size_t *bytes, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = (bytes[i] + 63) & ~(size_t)63;
        if (b < bytes[i] || !ld_add_size(total, b, &total))
            return 0;
    }
    return total;
}

/* ---- The lower envelope of parabolas h[k] + s2*(t - pos[k])^2, pos increasing ------------- */

typedef struct ld_envelope {
    uint32_t *site; /* the sites that reach the envelope, left to right */
    double *pos, *h;
    double *cross; /* cross[l]: parabola l+1 is lower than l for t > cross[l] */
    size_t m;
} ld_envelope;

/* The middle one v of sites u < v < w is dropped when the crossing of u and v is not left of
 * the crossing of v and w; multiplied out, that is the division-free test below. The crossings
 * are computed afterwards, relative to the midpoint of each pair (no large squared positions). */
static void ld_envelope_build(ld_envelope *e, const double *pos, const double *h, size_t n,
                              double s2)
{
    uint32_t *site = e->site;
    double *kp = e->pos, *kh = e->h;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        const double pk = pos[k], hk = h[k];
        while (m >= 2) {
            const double a = kp[m - 1] - kp[m - 2], b = pk - kp[m - 1], c = pk - kp[m - 2];
            if (c * kh[m - 1] - b * kh[m - 2] - a * hk - s2 * a * b * c >= 0)
                m--;
            else
                break;
        }
        site[m] = (uint32_t)k;
        kp[m] = pk;
        kh[m] = hk;
        m++;
    }
    for (size_t l = 0; l + 1 < m; l++) {
        const double gap = kp[l + 1] - kp[l];
        e->cross[l] = 0.5 * (kp[l] + kp[l + 1]) + (kh[l + 1] - kh[l]) / (2.0 * s2 * gap);
    }
    e->m = m;
}

/* Carves an envelope for up to n sites. */
static void ld_envelope_carve(ld_envelope *e, unsigned char **cursor, size_t n)
{
    e->site = ld_carve(cursor, n * sizeof *e->site);
    e->pos = ld_carve(cursor, n * sizeof *e->pos);
    e->h = ld_carve(cursor, n * sizeof *e->h);
    e->cross = ld_carve(cursor, n * sizeof *e->cross);
}

/* Bytes ld_envelope_carve takes, written into need[0..3]. */
static void ld_envelope_need(size_t *need, size_t n_u32, size_t n_double)
{
    need[0] = n_u32;
    need[1] = need[2] = need[3] = n_double;
}

/* min over sites of h + s2*(t - pos)^2, four running minima for instruction-level parallelism
 * (a minimum does not depend on the order). For a line with few queries this costs less than
 * building the envelope. */
static double ld_lowest(const double *pos, const double *h, size_t n, double t, double s2)
{
    double m0 = INFINITY, m1 = INFINITY, m2 = INFINITY, m3 = INFINITY;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        const double d0 = t - pos[k], d1 = t - pos[k + 1], d2 = t - pos[k + 2], d3 = t - pos[k + 3];
        const double v0 = h[k] + s2 * d0 * d0, v1 = h[k + 1] + s2 * d1 * d1,
                     v2 = h[k + 2] + s2 * d2 * d2, v3 = h[k + 3] + s2 * d3 * d3;
        m0 = v0 < m0 ? v0 : m0;
        m1 = v1 < m1 ? v1 : m1;
        m2 = v2 < m2 ? v2 : m2;
        m3 = v3 < m3 ? v3 : m3;
    }
    for (; k < n; k++) {
        const double d = t - pos[k], v = h[k] + s2 * d * d;
        m0 = v < m0 ? v : m0;
    }
    m0 = m1 < m0 ? m1 : m0;
    m2 = m3 < m2 ? m3 : m2;
    return m2 < m0 ? m2 : m0;
}

/* Up to this many queries on a line, ld_lowest instead of an envelope. */
enum { LD_FEW_QUERIES = 6 };

/* ---- Offset pairs: (dx, dy) packed in 32 bits, or 64 when a box side exceeds 65536 -------- */
static LD_ALWAYS_INLINE void ld_pair_store(void *packed, size_t i, uint32_t dx, uint32_t dy,
                                           const bool wide)
{
    if (wide)
        ((uint64_t *)packed)[i] = (uint64_t)dx << 32 | dy;
    else
        ((uint32_t *)packed)[i] = dx << 16 | dy;
}

/* sx2*dx^2 + sy2*dy^2, the exact in-slice squared distance the y pass minimized. With equal
 * spacings the integer dx^2 + dy^2 (exact below 2^33 in narrow pairs) is rounded once, so pairs
 * at the same distance give the same value. */
static LD_ALWAYS_INLINE double ld_pair_g(const void *packed, size_t i, double sx2, double sy2,
                                         const bool wide)
{
    uint64_t dx, dy;
    if (wide) {
        uint64_t p = ((const uint64_t *)packed)[i];
        dx = p >> 32;
        dy = p & 0xffffffffu;
    } else {
        uint32_t p = ((const uint32_t *)packed)[i];
        dx = p >> 16;
        dy = p & 0xffffu;
    }
    if (!wide && sx2 == sy2)
        return sx2 * (double)(dx * dx + dy * dy);
    return sx2 * (double)(dx * dx) + sy2 * (double)(dy * dy);
}

typedef struct ld_dt_run {
    const ld_dt_box *box;
    int feature, query;
    double s2[3];
    bool integer;          /* equal spacings along x and y, narrow pairs: pass y in integers */
    uint8_t *column_query; /* [x + nx*y]: column (x, y) holds a query voxel at some z */
    uint32_t *ylo, *yhi;   /* per x: the y range of such columns (ylo > yhi: none) */
    /* The pairs: one block of site_pairs per site, column x at col_first[x], y from ylo[x].
     * need has the same layout: 1 where the z pass will read the pair. */
    void *packed;
    uint8_t *need;
    size_t *col_first;
    size_t site_pairs;
    uint8_t *slice_has;           /* per slice: 1 when it holds features */
    uint32_t *site_of;            /* per slice that holds features: its index among the sites */
    const double *site_pos;       /* the slices that hold features, as doubles */
    const uint32_t *nearest_site; /* per slice z: index of the site nearest to z */
    size_t nsites;
    const size_t *plane_first; /* per plane y: index of its first distance in dist */
    /* One value per query, in plane order (y, then x, then z): first an upper bound of its
     * squared distance, then its distance. */
    double *dist;
    size_t chunk;           /* columns per chunk of a plane task: min(n[0], LD_Z_CHUNK) */
    unsigned char *scratch; /* one slot of slot_bytes per worker of the passes */
    size_t slot_bytes;
} ld_dt_run;

/* The scratch slot of a worker. */
static unsigned char *ld_slot(const ld_dt_run *r, size_t worker)
{
    return r->scratch + worker * r->slot_bytes;
}

/* Positions (offset by `base`) of the bytes among the n at p that have a bit of `lanes` (the
 * bit repeated in every byte): eight bytes at a time. Returns their number. */
static size_t ld_positions(uint32_t *out, const uint8_t *p, size_t n, uint64_t lanes, size_t base)
{
    const uint8_t bit = (uint8_t)lanes;
    size_t count = 0, x = 0;
    for (; x + 8 <= n; x += 8) {
        uint64_t w;
        memcpy(&w, p + x, 8);
        w &= lanes;
        while (w) {
            out[count++] = (uint32_t)(base + x + (unsigned)__builtin_ctzll(w) / 8);
            w &= w - 1;
        }
    }
    for (; x < n; x++)
        if (p[x] & bit)
            out[count++] = (uint32_t)(base + x);
    return count;
}

/* How far (in slices) the z pass may visit from a query whose squared distance is at most b:
 * it visits a slice d away only while sz2*d*d < b, so |d| < sqrt(b/sz2) (to rounding), and a
 * whole |d| is then at most floor(sqrt(b/sz2)) + 1. Infinite for an infinite b. */
static inline double ld_window(double b, double sz2)
{
    return floor(sqrt(b / sz2)) + 1.0;
}

/* Whether a query column takes the pass over all sites: its queries' windows would cover more
 * sites in total than there are (or a query has no bound). The bounds pass and the z pass ask
 * the same question with the same bounds. */
static bool ld_full_pass(const double *bound, size_t m, double sz2, size_t nsites)
{
    double reach = 0;
    for (size_t i = 0; i < m; i++)
        reach += 2.0 * ld_window(bound[i], sz2) + 1.0;
    return !(reach <= (double)nsites);
}

/* Which columns (x, y) hold a query voxel, for plane y. */
static void ld_column_task(void *ctx, size_t y)
{
    ld_dt_run *r = ctx;
    const ld_dt_box *box = r->box;
    const size_t nx = box->n[0], nz = box->n[2];
    const uint8_t qb = (uint8_t)(1u << r->query);
    const uint32_t *rcq = box->row_count[r->query];
    uint8_t *out = r->column_query + y * nx;
    memset(out, 0, nx);
    for (size_t z = 0; z < nz; z++) {
        if (!rcq[y * nz + z])
            continue;
        const uint8_t *frow = box->flags + (y * nz + z) * nx;
        for (size_t x = 0; x < nx; x++)
            out[x] |= frow[x] & qb;
    }
}

/* The query columns of plane y among x in [xa, xa + w), compacted: slot_of[x - xa] is the slot
 * of a query column (UINT32_MAX for others), qcol[s] = x - xa. Returns their number. */
static size_t ld_query_columns(const ld_dt_run *r, size_t y, size_t xa, size_t w, uint32_t *slot_of,
                               uint32_t *qcol)
{
    const uint8_t *cq = r->column_query + y * r->box->n[0] + xa;
    size_t nq = 0;
    for (size_t c = 0; c < w; c++) {
        slot_of[c] = cq[c] ? (uint32_t)nq : UINT32_MAX;
        if (cq[c])
            qcol[nq++] = (uint32_t)c;
    }
    return nq;
}

/* ---- Bounds: before pass y, which pairs the z pass will read -------------------------------
 * A query's squared distance is at most that to the nearest feature on its own row (along x)
 * and on its own column (along z), each the value the z pass itself computes for that feature.
 * The z pass only visits slices within ld_window of that bound, or all slices for a column that
 * takes the full pass, so pass y only computes those pairs. The bounds are kept in dist, in the
 * z pass's order, for it to start from. */
static void ld_bounds_plane(ld_dt_run *r, size_t y, size_t worker)
{
    if (r->plane_first[y + 1] == r->plane_first[y])
        return;
    const ld_dt_box *box = r->box;
    const size_t nx = box->n[0], nz = box->n[2], ns = r->nsites, block = r->site_pairs;
    const uint64_t flanes = UINT64_C(0x0101010101010101) << r->feature,
                   qlanes = UINT64_C(0x0101010101010101) << r->query;
    const uint32_t *rcf = box->row_count[r->feature] + y * nz,
                   *rcq = box->row_count[r->query] + y * nz;
    const double sx2 = r->s2[0], sz2 = r->s2[2];
    const double *pos = r->site_pos;

    const size_t chunk = r->chunk;
    unsigned char *cursor = ld_slot(r, worker);
    uint32_t *qz = ld_carve(&cursor, chunk * nz * sizeof *qz);     /* [slot][i]: query z */
    uint32_t *fz = ld_carve(&cursor, chunk * nz * sizeof *fz);     /* [slot][i]: feature z */
    double *bound = ld_carve(&cursor, chunk * nz * sizeof *bound); /* [slot][i] */
    uint32_t *qcol = ld_carve(&cursor, chunk * sizeof *qcol);
    uint32_t *qcount = ld_carve(&cursor, chunk * sizeof *qcount);
    uint32_t *fcount = ld_carve(&cursor, chunk * sizeof *fcount);
    uint32_t *fx = ld_carve(&cursor, nx * sizeof *fx); /* features of a row */
    uint32_t *qx = ld_carve(&cursor, nx * sizeof *qx); /* queries of a row, in the chunk */

    double *out = r->dist + r->plane_first[y];
    for (size_t xa = 0; xa < nx; xa += chunk) {
        const size_t w = nx - xa < chunk ? nx - xa : chunk;
        uint32_t slot_of[LD_Z_CHUNK];
        const size_t nq = ld_query_columns(r, y, xa, w, slot_of, qcol);
        if (!nq)
            continue;
        memset(qcount, 0, nq * sizeof *qcount);
        memset(fcount, 0, nq * sizeof *fcount);
        for (size_t z = 0; z < nz; z++) {
            if (!rcq[z] && !rcf[z])
                continue;
            const uint8_t *frow = box->flags + (y * nz + z) * nx;
            const size_t nf = rcf[z] ? ld_positions(fx, frow, nx, flanes, 0) : 0;
            for (size_t f = 0; f < nf; f++) /* features on the query columns, for the z bound */
                if (fx[f] >= xa && fx[f] < xa + w && slot_of[fx[f] - xa] != UINT32_MAX) {
                    const uint32_t s = slot_of[fx[f] - xa];
                    fz[s * nz + fcount[s]++] = (uint32_t)z;
                }
            if (!rcq[z])
                continue;
            const size_t n = ld_positions(qx, frow + xa, w, qlanes, xa);
            size_t f = 0; /* the x bound: the row's nearest feature, features and queries ascend */
            for (size_t i = 0; i < n; i++) {
                const uint32_t s = slot_of[qx[i] - xa], k = qcount[s]++;
                qz[s * nz + k] = (uint32_t)z;
                double b = INFINITY;
                if (nf) {
                    while (f + 1 < nf && fx[f + 1] <= qx[i])
                        f++;
                    uint64_t d = fx[f] > qx[i] ? fx[f] - qx[i] : qx[i] - fx[f];
                    if (f + 1 < nf && fx[f + 1] - qx[i] < d)
                        d = fx[f + 1] - qx[i];
                    b = sx2 * (double)(d * d); /* ld_pair_g of the pair (d, 0) */
                }
                bound[s * nz + k] = b;
            }
        }
        for (size_t s = 0; s < nq; s++) {
            const uint32_t *zs = qz + s * nz, *fs = fz + s * nz;
            double *bs = bound + s * nz;
            const size_t m = qcount[s], mf = fcount[s];
            for (size_t i = 0, f = 0; i < m && mf; i++) { /* the z bound */
                while (f + 1 < mf && fs[f + 1] <= zs[i])
                    f++;
                uint32_t near_z = fs[f];
                const uint32_t gap = zs[i] > fs[f] ? zs[i] - fs[f] : fs[f] - zs[i];
                if (f + 1 < mf && fs[f + 1] - zs[i] < gap)
                    near_z = fs[f + 1];
                const double d = (double)zs[i] - (double)near_z, b = sz2 * d * d;
                bs[i] = b < bs[i] ? b : bs[i]; /* the z pass's value for the pair (0, 0) there */
            }
            const size_t x = xa + qcol[s];
            uint8_t *need = r->need + r->col_first[x] + y - r->ylo[x]; /* site k at k*block */
            if (ld_full_pass(bs, m, sz2, ns)) {
                for (size_t k = 0; k < ns; k++)
                    need[k * block] = 1;
            } else {
                for (size_t i = 0; i < m; i++) { /* the nearest site and those within reach */
                    const double t = (double)zs[i], window = ld_window(bs[i], sz2);
                    const uint32_t k0 = r->nearest_site[zs[i]];
                    need[k0 * block] = 1;
                    for (size_t k = k0; k-- > 0 && fabs(t - pos[k]) <= window;)
                        need[k * block] = 1;
                    for (size_t k = k0 + 1; k < ns && fabs(t - pos[k]) <= window; k++)
                        need[k * block] = 1;
                }
            }
            memcpy(out, bs, m * sizeof *out);
            out += m;
        }
    }
}

/* Planes per bounds task: neighbouring planes mark neighbouring bytes of the need map. */
enum { LD_BOUNDS_PLANES = 16 };

static void ld_bounds_task(void *ctx, size_t t, size_t worker)
{
    ld_dt_run *r = ctx;
    const size_t ny = r->box->n[1];
    for (size_t y = t * LD_BOUNDS_PLANES; y < ny && y < (t + 1) * LD_BOUNDS_PLANES; y++)
        ld_bounds_plane(r, y, worker);
}

/* The first index >= i among the n need bytes at p that is set (n when none). */
static inline size_t ld_next_needed(const uint8_t *p, size_t i, size_t n)
{
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w)
            return i + (unsigned)__builtin_ctzll(w) / 8;
    }
    while (i < n && !p[i])
        i++;
    return i;
}

/* Pass y with equal spacings along x and y, in units of that spacing: every parabola is
 * dx^2 + (t - y')^2 with integers, so the envelope is built with Maurer's test and swept by
 * comparing values, all in exact integer arithmetic (no division, no rounding). Narrow boxes
 * only: sides up to 65536 keep every product below 2^50. */
static void ld_y_pass_integer(ld_dt_run *r, void *local, const uint8_t *need, const uint32_t *rows,
                              const uint32_t *dxr, size_t nrows, int64_t *kp, int64_t *kh,
                              uint32_t *kdx)
{
    const size_t nx = r->box->n[0];
    for (size_t x = 0; x < nx; x++) {
        if (r->ylo[x] > r->yhi[x])
            continue;
        size_t m = 0;
        for (size_t k = 0; k < nrows; k++) {
            const int64_t pk = rows[k], dx = dxr[k * nx + x], hk = dx * dx;
            while (m >= 2) {
                const int64_t a = kp[m - 1] - kp[m - 2], b = pk - kp[m - 1], c = pk - kp[m - 2];
                if (c * kh[m - 1] - b * kh[m - 2] - a * hk - a * b * c >= 0)
                    m--;
                else
                    break;
            }
            kp[m] = pk;
            kh[m] = hk;
            kdx[m] = (uint32_t)dx;
            m++;
        }
        const size_t first = r->col_first[x], len = r->yhi[x] - r->ylo[x] + 1;
        size_t l = 0;
        for (size_t i = ld_next_needed(need + first, 0, len); i < len;
             i = ld_next_needed(need + first, i + 1, len)) {
            const int64_t t = (int64_t)(r->ylo[x] + i);
            while (l + 1 < m && kh[l + 1] + (t - kp[l + 1]) * (t - kp[l + 1]) <=
                                    kh[l] + (t - kp[l]) * (t - kp[l]))
                l++;
            const int64_t dy = t >= kp[l] ? t - kp[l] : kp[l] - t;
            ld_pair_store(local, first + i, kdx[l], (uint32_t)dy, false);
        }
    }
}

/* Passes x and y for slice z. */
static LD_ALWAYS_INLINE void ld_xy_slice(ld_dt_run *r, size_t z, size_t worker, const bool wide)
{
    if (!r->slice_has[z])
        return;
    const ld_dt_box *box = r->box;
    const size_t nx = box->n[0], ny = box->n[1], nz = box->n[2];
    const uint32_t *rc = box->row_count[r->feature] + z; /* row y at rc[y * nz] */
    size_t nrows = 0;
    for (size_t y = 0; y < ny; y++)
        nrows += rc[y * nz] != 0;

    unsigned char *cursor = ld_slot(r, worker);
    uint32_t *rows = ld_carve(&cursor, ny * sizeof *rows);
    double *pos = ld_carve(&cursor, ny * sizeof *pos);
    double *h = ld_carve(&cursor, ny * sizeof *h);
    ld_envelope env;
    ld_envelope_carve(&env, &cursor, ny);
    uint32_t *feat = ld_carve(&cursor, nx * sizeof *feat);
    uint32_t *dxr = ld_carve(&cursor, nrows * nx * sizeof *dxr);
    int64_t *kp = ld_carve(&cursor, ny * sizeof *kp), *kh = ld_carve(&cursor, ny * sizeof *kh);
    uint32_t *kdx = ld_carve(&cursor, ny * sizeof *kdx);
    /* this slice's block of pairs: each column's range is one stretch */
    const size_t block_at = r->site_of[z] * r->site_pairs;
    void *local = (unsigned char *)r->packed + block_at * (wide ? 8 : 4);
    const uint8_t *need = r->need + block_at;

    nrows = 0;
    for (size_t y = 0; y < ny; y++)
        if (rc[y * nz]) {
            rows[nrows] = (uint32_t)y;
            pos[nrows++] = (double)y;
        }

    /* Pass x: the features of the row, then the distance to the nearer of the two around each
     * voxel, segment by segment. */
    const uint64_t lanes = UINT64_C(0x0101010101010101) << r->feature;
    for (size_t k = 0; k < nrows; k++) {
        const size_t nf = ld_positions(feat, box->flags + (rows[k] * nz + z) * nx, nx, lanes, 0);
        uint32_t *d = dxr + k * nx;
        uint32_t prev = feat[0];
        for (uint32_t i = 0; i < prev; i++)
            d[i] = prev - i;
        for (size_t f = 1; f < nf; f++) {
            const uint32_t next = feat[f], mid = prev + (next - prev) / 2;
            for (uint32_t i = prev; i <= mid; i++)
                d[i] = i - prev;
            for (uint32_t i = mid + 1; i < next; i++)
                d[i] = next - i;
            prev = next;
        }
        for (uint32_t i = prev; i < nx; i++)
            d[i] = i - prev;
    }

    /* Pass y, column by column, at the pairs the z pass will read. */
    if (r->integer) {
        ld_y_pass_integer(r, local, need, rows, dxr, nrows, kp, kh, kdx);
        return;
    }
    const double sx2 = r->s2[0], sy2 = r->s2[1];
    for (size_t x = 0; x < nx; x++) {
        if (r->ylo[x] > r->yhi[x])
            continue;
        for (size_t k = 0; k < nrows; k++) {
            uint64_t dx = dxr[k * nx + x];
            h[k] = sx2 * (double)(dx * dx);
        }
        ld_envelope_build(&env, pos, h, nrows, sy2);
        /* the sweep: the nearest row changes only at the crossings */
        const size_t first = r->col_first[x], len = r->yhi[x] - r->ylo[x] + 1;
        size_t l = 0;
        uint32_t near_row = rows[env.site[0]], near_dx = dxr[env.site[0] * nx + x];
        double next_cross = env.m > 1 ? env.cross[0] : INFINITY;
        for (size_t i = ld_next_needed(need + first, 0, len); i < len;
             i = ld_next_needed(need + first, i + 1, len)) {
            const uint32_t y = (uint32_t)(r->ylo[x] + i);
            const double t = (double)y;
            while (next_cross < t) {
                l++;
                const uint32_t k = env.site[l];
                near_row = rows[k];
                near_dx = dxr[k * nx + x];
                next_cross = l + 1 < env.m ? env.cross[l] : INFINITY;
            }
            const uint32_t dy = y >= near_row ? y - near_row : near_row - y;
            ld_pair_store(local, first + i, near_dx, dy, wide);
        }
    }
}

static void ld_xy_task_narrow(void *ctx, size_t z, size_t worker)
{
    ld_xy_slice(ctx, z, worker, false);
}

static void ld_xy_task_wide(void *ctx, size_t z, size_t worker)
{
    ld_xy_slice(ctx, z, worker, true);
}

/* Pass z for plane y, at the query voxels only (see the top of the file). Each query starts
 * from its bound (ld_bounds_task), lowered by the nearest site. */
static LD_ALWAYS_INLINE void ld_z_plane(ld_dt_run *r, size_t y, size_t worker, const bool wide)
{
    if (r->plane_first[y + 1] == r->plane_first[y])
        return;
    const ld_dt_box *box = r->box;
    const size_t nx = box->n[0], nz = box->n[2], ns = r->nsites, block = r->site_pairs;
    const uint64_t qlanes = UINT64_C(0x0101010101010101) << r->query;
    const uint32_t *rcq = box->row_count[r->query] + y * nz;
    const double sx2 = r->s2[0], sy2 = r->s2[1], sz2 = r->s2[2];
    const double *pos = r->site_pos;
    const uint32_t *nearest = r->nearest_site;
    const void *packed = r->packed;

    const size_t chunk = r->chunk;
    unsigned char *cursor = ld_slot(r, worker);
    uint32_t *qz = ld_carve(&cursor, chunk * nz * sizeof *qz); /* [slot][i]: query z */
    uint32_t *qcol = ld_carve(&cursor, chunk * sizeof *qcol);
    uint32_t *qcount = ld_carve(&cursor, chunk * sizeof *qcount);
    uint32_t *qx = ld_carve(&cursor, nx * sizeof *qx);
    double *g = ld_carve(&cursor, ns * sizeof *g);
    ld_envelope env;
    ld_envelope_carve(&env, &cursor, ns);

    double *out = r->dist + r->plane_first[y]; /* the bounds, replaced by the distances */
    for (size_t xa = 0; xa < nx; xa += chunk) {
        const size_t w = nx - xa < chunk ? nx - xa : chunk;
        uint32_t slot_of[LD_Z_CHUNK];
        const size_t nq = ld_query_columns(r, y, xa, w, slot_of, qcol);
        if (!nq)
            continue;
        memset(qcount, 0, nq * sizeof *qcount);
        for (size_t z = 0; z < nz; z++) {
            if (!rcq[z])
                continue;
            const size_t n = ld_positions(qx, box->flags + (y * nz + z) * nx + xa, w, qlanes, 0);
            for (size_t i = 0; i < n; i++) {
                const uint32_t s = slot_of[qx[i]];
                qz[s * nz + qcount[s]++] = (uint32_t)z;
            }
        }
        for (size_t q = 0; q < nq; q++) {
            const uint32_t *zs = qz + q * nz;
            const size_t m = qcount[q];
            const size_t x = xa + qcol[q];
            const size_t at = r->col_first[x] + y - r->ylo[x]; /* pair at site k: at + k*block */
            if (!ld_full_pass(out, m, sz2, ns)) {
                for (size_t i = 0; i < m; i++) {
                    const double t = (double)zs[i];
                    const uint32_t k0 = nearest[zs[i]];
                    const double d0 = t - pos[k0];
                    double b = ld_pair_g(packed, at + k0 * block, sx2, sy2, wide) + sz2 * d0 * d0;
                    b = out[i] < b ? out[i] : b;
                    for (size_t k = k0; k-- > 0;) {
                        const double d = t - pos[k], dz = sz2 * d * d;
                        if (dz >= b)
                            break;
                        const double v = ld_pair_g(packed, at + k * block, sx2, sy2, wide) + dz;
                        b = v < b ? v : b;
                    }
                    for (size_t k = k0 + 1; k < ns; k++) {
                        const double d = t - pos[k], dz = sz2 * d * d;
                        if (dz >= b)
                            break;
                        const double v = ld_pair_g(packed, at + k * block, sx2, sy2, wide) + dz;
                        b = v < b ? v : b;
                    }
                    out[i] = sqrt(b);
                }
                out += m;
                continue;
            }
            for (size_t k = 0; k < ns; k++)
                g[k] = ld_pair_g(packed, at + k * block, sx2, sy2, wide);
            if (m <= LD_FEW_QUERIES) {
                for (size_t i = 0; i < m; i++)
                    out[i] = sqrt(ld_lowest(pos, g, ns, (double)zs[i], sz2));
                out += m;
                continue;
            }
            ld_envelope_build(&env, pos, g, ns, sz2);
            size_t l = 0;
            for (size_t i = 0; i < m; i++) {
                const double t = (double)zs[i];
                while (l + 1 < env.m && env.cross[l] < t)
                    l++;
                const double d = t - env.pos[l];
                out[i] = sqrt(env.h[l] + sz2 * d * d);
            }
            out += m;
        }
    }
}

static void ld_z_task_narrow(void *ctx, size_t y, size_t worker)
{
    ld_z_plane(ctx, y, worker, false);
}

static void ld_z_task_wide(void *ctx, size_t y, size_t worker)
{
    ld_z_plane(ctx, y, worker, true);
}

/* Offsets up to 65535 fit the 16-bit halves of a 32-bit pair. */
static bool ld_dt_wide(const size_t n[3])
{
    return n[0] > 65536 || n[1] > 65536;
}

lobedice_status ld_dt_pair_bytes(size_t *bytes, const size_t n[3])
{
    size_t nvox;
    if (n[0] > UINT32_MAX || n[1] > UINT32_MAX || n[2] > UINT32_MAX ||
        !ld_mul_size(n[0], n[1], &nvox) || !ld_mul_size(nvox, n[2], &nvox) ||
        !ld_mul_size(nvox, ld_dt_wide(n) ? 8 : 4, bytes))
        return LOBEDICE_EOVERFLOW;
    return LOBEDICE_OK;
}

lobedice_status ld_dt_directed(double *dist, const ld_dt_box *box, int feature, int query,
                               void *pairs, size_t threads)
{
    const size_t nx = box->n[0], ny = box->n[1], nz = box->n[2];
    const bool wide = ld_dt_wide(box->n);
    const size_t slice = nx * ny; /* fits: ld_dt_pair_bytes accepted the box */
    const size_t chunk = nx < LD_Z_CHUNK ? nx : LD_Z_CHUNK;

    /* Scratch per worker: the largest of what a slice task and a plane task need. Each size
     * below is at most 8 bytes per voxel of an x-y slice or 8*LD_Z_CHUNK per z, which this check
     * keeps in size_t; ld_carve_total checks their sums. */
    if (slice > SIZE_MAX / 8 || nz > SIZE_MAX / (8 * LD_Z_CHUNK))
        return LOBEDICE_EOVERFLOW;
    size_t xy_need[12], bounds_need[8], z_need[9];
    xy_need[0] = ny * sizeof(uint32_t);
    xy_need[1] = xy_need[2] = ny * sizeof(double);
    ld_envelope_need(xy_need + 3, ny * sizeof(uint32_t), ny * sizeof(double));
    xy_need[7] = nx * sizeof(uint32_t);
    xy_need[8] = slice * sizeof(uint32_t);
    xy_need[9] = xy_need[10] = ny * sizeof(int64_t);
    xy_need[11] = ny * sizeof(uint32_t);
    bounds_need[0] = bounds_need[1] = chunk * nz * sizeof(uint32_t);
    bounds_need[2] = chunk * nz * sizeof(double);
    bounds_need[3] = bounds_need[4] = bounds_need[5] = chunk * sizeof(uint32_t);
    bounds_need[6] = bounds_need[7] = nx * sizeof(uint32_t);
    z_need[0] = chunk * nz * sizeof(uint32_t);
    z_need[1] = z_need[2] = chunk * sizeof(uint32_t);
    z_need[3] = nx * sizeof(uint32_t);
    z_need[4] = nz * sizeof(double);
    ld_envelope_need(z_need + 5, nz * sizeof(uint32_t), nz * sizeof(double));
    const size_t xy_bytes = ld_carve_total(xy_need, 12), z_bytes = ld_carve_total(z_need, 9),
                 bounds_bytes = ld_carve_total(bounds_need, 8);
    if (!xy_bytes || !z_bytes || !bounds_bytes)
        return LOBEDICE_EOVERFLOW;
    size_t slot_bytes = xy_bytes > z_bytes ? xy_bytes : z_bytes;
    slot_bytes = bounds_bytes > slot_bytes ? bounds_bytes : slot_bytes;
    /* one worker count for every pass, so that a worker index always has its slot */
    const size_t workers = ld_resolve_threads(threads, nz > ny ? nz : ny);
    size_t scratch_bytes;
    if (!ld_mul_size(workers, slot_bytes, &scratch_bytes))
        return LOBEDICE_EOVERFLOW;

    lobedice_status st = LOBEDICE_ENOMEM;
    ld_dt_run r = {.box = box,
                   .feature = feature,
                   .query = query,
                   .dist = dist,
                   .packed = pairs,
                   .chunk = chunk,
                   .slot_bytes = slot_bytes};
    for (int a = 0; a < 3; a++)
        r.s2[a] = box->spacing[a] * box->spacing[a];
    r.integer = !wide && box->spacing[0] == box->spacing[1];
    uint32_t *sites = malloc(nz * sizeof *sites), *nearest = malloc(nz * sizeof *nearest);
    double *site_pos = malloc(nz * sizeof *site_pos);
    size_t *plane_first = malloc((ny + 1) * sizeof *plane_first);
    r.column_query = malloc(slice);
    r.ylo = malloc(nx * sizeof *r.ylo);
    r.yhi = malloc(nx * sizeof *r.yhi);
    r.col_first = malloc(nx * sizeof *r.col_first);
    r.slice_has = calloc(nz, 1);
    r.site_of = malloc(nz * sizeof *r.site_of);
    r.scratch = malloc(scratch_bytes);
    if (!r.scratch || !sites || !nearest || !site_pos || !plane_first || !r.column_query ||
        !r.ylo || !r.yhi || !r.col_first || !r.slice_has || !r.site_of)
        goto done;

    /* The query range of every column x, and where it sits in a site's block of pairs: at most
     * the box's pairs in all, since there are at most nz sites. */
    ld_parallel_for(workers, ny, ld_column_task, &r);
    for (size_t x = 0; x < nx; x++) {
        r.ylo[x] = UINT32_MAX;
        r.yhi[x] = 0;
    }
    for (size_t y = 0; y < ny; y++)
        for (size_t x = 0; x < nx; x++)
            if (r.column_query[x + nx * y]) {
                if (r.ylo[x] == UINT32_MAX)
                    r.ylo[x] = (uint32_t)y;
                r.yhi[x] = (uint32_t)y;
            }
    r.site_pairs = 0;
    for (size_t x = 0; x < nx; x++) {
        r.col_first[x] = r.site_pairs;
        if (r.ylo[x] <= r.yhi[x])
            r.site_pairs += r.yhi[x] - r.ylo[x] + 1;
    }

    /* The sites: the slices that hold features. */
    const uint32_t *rcf = box->row_count[feature];
    for (size_t y = 0; y < ny; y++)
        for (size_t z = 0; z < nz; z++)
            r.slice_has[z] |= rcf[y * nz + z] != 0;
    for (size_t z = 0; z < nz; z++)
        if (r.slice_has[z]) {
            r.site_of[z] = (uint32_t)r.nsites;
            sites[r.nsites] = (uint32_t)z;
            site_pos[r.nsites++] = (double)z;
        }
    if (!r.nsites) { /* the precondition: a feature to measure to */
        st = LOBEDICE_EINVAL;
        goto done;
    }
    r.site_pos = site_pos;
    /* the outward visits of the z pass start from the nearest site, so that distances only grow
     * on either side */
    for (size_t z = 0, k = 0; z < nz; z++) {
        while (k + 1 < r.nsites && sites[k + 1] <= z)
            k++;
        const bool above = sites[k] <= z && k + 1 < r.nsites && sites[k + 1] - z < z - sites[k];
        nearest[z] = (uint32_t)(above ? k + 1 : k);
    }
    r.nearest_site = nearest;
    const uint32_t *rcq = box->row_count[query];
    plane_first[0] = 0;
    for (size_t y = 0; y < ny; y++) {
        size_t count = 0;
        for (size_t z = 0; z < nz; z++)
            count += rcq[y * nz + z];
        plane_first[y + 1] = plane_first[y] + count;
    }
    r.plane_first = plane_first;
    /* one byte per pair, no more than the box's voxels; fresh zero pages stay untouched where
     * nothing is marked */
    r.need = calloc(r.nsites * r.site_pairs > 0 ? r.nsites * r.site_pairs : 1, 1);
    if (!r.need)
        goto done;

    ld_parallel_for_workers(workers, (ny + LD_BOUNDS_PLANES - 1) / LD_BOUNDS_PLANES, ld_bounds_task,
                            &r);
    ld_parallel_for_workers(workers, nz, wide ? ld_xy_task_wide : ld_xy_task_narrow, &r);
    ld_parallel_for_workers(workers, ny, wide ? ld_z_task_wide : ld_z_task_narrow, &r);
    st = LOBEDICE_OK;

done:
    free(r.scratch);
    free(sites);
    free(nearest);
    free(site_pos);
    free(plane_first);
    free(r.column_query);
    free(r.ylo);
    free(r.yhi);
    free(r.col_first);
    free(r.slice_has);
    free(r.site_of);
    free(r.need);
    return st;
}
