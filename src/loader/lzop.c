/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lzop container Linux uses for LZO-compressed kernels: header, blocks, checksums. */
#include <lzo/lzo1x.h>

#include "loader/loader-priv.h"

static const uint8_t lzop_magic[9] = {0x89, 'L', 'Z', 'O', 0x00, '\r', '\n', 0x1a, '\n'};

/* Header flags, from the lzop file format. */
#define F_ADLER32_D     0x0001u /* each block: adler32 of the uncompressed data */
#define F_ADLER32_C     0x0002u /* each compressed block: adler32 of the compressed data */
#define F_H_EXTRA_FIELD 0x0040u
#define F_CRC32_D       0x0100u
#define F_CRC32_C       0x0200u
#define F_MULTIPART     0x0400u
#define F_H_FILTER      0x0800u
#define F_H_CRC32       0x1000u /* header checksum is crc32, not adler32 */

#define V_LONG_HEADER 0x0940      /* from this version on the header has extra fields */
#define MAX_BLOCK     (64u << 20) /* lzop's own block size ceiling */

/* A bounds-checked cursor: reads past the end set `bad` and return 0. */
struct cursor {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
    const uint8_t *at = c->p + c->pos;

    if (c->bad || n > c->len - c->pos) {
        c->bad = true;
        return NULL;
    }
    c->pos += n;
    return at;
}

static uint32_t take8(struct cursor *c)
{
    const uint8_t *p = take(c, 1);

    return p ? p[0] : 0;
}

static uint32_t take16(struct cursor *c)
{
    const uint8_t *p = take(c, 2);

    return p ? get_be16(p) : 0;
}

static uint32_t take32(struct cursor *c)
{
    const uint8_t *p = take(c, 4);

    return p ? get_be32(p) : 0;
}

/* The checksums lzop uses, with its initial values. */
static uint32_t lzop_sum(bool crc, const uint8_t *p, size_t n)
{
    return crc ? lzo_crc32(0, p, n) : lzo_adler32(1, p, n);
}

/* Skip the optional extra field; its contents mean nothing to us. */
static void skip_extra(struct cursor *c, uint32_t flags)
{
    if (flags & F_H_EXTRA_FIELD) {
        uint32_t n = take32(c);

        take(c, n);
        take32(c);
    }
}

/* Parse and check the file header; returns the flags, leaving c at the first block. */
static int read_header(struct cursor *c, uint32_t *flags, char err[KERNEL_ERR_LEN])
{
    unsigned version, method;
    size_t start, hdr_len;
    uint32_t sum;

    if (!take(c, sizeof(lzop_magic)) || memcmp(c->p, lzop_magic, sizeof(lzop_magic)))
        return loader_fail(err, "lzo: bad lzop magic");
    start = c->pos;
    version = take16(c);
    take16(c); /* library version */
    if (version >= V_LONG_HEADER)
        take16(c); /* version needed to extract */
    method = take8(c);
    if (version >= V_LONG_HEADER)
        take8(c); /* level */
    *flags = take32(c);
    take32(c); /* mode */
    take32(c); /* mtime */
    if (version >= V_LONG_HEADER)
        take32(c);     /* mtime, high half */
    take(c, take8(c)); /* file name */
    hdr_len = c->pos - start;
    sum = take32(c);
    if (c->bad)
        return loader_fail(err, "lzo: truncated lzop header");
    if (sum != lzop_sum(*flags & F_H_CRC32, c->p + start, hdr_len))
        return loader_fail(err, "lzo: lzop header checksum mismatch");
    if (method < 1 || method > 3)
        return loader_fail(err, "lzo: unsupported lzop method %u", method);
    if (*flags & (F_MULTIPART | F_H_FILTER))
        return loader_fail(err, "lzo: multipart or filtered lzop files are not supported");
    skip_extra(c, *flags);
    return c->bad ? loader_fail(err, "lzo: truncated lzop extra field") : 0;
}

/* Check the data checksums stored for a block against its decoded bytes. */
static int check_block(uint32_t flags, uint32_t adler, uint32_t crc, const uint8_t *p, size_t n,
                       char err[KERNEL_ERR_LEN])
{
    if ((flags & F_ADLER32_D) && lzop_sum(false, p, n) != adler)
        return loader_fail(err, "lzo: block adler32 mismatch (corrupt data)");
    if ((flags & F_CRC32_D) && lzop_sum(true, p, n) != crc)
        return loader_fail(err, "lzo: block crc32 mismatch (corrupt data)");
    return 0;
}

/* Decode one block of src_len bytes into dst_len bytes at the end of o. */
static int decode_block(const uint8_t *src, uint32_t src_len, uint32_t dst_len, struct outbuf *o,
                        char err[KERNEL_ERR_LEN])
{
    lzo_uint got = dst_len;

    if (outbuf_reserve(o, dst_len, err))
        return -1;
    if (src_len == dst_len) {
        memcpy(o->data + o->len, src, src_len); /* lzop stores incompressible blocks as is */
        return 0;
    }
    if (lzo1x_decompress_safe(src, src_len, o->data + o->len, &got, NULL) != LZO_E_OK ||
        got != dst_len)
        return loader_fail(err, "lzo: corrupt block");
    return 0;
}

/* One block: sizes, checksums, data. Returns 1 at the end marker, 0 after a block, -1 on error. */
static int next_block(struct cursor *c, uint32_t flags, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    uint32_t dst_len = take32(c), src_len, adler = 0, crc = 0;
    const uint8_t *src;

    if (!c->bad && dst_len == 0)
        return 1;
    src_len = take32(c);
    if (flags & F_ADLER32_D)
        adler = take32(c);
    if (flags & F_CRC32_D)
        crc = take32(c);
    if (src_len < dst_len && (flags & F_ADLER32_C))
        take32(c);
    if (src_len < dst_len && (flags & F_CRC32_C))
        take32(c);
    src = take(c, src_len);
    if (c->bad)
        return loader_fail(err, "lzo: truncated block");
    if (dst_len > MAX_BLOCK || src_len > dst_len)
        return loader_fail(err, "lzo: bad block sizes (%u bytes to %u)", src_len, dst_len);
    if (decode_block(src, src_len, dst_len, o, err) ||
        check_block(flags, adler, crc, o->data + o->len, dst_len, err))
        return -1;
    o->len += dst_len;
    return 0;
}

int unpack_lzop(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    struct cursor c = {in, len, 0, false};
    uint32_t flags = 0;
    int r;

    if (lzo_init() != LZO_E_OK)
        return loader_fail(err, "lzo: cannot initialise liblzo2");
    if (read_header(&c, &flags, err))
        return -1;
    while ((r = next_block(&c, flags, o, err)) == 0)
        ;
    return r < 0 ? -1 : 0;
}
