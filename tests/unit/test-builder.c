/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the PV domain builder's memory layout (Xen's xen.h rules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xen/xen.h>

#include "builder/builder.h"

#define PAGE 4096ULL
#define VBASE 0xffffffff80000000ULL
#define NR_PAGES 8192ULL /* 32 MiB */

struct fix {
    struct kernel_info ki;
    struct build_args a;
    struct build_layout l;
    uint8_t image[64];
    uint8_t initrd[10000];
    char err[BUILD_ERR_LEN];
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));

    f->ki.is_64 = true;
    f->ki.virt_base = VBASE;
    f->ki.entry = VBASE + 0x100000;
    f->ki.kstart = VBASE + 0x100000;
    f->ki.kend = VBASE + 0x100000 + 3 * PAGE + 17;
    f->ki.has_hypercall_page = true;
    f->ki.hypercall_page = VBASE + 0x102000;
    f->ki.nr_segments = 1;
    f->ki.seg[0] = (struct kernel_segment){ VBASE + 0x100000, 64, 3 * PAGE + 17, 0 };
    memset(f->image, 0x90, sizeof(f->image));
    memset(f->initrd, 0xab, sizeof(f->initrd));
    f->a = (struct build_args){ .info = &f->ki, .image = f->image, .image_len = sizeof(f->image),
                                .cmdline = "console=hvc0 quiet", .nr_pages = NR_PAGES,
                                .shared_info_mfn = NR_PAGES, .store_evtchn = 2,
                                .console_evtchn = 1 };
    f->a.ram = calloc(NR_PAGES, PAGE);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;

    free(f->a.ram);
    free(f);
    return 0;
}

static uint64_t pfn(uint64_t va)
{
    return (va - VBASE) / PAGE;
}

static void test_order_and_alignment(void **state)
{
    struct fix *f = *state;
    struct build_layout *l = &f->l;

    f->a.initrd = f->initrd;
    f->a.initrd_len = sizeof(f->initrd);
    assert_int_equal(build_pv_domain(&f->a, l, f->err), 0);
    /* kernel < initrd < p2m < start_info < store < console < tables < stack */
    assert_true(l->mod_start >= l->kernel_end);
    assert_true(l->p2m_va >= l->mod_start + l->mod_len);
    assert_true(l->start_info_va >= l->p2m_va + NR_PAGES * 8);
    assert_int_equal(l->store_pfn, pfn(l->start_info_va) + 1);
    assert_int_equal(l->console_pfn, l->store_pfn + 1);
    assert_int_equal(l->pt_pfn, l->console_pfn + 1);
    assert_int_equal(l->stack_va, l->pt_va + l->nr_pt_frames * PAGE);
    for (uint64_t va = l->mod_start; va <= l->stack_va; va += PAGE)
        assert_int_equal(va % PAGE, 0);
    /* Ends on 4 MiB, with at least 512 KiB after the last element. */
    assert_int_equal(l->map_end % (4 << 20), 0);
    assert_true(l->map_end - (l->stack_va + PAGE) >= 512 * 1024);
    assert_int_equal(l->rsp, l->stack_va + PAGE);
    assert_int_equal(l->rsi, l->start_info_va);
    assert_int_equal(l->entry, f->ki.entry);
}

static void test_start_info(void **state)
{
    struct fix *f = *state;
    start_info_t *si;

    assert_int_equal(build_pv_domain(&f->a, &f->l, f->err), 0);
    si = (start_info_t *)(f->a.ram + f->l.start_info_pfn * PAGE);
    assert_string_equal(si->magic, "xen-3.0-x86_64");
    assert_int_equal(si->nr_pages, NR_PAGES);
    assert_int_equal(si->shared_info, NR_PAGES * PAGE);
    assert_int_equal(si->store_mfn, f->l.store_pfn);
    assert_int_equal(si->store_evtchn, 2);
    assert_int_equal(si->console.domU.mfn, f->l.console_pfn);
    assert_int_equal(si->console.domU.evtchn, 1);
    assert_int_equal(si->pt_base, f->l.pt_va);
    assert_int_equal(si->nr_pt_frames, f->l.nr_pt_frames);
    assert_int_equal(si->mfn_list, f->l.p2m_va);
    assert_int_equal(si->mod_len, 0);
    assert_string_equal((char *)si->cmd_line, "console=hvc0 quiet");
    /* The P2M is the identity. */
    for (uint64_t i = 0; i < NR_PAGES; i++)
        assert_int_equal(((uint64_t *)(f->a.ram + pfn(f->l.p2m_va) * PAGE))[i], i);
}

/* Walk the built tables for va; returns the final PTE. */
static uint64_t walk(struct fix *f, uint64_t va)
{
    uint64_t t = f->l.pt_pfn, e = 0;

    for (int level = 3; level >= 0; level--) {
        e = ((uint64_t *)(f->a.ram + t * PAGE))[(va >> (12 + 9 * level)) & 511];
        if (!(e & 1))
            return 0;
        t = (e & 0x000ffffffffff000ULL) / PAGE;
    }
    return e;
}

static void test_page_tables(void **state)
{
    struct fix *f = *state;
    struct build_layout *l = &f->l;

    assert_int_equal(build_pv_domain(&f->a, l, f->err), 0);
    assert_int_equal(l->nr_pt_frames, build_count_pt_pages(VBASE, l->map_end));
    for (uint64_t va = VBASE; va < l->map_end; va += PAGE) {
        uint64_t e = walk(f, va);
        bool is_pt = va >= l->pt_va && va < l->pt_va + l->nr_pt_frames * PAGE;

        assert_int_equal(e & 0x000ffffffffff000ULL, (va - VBASE));
        assert_int_equal(!!(e & 2), !is_pt); /* tables read-only, the rest writable */
    }
    assert_int_equal(walk(f, l->map_end), 0);
}

static void test_kernel_and_hypercall_page(void **state)
{
    struct fix *f = *state;
    uint8_t *k;

    assert_int_equal(build_pv_domain(&f->a, &f->l, f->err), 0);
    k = f->a.ram + pfn(f->ki.kstart) * PAGE;
    assert_int_equal(k[0], 0x90);
    assert_int_equal(k[63], 0x90);
    assert_int_equal(k[64], 0); /* bss cleared */
    /* Hypercall 18 (console_io): mov $18, %eax; syscall within the entry. */
    k = f->a.ram + pfn(f->ki.hypercall_page) * PAGE + 18 * 32;
    assert_int_equal(k[3], 0xb8);
    assert_int_equal(k[4], 18);
    assert_int_equal(k[8], 0x0f);
    assert_int_equal(k[9], 0x05);
}

static void test_too_little_memory(void **state)
{
    struct fix *f = *state;

    f->a.nr_pages = 256; /* 1 MiB */
    assert_int_equal(build_pv_domain(&f->a, &f->l, f->err), -1);
    assert_non_null(strstr(f->err, "raise -m"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kernel_and_hypercall_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_little_memory, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
