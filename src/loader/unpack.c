/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decompressors for bzImage payloads (gzip, bzip2, xz, lzma, zstd, lz4) into a capped buffer. */
#include <limits.h>
#include <stdlib.h>

#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "loader/loader-priv.h"

#define OUT_MIN          (64u << 10)    /* smallest first allocation */
#define LZMA_MEMLIMIT    (256ull << 20) /* Linux uses a 32 MiB dictionary */
#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20) /* largest uncompressed block of the legacy format */

size_t loader_unpack_limit = LOADER_MAX_UNPACKED;

int outbuf_reserve(struct outbuf *o, size_t more, char err[KERNEL_ERR_LEN])
{
    size_t need, cap;
    uint8_t *p;

    if (o->len > loader_unpack_limit || more > loader_unpack_limit - o->len)
        return loader_fail(err, "unpacked kernel is over the %zu MiB limit",
                           loader_unpack_limit >> 20);
    need = o->len + more;
    if (need <= o->cap)
        return 0;
    /* The first allocation is what was asked for; growth doubles, to stay linear. */
    cap = o->cap ? o->cap : (need > OUT_MIN ? need : OUT_MIN);
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    if (cap > loader_unpack_limit)
        cap = loader_unpack_limit;
    p = realloc(o->data, cap);
    if (!p)
        return loader_fail(err, "out of memory unpacking the kernel (%zu bytes)", cap);
    o->data = p;
    o->cap = cap;
    return 0;
}

/* Make sure some free space follows o->len; returns how much, or 0 with err at the limit. */
static size_t outbuf_space(struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    if (o->cap > o->len)
        return o->cap - o->len;
    if (outbuf_reserve(o, 1, err))
        return 0;
    return o->cap - o->len;
}

/*
 * One call of a streaming decoder: consume from *in (*in_left bytes), produce
 * into *out (*out_left bytes), advancing both. Returns 1 at the end of the stream, 0 to go
 * on, -1 with err on corrupt data.
 */
typedef int step_fn(void *ctx, const uint8_t **in, size_t *in_left, uint8_t **out, size_t *out_left,
                    char err[KERNEL_ERR_LEN]);

/* Run a streaming decoder to the end of its stream; one that stops making progress is starved. */
static int drive(step_fn *step, void *ctx, const char *name, const uint8_t *in, size_t len,
                 struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    for (;;) {
        size_t space = outbuf_space(o, err), left = space, in_before = len;
        uint8_t *out;
        int r;

        if (space == 0)
            return -1;
        out = o->data + o->len;
        r = step(ctx, &in, &len, &out, &left, err);
        o->len += space - left;
        if (r != 0)
            return r < 0 ? -1 : 0;
        if (len == in_before && left == space)
            return loader_fail(err, "%s: %s", name,
                               len ? "decoder made no progress (corrupt data)"
                                   : "truncated data (stream ends early)");
    }
}

/* zlib counts in uInt: feed it at most UINT_MAX bytes at a time. */
static unsigned clamp_uint(size_t n)
{
    return n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

static int gzip_step(void *ctx, const uint8_t **in, size_t *in_left, uint8_t **out,
                     size_t *out_left, char err[KERNEL_ERR_LEN])
{
    z_stream *zs = ctx;
    unsigned in_n = clamp_uint(*in_left), out_n = clamp_uint(*out_left);
    int r;

    zs->next_in = (Bytef *)*in;
    zs->avail_in = in_n;
    zs->next_out = *out;
    zs->avail_out = out_n;
    r = inflate(zs, Z_NO_FLUSH);
    *in += in_n - zs->avail_in;
    *in_left -= in_n - zs->avail_in;
    *out += out_n - zs->avail_out;
    *out_left -= out_n - zs->avail_out;
    if (r == Z_STREAM_END)
        return 1;
    if (r == Z_OK || r == Z_BUF_ERROR)
        return 0;
    return loader_fail(err, "gzip: corrupt data (%s)", zs->msg ? zs->msg : zError(r));
}

int unpack_gzip(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    z_stream zs = {0};
    int r;

    /* 16 + MAX_WBITS: a gzip wrapper, not raw deflate or zlib. */
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return loader_fail(err, "gzip: cannot initialise zlib");
    r = drive(gzip_step, &zs, "gzip", in, len, o, err);
    inflateEnd(&zs);
    return r;
}

static int bzip2_step(void *ctx, const uint8_t **in, size_t *in_left, uint8_t **out,
                      size_t *out_left, char err[KERNEL_ERR_LEN])
{
    bz_stream *bz = ctx;
    unsigned in_n = clamp_uint(*in_left), out_n = clamp_uint(*out_left);
    int r;

    bz->next_in = (char *)*in;
    bz->avail_in = in_n;
    bz->next_out = (char *)*out;
    bz->avail_out = out_n;
    r = BZ2_bzDecompress(bz);
    *in += in_n - bz->avail_in;
    *in_left -= in_n - bz->avail_in;
    *out += out_n - bz->avail_out;
    *out_left -= out_n - bz->avail_out;
    if (r == BZ_STREAM_END)
        return 1;
    if (r == BZ_OK)
        return 0;
    return loader_fail(err, "bzip2: corrupt data (libbz2 error %d)", r);
}

int unpack_bzip2(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    bz_stream bz = {0};
    int r;

    if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK)
        return loader_fail(err, "bzip2: cannot initialise libbz2");
    r = drive(bzip2_step, &bz, "bzip2", in, len, o, err);
    BZ2_bzDecompressEnd(&bz);
    return r;
}

static const char *lzma_reason(lzma_ret r)
{
    switch (r) {
    case LZMA_MEMLIMIT_ERROR: return "needs more than 256 MiB of decoder memory";
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_FORMAT_ERROR: return "bad header";
    case LZMA_OPTIONS_ERROR: return "unsupported options";
    case LZMA_DATA_ERROR: return "corrupt data";
    case LZMA_BUF_ERROR: return "truncated data";
    default: return "decoder error";
    }
}

/* liblzma decodes both xz and lzma-alone; name says which for messages. */
struct lzma_ctx {
    lzma_stream ls;
    const char *name;
};

static int lzma_step(void *ctx, const uint8_t **in, size_t *in_left, uint8_t **out,
                     size_t *out_left, char err[KERNEL_ERR_LEN])
{
    struct lzma_ctx *c = ctx;
    lzma_ret r;

    c->ls.next_in = *in;
    c->ls.avail_in = *in_left;
    c->ls.next_out = *out;
    c->ls.avail_out = *out_left;
    r = lzma_code(&c->ls, LZMA_RUN);
    *in = c->ls.next_in;
    *in_left = c->ls.avail_in;
    *out = c->ls.next_out;
    *out_left = c->ls.avail_out;
    if (r == LZMA_STREAM_END)
        return 1;
    if (r == LZMA_OK)
        return 0;
    return loader_fail(err, "%s: %s", c->name, lzma_reason(r));
}

/* Run liblzma once its decoder is set up (init is the set-up's result). */
static int lzma_run(struct lzma_ctx *c, lzma_ret init, const uint8_t *in, size_t len,
                    struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    int r;

    if (init != LZMA_OK)
        return loader_fail(err, "%s: cannot initialise liblzma (%s)", c->name, lzma_reason(init));
    r = drive(lzma_step, c, c->name, in, len, o, err);
    lzma_end(&c->ls);
    return r;
}

int unpack_xz(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    struct lzma_ctx c = {LZMA_STREAM_INIT, "xz"};

    /* Without LZMA_CONCATENATED the decoder stops after one stream, before the size trailer. */
    return lzma_run(&c, lzma_stream_decoder(&c.ls, LZMA_MEMLIMIT, 0), in, len, o, err);
}

int unpack_lzma(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    struct lzma_ctx c = {LZMA_STREAM_INIT, "lzma"};

    return lzma_run(&c, lzma_alone_decoder(&c.ls, LZMA_MEMLIMIT), in, len, o, err);
}

static int zstd_step(void *ctx, const uint8_t **in, size_t *in_left, uint8_t **out,
                     size_t *out_left, char err[KERNEL_ERR_LEN])
{
    ZSTD_inBuffer ib = {*in, *in_left, 0};
    ZSTD_outBuffer ob = {*out, *out_left, 0};
    size_t r = ZSTD_decompressStream(ctx, &ob, &ib);

    *in += ib.pos;
    *in_left -= ib.pos;
    *out += ob.pos;
    *out_left -= ob.pos;
    if (ZSTD_isError(r))
        return loader_fail(err, "zstd: %s", ZSTD_getErrorName(r));
    return r == 0; /* 0: a frame is complete and flushed */
}

int unpack_zstd(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    ZSTD_DStream *zs = ZSTD_createDStream();
    int r;

    if (!zs)
        return loader_fail(err, "zstd: cannot allocate a decoder");
    r = drive(zstd_step, zs, "zstd", in, len, o, err);
    ZSTD_freeDStream(zs);
    return r;
}

static int lz4f_step(void *ctx, const uint8_t **in, size_t *in_left, uint8_t **out,
                     size_t *out_left, char err[KERNEL_ERR_LEN])
{
    size_t in_n = *in_left, out_n = *out_left;
    size_t r = LZ4F_decompress(ctx, *out, &out_n, *in, &in_n, NULL);

    *in += in_n;
    *in_left -= in_n;
    *out += out_n;
    *out_left -= out_n;
    if (LZ4F_isError(r))
        return loader_fail(err, "lz4: %s", LZ4F_getErrorName(r));
    return r == 0; /* 0: the frame is fully decoded */
}

int unpack_lz4_frame(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    LZ4F_dctx *dctx;
    int r;

    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
        return loader_fail(err, "lz4: cannot allocate a decoder");
    r = drive(lz4f_step, dctx, "lz4", in, len, o, err);
    LZ4F_freeDecompressionContext(dctx);
    return r;
}

/* Decode one legacy lz4 block of n bytes at in into o. */
static int lz4_block(const uint8_t *in, uint32_t n, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    /* LZ4 expands at most 255-fold: no need to reserve 8 MiB for a small block. */
    size_t room = (uint64_t)n * 256 < LZ4_LEGACY_BLOCK ? (size_t)n * 256 : LZ4_LEGACY_BLOCK;
    int got;

    if (n > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK))
        return loader_fail(err, "lz4: block of %u bytes is larger than 8 MiB compresses to", n);
    if (o->len < loader_unpack_limit && room > loader_unpack_limit - o->len)
        room = loader_unpack_limit - o->len;
    if (outbuf_reserve(o, room, err))
        return -1;
    got = LZ4_decompress_safe((const char *)in, (char *)o->data + o->len, (int)n, (int)room);
    if (got < 0 && room == loader_unpack_limit - o->len)
        return loader_fail(err, "lz4: corrupt block, or the kernel is over the %zu MiB limit",
                           loader_unpack_limit >> 20);
    if (got < 0)
        return loader_fail(err, "lz4: corrupt block");
    o->len += (size_t)got;
    return 0;
}

/*
 * Linux's legacy lz4 framing: a magic, then blocks each led by a 4-byte
 * compressed size. Another magic may follow (concatenated archives); a zero
 * size, or fewer than 5 bytes left (the size trailer Linux appends), ends it.
 */
int unpack_lz4_legacy(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    size_t pos = 4;

    if (len < 4 || get_le32(in) != LZ4_LEGACY_MAGIC)
        return loader_fail(err, "lz4: bad magic");
    while (len - pos > 4) {
        uint32_t n = get_le32(in + pos);

        pos += 4;
        if (n == LZ4_LEGACY_MAGIC)
            continue;
        if (n == 0)
            break;
        if (n > len - pos)
            return loader_fail(err,
                               "lz4: block of %u bytes at offset %zu runs past the end "
                               "of the payload (truncated)",
                               n, pos - 4);
        if (lz4_block(in + pos, n, o, err))
            return -1;
        pos += n;
    }
    return 0;
}
