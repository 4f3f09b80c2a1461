/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by every fuzz target (fuzz.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    abort();
}

void fuzz_take(struct fuzz_input *in, void *dst, size_t len)
{
    size_t n = in->left < len ? in->left : len;

    memset(dst, 0, len);
    memcpy(dst, in->p, n);
    in->p += n;
    in->left -= n;
}
