/* What the two VTK translation units of the module share (C++ only). */
#ifndef LOBEDICE_CLI_VTK_H
#define LOBEDICE_CLI_VTK_H

#include "cli_pictures.h"

#include <string>
#include <vtkSmartPointer.h>

class vtkPolyData;

/* The surfaces of the lobes (the comparison's label rows) of `of`, in LPS mm, with point data
 * SignedDistance (mm, to the same label of `to`; NaN where `to` lacks it) and Label, and field
 * data naming the lobes. NULL with a reason in *why when VTK or the core fails. */
vtkSmartPointer<vtkPolyData> cli_lobe_surfaces(const lobedice_image &of, const lobedice_image &to,
                                               const lobedice_comparison *comparison,
                                               size_t threads, std::string *why);

/* Writes the picture to `path` (a .png). `distance` (may be NULL: made here when a display can
 * show it) holds the predicted surfaces for the 3-D panel. false with a reason in *why (which
 * starts with "usage: " for a usage error). */
bool cli_snapshot_write(const cli_pictures &pictures, vtkPolyData *distance, const char *path,
                        std::string *why);

/* The last error VTK reported since cli_vtk_errors_clear (VTK's own printing is off). */
void cli_vtk_errors_clear();
std::string cli_vtk_last_error();

#endif
