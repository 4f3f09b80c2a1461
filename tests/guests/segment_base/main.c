/* SPDX-License-Identifier: GPL-2.0-or-later */
/* segment_base: set_segment_base for FS, kernel GS and user GS, seen in both modes. */
#include "xt.h"

const char xt_test_title[] = "segment_base: HYPERVISOR_set_segment_base";

static uint64_t xt_fs_word = 0xf5f5f5f5f5f5UL, xt_fs_word2 = 0xf2f2f2f2UL;
static uint64_t xt_gsk_word = 0x6b6b6b6bUL, xt_gsu_word = 0x75757575UL;
static uint64_t xt_user_fs, xt_user_gs;

static uint64_t read_fs0(void)
{
    uint64_t v;

    __asm__ volatile("mov %%fs:0, %0" : "=r"(v) :: "memory");
    return v;
}

static uint64_t read_gs0(void)
{
    uint64_t v;

    __asm__ volatile("mov %%gs:0, %0" : "=r"(v) :: "memory");
    return v;
}

static void user_fn(void)
{
    xt_user_fs = read_fs0();
    xt_user_gs = read_gs0();
}

static void test_kernel(void)
{
    xt_check_rc("SEGBASE_FS", 0, HYPERVISOR_set_segment_base(SEGBASE_FS, (uint64_t)&xt_fs_word));
    xt_check_eq("%fs:0", xt_fs_word, read_fs0());
    xt_check_rc("SEGBASE_FS again", 0, HYPERVISOR_set_segment_base(SEGBASE_FS, (uint64_t)&xt_fs_word2));
    xt_check_eq("%fs:0 after the change", xt_fs_word2, read_fs0());
    xt_check_rc("SEGBASE_GS_KERNEL", 0,
                HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (uint64_t)&xt_gsk_word));
    xt_check_eq("%gs:0 in kernel mode", xt_gsk_word, read_gs0());
    xt_check_rc("SEGBASE_GS_USER", 0,
                HYPERVISOR_set_segment_base(SEGBASE_GS_USER, (uint64_t)&xt_gsu_word));
    xt_check_eq("%gs:0 in kernel mode unchanged by GS_USER", xt_gsk_word, read_gs0());
}

/* x86_64/mm.c do_set_segment_base: non-canonical bases and unknown registers. */
static void test_refusals(void)
{
    xt_check_rc("non-canonical FS base", -XEN_EINVAL,
                HYPERVISOR_set_segment_base(SEGBASE_FS, 0x8000000000000000UL));
    xt_check_rc("non-canonical kernel GS base", -XEN_EINVAL,
                HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, 0x8000000000000000UL));
    xt_check_rc("non-canonical user GS base", -XEN_EINVAL,
                HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0x8000000000000000UL));
    xt_check_rc("unknown segment", -XEN_EINVAL, HYPERVISOR_set_segment_base(7, 0));
    xt_check_eq("%fs:0 after the refusals", xt_fs_word2, read_fs0());
}

void test_main(void)
{
    test_kernel();
    if (xt_require_rc("user page table", 0, xt_user_init())) {
        xt_exec_user(user_fn, X86_EFLAGS_IF | X86_EFLAGS_FIXED);
        xt_check_eq("%gs:0 in user mode (GS_USER)", xt_gsu_word, xt_user_gs);
        xt_check_eq("%fs:0 in user mode (FS is not switched)", xt_fs_word2, xt_user_fs);
        xt_check_eq("%gs:0 back in kernel mode", xt_gsk_word, read_gs0());
    }
    test_refusals();
    HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
    HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, 0);
    HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0);
    xtf_success(NULL);
}
