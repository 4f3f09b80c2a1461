/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper: compress a kernel the way Linux's build does, and wrap it in a fake bzImage. */
#ifndef XENNER_TEST_COMPRESS_H
#define XENNER_TEST_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns a malloc'd payload, ending with Linux's 4-byte size trailer where Linux adds one. */
typedef uint8_t *compress_fn(const uint8_t *in, size_t n, size_t *out_len);

struct test_codec {
    const char *name;
    compress_fn *compress;
    bool checksummed; /* a corrupt payload never unpacks to different data */
};

extern const struct test_codec test_codecs[];
extern const unsigned nr_test_codecs;

uint8_t *compress_gzip(const uint8_t *in, size_t n, size_t *out_len);
uint8_t *compress_lz4_legacy(const uint8_t *in, size_t n, size_t *out_len);

/* Append Linux's size trailer (size_append in the kernel's Makefile.lib) to p[0..*len). */
uint8_t *append_size(uint8_t *p, size_t *len, size_t orig);

/* A bzImage (boot protocol 2.15) around the payload; setup_sects as given (0 means 4). */
uint8_t *make_bzimage(const uint8_t *payload, size_t plen, unsigned setup_sects, size_t *len);

/* Offset of the payload in a make_bzimage() image. */
size_t bzimage_payload_offset(unsigned setup_sects);

#endif
