/* surface: to be written. */
#include "internal.h"
