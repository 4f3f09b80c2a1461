/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux bzImage unpacking: find the compressed vmlinux through the boot protocol header. */
#include <stdlib.h>

#include "loader/loader-priv.h"

/* Offsets in the x86 boot protocol's setup header. */
#define HDR_SETUP_SECTS    0x1f1
#define HDR_MAGIC          0x202 /* "HdrS" */
#define HDR_VERSION        0x206
#define HDR_PAYLOAD_OFFSET 0x248 /* from protected-mode code start; protocol 2.08+ */
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_END            0x250

#define MIN_PROTOCOL 0x0208
#define SECTOR       512u
#define SIZE_TRAILER 4u  /* Linux ends every payload with the unpacked size */
#define MAX_RATIO    32u /* kernels compress 3-6 times; allow far more */

typedef int unpack_fn(const uint8_t *in, size_t len, struct outbuf *o, char err[KERNEL_ERR_LEN]);

/* Compression formats Linux can build a bzImage with, told apart by their leading bytes. */
static const struct codec {
    const char *name;
    uint8_t magic[6];
    size_t magic_len;
    unpack_fn *unpack;
} codecs[] = {
    {"gzip", {0x1f, 0x8b}, 2, unpack_gzip},
    {"bzip2", {'B', 'Z', 'h'}, 3, unpack_bzip2},
    {"xz", {0xfd, '7', 'z', 'X', 'Z', 0x00}, 6, unpack_xz},
    /*
     * lzma-alone: properties 0x5d (lc=3 lp=0 pb=2), then a dictionary size whose
     * low byte is 0 for every size the tools choose; two bytes, as Linux checks.
     */
    {"lzma", {0x5d, 0x00}, 2, unpack_lzma},
    {"lzo", {0x89, 'L', 'Z', 'O'}, 4, unpack_lzop},
    {"lz4", {0x02, 0x21, 0x4c, 0x18}, 4, unpack_lz4_legacy},
    {"lz4", {0x04, 0x22, 0x4d, 0x18}, 4, unpack_lz4_frame},
    {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4, unpack_zstd},
};

static const struct codec *find_codec(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
        if (len >= codecs[i].magic_len && !memcmp(p, codecs[i].magic, codecs[i].magic_len))
            return &codecs[i];
    return NULL;
}

/* An ELF file can never be a bzImage, whatever bytes sit at 0x202. */
static bool is_bzimage(const uint8_t *b, size_t len)
{
    if (len >= 4 && !memcmp(b, "\177ELF", 4))
        return false;
    return len >= HDR_VERSION + 2 && !memcmp(b + HDR_MAGIC, "HdrS", 4);
}

/* Locate the payload from the setup header; returns 0 or -1 with err. */
static int find_payload(const uint8_t *b, size_t len, const uint8_t **payload, size_t *plen,
                        char err[KERNEL_ERR_LEN])
{
    unsigned version = get_le16(b + HDR_VERSION);
    uint64_t sects, off, n;

    if (version < MIN_PROTOCOL)
        return loader_fail(err,
                           "bzImage boot protocol %u.%02u is too old: 2.08 or later "
                           "is needed to find the payload",
                           version >> 8, version & 0xff);
    if (len < HDR_END)
        return loader_fail(err, "truncated bzImage: setup header needs %u bytes, file has %zu",
                           HDR_END, len);
    sects = b[HDR_SETUP_SECTS] ? b[HDR_SETUP_SECTS] : 4; /* 0 means 4, for old loaders */
    off = (sects + 1) * SECTOR + get_le32(b + HDR_PAYLOAD_OFFSET);
    n = get_le32(b + HDR_PAYLOAD_LENGTH);
    if (!loader_range_ok(off, n, len))
        return loader_fail(err,
                           "truncated bzImage: payload at offset %#" PRIx64 " (%" PRIu64
                           " bytes) runs past the end of the file (%zu bytes)",
                           off, n, len);
    if (n <= SIZE_TRAILER)
        return loader_fail(err, "bzImage payload is too short (%" PRIu64 " bytes)", n);
    *payload = b + off;
    *plen = n;
    return 0;
}

/* Check what came out: Linux's size trailer must agree, and it must be an ELF file. */
static int check_output(const uint8_t *payload, size_t plen, const struct outbuf *o,
                        char err[KERNEL_ERR_LEN])
{
    uint32_t want = get_le32(payload + plen - SIZE_TRAILER);

    if (o->len < 4 || memcmp(o->data, "\177ELF", 4))
        return loader_fail(err, "bzImage payload is not an ELF kernel");
    if (want != (uint32_t)o->len)
        return loader_fail(err,
                           "bzImage payload unpacked to %zu bytes but its size trailer "
                           "says %u (truncated or corrupt)",
                           o->len, want);
    return 0;
}

/*
 * Allocate the output once, at the size the trailer announces, so a 60 MiB
 * kernel is not copied by repeated doubling. The trailer is untrusted: no
 * kernel compresses better than MAX_RATIO, and the unpack limit still holds.
 */
static int presize(const uint8_t *payload, size_t plen, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    uint64_t want = get_le32(payload + plen - SIZE_TRAILER);

    if (want > (uint64_t)plen * MAX_RATIO)
        want = (uint64_t)plen * MAX_RATIO;
    if (want > loader_unpack_limit)
        want = loader_unpack_limit;
    return outbuf_reserve(o, (size_t)want + 1, err);
}

/* Decode the payload with the codec its magic names. */
static int decode(const uint8_t *payload, size_t plen, struct outbuf *o, char err[KERNEL_ERR_LEN])
{
    const struct codec *c = find_codec(payload, plen);
    char why[KERNEL_ERR_LEN];

    if (!c)
        return loader_fail(err,
                           "bzImage payload has an unknown compression format "
                           "(starts %02x %02x %02x %02x)",
                           payload[0], payload[1], payload[2], payload[3]);
    if (presize(payload, plen, o, why) || c->unpack(payload, plen, o, why))
        return loader_fail(err, "bzImage payload: %s", why);
    return check_output(payload, plen, o, err);
}

int kernel_unpack_bzimage(const void *buf, size_t len, void **out, size_t *out_len,
                          char err[KERNEL_ERR_LEN])
{
    const uint8_t *b = buf, *payload = NULL;
    struct outbuf o = {0};
    size_t plen = 0;
    uint8_t *fit;

    if (!is_bzimage(b, len))
        return 0;
    if (find_payload(b, len, &payload, &plen, err))
        return -1;
    if (decode(payload, plen, &o, err)) {
        free(o.data);
        return -1;
    }
    fit = realloc(o.data, o.len); /* give back any unused tail */
    *out = fit ? fit : o.data;
    *out_len = o.len;
    return 1;
}
