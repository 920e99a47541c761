/* Where two label maps disagree most (docs/measures.md, "Where the maps disagree most"): for
 * each axis, the slice holding the most voxels whose classes differ. One pass over both maps,
 * run by run; the counts are integers, so the result does not depend on the thread count. */
#include "label_lookup.h"

#include <stdlib.h>
#include <string.h>

typedef struct ld_peak_job {
    const lobedice_volume *ref, *pred;
    const ld_lookup *lookup[2];
    size_t nrows, ntasks;
    uint64_t *per_x;   /* [task][x] */
    uint64_t *per_row; /* [z*ny + y] */
} ld_peak_job;

static void ld_peak_task(void *ctx, size_t t)
{
    ld_peak_job *job = ctx;
    const size_t nx = job->ref->size[0];
    const size_t wa = lobedice_dtype_size(job->ref->dtype),
                 wb = lobedice_dtype_size(job->pred->dtype);
    uint64_t *hx = job->per_x + t * nx;
    memset(hx, 0, nx * sizeof *hx);
    const size_t r0 = job->nrows * t / job->ntasks, r1 = job->nrows * (t + 1) / job->ntasks;
    for (size_t r = r0; r < r1; r++) {
        const unsigned char *a = (const unsigned char *)job->ref->data + r * nx * wa,
                            *b = (const unsigned char *)job->pred->data + r * nx * wb;
        uint64_t count = 0;
        size_t ea = 0, eb = 0;
        uint32_t ka = 0, kb = 0;
        for (size_t x = 0; x < nx;) {
            if (x == ea) {
                ka = ld_lookup_raw(job->lookup[0], ld_raw_at(a + x * wa, wa));
                ea = ld_run_end(a, x, nx, wa);
            }
            if (x == eb) {
                kb = ld_lookup_raw(job->lookup[1], ld_raw_at(b + x * wb, wb));
                eb = ld_run_end(b, x, nx, wb);
            }
            const size_t e = ea < eb ? ea : eb;
            if (ka != kb) {
                count += e - x;
                for (size_t i = x; i < e; i++)
                    hx[i]++;
            }
            x = e;
        }
        job->per_row[r] = count;
    }
}

/* The lowest index of the largest of n counts. */
static uint64_t ld_argmax(const uint64_t *v, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

lobedice_status lobedice_disagreement_peak(uint64_t voxel[3], uint64_t *count,
                                           const lobedice_volume *ref, const lobedice_volume *pred,
                                           const int64_t *labels, size_t nlabels, size_t threads)
{
    if (!voxel || (nlabels && !labels))
        return LOBEDICE_EINVAL;
    size_t voxels, bytes;
    lobedice_status st = ld_check_pair(&voxels, ref, pred);
    if (st != LOBEDICE_OK)
        return st;
    const size_t nx = ref->size[0], ny = ref->size[1], nz = ref->size[2];
    ld_peak_job job = {.ref = ref, .pred = pred, .nrows = ny * nz};
    job.ntasks = job.nrows < 256 ? job.nrows : 256;
    if (!ld_mul_size(job.ntasks, nx, &bytes) || !ld_mul_size(bytes, sizeof(uint64_t), &bytes))
        return LOBEDICE_EOVERFLOW;
    ld_lookup lookups[2];
    st = ld_lookup_pair_init(lookups, &job.lookup[0], &job.lookup[1], ref->dtype, pred->dtype, NULL,
                             labels, nlabels);
    if (st != LOBEDICE_OK)
        return st;
    job.per_x = malloc(bytes);
    job.per_row = malloc(job.nrows * sizeof *job.per_row);
    uint64_t *along[3] = {calloc(nx, sizeof(uint64_t)), calloc(ny, sizeof(uint64_t)),
                          calloc(nz, sizeof(uint64_t))};
    st = LOBEDICE_ENOMEM;
    if (job.per_x && job.per_row && along[0] && along[1] && along[2]) {
        ld_parallel_for(threads, job.ntasks, ld_peak_task, &job);
        uint64_t total = 0;
        for (size_t t = 0; t < job.ntasks; t++)
            for (size_t x = 0; x < nx; x++)
                along[0][x] += job.per_x[t * nx + x];
        for (size_t r = 0; r < job.nrows; r++) {
            along[1][r % ny] += job.per_row[r];
            along[2][r / ny] += job.per_row[r];
            total += job.per_row[r];
        }
        const size_t n[3] = {nx, ny, nz};
        for (int a = 0; a < 3; a++)
            voxel[a] = total ? ld_argmax(along[a], n[a]) : n[a] / 2;
        if (count)
            *count = total;
        st = LOBEDICE_OK;
    }
    ld_lookup_pair_free(lookups);
    free(job.per_x);
    free(job.per_row);
    for (int a = 0; a < 3; a++)
        free(along[a]);
    return st;
}
