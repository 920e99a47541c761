/* convert: to be written. */
#include "internal.h"
