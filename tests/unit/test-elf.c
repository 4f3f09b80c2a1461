/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for kernel_parse_elf/kernel_load_elf: Xen notes, legacy strings, hostile images. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include <xen/elfnote.h>
#include <xen/features.h>

#include "loader/kernel.h"
#include "elf-builder.h"

static struct kernel_info ki;
static char err[KERNEL_ERR_LEN];

/* Parse a private copy of exactly len bytes, so ASan catches any read past the end. */
static int parse_copy(const uint8_t *img, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);
    int r;

    memcpy(c, img, len);
    r = kernel_parse_elf(c, len, &ki, err);
    free(c);
    return r;
}

/* Expect a refusal whose one-line message contains `why`. */
static void expect_fail(const uint8_t *img, size_t len, const char *why)
{
    int r = parse_copy(img, len);

    if (r != -1 || !strstr(err, why))
        print_message("expected failure \"%s\", got %d \"%s\"\n", why, r, err);
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, why));
    assert_null(strchr(err, '\n'));
}

static void expect_ok(const uint8_t *img, size_t len)
{
    int r = parse_copy(img, len);

    if (r != 0)
        print_message("unexpected failure: %s\n", err);
    assert_int_equal(r, 0);
}

/* The usual image: Linux-like notes in both a PT_NOTE segment and an SHT_NOTE section. */
static uint8_t *build_with(struct test_note *notes, unsigned n, struct elf_layout *lay)
{
    struct elf_spec s = {.notes = notes, .nr_notes = n, .note_phdr = true, .note_shdr = true};

    return build_elf(&s, lay);
}

static uint8_t *linux_image(struct elf_layout *lay)
{
    struct test_note notes[TEST_MAX_NOTES];

    return build_with(notes, linux_notes(notes), lay);
}

/* Build with one note replaced, and expect that to be refused for `why`. */
static void expect_note_fail(uint32_t type, const void *desc, uint32_t size, const char *why)
{
    struct test_note notes[TEST_MAX_NOTES];
    unsigned n = set_note(notes, linux_notes(notes), type, desc, size);
    struct elf_layout lay;
    uint8_t *img = build_with(notes, n, &lay);

    expect_fail(img, lay.len, why);
    free(img);
}

static void test_linux_notes(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);

    expect_ok(img, lay.len);
    assert_true(ki.is_64);
    assert_false(ki.from_legacy_string);
    assert_string_equal(ki.guest_os, "linux");
    assert_string_equal(ki.xen_version, "xen-3.0");
    assert_string_equal(ki.loader, "generic");
    assert_string_equal(ki.pae_mode, "yes");
    assert_int_equal(ki.virt_base, TEST_VIRT_BASE);
    assert_int_equal(ki.paddr_offset, 0);
    assert_int_equal(ki.entry, TEST_ENTRY);
    assert_true(ki.has_hypercall_page);
    assert_int_equal(ki.hypercall_page, TEST_HYPERCALL);
    assert_true(ki.has_init_p2m);
    assert_int_equal(ki.init_p2m, TEST_INIT_P2M);
    assert_true(ki.has_mod_start_pfn);
    assert_int_equal(ki.mod_start_pfn, 1);
    /* FEATURES gives bits 0 and 4; SUPPORTED_FEATURES 0x8801 adds 11 and 15. */
    assert_int_equal(ki.features_supported[0], 0x8811);
    assert_int_equal(ki.features_required[0], 1u << XENFEAT_writable_page_tables);
    free(img);
}

static void test_segments(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);

    expect_ok(img, lay.len);
    assert_int_equal(ki.nr_segments, 2);
    assert_int_equal(ki.seg[0].vaddr, TEST_TEXT_VA);
    assert_int_equal(ki.seg[0].filesz, TEST_TEXT_SIZE);
    assert_int_equal(ki.seg[0].offset, lay.text_off);
    assert_int_equal(ki.seg[1].vaddr, TEST_TEXT_VA + TEST_TEXT_SIZE);
    assert_int_equal(ki.seg[1].filesz, TEST_DATA_FILESZ);
    assert_int_equal(ki.seg[1].memsz, TEST_DATA_MEMSZ);
    assert_int_equal(ki.kstart, TEST_TEXT_VA);
    /* data ends at +0x3800; kend rounds up to the page */
    assert_int_equal(ki.kend, TEST_TEXT_VA + 0x4000);
    free(img);
}

static void test_load(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);
    size_t n;
    uint8_t *dst;

    expect_ok(img, lay.len);
    n = ki.kend - ki.kstart;
    dst = malloc(n);
    memset(dst, 0xaa, n);
    assert_int_equal(kernel_load_elf(img, lay.len, &ki, dst, n, err), 0);
    assert_memory_equal(dst, img + lay.text_off, TEST_TEXT_SIZE);
    assert_memory_equal(dst + TEST_TEXT_SIZE, img + lay.data_off, TEST_DATA_FILESZ);
    for (size_t i = TEST_TEXT_SIZE + TEST_DATA_FILESZ; i < TEST_TEXT_SIZE + TEST_DATA_MEMSZ; i++)
        assert_int_equal(dst[i], 0);
    /* one byte short of the data segment's end */
    assert_int_equal(
        kernel_load_elf(img, lay.len, &ki, dst, TEST_TEXT_SIZE + TEST_DATA_MEMSZ - 1, err), -1);
    assert_non_null(strstr(err, "does not fit"));
    /* an image shorter than the parse saw */
    assert_int_equal(kernel_load_elf(img, lay.data_off, &ki, dst, n, err), -1);
    free(dst);
    free(img);
}

static void test_numeric_4_byte(void **state)
{
    static const uint32_t vb = 0x80000000u, ent = 0x81000010u, hc = 0x81001000u, po = 0;
    struct test_note notes[TEST_MAX_NOTES];
    unsigned n = linux_notes(notes);
    struct elf_layout lay;
    uint8_t *img;

    n = set_note(notes, n, XEN_ELFNOTE_VIRT_BASE, &vb, 4);
    n = set_note(notes, n, XEN_ELFNOTE_ENTRY, &ent, 4);
    n = set_note(notes, n, XEN_ELFNOTE_HYPERCALL_PAGE, &hc, 4);
    n = set_note(notes, n, XEN_ELFNOTE_PADDR_OFFSET, &po, 4);
    n = drop_note(notes, n, XEN_ELFNOTE_INIT_P2M);
    img = build_with(notes, n, &lay);
    expect_ok(img, lay.len);
    assert_int_equal(ki.virt_base, 0x80000000u);
    assert_int_equal(ki.entry, 0x81000010u);
    assert_int_equal(ki.hypercall_page, 0x81001000u);
    assert_int_equal(ki.kstart, 0x81000000u);
    assert_false(ki.has_init_p2m);
    free(img);
}

static void test_numeric_bad_size(void **state)
{
    static const uint8_t three[3] = {1, 2, 3};

    expect_note_fail(XEN_ELFNOTE_ENTRY, three, 3, "ENTRY has a 3-byte value");
    expect_note_fail(XEN_ELFNOTE_VIRT_BASE, three, 0, "VIRT_BASE has a 0-byte value");
    expect_note_fail(XEN_ELFNOTE_SUPPORTED_FEATURES, three, 3, "SUPPORTED_FEATURES has 3 bytes");
}

static void test_notes_in_section_only(void **state)
{
    struct test_note notes[TEST_MAX_NOTES];
    struct elf_spec s = {.notes = notes, .nr_notes = linux_notes(notes), .note_shdr = true};
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    expect_ok(img, lay.len);
    assert_int_equal(ki.entry, TEST_ENTRY);
    assert_string_equal(ki.guest_os, "linux");
    free(img);
}

/* Xen skips PT_NOTE segments with p_offset 0 (a binutils bug) and uses the sections. */
static void test_pt_note_offset_zero(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);

    poke(img, PHDR_FIELD(&lay, lay.note_ph, p_offset), 0, PHDR_SIZE(p_offset));
    expect_ok(img, lay.len);
    assert_int_equal(ki.entry, TEST_ENTRY);
    free(img);
}

static void test_no_xen_notes(void **state)
{
    struct test_note gnu[1] = {{"GNU", NT_GNU_BUILD_ID, "abcd", 4}};
    struct test_note xenx[1] = {{"XenX", XEN_ELFNOTE_ENTRY, "abcdefgh", 8}};
    struct elf_spec s = {.note_phdr = true, .note_shdr = true};
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    expect_fail(img, lay.len, "no Xen ELF notes: not a Xen PV kernel");
    assert_string_equal(err, "no Xen ELF notes: not a Xen PV kernel");
    free(img);
    s.notes = gnu;
    s.nr_notes = 1;
    img = build_elf(&s, &lay);
    expect_fail(img, lay.len, "no Xen ELF notes");
    free(img);
    s.notes = xenx;
    img = build_elf(&s, &lay);
    expect_fail(img, lay.len, "no Xen ELF notes");
    free(img);
}

static void features_case(const char *features, uint32_t supported, uint32_t required)
{
    struct test_note notes[TEST_MAX_NOTES];
    unsigned n = linux_notes(notes);
    struct elf_layout lay;
    uint8_t *img;

    n = set_note(notes, n, XEN_ELFNOTE_FEATURES, features, (uint32_t)strlen(features) + 1);
    n = drop_note(notes, n, XEN_ELFNOTE_SUPPORTED_FEATURES);
    img = build_with(notes, n, &lay);
    expect_ok(img, lay.len);
    assert_int_equal(ki.features_supported[0], supported);
    assert_int_equal(ki.features_required[0], required);
    free(img);
}

static void test_features(void **state)
{
    features_case("writable_page_tables|auto_translated_physmap|!supervisor_mode_kernel", 0xd, 0x8);
    features_case("!writable_page_tables", 0x1, 0x1);
    features_case("", 0, 0);
    features_case("|dom0||", 1u << XENFEAT_dom0, 0);
    /* an unknown optional feature is ignored, as Xen does */
    features_case("no_such_feature|hvm_callback_vector", 1u << XENFEAT_hvm_callback_vector, 0);
    features_case("writable_page_tables_and_more", 0, 0);
    features_case("writable_descriptor_tables|supervisor_mode_kernel|pae_pgdir_above_4gb|"
                  "mmu_pt_update_preserve_ad|highmem_assist|gnttab_map_avail_bits|"
                  "hvm_callback_vector|hvm_safe_pvclock|hvm_pirqs|dom0|grant_map_identity|"
                  "memory_op_vnode_supported|ARM_SMCCC_supported|linux_rsdp_unrestricted|"
                  "!writable_page_tables|!auto_translated_physmap",
                  0xffff, 0x5);
}

static void test_features_unknown_required(void **state)
{
    static const char f[] = "writable_page_tables|!fly_to_the_moon";

    expect_note_fail(XEN_ELFNOTE_FEATURES, f, sizeof(f), "unknown Xen feature 'fly_to_the_moon'");
}

/* A string note without its NUL must not be read past its descriptor. */
static void test_string_note_unterminated(void **state)
{
    struct test_note notes[TEST_MAX_NOTES];
    unsigned n = set_note(notes, linux_notes(notes), XEN_ELFNOTE_LOADER, "generic", 7);
    struct elf_layout lay;
    uint8_t *img;

    n = set_note(notes, n, XEN_ELFNOTE_GUEST_OS,
                 "a-very-long-guest-os-name-that-is-truncated"
                 "-to-fit",
                 50);
    img = build_with(notes, n, &lay);
    expect_ok(img, lay.len);
    assert_string_equal(ki.loader, "generic");
    assert_int_equal(strlen(ki.guest_os), sizeof(ki.guest_os) - 1);
    free(img);
}

static void test_legacy_string(void **state)
{
    struct elf_spec s = {
        .legacy = "GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,VIRT_BASE=0xffffffff80000000,"
                  "HYPERCALL_PAGE=0x1001,LOADER=generic,FEATURES=!writable_page_tables|"
                  "pae_pgdir_above_4gb,PAE=yes[extended-cr3],BSD_SYMTAB",
        .paddr = TEST_TEXT_VA, /* legacy kernels put virtual addresses in p_paddr */
    };
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    expect_ok(img, lay.len);
    assert_true(ki.from_legacy_string);
    assert_string_equal(ki.guest_os, "linux");
    assert_string_equal(ki.xen_version, "xen-3.0");
    assert_string_equal(ki.loader, "generic");
    assert_string_equal(ki.pae_mode, "yes[extended-cr3]");
    assert_int_equal(ki.virt_base, TEST_VIRT_BASE);
    /* without ELF_PADDR_OFFSET the legacy default is virt_base */
    assert_int_equal(ki.paddr_offset, TEST_VIRT_BASE);
    assert_int_equal(ki.seg[0].vaddr, TEST_TEXT_VA);
    assert_int_equal(ki.entry, TEST_ENTRY);
    /* a page number relative to virt_base */
    assert_true(ki.has_hypercall_page);
    assert_int_equal(ki.hypercall_page, TEST_VIRT_BASE + 0x1001000);
    assert_int_equal(ki.features_supported[0], 0x11);
    assert_int_equal(ki.features_required[0], 0x1);
    free(img);
}

static void test_legacy_paddr_offset(void **state)
{
    struct elf_spec s = {
        .legacy = "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xffffffff80000000,"
                  "ELF_PADDR_OFFSET=0,VIRT_ENTRY=0xffffffff81000020",
    };
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    expect_ok(img, lay.len);
    assert_int_equal(ki.paddr_offset, 0);
    assert_int_equal(ki.seg[0].vaddr, TEST_TEXT_VA);
    assert_int_equal(ki.entry, TEST_TEXT_VA + 0x20);
    assert_false(ki.has_hypercall_page);
    free(img);
}

static void legacy_fail(const char *legacy, const char *why)
{
    struct elf_spec s = {.legacy = legacy, .paddr = TEST_TEXT_VA};
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    expect_fail(img, lay.len, why);
    free(img);
}

static void test_legacy_errors(void **state)
{
    static char long_item[700];

    legacy_fail("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xffffffff8000zzzz", "bad number");
    legacy_fail("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=", "bad number");
    legacy_fail("GUEST_OS=linux,XEN_VER=xen-3.0,HYPERCALL_PAGE=-1", "bad number");
    legacy_fail("GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xffffffff80000000,"
                "HYPERCALL_PAGE=0x10000000000000",
                "out of range");
    legacy_fail("GUEST_OS=linux,XEN_VER=xen-3.0,FEATURES=!warp_drive", "unknown Xen feature");
    legacy_fail("GUEST_OS=linux,XEN_VER=xen-3.0,ELF_PADDR_OFFSET=0", "PADDR_OFFSET without");
    memset(long_item, 'A', sizeof(long_item) - 1);
    legacy_fail(long_item, "longer than");
}

/* Notes win over __xen_guest, as in Xen. */
static void test_notes_beat_legacy(void **state)
{
    struct test_note notes[TEST_MAX_NOTES];
    struct elf_spec s = {.notes = notes,
                         .nr_notes = linux_notes(notes),
                         .note_phdr = true,
                         .legacy = "GUEST_OS=bsd,XEN_VER=xen-3.0,VIRT_BASE=0x1234"};
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    expect_ok(img, lay.len);
    assert_false(ki.from_legacy_string);
    assert_string_equal(ki.guest_os, "linux");
    assert_int_equal(ki.virt_base, TEST_VIRT_BASE);
    free(img);
}

static void test_32bit(void **state)
{
    struct test_note notes[TEST_MAX_NOTES];
    struct elf_spec s = {.class32 = true,
                         .notes = notes,
                         .nr_notes = linux_notes(notes),
                         .note_phdr = true,
                         .note_shdr = true,
                         .entry = 0x1000010};
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    expect_fail(img, lay.len, "32-bit PV kernels are not supported yet");
    assert_string_equal(err, "32-bit PV kernels are not supported yet");
    free(img);
    s.notes = NULL;
    s.nr_notes = 0;
    img = build_elf(&s, &lay);
    expect_fail(img, lay.len, "no Xen ELF notes");
    free(img);
    s.legacy = "GUEST_OS=linux,XEN_VER=xen-3.0,VIRT_BASE=0xc0000000";
    img = build_elf(&s, &lay);
    expect_fail(img, lay.len, "32-bit PV kernels are not supported yet");
    for (size_t len = 0; len < lay.len; len++)
        assert_int_equal(parse_copy(img, len), -1);
    free(img);
}

/* No VIRT_BASE, PADDR_OFFSET or ENTRY: virt_base 0, p_paddr used as is, e_entry. */
static void test_defaults(void **state)
{
    struct test_note notes[TEST_MAX_NOTES];
    unsigned n = linux_notes(notes);
    struct elf_layout lay;
    struct elf_spec s = {.notes = notes, .note_phdr = true, .entry = TEST_PADDR + 0x40};
    uint8_t *img;

    n = drop_note(notes, n, XEN_ELFNOTE_VIRT_BASE);
    n = drop_note(notes, n, XEN_ELFNOTE_PADDR_OFFSET);
    n = drop_note(notes, n, XEN_ELFNOTE_ENTRY);
    n = drop_note(notes, n, XEN_ELFNOTE_HYPERCALL_PAGE);
    n = drop_note(notes, n, XEN_ELFNOTE_INIT_P2M);
    s.nr_notes = n;
    img = build_elf(&s, &lay);
    expect_ok(img, lay.len);
    assert_int_equal(ki.virt_base, 0);
    assert_int_equal(ki.paddr_offset, 0);
    assert_int_equal(ki.entry, TEST_PADDR + 0x40);
    assert_int_equal(ki.kstart, TEST_PADDR);
    assert_false(ki.has_hypercall_page);
    free(img);
}

static void test_paddr_offset_without_virt_base(void **state)
{
    struct test_note notes[TEST_MAX_NOTES];
    unsigned n = drop_note(notes, linux_notes(notes), XEN_ELFNOTE_VIRT_BASE);
    struct elf_layout lay;
    uint8_t *img = build_with(notes, n, &lay);

    expect_fail(img, lay.len, "PADDR_OFFSET without VIRT_BASE");
    free(img);
}

/* Which loader, OS and interface to accept is the caller's policy: the parser only reports them. */
static void test_identity_reported(void **state)
{
    struct test_note notes[TEST_MAX_NOTES];
    unsigned n = set_note(notes, linux_notes(notes), XEN_ELFNOTE_GUEST_OS, "NetBSD", 7);
    struct elf_layout lay;
    uint8_t *img;

    n = set_note(notes, n, XEN_ELFNOTE_XEN_VERSION, "xen-2.0", 8);
    n = drop_note(notes, n, XEN_ELFNOTE_LOADER);
    n = drop_note(notes, n, XEN_ELFNOTE_PAE_MODE);
    img = build_with(notes, n, &lay);
    expect_ok(img, lay.len);
    assert_string_equal(ki.guest_os, "NetBSD");
    assert_string_equal(ki.xen_version, "xen-2.0");
    assert_string_equal(ki.loader, "");
    assert_string_equal(ki.pae_mode, "");
    free(img);
}

static void test_address_checks(void **state)
{
    static const uint64_t below = TEST_TEXT_VA - 1, end = TEST_TEXT_VA + 0x3800;
    static const uint64_t unaligned = TEST_HYPERCALL + 8, far = TEST_TEXT_VA + 0x100000;
    static const uint64_t inside = TEST_TEXT_VA + 0x2000, po_high = TEST_PADDR + 0x1000;

    expect_note_fail(XEN_ELFNOTE_ENTRY, &below, 8, "entry point 0xffffffff80ffffff is outside");
    expect_note_fail(XEN_ELFNOTE_ENTRY, &end, 8, "is outside the loaded range");
    expect_note_fail(XEN_ELFNOTE_HYPERCALL_PAGE, &far, 8,
                     "hypercall page 0xffffffff81100000 "
                     "is outside the loaded range");
    expect_note_fail(XEN_ELFNOTE_HYPERCALL_PAGE, &below, 8, "not page aligned");
    expect_note_fail(XEN_ELFNOTE_HYPERCALL_PAGE, &unaligned, 8, "not page aligned");
    expect_note_fail(XEN_ELFNOTE_INIT_P2M, &inside, 8, "INIT_P2M 0xffffffff81002000 is inside");
    /* a PADDR_OFFSET past p_paddr puts the kernel below VIRT_BASE */
    expect_note_fail(XEN_ELFNOTE_PADDR_OFFSET, &po_high, 8,
                     "VIRT_BASE 0xffffffff80000000 is "
                     "above the kernel start 0xffffffff7ffff000");
}

static void test_header_errors(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);

    expect_fail(img, 0, "file is empty");
    expect_fail((const uint8_t *)"MZ\x90\x00", 4, "not an ELF file (bad magic)");
    expect_fail(img, 3, "truncated: ELF header needs 64 bytes, file has 3");
    expect_fail(img, 10, "truncated: ELF header needs 64 bytes, file has 10");
    assert_string_equal(err, "truncated: ELF header needs 64 bytes, file has 10");
    img[EI_DATA] = ELFDATA2MSB;
    expect_fail(img, lay.len, "not a little-endian ELF file");
    img[EI_DATA] = ELFDATA2LSB;
    img[EI_CLASS] = 7;
    expect_fail(img, lay.len, "unknown ELF class 7");
    img[EI_CLASS] = ELFCLASS64;
    poke(img, offsetof(Elf64_Ehdr, e_machine), EM_AARCH64, 2);
    expect_fail(img, lay.len, "not an x86 kernel (64-bit ELF, e_machine 183)");
    poke(img, offsetof(Elf64_Ehdr, e_machine), EM_X86_64, 2);
    poke(img, offsetof(Elf64_Ehdr, e_type), ET_REL, 2);
    expect_fail(img, lay.len, "not an executable ELF file");
    free(img);
}

/* Every prefix of a valid image must be refused, and must not be read past. */
static void test_truncation_everywhere(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);

    expect_ok(img, lay.len);
    for (size_t len = 0; len < lay.len; len++) {
        assert_int_equal(parse_copy(img, len), -1);
        assert_true(err[0] != '\0');
        assert_null(strchr(err, '\n'));
    }
    free(img);
}

/* Set a field of the ELF header or a program header, expect a refusal, then restore. */
static void poke_fail(uint8_t *img, size_t len, size_t off, size_t size, uint64_t val,
                      const char *why)
{
    uint8_t saved[8];

    memcpy(saved, img + off, size);
    poke(img, off, val, size);
    expect_fail(img, len, why);
    memcpy(img + off, saved, size);
    expect_ok(img, len);
}

#define EH(f)    offsetof(Elf64_Ehdr, f), sizeof(((Elf64_Ehdr *)0)->f)
#define PH(i, f) PHDR_FIELD(&lay, i, f), PHDR_SIZE(f)

static void test_table_corruption(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);

    poke_fail(img, lay.len, EH(e_phoff), lay.len, "truncated: program header table");
    poke_fail(img, lay.len, EH(e_phoff), UINT64_MAX - 8, "truncated: program header table");
    poke_fail(img, lay.len, EH(e_phnum), 0, "no program headers");
    poke_fail(img, lay.len, EH(e_phnum), 0xffff, "extended program header numbering");
    poke_fail(img, lay.len, EH(e_phnum), 0xfffe, "truncated: program header table");
    poke_fail(img, lay.len, EH(e_phentsize), 32, "entries are 32 bytes, expected 56");
    poke_fail(img, lay.len, EH(e_shoff), lay.len - 1, "truncated: section header table");
    poke_fail(img, lay.len, EH(e_shoff), UINT64_MAX, "truncated: section header table");
    poke_fail(img, lay.len, EH(e_shentsize), 40, "entries are 40 bytes, expected 64");
    free(img);
}

static void test_segment_corruption(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);
    unsigned t = lay.text_ph, d = lay.data_ph;

    poke_fail(img, lay.len, PH(t, p_offset), lay.len, "runs past the end of the file");
    poke_fail(img, lay.len, PH(t, p_offset), UINT64_MAX, "runs past the end of the file");
    poke_fail(img, lay.len, PH(t, p_filesz), UINT64_MAX, "runs past the end of the file");
    poke_fail(img, lay.len, PH(d, p_memsz), TEST_DATA_FILESZ - 1, "larger than its memory size");
    poke_fail(img, lay.len, PH(d, p_memsz), (1ull << 30) + 1, "over the 1 GiB limit");
    poke_fail(img, lay.len, PH(d, p_memsz), UINT64_MAX, "over the 1 GiB limit");
    poke_fail(img, lay.len, PH(d, p_paddr), TEST_PADDR + (2ull << 30), "kernel spans");
    poke_fail(img, lay.len, PH(d, p_paddr), TEST_PADDR + 0x1000, "overlap");
    /* p_paddr + VIRT_BASE lands just below 2^64, so the segment's end wraps */
    poke_fail(img, lay.len, PH(d, p_paddr), 0x7ffff000ull, "wraps around");
    poke_fail(img, lay.len, PH(t, p_paddr), 0x7ffff800ull, "wraps around");
    poke_fail(img, lay.len, PH(t, p_paddr), UINT64_MAX, "VIRT_BASE");
    /* a text segment that is no longer loadable leaves the entry outside */
    poke_fail(img, lay.len, PH(t, p_flags), 0, "entry point");
    poke_fail(img, lay.len, PH(t, p_type), PT_NULL, "entry point");
    free(img);
}

static void test_note_corruption(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay);
    size_t first = lay.notes_off, n = lay.note_ph;

    poke_fail(img, lay.len, first + 4, 4, 0xffffffff, "runs past the end of its section");
    poke_fail(img, lay.len, first + 4, 4, lay.notes_len, "runs past the end of its section");
    poke_fail(img, lay.len, first, 4, 0xffffffff, "runs past the end of its section");
    poke_fail(img, lay.len, first, 4, 0xfffffffd, "runs past the end of its section");
    poke_fail(img, lay.len, PH(n, p_filesz), lay.len, "truncated: note segment 2");
    poke_fail(img, lay.len, PH(n, p_offset), UINT64_MAX - 4, "runs past the end of the file");
    poke_fail(img, lay.len, PH(n, p_filesz), lay.notes_len + 5, "truncated ELF note header");
    poke_fail(img, lay.len, PH(n, p_filesz), lay.notes_len - 1, "runs past the end");
    free(img);
}

static void test_segment_count(void **state)
{
    struct test_note notes[TEST_MAX_NOTES];
    struct elf_spec s = {.notes = notes,
                         .nr_notes = linux_notes(notes),
                         .note_phdr = true,
                         .extra_loads = KERNEL_MAX_SEGMENTS - 2};
    struct elf_layout lay;
    uint8_t *img = build_elf(&s, &lay);

    expect_ok(img, lay.len);
    assert_int_equal(ki.nr_segments, KERNEL_MAX_SEGMENTS);
    free(img);
    s.extra_loads++;
    img = build_elf(&s, &lay);
    expect_fail(img, lay.len, "more than 16 loadable segments");
    free(img);
}

/* Random damage to the headers and notes: never a crash, and a success is self-consistent. */
static void test_random_damage(void **state)
{
    struct elf_layout lay;
    uint8_t *img = linux_image(&lay), *copy = malloc(lay.len);
    uint32_t x = 2463534242u;
    size_t hot = lay.notes_off + lay.notes_len;

    for (int iter = 0; iter < 20000; iter++) {
        memcpy(copy, img, lay.len);
        for (int k = 0; k < 1 + iter % 4; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            size_t at = (x >> 8) % (hot + 64);
            at = at < hot ? at : lay.shoff + at - hot;
            copy[at] = (uint8_t)x;
        }
        if (parse_copy(copy, lay.len) != 0)
            continue;
        assert_true(ki.entry >= ki.kstart && ki.entry < ki.kend);
        for (unsigned i = 0; i < ki.nr_segments; i++)
            assert_true(ki.seg[i].offset + ki.seg[i].filesz <= lay.len);
    }
    free(copy);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linux_notes),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_numeric_4_byte),
        cmocka_unit_test(test_numeric_bad_size),
        cmocka_unit_test(test_notes_in_section_only),
        cmocka_unit_test(test_pt_note_offset_zero),
        cmocka_unit_test(test_no_xen_notes),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_features_unknown_required),
        cmocka_unit_test(test_string_note_unterminated),
        cmocka_unit_test(test_legacy_string),
        cmocka_unit_test(test_legacy_paddr_offset),
        cmocka_unit_test(test_legacy_errors),
        cmocka_unit_test(test_notes_beat_legacy),
        cmocka_unit_test(test_32bit),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_paddr_offset_without_virt_base),
        cmocka_unit_test(test_identity_reported),
        cmocka_unit_test(test_address_checks),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_truncation_everywhere),
        cmocka_unit_test(test_table_corruption),
        cmocka_unit_test(test_segment_corruption),
        cmocka_unit_test(test_note_corruption),
        cmocka_unit_test(test_segment_count),
        cmocka_unit_test(test_random_damage),
    };

    return cmocka_run_group_tests_name("loader-elf", tests, NULL, NULL);
}
