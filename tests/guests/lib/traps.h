/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Trap table, exception frames, expected-fault records and the exception table. */
#ifndef XT_TRAPS_H
#define XT_TRAPS_H

#define X86_EXC_DE 0
#define X86_EXC_DB 1
#define X86_EXC_NMI 2
#define X86_EXC_BP 3
#define X86_EXC_OF 4
#define X86_EXC_BR 5
#define X86_EXC_UD 6
#define X86_EXC_NM 7
#define X86_EXC_DF 8
#define X86_EXC_TS 10
#define X86_EXC_NP 11
#define X86_EXC_SS 12
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_EXC_MF 16
#define X86_EXC_AC 17
#define X86_EXC_MC 18
#define X86_EXC_XM 19

/* #PF error code bits. */
#define X86_PFEC_PRESENT 0x01
#define X86_PFEC_WRITE 0x02
#define X86_PFEC_USER 0x04
#define X86_PFEC_INSN 0x10

/* cs in a bounce frame: FLAT_KERNEL_CS with RPL 0 when the guest kernel was interrupted. */
#define XT_KERNEL_FRAME_CS (FLAT_KERNEL_CS & ~3)

/*
 * Registers as saved by entry.S. rcx and r11 are the interrupted context's
 * (restored from Xen's frame); vector is ours; error_code is Xen's (0 when
 * the vector has none); rip..ss is Xen's frame, where cs also carries the
 * saved upcall mask in bits 32-39. iret_flags is what the return passes to
 * HYPERVISOR_iret (VGCF_in_syscall to return like sysret).
 */
struct xt_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t vector;
    uint32_t iret_flags;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(__builtin_offsetof(struct xt_regs, rax) == XT_REGS_RAX, "xt_regs.rax");
_Static_assert(__builtin_offsetof(struct xt_regs, vector) == XT_REGS_VECTOR, "xt_regs.vector");
_Static_assert(__builtin_offsetof(struct xt_regs, error_code) == XT_REGS_ERROR_CODE,
               "xt_regs.error_code");
_Static_assert(__builtin_offsetof(struct xt_regs, rip) == XT_REGS_RIP, "xt_regs.rip");
_Static_assert(sizeof(struct xt_regs) == XT_REGS_SIZE, "xt_regs size");

/* The guest stack pointer Xen left at entry: where its frame (rcx first) starts. */
uint64_t xt_regs_entry_rsp(const struct xt_regs *r);

/*
 * The exception table: a fault at `fault` resumes at `fixup`, after the
 * fault was recorded in xt_fault. Use in inline asm, XTF-style.
 */
#define XT_EXTABLE(fault, fixup)                               \
    ".pushsection .xt_extable, \"a\"\n\t"                      \
    ".balign 8\n\t"                                            \
    ".quad " #fault ", " #fixup "\n\t"                         \
    ".popsection\n\t"

struct xt_fault {
    bool valid;
    unsigned int vector;
    uint64_t error_code;
    uint64_t rip;
    uint64_t cs;
    uint64_t cr2;
    unsigned int count;
};
extern volatile struct xt_fault xt_fault;

void xt_fault_clear(void);
/* Checks that exactly one fault with this vector and error code was recorded. */
bool xt_check_fault(const char *what, unsigned int vector, uint64_t error_code);
bool xt_check_no_fault(const char *what);

/* Probes: read or write 8 bytes; false if the access faulted (see xt_fault). */
bool xt_probe_read(const volatile void *p, uint64_t *val);
bool xt_probe_write(volatile void *p, uint64_t val);

/*
 * Hooks: a test may take over a vector (or XT_VEC_EVENT/SYSCALL) for traps
 * the exception table does not cover; the hook may edit the frame.
 */
typedef void (*xt_trap_hook_t)(struct xt_regs *r);
void xt_set_trap_hook(unsigned int vector, xt_trap_hook_t hook);

/* Trap table: the library's default (vectors 0-19), plus extra software vectors. */
const struct trap_info *xt_default_traps(void);
long xt_trap_register(unsigned int vector, unsigned int dpl);
unsigned long xt_stub_address(unsigned int vector);
void xt_dump_regs(const struct xt_regs *r);

/* Entry points in entry.S. */
extern const uint8_t xt_stubs[];
void xt_entry_event(void);
void xt_entry_syscall(void);
void xt_entry_failsafe(void);
void xt_do_exception(struct xt_regs *r);

#endif
