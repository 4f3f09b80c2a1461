/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exc_user: exceptions and software interrupts from guest user mode, on the stack_switch stack. */
#include "xt.h"

const char xt_test_title[] = "exc_user: user-mode faults, int $N DPL checks and stack_switch";

#define XT_NR_CASES 8

/* What user mode saw: one record per case, filled in user mode from xt_fault. */
struct xt_case {
    unsigned int count;
    unsigned int vector;
    uint64_t error_code;
    uint64_t cs;
    uint64_t cr2;
    uint64_t rip;
    uint64_t at;
};
static struct xt_case xt_cases[XT_NR_CASES];
static uint8_t *xt_ro_page;

static volatile unsigned int xt_int30_hits;
static volatile uint64_t xt_int30_entry_rsp, xt_int30_cs, xt_int30_ss, xt_int30_rsp;
static uint8_t xt_stack2[XT_STACK_SIZE] __attribute__((aligned(16)));

static void int30_hook(struct xt_regs *r)
{
    xt_int30_hits++;
    xt_int30_entry_rsp = xt_regs_entry_rsp(r);
    xt_int30_cs = r->cs;
    xt_int30_ss = r->ss;
    xt_int30_rsp = r->rsp;
}

/* Runs in user mode: copy the fault record (plain memory, no hypercall). */
static void snap(unsigned int i, uint64_t at)
{
    xt_cases[i].count = xt_fault.count;
    xt_cases[i].vector = xt_fault.vector;
    xt_cases[i].error_code = xt_fault.error_code;
    xt_cases[i].cs = xt_fault.cs;
    xt_cases[i].cr2 = xt_fault.cr2;
    xt_cases[i].rip = xt_fault.rip;
    xt_cases[i].at = at;
    xt_fault.count = 0;
}

#define XT_USER_FAULT(i, insn, ...)                                        \
    do {                                                                   \
        uint64_t _at;                                                      \
        __asm__ volatile("lea 1f(%%rip), %0\n\t"                           \
                         "1: " insn "\n\t"                                 \
                         "2:\n\t" XT_EXTABLE(1b, 2b)                       \
                         : "=&r"(_at) __VA_ARGS__);                        \
        snap(i, _at);                                                      \
    } while (0)

static void user_faults(void)
{
    uint64_t v = 0;

    XT_USER_FAULT(0, "ud2", ::"memory");
    XT_USER_FAULT(1, "hlt", ::"memory");
    XT_USER_FAULT(2, "mov 0x1000, %1", , "+r"(v)::"memory");
    XT_USER_FAULT(3, "movq $1, (%1)", : "r"(xt_ro_page + 8) : "memory");
    XT_USER_FAULT(4, "int $0x31", ::"memory");
    XT_USER_FAULT(5, "int $0x32", ::"memory");
    /* #BP is a trap: rip is after int3, where the table entry sits. */
    __asm__ volatile("lea 1f(%%rip), %0\n\t"
                     "int3\n\t"
                     "1: nop\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "=&r"(v)::"memory");
    snap(6, v);
}

static void user_int30(void)
{
    __asm__ volatile("int $0x30" ::: "memory");
}

static void check_case(unsigned int i, const char *what, unsigned int vector, uint64_t ec)
{
    char buf[96];

    xt_snprintf(buf, sizeof(buf), "%s: faults", what);
    xt_check_eq(buf, 1, xt_cases[i].count);
    xt_snprintf(buf, sizeof(buf), "%s: vector", what);
    xt_check_eq(buf, vector, xt_cases[i].vector);
    xt_snprintf(buf, sizeof(buf), "%s: error code", what);
    xt_check_eq(buf, ec, xt_cases[i].error_code);
    xt_snprintf(buf, sizeof(buf), "%s: cs is the user's (RPL 3)", what);
    xt_check_eq(buf, FLAT_USER_CS, xt_cases[i].cs);
    xt_snprintf(buf, sizeof(buf), "%s: rip", what);
    xt_check_eq(buf, xt_cases[i].at, xt_cases[i].rip);
}

static void check_faults(void)
{
    check_case(0, "user ud2", X86_EXC_UD, 0);
    check_case(1, "user hlt", X86_EXC_GP, 0);
    check_case(2, "user read of an unmapped page", X86_EXC_PF, X86_PFEC_USER);
    xt_check_eq("user read of an unmapped page: cr2", 0x1000, xt_cases[2].cr2);
    check_case(3, "user write to a read-only page", X86_EXC_PF,
               X86_PFEC_PRESENT | X86_PFEC_WRITE | X86_PFEC_USER);
    xt_check_eq("user write to a read-only page: cr2", (uint64_t)xt_ro_page + 8, xt_cases[3].cr2);
    check_case(4, "user int $0x31 (DPL 0)", X86_EXC_GP, (0x31 << 3) | 2);
    check_case(5, "user int $0x32 (DPL 1)", X86_EXC_GP, (0x32 << 3) | 2);
    check_case(6, "user int3", X86_EXC_BP, 0);
}

/* A user-to-kernel entry lands on the stack given to stack_switch. */
static void check_stack(const char *what, uint64_t top)
{
    char buf[96];
    unsigned int hits = xt_int30_hits;

    xt_exec_user(user_int30, X86_EFLAGS_IF | X86_EFLAGS_FIXED);
    xt_snprintf(buf, sizeof(buf), "%s: int $0x30 (DPL 3) delivered", what);
    xt_check_eq(buf, hits + 1, xt_int30_hits);
    xt_snprintf(buf, sizeof(buf), "%s: frame on the kernel stack", what);
    xt_check_eq(buf, (top & ~0xfUL) - 56, xt_int30_entry_rsp);
    xt_snprintf(buf, sizeof(buf), "%s: frame cs", what);
    xt_check_eq(buf, FLAT_USER_CS, xt_int30_cs);
    xt_snprintf(buf, sizeof(buf), "%s: frame ss", what);
    xt_check_eq(buf, FLAT_USER_SS, xt_int30_ss);
    xt_snprintf(buf, sizeof(buf), "%s: frame rsp is on the user stack", what);
    xt_check_true(buf, xt_int30_rsp > (uint64_t)xt_user_stack &&
                       xt_int30_rsp <= (uint64_t)xt_user_stack + XT_USER_STACK_SIZE);
}

void test_main(void)
{
    extern uint8_t xt_kernel_stack_top[];
    static const unsigned int dpl[] = { 3, 0, 1 };
    unsigned int v;

    xt_ro_page = xt_alloc_page();
    if (!xt_require_rc("user page table", 0, xt_user_init()) ||
        !xt_require_rc("read-only page", 0, xt_remap_ro(xt_ro_page)))
        return;
    for (v = 0; v < 3; v++)
        xt_require_rc("registering a software vector", 0, xt_trap_register(0x30 + v, dpl[v]));
    xt_set_trap_hook(0x30, int30_hook);
    xt_exec_user(user_faults, X86_EFLAGS_IF | X86_EFLAGS_FIXED);
    check_faults();
    check_stack("first kernel stack", (uint64_t)xt_kernel_stack_top);
    if (xt_require_rc("stack_switch to a second stack", 0,
                      HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (uint64_t)(xt_stack2 + sizeof(xt_stack2)))))
        check_stack("second kernel stack", (uint64_t)(xt_stack2 + sizeof(xt_stack2)));
    xtf_success(NULL);
}
