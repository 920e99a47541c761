/* overlap: to be written. */
#include "internal.h"
