/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by every fuzz target (fuzz.h). */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    abort();
}
