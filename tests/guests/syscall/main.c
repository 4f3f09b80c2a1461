/* SPDX-License-Identifier: GPL-2.0-or-later */
/* syscall: a user-mode syscall reaches the syscall callback on the kernel page table. */
#include "xt.h"

const char xt_test_title[] = "syscall: user syscall frame, page-table switch, sysret-style return";

/* Mapped only in the user page table (L4 slot 0, empty in the kernel's). */
#define XT_MARKER_VA 0x400000UL
#define XT_MARKER 0x6d61726b65720a01UL

static struct xt_regs xt_seen;
static uint64_t xt_seen_entry_rsp;
static uint8_t xt_seen_mask;
static struct xt_fault xt_seen_fault;
static unsigned int xt_calls;

/* What user mode recorded around each syscall. */
static uint64_t xt_u_marker, xt_u_ret_rip, xt_u_rsp, xt_u_rflags;
static uint64_t xt_u_rax, xt_u_rcx, xt_u_r11;

static void syscall_hook(struct xt_regs *r)
{
    uint64_t v;

    xt_calls++;
    xt_seen = *r;
    xt_seen_entry_rsp = xt_regs_entry_rsp(r);
    xt_seen_mask = xt_vcpu->evtchn_upcall_mask;
    xt_fault_clear();
    xt_probe_read((void *)XT_MARKER_VA, &v);
    xt_seen_fault = *(struct xt_fault *)&xt_fault;
    r->rax = 0x5a5a;
    if (xt_calls == 1) {
        r->iret_flags = VGCF_in_syscall;
    } else {
        r->rcx = 0xc0c0;
        r->r11 = 0xd0d0;
    }
}

static void user_fn(void)
{
    xt_u_marker = *(volatile uint64_t *)XT_MARKER_VA;
    __asm__ volatile("lea 1f(%%rip), %%rdx\n\t"
                     "mov %%rdx, %[ret_rip]\n\t"
                     "mov %%rsp, %[rsp]\n\t"
                     "mov $0x77, %%edi\n\t"
                     "mov $0x1234, %%eax\n\t"
                     "stc\n\t"
                     "pushfq\n\t"
                     "popq %[fl]\n\t"
                     "syscall\n\t"
                     "1: mov %%rax, %[rax]\n\t"
                     "mov %%rcx, %[rcx]\n\t"
                     "mov %%r11, %[r11]\n\t"
                     : [ret_rip] "=m"(xt_u_ret_rip), [rsp] "=m"(xt_u_rsp), [fl] "=m"(xt_u_rflags),
                       [rax] "=m"(xt_u_rax), [rcx] "=m"(xt_u_rcx), [r11] "=m"(xt_u_r11)
                     :
                     : "rax", "rcx", "rdx", "rdi", "r11", "memory", "cc");
}

static void check_entry(void)
{
    extern uint8_t xt_kernel_stack_top[];

    xt_check_eq("syscall callback entered", 1, xt_calls);
    xt_check_eq("rax (the user's)", 0x1234, xt_seen.rax);
    xt_check_eq("rdi (the user's)", 0x77, xt_seen.rdi);
    xt_check_eq("frame rcx: the user return address", xt_u_ret_rip, xt_seen.rcx);
    xt_check_eq("frame r11: the user rflags", xt_u_rflags, xt_seen.r11);
    xt_check_eq("frame rip", xt_u_ret_rip, xt_seen.rip);
    xt_check_eq("frame cs: FLAT_USER_CS, saved mask 0", FLAT_USER_CS, xt_seen.cs);
    /* pv/iret.c forces rflags.IF on for the guest; the frame folds in !saved_mask (0). */
    xt_check_eq("user-mode rflags.IF is set", X86_EFLAGS_IF, xt_u_rflags & X86_EFLAGS_IF);
    xt_check_eq("frame rflags", xt_u_rflags | X86_EFLAGS_IF, xt_seen.rflags);
    xt_check_eq("frame rsp: the user's", xt_u_rsp, xt_seen.rsp);
    xt_check_eq("frame ss", FLAT_USER_SS, xt_seen.ss);
    xt_check_eq("frame on the stack_switch stack", ((uint64_t)xt_kernel_stack_top & ~0xfUL) - 56,
                xt_seen_entry_rsp);
    xt_check_eq("events masked (CALLBACKF_mask_events)", 1, xt_seen_mask);
    /* The kernel page table is in use: the user-only marker is not mapped. */
    xt_check_eq("marker read in the callback faults", 1, xt_seen_fault.count);
    xt_check_eq("marker fault vector", X86_EXC_PF, xt_seen_fault.vector);
    xt_check_eq("marker fault error code (kernel read, not present)", 0, xt_seen_fault.error_code);
    xt_check_eq("marker fault cr2", XT_MARKER_VA, xt_seen_fault.cr2);
}

static void check_returns(void)
{
    xt_check_eq("user page table in user mode: marker", XT_MARKER, xt_u_marker);
    xt_check_eq("sysret-style return: rax", 0x5a5a, xt_u_rax);
    xt_check_eq("sysret-style return: rcx = rip", xt_u_ret_rip, xt_u_rcx);
    xt_check_eq("sysret-style return: r11 = rflags", xt_u_rflags, xt_u_r11);
    xt_u_marker = 0;
    xt_exec_user(user_fn, X86_EFLAGS_IF | X86_EFLAGS_FIXED);
    xt_check_eq("second call entered", 2, xt_calls);
    xt_check_eq("iret-style return: rax", 0x5a5a, xt_u_rax);
    xt_check_eq("iret-style return: rcx from the frame", 0xc0c0, xt_u_rcx);
    xt_check_eq("iret-style return: r11 from the frame", 0xd0d0, xt_u_r11);
    xt_check_eq("user page table again after the return", XT_MARKER, xt_u_marker);
}

void test_main(void)
{
    uint64_t *marker = xt_alloc_page();

    *marker = XT_MARKER;
    if (!xt_require_rc("kernel L4 slot 0 is empty", 0, (long)(xt_l4[0] & XT_PTE_P)) ||
        !xt_require_rc("user page table", 0, xt_user_init()) ||
        !xt_require_rc("marker mapping in the user table", 0,
                       xt_map_in_new_slot(xt_virt_to_mfn(xt_user_l4), XT_MARKER_VA,
                                          xt_virt_to_mfn(marker), XT_PTE_DATA | XT_PTE_US)))
        return;
    xt_set_trap_hook(XT_VEC_SYSCALL, syscall_hook);
    xt_exec_user(user_fn, X86_EFLAGS_IF | X86_EFLAGS_FIXED);
    check_entry();
    check_returns();
    xtf_success(NULL);
}
