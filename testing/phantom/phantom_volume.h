/* The phantom pair as lobedice volumes, for programs that link the core (phantom.h itself does
 * not include the core's header: lobedice-phantom builds without the core). */
#ifndef LOBEDICE_PHANTOM_VOLUME_H
#define LOBEDICE_PHANTOM_VOLUME_H

#include "lobedice/lobedice.h"
#include "phantom.h"

/* The reference or the prediction of `pair` as a uint8 volume with the pair's spacing. */
static inline lobedice_volume phantom_volume(const phantom_pair *pair, enum phantom_kind kind)
{
    lobedice_volume v = {kind == PHANTOM_REFERENCE ? pair->ref : pair->pred,
                         LOBEDICE_UINT8,
                         {pair->size[0], pair->size[1], pair->size[2]},
                         {pair->spacing[0], pair->spacing[1], pair->spacing[2]}};
    return v;
}

#endif
