// Surface distances against ITK (label itk): itk::HausdorffDistanceImageFilter and
// itk::DirectedHausdorffDistanceImageFilter (UseImageSpacing on) as oracles.
//
// ITK measures voxel sets: h(A, B) = max over voxels a of A of the distance to the nearest voxel
// of B. LobeDice measures surfaces. The shapes below are boxes, where the two coincide exactly:
//  - for a box B, the distance from a voxel centre p to the nearest voxel of B is the distance
//    to the continuous box (clamping p per axis lands on a voxel of B), a convex function of p,
//    so its maximum over A is reached at a corner of A, which is a surface voxel of A;
//  - a voxel outside B has its nearest voxel of B on B's surface (a voxel with all 6 neighbours
//    in B always has a neighbour nearer to p);
//  - a surface voxel of A inside B is never farther from B's surface than the largest margin or
//    shift along one axis, which the corner distance above is not smaller than (shifted boxes:
//    the corner left behind is sqrt(sum (s_i t_i)^2) away; nested boxes: the far corner of B).
// So hd agrees for shifted, nested and disjoint boxes, and the directed values agree for shifted
// and disjoint boxes (nested boxes have a voxel-set distance 0 from the inner box, but not a
// surface distance 0). Balls are not used: a digital ball's distance is not convex, and the two
// definitions can differ by a fraction of a voxel.
//
// Tolerance: ITK's SignedMaurerDistanceMapImageFilter is an exact Euclidean transform computed
// in double (the real type of unsigned char), as is LobeDice's; the two only differ in the order
// of rounding of a sum of three squares and a square root, a few 1e-16 relative. 1e-9 mm is far
// below any voxel-level disagreement (>= 0.01 mm here) and far above that rounding.
#include "check.h"
#include "itk_image_util.h"
#include "lobedice/lobedice.h"

#include <itkDirectedHausdorffDistanceImageFilter.h>
#include <itkHausdorffDistanceImageFilter.h>

#include <cmath>
#include <vector>

namespace
{

constexpr double kTolerance = 1e-9;
const double kSpacing[3] = {0.7, 1.1, 2.3};

using Image3 = itk::Image<unsigned char, 3>;
using Image2 = itk::Image<unsigned char, 2>;

struct Grid {
    size_t n[3];
    std::vector<uint8_t> ref, pred;
    explicit Grid(size_t nx, size_t ny, size_t nz)
        : n{nx, ny, nz}, ref(nx * ny * nz, 0), pred(nx * ny * nz, 0)
    {
    }
    // Sets the inclusive box [lo, hi] of map to value.
    void box(std::vector<uint8_t> &map, const long lo[3], const long hi[3], uint8_t value) const
    {
        for (long z = lo[2]; z <= hi[2]; z++)
            for (long y = lo[1]; y <= hi[1]; y++)
                for (long x = lo[0]; x <= hi[0]; x++)
                    map[(size_t(z) * n[1] + size_t(y)) * n[0] + size_t(x)] = value;
    }
};

struct Itk {
    double hd, ab, ba; // symmetric, ref to pred, pred to ref
};

// ITK's filters on images over the grid's buffers (no copy; the grid outlives them).
template <typename TImage> Itk itk_hausdorff(Grid &g)
{
    constexpr unsigned D = TImage::ImageDimension;
    auto ref = itk_wrap<uint8_t, D>(g.ref.data(), g.n, kSpacing),
         pred = itk_wrap<uint8_t, D>(g.pred.data(), g.n, kSpacing);
    auto sym = itk::HausdorffDistanceImageFilter<TImage, TImage>::New();
    sym->SetInput1(ref);
    sym->SetInput2(pred);
    sym->SetUseImageSpacing(true);
    sym->Update();
    Itk out{sym->GetHausdorffDistance(), 0, 0};
    for (int dir = 0; dir < 2; dir++) {
        auto directed = itk::DirectedHausdorffDistanceImageFilter<TImage, TImage>::New();
        directed->SetInput1(dir ? pred : ref);
        directed->SetInput2(dir ? ref : pred);
        directed->SetUseImageSpacing(true);
        directed->Update();
        (dir ? out.ba : out.ab) = directed->GetDirectedHausdorffDistance();
    }
    return out;
}

lobedice_label_surface ours(const Grid &g)
{
    lobedice_volume ref{g.ref.data(),
                        LOBEDICE_UINT8,
                        {g.n[0], g.n[1], g.n[2]},
                        {kSpacing[0], kSpacing[1], kSpacing[2]}};
    lobedice_volume pred = ref;
    pred.data = g.pred.data();
    const int64_t label = 1;
    lobedice_label_surface out{};
    CHECK_INT(lobedice_surface_distances(&out, &ref, &pred, &label, 1, 1.0, 0), LOBEDICE_OK);
    return out;
}

// Box A = [lo, hi], B = A shifted by t voxels: hd = sqrt(sum (s_i t_i)^2), both directions.
void test_shifted_boxes()
{
    const long shifts[][3] = {{1, 0, 0},  {0, 1, 0}, {0, 0, 1},  {3, 0, 0},
                              {0, -2, 0}, {2, 1, 1}, {-1, 3, -2}};
    for (const auto &t : shifts) {
        Grid g(20, 18, 14);
        const long lo[3] = {5, 5, 4}, hi[3] = {12, 10, 8};
        const long plo[3] = {lo[0] + t[0], lo[1] + t[1], lo[2] + t[2]},
                   phi[3] = {hi[0] + t[0], hi[1] + t[1], hi[2] + t[2]};
        g.box(g.ref, lo, hi, 1);
        g.box(g.pred, plo, phi, 1);
        const Itk itk = itk_hausdorff<Image3>(g);
        const lobedice_label_surface s = ours(g);
        double expected = 0;
        for (int a = 0; a < 3; a++)
            expected += std::pow(kSpacing[a] * double(t[a]), 2);
        expected = std::sqrt(expected);
        CHECK_NEAR(itk.hd, expected, kTolerance);
        CHECK_NEAR(s.hd, itk.hd, kTolerance);
        CHECK_NEAR(s.hd_ref_to_pred, itk.ab, kTolerance);
        CHECK_NEAR(s.hd_pred_to_ref, itk.ba, kTolerance);
    }
}

// B contains A with a different margin on every side: hd is B's corner farthest from A.
void test_nested_boxes()
{
    const long margins[][6] = {{1, 1, 1, 1, 1, 1}, {3, 1, 0, 2, 1, 0}, {0, 4, 2, 0, 1, 3}};
    for (const auto &m : margins) {
        Grid g(24, 20, 16);
        const long lo[3] = {6, 6, 5}, hi[3] = {14, 11, 9};
        const long blo[3] = {lo[0] - m[0], lo[1] - m[2], lo[2] - m[4]},
                   bhi[3] = {hi[0] + m[1], hi[1] + m[3], hi[2] + m[5]};
        g.box(g.pred, blo, bhi, 1);
        g.box(g.ref, lo, hi, 1);
        const Itk itk = itk_hausdorff<Image3>(g);
        const lobedice_label_surface s = ours(g);
        CHECK_NEAR(s.hd, itk.hd, kTolerance);
        CHECK_NEAR(s.hd_pred_to_ref, itk.ba, kTolerance);
        CHECK(itk.ab == 0.0);
        CHECK(s.hd_ref_to_pred > 0.0); // surfaces, not voxel sets
    }
}

// Disjoint boxes, apart along one axis or diagonally.
void test_disjoint_boxes()
{
    const long offsets[][3] = {{9, 0, 0}, {0, 8, 0}, {0, 0, 6}, {10, -7, 5}};
    for (const auto &o : offsets) {
        Grid g(30, 26, 20);
        const long lo[3] = {4, 9, 4}, hi[3] = {9, 13, 8};
        const long plo[3] = {lo[0] + o[0], lo[1] + o[1], lo[2] + o[2]},
                   phi[3] = {hi[0] + o[0] + 2, hi[1] + o[1] + 1, hi[2] + o[2]};
        g.box(g.ref, lo, hi, 1);
        g.box(g.pred, plo, phi, 1);
        const Itk itk = itk_hausdorff<Image3>(g);
        const lobedice_label_surface s = ours(g);
        CHECK_NEAR(s.hd, itk.hd, kTolerance);
        CHECK_NEAR(s.hd_ref_to_pred, itk.ab, kTolerance);
        CHECK_NEAR(s.hd_pred_to_ref, itk.ba, kTolerance);
    }
}

// 2-D images (size[2] == 1, in-plane neighbours) against ITK's 2-D filter.
void test_planar_boxes()
{
    const long shifts[][2] = {{1, 0}, {0, 1}, {3, -2}, {-4, 5}};
    for (const auto &t : shifts) {
        Grid g(30, 28, 1);
        const long lo[3] = {8, 8, 0}, hi[3] = {17, 15, 0};
        const long plo[3] = {lo[0] + t[0], lo[1] + t[1], 0},
                   phi[3] = {hi[0] + t[0], hi[1] + t[1], 0};
        g.box(g.ref, lo, hi, 1);
        g.box(g.pred, plo, phi, 1);
        const Itk itk = itk_hausdorff<Image2>(g);
        const lobedice_label_surface s = ours(g);
        CHECK_NEAR(s.hd, itk.hd, kTolerance);
        CHECK_NEAR(s.hd_ref_to_pred, itk.ab, kTolerance);
        CHECK_NEAR(s.hd_pred_to_ref, itk.ba, kTolerance);
    }
}

// Where the definitions differ on purpose (docs/measures.md): a one-voxel hole in the middle of
// the predicted 11^3 box. ITK's voxel-set distance is the hole's distance to its nearest voxel
// (the smallest spacing); the hole's 6 neighbours join the surface, and the farthest of them
// from the outer faces, (7, 8, 7), is 5 voxels along x from the nearest face (4 voxels along y
// are 4.4 mm, 5 along x 3.5 mm), so the surface hd is 5*s_x.
void test_hole_differs()
{
    Grid g(15, 15, 15);
    const long lo[3] = {2, 2, 2}, hi[3] = {12, 12, 12};
    g.box(g.ref, lo, hi, 1);
    g.box(g.pred, lo, hi, 1);
    g.pred[(7 * 15 + 7) * 15 + 7] = 0;
    const Itk itk = itk_hausdorff<Image3>(g);
    const lobedice_label_surface s = ours(g);
    CHECK_NEAR(itk.hd, kSpacing[0], kTolerance);
    CHECK_NEAR(s.hd, 5 * kSpacing[0], kTolerance);
    CHECK(s.hd > 3 * itk.hd);
}

const check_case cases[] = {
    {"shifted_boxes", test_shifted_boxes},   {"nested_boxes", test_nested_boxes},
    {"disjoint_boxes", test_disjoint_boxes}, {"planar_boxes", test_planar_boxes},
    {"hole_differs", test_hole_differs},
};

} // namespace

int main(int argc, char **argv)
{
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
