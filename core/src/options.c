/* Versioned options structs, libgit2's way: each starts with `unsigned version`, fields are only
 * ever appended, and the library keeps, per struct, the bytes each version had. A caller built
 * against an older version gets the defaults for the fields it does not know. */
#include "internal.h"

#include <string.h>

lobedice_status ld_options_init(void *opts, const void *defaults, const size_t *sizes,
                                unsigned version, unsigned current)
{
    if (!opts || !ld_version_ok(version, current))
        return LOBEDICE_EINVAL;
    memcpy(opts, defaults, sizes[version - 1]);
    memcpy(opts, &version, sizeof version);
    return LOBEDICE_OK;
}

lobedice_status ld_options_resolve(void *out, const void *defaults, const size_t *sizes,
                                   unsigned current, const void *caller)
{
    memcpy(out, defaults, sizes[current - 1]);
    if (!caller)
        return LOBEDICE_OK;
    unsigned version;
    memcpy(&version, caller, sizeof version);
    if (!ld_version_ok(version, current))
        return LOBEDICE_EINVAL;
    memcpy(out, caller, sizes[version - 1]);
    return LOBEDICE_OK;
}
