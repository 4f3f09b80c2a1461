/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loader internals shared by elf.c, bzimage.c, unpack.c and file.c; not an interface. */
#ifndef XENNER_LOADER_PRIV_H
#define XENNER_LOADER_PRIV_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "loader/kernel.h"

#define LOADER_PAGE_SIZE    4096u
#define LOADER_MAX_UNPACKED (512ull << 20) /* cap on a decompressed kernel */

/* Format a one-line reason into err and return -1, so callers can `return loader_fail(...)`. */
__attribute__((format(printf, 2, 3))) static inline int loader_fail(char err[KERNEL_ERR_LEN],
                                                                    const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, KERNEL_ERR_LEN, fmt, ap);
    va_end(ap);
    return -1;
}

/* True if [off, off + size) lies inside a buffer of len bytes, without overflowing. */
static inline bool loader_range_ok(uint64_t off, uint64_t size, uint64_t len)
{
    return off <= len && size <= len - off;
}

/* Unaligned little/big-endian reads: the caller has checked the bounds. */
static inline uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* What the Xen metadata parsers found, beyond the fields of struct kernel_info. */
struct xen_parse {
    unsigned nr_xen_notes; /* notes owned by "Xen" */
    unsigned total_notes;  /* all notes seen, to bound the work */
    bool virt_base_set, paddr_offset_set, entry_set;
};

/*
 * Parse the notes in p[0..len) (a PT_NOTE segment or SHT_NOTE section),
 * acting on those owned by "Xen". Returns 0, or -1 with err if a note runs
 * past len, has a malformed value, or requires an unknown feature.
 */
int xen_parse_notes(const uint8_t *p, size_t len, struct kernel_info *info, struct xen_parse *st,
                    char err[KERNEL_ERR_LEN]);

/* Parse the legacy __xen_guest string s[0..len), NUL-terminated or not. 0, or -1 with err. */
int xen_parse_guest_string(const char *s, size_t len, struct kernel_info *info,
                           struct xen_parse *st, char err[KERNEL_ERR_LEN]);

/* Parse a '|'-separated FEATURES string into info's feature masks ('!' = required). 0 or -1. */
int xen_parse_features(const char *s, size_t len, struct kernel_info *info,
                       char err[KERNEL_ERR_LEN]);

/*
 * After all notes: fill in virt_base, paddr_offset and entry as libelf
 * defaults them. Returns 0, or -1 with err for PADDR_OFFSET without VIRT_BASE.
 */
int xen_apply_defaults(struct kernel_info *info, const struct xen_parse *st, uint64_t e_entry,
                       char err[KERNEL_ERR_LEN]);

/* A growing output buffer for the decompressors, never larger than LOADER_MAX_UNPACKED. */
struct outbuf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* The output cap, LOADER_MAX_UNPACKED; a variable only so tests can lower it. */
extern size_t loader_unpack_limit;

/* Make room for at least `more` bytes past len. Returns 0, or -1 with err. */
int outbuf_reserve(struct outbuf *o, size_t more, char err[KERNEL_ERR_LEN]);

/*
 * Decompressors for a bzImage payload. Each decodes one stream from in[0..len)
 * (bytes after the end of the stream are ignored, as Linux appends the
 * uncompressed size to some formats) and appends the output to o.
 * Returns 0, or -1 with err; o->data stays owned by the caller either way.
 */
int unpack_gzip(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);
int unpack_bzip2(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);
int unpack_xz(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);
int unpack_lzma(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);
int unpack_zstd(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);
int unpack_lz4_legacy(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);
int unpack_lz4_frame(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);
int unpack_lzop(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);

#endif
