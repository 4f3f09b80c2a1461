/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper: a compressor per bzImage format, using the libraries the loader decodes with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include <zstd.h>

#include "compress.h"

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)
#define LZOP_BLOCK       (256u << 10)

/* The compressors are test fixtures: a failure is a broken test environment. */
static void need(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "test fixture: %s failed\n", what);
        abort();
    }
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

uint8_t *append_size(uint8_t *p, size_t *len, size_t orig)
{
    p = realloc(p, *len + 4);
    put_le32(p + *len, (uint32_t)orig);
    *len += 4;
    return p;
}

uint8_t *compress_gzip(const uint8_t *in, size_t n, size_t *out_len)
{
    z_stream zs = {0};
    uint8_t *out;
    size_t cap;

    deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    cap = deflateBound(&zs, n);
    out = malloc(cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    need(deflate(&zs, Z_FINISH) == Z_STREAM_END, "gzip compression");
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out; /* gzip's own trailer already ends with the size */
}

/*
 * Linux uses the largest blocks and dictionaries; the tests size them to the
 * input instead, so the many small decodes stay cheap under ASan.
 */
static int bzip2_level(size_t n)
{
    return n >= 900000 ? 9 : (int)(n / 100000) + 1;
}

static uint32_t lzma_dict(size_t n)
{
    uint32_t d = 4096;

    while (d < n && d < (8u << 20))
        d *= 2;
    return d;
}

static uint8_t *compress_bzip2(const uint8_t *in, size_t n, size_t *out_len)
{
    unsigned cap = (unsigned)(n + n / 100 + 600);
    uint8_t *out = malloc(cap);

    need(BZ2_bzBuffToBuffCompress((char *)out, &cap, (char *)in, (unsigned)n, bzip2_level(n), 0,
                                  0) == BZ_OK,
         "bzip2 compression");
    *out_len = cap;
    return append_size(out, out_len, n);
}

/* Like Linux's xzkern: the x86 BCJ filter in front of LZMA2, CRC32 check. */
static uint8_t *compress_xz(const uint8_t *in, size_t n, size_t *out_len)
{
    lzma_options_lzma opt;
    lzma_filter filters[3] = {
        {LZMA_FILTER_X86, NULL},
        {LZMA_FILTER_LZMA2, &opt},
        {LZMA_VLI_UNKNOWN, NULL},
    };
    size_t cap = lzma_stream_buffer_bound(n), pos = 0;
    uint8_t *out = malloc(cap);

    lzma_lzma_preset(&opt, 6);
    opt.dict_size = lzma_dict(n);
    need(lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, in, n, out, &pos, cap) ==
             LZMA_OK,
         "xz compression");
    *out_len = pos;
    return append_size(out, out_len, n);
}

/* The .lzma format as `lzma -9` writes it from a pipe: unknown size, end marker. */
static uint8_t *compress_lzma(const uint8_t *in, size_t n, size_t *out_len)
{
    lzma_stream ls = LZMA_STREAM_INIT;
    lzma_options_lzma opt;
    size_t cap = n + n / 2 + 4096;
    uint8_t *out = malloc(cap);
    lzma_ret r;

    lzma_lzma_preset(&opt, 6);
    opt.dict_size = lzma_dict(n);
    need(lzma_alone_encoder(&ls, &opt) == LZMA_OK, "lzma encoder set-up");
    ls.next_in = in;
    ls.avail_in = n;
    ls.next_out = out;
    ls.avail_out = cap;
    while ((r = lzma_code(&ls, LZMA_FINISH)) == LZMA_OK)
        ;
    need(r == LZMA_STREAM_END, "lzma compression");
    *out_len = cap - ls.avail_out;
    lzma_end(&ls);
    return append_size(out, out_len, n);
}

/* Linux's `lz4 -l`: the legacy magic, then 8 MiB blocks each led by its compressed size. */
uint8_t *compress_lz4_legacy(const uint8_t *in, size_t n, size_t *out_len)
{
    size_t nblocks = n / LZ4_LEGACY_BLOCK + 1;
    uint8_t *out = malloc(4 + nblocks * (4 + (size_t)LZ4_compressBound(LZ4_LEGACY_BLOCK)));
    size_t pos = 4;

    put_le32(out, LZ4_LEGACY_MAGIC);
    for (size_t done = 0; done < n;) {
        int chunk = (int)(n - done < LZ4_LEGACY_BLOCK ? n - done : LZ4_LEGACY_BLOCK);
        int c = LZ4_compress_default((const char *)in + done, (char *)out + pos + 4, chunk,
                                     LZ4_compressBound(chunk));

        need(c > 0, "lz4 compression");
        put_le32(out + pos, (uint32_t)c);
        pos += 4 + (size_t)c;
        done += (size_t)chunk;
    }
    *out_len = pos;
    return append_size(out, out_len, n);
}

static uint8_t *compress_lz4_frame(const uint8_t *in, size_t n, size_t *out_len)
{
    LZ4F_preferences_t prefs;
    size_t cap;
    uint8_t *out;

    memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    cap = LZ4F_compressFrameBound(n, &prefs);
    out = malloc(cap);
    *out_len = LZ4F_compressFrame(out, cap, in, n, &prefs);
    need(!LZ4F_isError(*out_len), "lz4 frame compression");
    return append_size(out, out_len, n);
}

/* zstd as the CLI writes it: with a content checksum. */
static uint8_t *compress_zstd(const uint8_t *in, size_t n, size_t *out_len)
{
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(n);
    uint8_t *out = malloc(cap);

    ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 19);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    *out_len = ZSTD_compress2(cc, out, cap, in, n);
    need(!ZSTD_isError(*out_len), "zstd compression");
    ZSTD_freeCCtx(cc);
    return append_size(out, out_len, n);
}

/* lzop flags (see lzop's documentation of its file format). */
#define F_ADLER32_D 0x0001u
#define F_ADLER32_C 0x0002u
#define F_CRC32_D   0x0100u
#define F_CRC32_C   0x0200u
#define F_H_CRC32   0x1000u
#define F_OS_UNIX   0x03000000u

/* An lzop header, long form (version 0x1040); returns its length. */
static size_t lzop_header(uint8_t *p, uint32_t flags)
{
    static const uint8_t magic[9] = {0x89, 'L', 'Z', 'O', 0, '\r', '\n', 0x1a, '\n'};
    static const uint8_t fixed[] = {
        0x10, 0x40, /* version */
        0x20, 0xa0, /* library version */
        0x09, 0x40, /* version needed */
        1,    5,    /* method LZO1X-1, level */
    };
    size_t pos = 0, start;

    memcpy(p, magic, sizeof(magic));
    pos = start = sizeof(magic);
    memcpy(p + pos, fixed, sizeof(fixed));
    pos += sizeof(fixed);
    put_be32(p + pos, flags);
    put_be32(p + pos + 4, 0100644); /* mode */
    put_be32(p + pos + 8, 0);       /* mtime */
    put_be32(p + pos + 12, 0);
    p[pos + 16] = 0; /* no name */
    pos += 17;
    put_be32(p + pos, (flags & F_H_CRC32) ? lzo_crc32(0, p + start, pos - start)
                                          : lzo_adler32(1, p + start, pos - start));
    return pos + 4;
}

/* One lzop block; stored as is when LZO does not shrink it, as lzop does. */
static size_t lzop_block(uint8_t *p, const uint8_t *in, size_t n, uint32_t flags, void *wrk)
{
    uint8_t *c = malloc(n + n / 16 + 64 + 3);
    lzo_uint clen = 0;
    size_t pos = 8;

    need(lzo1x_1_compress(in, n, c, &clen, wrk) == LZO_E_OK, "lzo compression");
    if (clen >= n)
        clen = n;
    put_be32(p, (uint32_t)n);
    put_be32(p + 4, (uint32_t)clen);
    if (flags & F_ADLER32_D)
        put_be32(p + pos, lzo_adler32(1, in, n)), pos += 4;
    if (flags & F_CRC32_D)
        put_be32(p + pos, lzo_crc32(0, in, n)), pos += 4;
    if (clen < n && (flags & F_ADLER32_C))
        put_be32(p + pos, lzo_adler32(1, c, clen)), pos += 4;
    if (clen < n && (flags & F_CRC32_C))
        put_be32(p + pos, lzo_crc32(0, c, clen)), pos += 4;
    memcpy(p + pos, clen < n ? c : in, clen);
    free(c);
    return pos + clen;
}

static uint8_t *compress_lzop_flags(const uint8_t *in, size_t n, size_t *out_len, uint32_t flags)
{
    uint8_t *out = malloc(64 + n + (n / LZOP_BLOCK + 1) * 32 + 4);
    void *wrk = malloc(LZO1X_1_MEM_COMPRESS);
    size_t pos;

    need(lzo_init() == LZO_E_OK, "lzo set-up");
    pos = lzop_header(out, flags);
    for (size_t done = 0; done < n;) {
        size_t chunk = n - done < LZOP_BLOCK ? n - done : LZOP_BLOCK;

        pos += lzop_block(out + pos, in + done, chunk, flags, wrk);
        done += chunk;
    }
    put_be32(out + pos, 0); /* end of stream */
    *out_len = pos + 4;
    free(wrk);
    return append_size(out, out_len, n);
}

static uint8_t *compress_lzop(const uint8_t *in, size_t n, size_t *out_len)
{
    return compress_lzop_flags(in, n, out_len, F_OS_UNIX | F_ADLER32_D);
}

/* Every checksum lzop can write, and a crc32 header checksum. */
static uint8_t *compress_lzop_crc(const uint8_t *in, size_t n, size_t *out_len)
{
    return compress_lzop_flags(
        in, n, out_len, F_OS_UNIX | F_ADLER32_D | F_ADLER32_C | F_CRC32_D | F_CRC32_C | F_H_CRC32);
}

const struct test_codec test_codecs[] = {
    {"gzip", compress_gzip, true},
    {"bzip2", compress_bzip2, true},
    {"xz", compress_xz, true},
    {"lzma", compress_lzma, false},
    {"lz4-legacy", compress_lz4_legacy, false},
    {"lz4-frame", compress_lz4_frame, true},
    {"zstd", compress_zstd, true},
    {"lzo", compress_lzop, true},
    {"lzo-crc", compress_lzop_crc, true},
};

const unsigned nr_test_codecs = sizeof(test_codecs) / sizeof(test_codecs[0]);

#define HDR_SETUP_SECTS 0x1f1
#define PAYLOAD_GAP     0x180 /* protected-mode code before the payload */
#define TAIL            0x40  /* bytes after the payload, as in a real bzImage */

size_t bzimage_payload_offset(unsigned setup_sects)
{
    return ((setup_sects ? setup_sects : 4) + 1) * 512u + PAYLOAD_GAP;
}

uint8_t *make_bzimage(const uint8_t *payload, size_t plen, unsigned setup_sects, size_t *len)
{
    size_t off = bzimage_payload_offset(setup_sects);
    uint8_t *b;

    *len = off + plen + TAIL;
    b = calloc(1, *len);
    b[HDR_SETUP_SECTS] = (uint8_t)setup_sects;
    b[0x1fe] = 0x55;
    b[0x1ff] = 0xaa;
    memcpy(b + 0x202, "HdrS", 4);
    b[0x206] = 0x0f; /* protocol 2.15 */
    b[0x207] = 0x02;
    put_le32(b + 0x248, PAYLOAD_GAP);
    put_le32(b + 0x24c, (uint32_t)plen);
    memcpy(b + off, payload, plen);
    memset(b + off + plen, 0xcc, TAIL);
    return b;
}
