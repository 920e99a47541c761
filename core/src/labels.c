/* labels: to be written. */
#include "internal.h"
