/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for kernel_unpack_bzimage: every payload format, truncation, corruption, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loader/kernel.h"
#include "loader/loader-priv.h"
#include "compress.h"
#include "elf-builder.h"

#define SETUP_SECTS 3
#define BIG_TEXT    (2u << 20) /* past lzop's 256 KiB blocks and the 1 MiB test limit */

static uint8_t *small_elf, *big_elf;
static size_t small_len, big_len;
static char err[KERNEL_ERR_LEN];

static uint8_t *make_elf(size_t text_size, size_t *len)
{
    struct test_note notes[TEST_MAX_NOTES];
    struct elf_spec s = {
        .notes = notes, .nr_notes = linux_notes(notes), .note_phdr = true, .text_size = text_size};
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    *len = lay.len;
    return img;
}

static int group_setup(void **state)
{
    small_elf = make_elf(0, &small_len);
    big_elf = make_elf(BIG_TEXT, &big_len);
    return 0;
}

static int group_teardown(void **state)
{
    free(small_elf);
    free(big_elf);
    return 0;
}

/* Unpack a private copy of exactly len bytes, so ASan sees any read past the end. */
static int unpack(const uint8_t *img, size_t len, uint8_t **out, size_t *out_len)
{
    uint8_t *c = malloc(len ? len : 1);
    void *o = NULL;
    int r;

    memcpy(c, img, len);
    r = kernel_unpack_bzimage(c, len, &o, out_len, err);
    free(c);
    *out = o;
    if (r != 1)
        *out = NULL;
    return r;
}

static void expect_unpack_fail(const uint8_t *img, size_t len, const char *why)
{
    uint8_t *out;
    size_t out_len;
    int r = unpack(img, len, &out, &out_len);

    if (r != -1 || !strstr(err, why))
        print_message("expected failure \"%s\", got %d \"%s\"\n", why, r, err);
    free(out);
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, why));
    assert_null(strchr(err, '\n'));
}

/* Compress elf with codec c, wrap it, unpack it, compare; returns the bzImage. */
static void roundtrip_one(const struct test_codec *c, const uint8_t *elf, size_t len,
                          unsigned setup_sects)
{
    struct kernel_info ki;
    size_t plen, bzlen, out_len;
    uint8_t *payload = c->compress(elf, len, &plen);
    uint8_t *bz = make_bzimage(payload, plen, setup_sects, &bzlen);
    uint8_t *out;
    int r = unpack(bz, bzlen, &out, &out_len);

    if (r != 1)
        print_message("%s: %s\n", c->name, err);
    assert_int_equal(r, 1);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, elf, len);
    assert_int_equal(kernel_parse_elf(out, out_len, &ki, err), 0);
    assert_int_equal(ki.entry, TEST_ENTRY);
    free(out);
    free(bz);
    free(payload);
}

static void test_roundtrip(void **state)
{
    const struct test_codec *c = *state;

    roundtrip_one(c, small_elf, small_len, SETUP_SECTS);
    roundtrip_one(c, small_elf, small_len, 0); /* setup_sects 0 means 4 */
    roundtrip_one(c, big_elf, big_len, SETUP_SECTS);
}

/* Every shorter payload_length is refused; so is a file cut inside the payload. */
static void test_truncated(void **state)
{
    const struct test_codec *c = *state;
    size_t plen, bzlen, off = bzimage_payload_offset(SETUP_SECTS);
    uint8_t *payload = c->compress(small_elf, small_len, &plen);
    uint8_t *bz = make_bzimage(payload, plen, SETUP_SECTS, &bzlen);
    uint8_t *out;
    size_t out_len;

    for (size_t cut = 0; cut < plen; cut++) {
        uint8_t *t = make_bzimage(payload, cut, SETUP_SECTS, &bzlen);
        int r = unpack(t, bzlen, &out, &out_len);

        if (r != -1)
            print_message("%s: payload cut to %zu of %zu bytes unpacked\n", c->name, cut, plen);
        assert_int_equal(r, -1);
        assert_null(strchr(err, '\n'));
        free(t);
    }
    for (size_t cut = 0; cut < plen; cut += 1 + cut / 8)
        expect_unpack_fail(bz, off + cut, "truncated bzImage");
    free(bz);
    free(payload);
}

/* Flip each payload byte: refused, or (formats without checksums) at worst wrong data. */
static void test_corrupted(void **state)
{
    const struct test_codec *c = *state;
    size_t plen, bzlen, off = bzimage_payload_offset(SETUP_SECTS), out_len;
    uint8_t *payload = c->compress(small_elf, small_len, &plen);
    uint8_t *bz = make_bzimage(payload, plen, SETUP_SECTS, &bzlen);
    uint8_t *out;

    for (size_t i = 0; i < plen; i++) {
        int r;

        bz[off + i] ^= 0xa5;
        r = unpack(bz, bzlen, &out, &out_len);
        bz[off + i] ^= 0xa5;
        if (r != 1)
            continue;
        assert_int_equal(out_len, small_len); /* the size trailer guarantees this much */
        if (c->checksummed && memcmp(out, small_elf, small_len))
            fail_msg("%s: byte %zu corrupted, unpacked to different data", c->name, i);
        free(out);
    }
    free(bz);
    free(payload);
}

/* Output over the cap is refused, whatever the format. */
static void test_limit(void **state)
{
    const struct test_codec *c = *state;
    size_t plen, bzlen, saved = loader_unpack_limit;
    uint8_t *payload = c->compress(big_elf, big_len, &plen);
    uint8_t *bz = make_bzimage(payload, plen, SETUP_SECTS, &bzlen);

    loader_unpack_limit = 1u << 20;
    expect_unpack_fail(bz, bzlen, "over the 1 MiB limit");
    loader_unpack_limit = saved;
    free(bz);
    free(payload);
}

static void test_not_bzimage(void **state)
{
    uint8_t *out, junk[4096];
    size_t out_len;
    uint8_t *elf = malloc(small_len);

    assert_int_equal(unpack(small_elf, small_len, &out, &out_len), 0);
    /* an ELF file stays an ELF file, whatever sits at the setup header's offsets */
    memcpy(elf, small_elf, small_len);
    memcpy(elf + 0x202, "HdrS", 4);
    assert_int_equal(unpack(elf, small_len, &out, &out_len), 0);
    free(elf);
    assert_int_equal(unpack(junk, 0, &out, &out_len), 0);
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 31 + 7);
    assert_int_equal(unpack(junk, sizeof(junk), &out, &out_len), 0);
    memcpy(junk + 0x202, "HdrS", 4);
    assert_int_equal(unpack(junk, 0x207, &out, &out_len), 0);
}

static void test_setup_header_errors(void **state)
{
    size_t plen, bzlen;
    uint8_t *payload = compress_gzip(small_elf, small_len, &plen);
    uint8_t *bz = make_bzimage(payload, plen, SETUP_SECTS, &bzlen);

    expect_unpack_fail(bz, 0x210, "truncated bzImage: setup header needs 592 bytes, file has 528");
    bz[0x206] = 0x07;
    expect_unpack_fail(bz, bzlen, "boot protocol 2.07 is too old");
    bz[0x206] = 0x0f;
    memcpy(bz + 0x248, "\xff\xff\xff\xff", 4);
    expect_unpack_fail(bz, bzlen, "truncated bzImage: payload at offset 0x1000007ff");
    memcpy(bz + 0x248, "\x80\x01\x00\x00", 4);
    memcpy(bz + 0x24c, "\xff\xff\xff\xff", 4);
    expect_unpack_fail(bz, bzlen, "runs past the end of the file");
    memcpy(bz + 0x24c, "\x04\x00\x00\x00", 4);
    expect_unpack_fail(bz, bzlen, "bzImage payload is too short (4 bytes)");
    free(bz);
    free(payload);
}

static void test_unknown_compression(void **state)
{
    static const uint8_t payload[64] = {0x00, 0x01, 0x02, 0x03};
    size_t bzlen;
    uint8_t *bz = make_bzimage(payload, sizeof(payload), SETUP_SECTS, &bzlen);

    expect_unpack_fail(bz, bzlen, "unknown compression format (starts 00 01 02 03)");
    free(bz);
}

static void test_payload_not_elf(void **state)
{
    static const char text[] = "MZ this is not a kernel, just some text that compresses well";
    size_t plen, bzlen;
    uint8_t *payload = compress_gzip((const uint8_t *)text, sizeof(text), &plen);
    uint8_t *bz = make_bzimage(payload, plen, SETUP_SECTS, &bzlen);

    expect_unpack_fail(bz, bzlen, "bzImage payload is not an ELF kernel");
    free(bz);
    free(payload);
}

/* Linux's size trailer must match what came out. */
static void test_size_trailer(void **state)
{
    size_t plen, bzlen;
    uint8_t *payload = compress_lz4_legacy(small_elf, small_len, &plen);
    uint8_t *bz;

    payload[plen - 1] ^= 1;
    bz = make_bzimage(payload, plen, SETUP_SECTS, &bzlen);
    expect_unpack_fail(bz, bzlen, "but its size trailer says");
    free(bz);
    free(payload);
}

/* Legacy lz4 over 8 MiB takes two blocks; a second magic between them is skipped, as Linux does. */
static void test_lz4_legacy_blocks(void **state)
{
    size_t len, plen, bzlen, out_len, first;
    uint8_t *elf = make_elf(9u << 20, &len), *payload = compress_lz4_legacy(elf, len, &plen);
    uint8_t *spliced = malloc(plen + 4), *bz, *out;

    first = 8 + (payload[4] | payload[5] << 8 | payload[6] << 16 | (size_t)payload[7] << 24);
    assert_true(first < plen - 8);
    memcpy(spliced, payload, first);
    memcpy(spliced + first, payload, 4); /* the magic again */
    memcpy(spliced + first + 4, payload + first, plen - first);
    bz = make_bzimage(spliced, plen + 4, SETUP_SECTS, &bzlen);
    assert_int_equal(unpack(bz, bzlen, &out, &out_len), 1);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, elf, len);
    free(out);
    free(bz);
    free(spliced);
    free(payload);
    free(elf);
}

/* A real distribution kernel, if the environment names one. */
static void test_real_kernel(void **state)
{
    const char *path = getenv("XENNER_TEST_VMLINUZ");
    struct kernel_info ki;
    void *img;
    size_t len;

    if (!path || !*path) {
        print_message("SKIP: set XENNER_TEST_VMLINUZ to a Linux bzImage to test a real kernel\n");
        skip();
    }
    if (kernel_read_file(path, &img, &len, &ki, err))
        fail_msg("%s", err);
    print_message("%s: %zu-byte ELF, GUEST_OS %s, VIRT_BASE %#lx, entry %#lx, hypercall page %s, "
                  "features %#x (required %#x), kernel [%#lx, %#lx)\n",
                  path, len, ki.guest_os, (unsigned long)ki.virt_base, (unsigned long)ki.entry,
                  ki.has_hypercall_page ? "yes" : "no", ki.features_supported[0],
                  ki.features_required[0], (unsigned long)ki.kstart, (unsigned long)ki.kend);
    assert_true(ki.is_64);
    assert_true(ki.entry >= ki.kstart && ki.entry < ki.kend);
    free(img);
}

#define MAX_TESTS 64

/* Four tests per codec, named after it, then the format-independent ones. */
static size_t codec_tests(struct CMUnitTest *t, char names[][48])
{
    static const struct {
        const char *what;
        CMUnitTestFunction fn;
    } kinds[] = {
        {"roundtrip", test_roundtrip},
        {"truncated", test_truncated},
        {"corrupted", test_corrupted},
        {"limit", test_limit},
    };
    size_t n = 0;

    for (unsigned c = 0; c < nr_test_codecs; c++)
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++, n++) {
            snprintf(names[n], 48, "%s_%s", kinds[k].what, test_codecs[c].name);
            t[n] = (struct CMUnitTest){names[n], kinds[k].fn, NULL, NULL, (void *)&test_codecs[c]};
        }
    return n;
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_not_bzimage),         cmocka_unit_test(test_setup_header_errors),
        cmocka_unit_test(test_unknown_compression), cmocka_unit_test(test_payload_not_elf),
        cmocka_unit_test(test_size_trailer),        cmocka_unit_test(test_lz4_legacy_blocks),
        cmocka_unit_test(test_real_kernel),
    };
    static struct CMUnitTest tests[MAX_TESTS];
    static char names[MAX_TESTS][48];
    size_t n = codec_tests(tests, names);

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        tests[n++] = fixed[i];
    return _cmocka_run_group_tests("loader-bzimage", tests, n, group_setup, group_teardown);
}
