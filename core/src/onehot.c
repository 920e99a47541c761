/* onehot: to be written. */
#include "internal.h"
