/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exc_frame: the exact frame Xen builds for a kernel-mode exception. */
#include "xt.h"

const char xt_test_title[] = "exc_frame: exception frame layout, saved upcall mask, rcx/r11";

static struct xt_regs xt_seen;
static uint64_t xt_seen_entry_rsp, xt_resume;
static uint8_t xt_seen_mask;

static void hook(struct xt_regs *r)
{
    xt_seen = *r;
    xt_seen_entry_rsp = xt_regs_entry_rsp(r);
    xt_seen_mask = xt_vcpu->evtchn_upcall_mask;
    r->rip = xt_resume;
}

/* ud2 with known rcx/r11/rax and CF set; returns the rsp at the fault. */
static uint64_t raise_ud(void)
{
    uint64_t sp;

    __asm__ volatile("lea 2f(%%rip), %%rax\n\t"
                     "mov %%rax, %[resume]\n\t"
                     "mov %%rsp, %[sp]\n\t"
                     "mov $0x1111, %%rcx\n\t"
                     "mov $0x2222, %%r11\n\t"
                     "mov $0x3333, %%rax\n\t"
                     "stc\n\t"
                     "1: ud2\n\t"
                     "2:\n\t"
                     : [sp] "=m"(sp), [resume] "=m"(xt_resume)
                     :
                     : "rax", "rcx", "r11", "memory", "cc");
    return sp;
}

static void check_frame(bool events_on)
{
    uint64_t sp, mask = events_on ? 0 : 1;

    if (events_on)
        xt_events_on();
    else
        xt_events_off();
    sp = raise_ud();
    xt_check_eq("vector", X86_EXC_UD, xt_seen.vector);
    xt_check_eq("rcx from the frame", 0x1111, xt_seen.rcx);
    xt_check_eq("r11 from the frame", 0x2222, xt_seen.r11);
    xt_check_eq("rax untouched", 0x3333, xt_seen.rax);
    xt_check_eq("rip is the ud2", xt_resume - 2, xt_seen.rip);
    xt_check_eq("cs: kernel RPL 0, saved upcall mask in bits 32-39",
                (mask << 32) | XT_KERNEL_FRAME_CS, xt_seen.cs);
    xt_check_eq("rflags.IF is the inverse of the saved mask", events_on ? X86_EFLAGS_IF : 0,
                xt_seen.rflags & X86_EFLAGS_IF);
    xt_check_eq("rflags.CF kept", X86_EFLAGS_CF, xt_seen.rflags & X86_EFLAGS_CF);
    xt_check_eq("rsp is the interrupted rsp", sp, xt_seen.rsp);
    xt_check_eq("ss", FLAT_KERNEL_SS, xt_seen.ss);
    xt_check_eq("frame starts 7 words below the 16-byte aligned rsp", (sp & ~0xfUL) - 56,
                xt_seen_entry_rsp);
    xt_check_eq("upcall mask inside the handler (trap_info flag 4)", 1, xt_seen_mask);
    xt_check_eq("upcall mask after the return", mask, xt_vcpu->evtchn_upcall_mask);
}

/* A vector with an error code: one more word, below rip. */
static void check_error_code_frame(void)
{
    uint64_t sp;

    __asm__ volatile("lea 2f(%%rip), %%rax\n\t"
                     "mov %%rax, %[resume]\n\t"
                     "mov %%rsp, %[sp]\n\t"
                     "mov $0x8000000000000000, %%rax\n\t"
                     "1: mov (%%rax), %%rax\n\t"
                     "2:\n\t"
                     : [sp] "=m"(sp), [resume] "=m"(xt_resume)
                     :
                     : "rax", "memory");
    xt_check_eq("#GP vector", X86_EXC_GP, xt_seen.vector);
    xt_check_eq("#GP error code", 0, xt_seen.error_code);
    xt_check_eq("#GP rsp", sp, xt_seen.rsp);
    xt_check_eq("#GP frame starts 8 words below the aligned rsp", (sp & ~0xfUL) - 64,
                xt_seen_entry_rsp);
}

void test_main(void)
{
    xt_set_trap_hook(X86_EXC_UD, hook);
    xt_set_trap_hook(X86_EXC_GP, hook);
    check_frame(true);
    check_frame(false);
    check_error_code_frame();
    xtf_success(NULL);
}
