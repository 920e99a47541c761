/* The table LobeDice writes for Slicer, read the way Slicer's vtkMRMLTableStorageNode reads a
 * table and its schema (Libs/MRML/Core/vtkMRMLTableStorageNode.cxx, ReadTable, ReadSchema,
 * AddColumnToTable, FillDataFromStringArray; vtkMRMLTableNode::GetValueTypeFromString): every
 * cell as text with VTK's delimited text reader, then each column turned into the schema's type,
 * initialised with vtkVariant(nullValue).ToDouble() (0 when nullValue is empty) and the non-empty
 * cells set through vtkVariant. An undefined measure (an empty cell) must come out NaN, not 0. */
#include "check.h"
#include "cli_test_util.h"

#include <vtkDataArray.h>
#include <vtkDelimitedTextReader.h>
#include <vtkNew.h>
#include <vtkSmartPointer.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkType.h>
#include <vtkVariant.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace
{

vtkSmartPointer<vtkTable> read_text_table(const std::string &path, char sep)
{
    vtkNew<vtkDelimitedTextReader> reader;
    reader->SetFileName(path.c_str());
    reader->SetHaveHeaders(true);
    const char delimiters[2] = {sep, '\0'};
    reader->SetFieldDelimiterCharacters(delimiters);
    reader->SetUseStringDelimiter(true);
    reader->DetectNumericColumnsOff();
    reader->Update();
    return reader->GetOutput();
}

/* vtkMRMLTableNode::GetValueTypeFromString: the type whose VTK name matches, VTK_VOID if none. */
int value_type(std::string name)
{
    for (char &c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int type = 0; type < 50; type++)
        if (name == vtkImageScalarTypeNameMacro(type))
            return type;
    return VTK_VOID;
}

std::string schema_value(vtkTable *schema, const char *property, vtkIdType row)
{
    vtkStringArray *column = vtkStringArray::SafeDownCast(schema->GetColumnByName(property));
    return column ? column->GetValue(row) : std::string();
}

struct typed_table {
    vtkSmartPointer<vtkTable> table, schema;
};

/* The table as Slicer holds it after reading (AddColumnToTable for every schema row). */
typed_table slicer_read(const std::string &path, const std::string &schema_path, char sep)
{
    vtkSmartPointer<vtkTable> raw = read_text_table(path, sep);
    vtkSmartPointer<vtkTable> schema = read_text_table(schema_path, sep);
    typed_table out{vtkSmartPointer<vtkTable>::New(), schema};
    vtkStringArray *names = vtkStringArray::SafeDownCast(schema->GetColumnByName("columnName"));
    CHECK_FATAL(names != nullptr);
    for (vtkIdType r = 0; r < schema->GetNumberOfRows(); r++) {
        const std::string name = names->GetValue(r);
        vtkStringArray *text = vtkStringArray::SafeDownCast(raw->GetColumnByName(name.c_str()));
        CHECK(text != nullptr);
        if (!text)
            continue;
        const int type = value_type(schema_value(schema, "type", r));
        CHECK(type != VTK_VOID);
        if (type == VTK_STRING || type == VTK_VOID) {
            out.table->AddColumn(text);
            continue;
        }
        vtkSmartPointer<vtkDataArray> typed =
            vtkSmartPointer<vtkDataArray>::Take(vtkDataArray::CreateDataArray(type));
        CHECK_FATAL(typed != nullptr);
        typed->SetName(name.c_str());
        typed->SetNumberOfTuples(text->GetNumberOfValues());
        const std::string null_value = schema_value(schema, "nullValue", r);
        typed->FillComponent(0, null_value.empty() ? 0.0 : vtkVariant(null_value).ToDouble());
        for (vtkIdType row = 0; row < text->GetNumberOfValues(); row++)
            if (!text->GetValue(row).empty())
                typed->SetVariantValue(row, text->GetVariantValue(row));
        out.table->AddColumn(typed);
    }
    return out;
}

double cell(vtkTable *table, const char *column, vtkIdType row)
{
    vtkDataArray *a = vtkDataArray::SafeDownCast(table->GetColumnByName(column));
    CHECK(a != nullptr);
    return a ? a->GetTuple1(row) : -1.0;
}

void run_lobedice(const char *table_name, std::string *table, std::string *schema)
{
    char dir[1024], ref[1100], pred[1100], out[1100];
    std::snprintf(dir, sizeof dir, "%s", VTK_SCRATCH_DIR);
    CHECK_FATAL(fresh_dir(dir) == 0);
    std::snprintf(ref, sizeof ref, "%s/reference.nrrd", dir);
    std::snprintf(pred, sizeof pred, "%s/prediction.nrrd", dir);
    std::snprintf(out, sizeof out, "%s/%s", dir, table_name);
    CHECK_FATAL(write_example_pair(ref, pred) == 0);
    /* the 4x6 example of docs/measures.md with label 5, absent from both maps */
    const char *argv[] = {LOBEDICE_EXE,    "--labels", "1,2,3,4,5", "--surfaceDistances",
                          "--outputTable", out,        ref,         pred,
                          nullptr};
    run_result r;
    CHECK_FATAL(run_program(&r, argv) == 0);
    if (r.status != 0)
        std::fprintf(stderr, "%s -> %d: %s", command_text(argv), r.status, r.err);
    CHECK_FATAL(r.status == 0);
    run_result_free(&r);
    *table = out;
    const std::string stem(out, std::strlen(out) - 4);
    *schema = stem + ".schema" + std::string(out + std::strlen(out) - 4);
}

void check_table(char sep, const char *name)
{
    std::string table_path, schema_path;
    run_lobedice(name, &table_path, &schema_path);
    typed_table t = slicer_read(table_path, schema_path, sep);
    vtkTable *table = t.table;
    /* rows: labels 1..5, the three lung regions (the labels are the lobes), the mean row */
    CHECK_UINT(table->GetNumberOfRows(), 5 + 3 + 1);
    vtkStringArray *names = vtkStringArray::SafeDownCast(table->GetColumnByName("name"));
    CHECK_FATAL(names != nullptr);
    CHECK(names->GetValue(4) == "LLL");
    /* defined values as numbers (docs/measures.md, the worked example) */
    CHECK_NEAR(cell(table, "dice", 0), 1.0, 0);
    CHECK_NEAR(cell(table, "dice", 1), 10.0 / 12.0, 1e-15);
    CHECK_NEAR(cell(table, "tp", 1), 5.0, 0);
    CHECK_NEAR(cell(table, "hd_mm", 1), 1.0, 1e-15);
    /* undefined ones NaN, never 0: LLL's Dice (in neither map), RLL's precision (not
     * predicted), RLL's distances (one side empty), the mean row's counts */
    CHECK(std::isnan(cell(table, "dice", 4)));
    CHECK(std::isnan(cell(table, "precision", 2)));
    CHECK(std::isnan(cell(table, "hd95_mm", 2)));
    CHECK(std::isnan(cell(table, "tp", 8)));
    /* RLL's Dice is a real 0 and stays 0 */
    CHECK_NEAR(cell(table, "dice", 2), 0.0, 0);
    /* titles and units for every column Slicer shows */
    vtkTable *schema = t.schema;
    vtkStringArray *columns = vtkStringArray::SafeDownCast(schema->GetColumnByName("columnName"));
    for (vtkIdType r = 0; r < schema->GetNumberOfRows(); r++) {
        CHECK(!schema_value(schema, "title", r).empty());
        const std::string column = columns->GetValue(r);
        if (column == "volume_ref_ml")
            CHECK(schema_value(schema, "unitLabel", r) == "ml");
        if (column == "assd_mm")
            CHECK(schema_value(schema, "unitLabel", r) == "mm");
        if (column == "tp")
            CHECK(schema_value(schema, "unitLabel", r) == "voxels");
        if (column == "dice")
            CHECK(schema_value(schema, "title", r) == "Dice");
    }
    /* the check has teeth: the same files with the nullValue cells emptied read 0 there */
    char *original = read_file(schema_path.c_str(), nullptr);
    CHECK_FATAL(original != nullptr);
    std::string text = original;
    free(original);
    const std::string nan_cell = std::string(1, sep) + "nan" + sep;
    for (size_t at; (at = text.find(nan_cell)) != std::string::npos;)
        text.replace(at, nan_cell.size(), std::string(2, sep));
    const std::string stripped = schema_path + ".stripped" + (sep == ',' ? ".csv" : ".tsv");
    CHECK_FATAL(write_file(stripped.c_str(), text.data(), text.size()) == 0);
    typed_table zero = slicer_read(table_path, stripped, sep);
    CHECK_NEAR(cell(zero.table, "dice", 4), 0.0, 0);
    CHECK_NEAR(cell(zero.table, "tp", 8), 0.0, 0);
}

void csv_table()
{
    check_table(',', "table.csv");
}

void tsv_table()
{
    check_table('\t', "table.tsv");
}

} // namespace

int main(int argc, char **argv)
{
    static const check_case cases[] = {
        {"csv_table", csv_table},
        {"tsv_table", tsv_table},
    };
    return check_main(argc, argv, cases, CHECK_COUNT(cases));
}
