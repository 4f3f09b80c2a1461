/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for kernel_read_file: ELF and bzImage files, and the files it must refuse by name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "loader/kernel.h"
#include "compress.h"
#include "elf-builder.h"

static char dir[] = "/tmp/xenner-test-file-XXXXXX";
static char err[KERNEL_ERR_LEN];

static int setup(void **state)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    return rmdir(dir);
}

/* Write len bytes to a file in the test directory; returns its path (static storage). */
static const char *write_file(const char *name, const void *buf, size_t len)
{
    static char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static uint8_t *make_elf(size_t *len)
{
    struct test_note notes[TEST_MAX_NOTES];
    struct elf_spec s = {.notes = notes, .nr_notes = linux_notes(notes), .note_phdr = true};
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    *len = lay.len;
    return img;
}

static void expect_read_fail(const char *path, const char *why)
{
    struct kernel_info ki;
    void *img = NULL;
    size_t len;
    int r = kernel_read_file(path, &img, &len, &ki, err);

    if (r != -1 || !strstr(err, why))
        print_message("expected failure \"%s\", got %d \"%s\"\n", why, r, err);
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, why));
    assert_non_null(strstr(err, path));
    assert_null(strchr(err, '\n'));
}

static void test_elf_file(void **state)
{
    struct kernel_info ki;
    size_t len, got_len;
    uint8_t *elf = make_elf(&len);
    const char *path = write_file("vmlinux", elf, len);
    void *got;

    assert_int_equal(kernel_read_file(path, &got, &got_len, &ki, err), 0);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, elf, len);
    assert_int_equal(ki.entry, TEST_ENTRY);
    free(got);
    unlink(path);
    free(elf);
}

static void test_bzimage_file(void **state)
{
    struct kernel_info ki;
    size_t len, plen, bzlen, got_len;
    uint8_t *elf = make_elf(&len), *payload = compress_gzip(elf, len, &plen);
    uint8_t *bz = make_bzimage(payload, plen, 3, &bzlen);
    const char *path = write_file("vmlinuz", bz, bzlen);
    void *got;

    assert_int_equal(kernel_read_file(path, &got, &got_len, &ki, err), 0);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, elf, len);
    assert_int_equal(ki.hypercall_page, TEST_HYPERCALL);
    free(got);
    /* a broken payload is reported with the file's name */
    bz[bzimage_payload_offset(3) + plen / 2] ^= 0xff;
    path = write_file("vmlinuz", bz, bzlen);
    expect_read_fail(path, "bzImage payload: gzip:");
    unlink(path);
    free(bz);
    free(payload);
    free(elf);
}

static void test_refused_files(void **state)
{
    static const char junk[] = "#!/bin/sh\necho not a kernel\n";
    const char *path;
    char missing[300];

    path = write_file("empty", "", 0);
    expect_read_fail(path, "file is empty");
    unlink(path);
    path = write_file("script", junk, sizeof(junk));
    expect_read_fail(path, "not an ELF file (bad magic)");
    unlink(path);
    expect_read_fail(dir, "Is a directory");
    snprintf(missing, sizeof(missing), "%s/missing", dir);
    expect_read_fail(missing, "No such file or directory");
}

/* Only meaningful when not root: root reads files whatever their mode. */
static void test_unreadable_file(void **state)
{
    size_t len;
    uint8_t *elf = make_elf(&len);
    const char *path = write_file("secret", elf, len);

    free(elf);
    chmod(path, 0);
    if (geteuid() == 0) {
        unlink(path);
        print_message("SKIP: running as root, file permissions are not enforced\n");
        skip();
    }
    expect_read_fail(path, "Permission denied");
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_file),
        cmocka_unit_test(test_bzimage_file),
        cmocka_unit_test(test_refused_files),
        cmocka_unit_test(test_unreadable_file),
    };

    return cmocka_run_group_tests_name("loader-file", tests, setup, teardown);
}
