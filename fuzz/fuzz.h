/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by every fuzz target: the check that turns a broken invariant into a finding. */
#ifndef XENNER_FUZZ_FUZZ_H
#define XENNER_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Aborts with @what when @cond is false, in every build (assert() may be off). */
#define FUZZ_CHECK(cond, what) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, what))
void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* The fuzzer's input, read front to back. */
struct fuzz_input {
    const uint8_t *p;
    size_t left;
};
/* The next @len bytes into @dst; past the end of the input, zeros. */
void fuzz_take(struct fuzz_input *in, void *dst, size_t len);

/* libFuzzer's entry point, defined by each target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
