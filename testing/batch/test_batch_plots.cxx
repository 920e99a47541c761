// The plots of lobedice-batch read back with VTK's PNG reader: each written, of a legible size,
// not blank (a good share of drawn pixels, several colours), with dark text in the title band,
// and drawn from the data (two data sets give two different pictures).
#include "check.h"
#include "file_test_util.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>

#include <cstdio>
#include <set>
#include <string>

static std::string scratch = std::string(BATCH_SCRATCH_DIR) + "/plots";

static void make_dataset(const std::string &dir, int first, int n)
{
    CHECK_FATAL(system(("mkdir -p '" + dir + "/ref' '" + dir + "/pred'").c_str()) == 0);
    for (int i = first; i < first + n; i++) {
        const std::string v = std::to_string(i), name = "/c" + v + ".nrrd";
        const std::string ref = dir + "/ref" + name, pred = dir + "/pred" + name;
        const char *argv[] = {LOBEDICE_PHANTOM_EXE, "--size",     "48,48,32", "--case", v.c_str(),
                              ref.c_str(),          pred.c_str(), nullptr};
        run_result r;
        CHECK_FATAL(run_program(&r, argv) == 0 && r.status == 0);
        run_result_free(&r);
    }
}

struct Picture {
    int width = 0, height = 0;
    double drawn = 0;        // share of pixels that are not white
    size_t colours = 0;      // distinct colours
    bool title_text = false; // dark pixels in the top band
    std::string bytes;
};

static Picture look(const std::string &path)
{
    Picture p;
    size_t len = 0;
    char *data = read_file(path.c_str(), &len);
    CHECK(data != nullptr && len > 8 && std::string(data + 1, 3) == "PNG");
    if (!data)
        return p;
    p.bytes.assign(data, len);
    free(data);
    vtkNew<vtkPNGReader> reader;
    reader->SetFileName(path.c_str());
    reader->Update();
    vtkImageData *image = reader->GetOutput();
    int dims[3];
    image->GetDimensions(dims);
    p.width = dims[0];
    p.height = dims[1];
    const int nc = image->GetNumberOfScalarComponents();
    CHECK(nc >= 3);
    const auto *px = static_cast<const unsigned char *>(image->GetScalarPointer());
    size_t drawn = 0;
    std::set<unsigned> colours;
    for (int y = 0; y < p.height; y++)
        for (int x = 0; x < p.width; x++) {
            const unsigned char *c = px + nc * (static_cast<size_t>(y) * p.width + x);
            if (c[0] < 250 || c[1] < 250 || c[2] < 250)
                drawn++;
            colours.insert(c[0] << 16 | c[1] << 8 | c[2]);
            if (y > p.height - 40 && c[0] < 60 && c[1] < 60 && c[2] < 60)
                p.title_text = true; // VTK's rows go up: the top band is the last rows
        }
    p.drawn = static_cast<double>(drawn) / (static_cast<double>(p.width) * p.height);
    p.colours = colours.size();
    return p;
}

static void plots(void)
{
    CHECK_FATAL(system(("mkdir -p '" + std::string(BATCH_SCRATCH_DIR) + "'").c_str()) == 0);
    CHECK_FATAL(fresh_dir(scratch.c_str()) == 0);
    std::string outs[2];
    for (int k = 0; k < 2; k++) {
        const std::string dir = scratch + "/set" + std::to_string(k);
        make_dataset(dir, 1 + 6 * k, 6);
        outs[k] = dir + "/out";
        const std::string ref = dir + "/ref", pred = dir + "/pred";
        const char *argv[] = {LOBEDICE_BATCH_EXE,
                              "--surfaceDistances",
                              ref.c_str(),
                              pred.c_str(),
                              "--out",
                              outs[k].c_str(),
                              nullptr};
        run_result r;
        CHECK_FATAL(run_program(&r, argv) == 0);
        CHECK_INT(r.status, 0);
        run_result_free(&r);
    }
    for (const char *name : {"dice_box.png", "hd95_box.png", "volume_bland_altman.png"}) {
        Picture a = look(outs[0] + "/plots/" + name), b = look(outs[1] + "/plots/" + name);
        std::printf("%s: %d x %d, %.1f %% drawn, %zu colours\n", name, a.width, a.height,
                    100 * a.drawn, a.colours);
        CHECK(a.width >= 600 && a.height >= 500);
        CHECK(a.drawn > 0.03 && a.drawn < 0.8);
        CHECK(a.colours >= 8); // boxes or points, lines, anti-aliased text
        CHECK(a.title_text);
        CHECK(a.bytes != b.bytes); // drawn from the data
    }
}

int main(int argc, char **argv)
{
    static const check_case cases[] = {{"plots", plots}};
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
