/* Status sentences and the runtime version. */
#include "internal.h"

const char *lobedice_version(void)
{
    return LOBEDICE_VERSION_STRING;
}

unsigned lobedice_version_number(void)
{
    return LOBEDICE_VERSION_NUMBER;
}

const char *lobedice_strerror(lobedice_status status)
{
    switch (status) {
    case LOBEDICE_OK: return "Success.";
    case LOBEDICE_EINVAL: return "A required argument is missing or an option is out of range.";
    case LOBEDICE_ENOMEM: return "Memory could not be allocated.";
    case LOBEDICE_EOVERFLOW: return "A size computation overflows the address space.";
    case LOBEDICE_EDTYPE: return "The pixel type is not a supported integer label type.";
    case LOBEDICE_ESIZE: return "A size is zero, or the two images differ in size.";
    case LOBEDICE_ESPACING:
        return "A voxel spacing is not a finite positive number, or makes volumes or distances "
               "overflow.";
    case LOBEDICE_ELABEL: return "A label value is missing from the palette or out of range.";
    case LOBEDICE_EPALETTE:
        return "The palette repeats a value or holds a value the pixel type cannot store.";
    case LOBEDICE_ENOTFINITE: return "An input value is NaN or infinite.";
    case LOBEDICE_EWEIGHT: return "A class weight is negative or not finite.";
    case LOBEDICE_ENONINTEGER:
        return "A value meant to be a label is not a whole number the pixel type can store.";
    case LOBEDICE_EIO: return "A file could not be read or written.";
    case LOBEDICE_EFORMAT: return "The file holds an image of a kind that is not supported.";
    case LOBEDICE_EGEOMETRY: return "The two images do not overlap in physical space.";
    case LOBEDICE_ECONVENTION:
        return "The label values of a map do not fit the label convention it is read with.";
    case LOBEDICE_EOVERLAP:
        return "Two segments that stand for different labels claim the same voxels.";
    }
    return "Unknown status.";
}
