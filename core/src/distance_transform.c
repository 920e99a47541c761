/* distance_transform: to be written. */
#include "internal.h"
