/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hypercall wrappers: `syscall` from guest kernel mode, or the hypercall page. */
#ifndef XT_HYPERCALL_H
#define XT_HYPERCALL_H

/* The page the domain builder fills (XEN_ELFNOTE_HYPERCALL_PAGE). */
extern uint8_t hypercall_page[];

/* When true, every wrapper (and the iret in entry.S) goes through the page. */
extern volatile bool xt_hcall_via_page;

/*
 * A 64-bit PV kernel makes hypercall NR with `syscall`: rax = NR, arguments
 * in rdi, rsi, rdx, r10, r8; rcx and r11 are clobbered (sysret), and a debug
 * Xen also scribbles over the argument registers, so all are clobbers.
 */
static inline long xt_hcall_syscall(unsigned long nr, unsigned long a1,
                                    unsigned long a2, unsigned long a3,
                                    unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    __asm__ volatile("syscall"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : "0"(nr)
                     : "rcx", "r11", "r9", "memory");
    return ret;
}

/* The same through the hypercall page: `call hypercall_page + NR * 32`. */
static inline long xt_hcall_page(unsigned long nr, unsigned long a1,
                                 unsigned long a2, unsigned long a3,
                                 unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    __asm__ volatile("call *%%rax"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : "0"(hypercall_page + nr * 32)
                     : "rcx", "r11", "r9", "memory");
    return ret;
}

static inline long xt_hcall(unsigned long nr, unsigned long a1, unsigned long a2,
                            unsigned long a3, unsigned long a4, unsigned long a5)
{
    if (xt_hcall_via_page)
        return xt_hcall_page(nr, a1, a2, a3, a4, a5);
    return xt_hcall_syscall(nr, a1, a2, a3, a4, a5);
}

#define XT_UL(x) ((unsigned long)(x))

static inline long HYPERVISOR_set_trap_table(const struct trap_info *t)
{
    return xt_hcall(__HYPERVISOR_set_trap_table, XT_UL(t), 0, 0, 0, 0);
}

static inline long HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count,
                                         unsigned int *done, unsigned int dom)
{
    return xt_hcall(__HYPERVISOR_mmu_update, XT_UL(req), count, XT_UL(done), dom, 0);
}

static inline long HYPERVISOR_set_gdt(xen_ulong_t *frames, unsigned int entries)
{
    return xt_hcall(__HYPERVISOR_set_gdt, XT_UL(frames), entries, 0, 0, 0);
}

static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long sp)
{
    return xt_hcall(__HYPERVISOR_stack_switch, ss, sp, 0, 0, 0);
}

static inline long HYPERVISOR_set_callbacks(unsigned long event, unsigned long failsafe,
                                            unsigned long syscall)
{
    return xt_hcall(__HYPERVISOR_set_callbacks, event, failsafe, syscall, 0, 0);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
    return xt_hcall(__HYPERVISOR_fpu_taskswitch, (unsigned long)set, 0, 0, 0, 0);
}

static inline long HYPERVISOR_set_debugreg(int reg, unsigned long value)
{
    return xt_hcall(__HYPERVISOR_set_debugreg, (unsigned long)reg, value, 0, 0, 0);
}

static inline long HYPERVISOR_get_debugreg(int reg)
{
    return xt_hcall(__HYPERVISOR_get_debugreg, (unsigned long)reg, 0, 0, 0, 0);
}

static inline long HYPERVISOR_update_descriptor(uint64_t maddr, uint64_t desc)
{
    return xt_hcall(__HYPERVISOR_update_descriptor, maddr, desc, 0, 0, 0);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return xt_hcall(__HYPERVISOR_memory_op, cmd, XT_UL(arg), 0, 0, 0);
}

static inline long HYPERVISOR_multicall(multicall_entry_t *calls, unsigned int nr)
{
    return xt_hcall(__HYPERVISOR_multicall, XT_UL(calls), nr, 0, 0, 0);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte,
                                                unsigned long flags)
{
    return xt_hcall(__HYPERVISOR_update_va_mapping, va, pte, flags, 0, 0);
}

static inline long HYPERVISOR_set_timer_op(uint64_t timeout_ns)
{
    return xt_hcall(__HYPERVISOR_set_timer_op, timeout_ns, 0, 0, 0, 0);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return xt_hcall(__HYPERVISOR_xen_version, (unsigned long)cmd, XT_UL(arg), 0, 0, 0);
}

static inline long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{
    return xt_hcall(__HYPERVISOR_console_io, (unsigned long)cmd, (unsigned long)count,
                    XT_UL(buf), 0, 0);
}

static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop,
                                             unsigned int count)
{
    return xt_hcall(__HYPERVISOR_grant_table_op, cmd, XT_UL(uop), count, 0, 0);
}

static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
    return xt_hcall(__HYPERVISOR_vm_assist, cmd, type, 0, 0, 0);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return xt_hcall(__HYPERVISOR_vcpu_op, (unsigned long)cmd, vcpu, XT_UL(arg), 0, 0);
}

static inline long HYPERVISOR_set_segment_base(unsigned int which, unsigned long base)
{
    return xt_hcall(__HYPERVISOR_set_segment_base, which, base, 0, 0, 0);
}

static inline long HYPERVISOR_mmuext_op(mmuext_op_t *ops, unsigned int count,
                                        unsigned int *done, unsigned int dom)
{
    return xt_hcall(__HYPERVISOR_mmuext_op, XT_UL(ops), count, XT_UL(done), dom, 0);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return xt_hcall(__HYPERVISOR_sched_op, (unsigned long)cmd, XT_UL(arg), 0, 0, 0);
}

static inline long HYPERVISOR_callback_op(int cmd, const void *arg)
{
    return xt_hcall(__HYPERVISOR_callback_op, (unsigned long)cmd, XT_UL(arg), 0, 0, 0);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return xt_hcall(__HYPERVISOR_event_channel_op, (unsigned long)cmd, XT_UL(arg), 0, 0, 0);
}

static inline long HYPERVISOR_physdev_op(int cmd, void *arg)
{
    return xt_hcall(__HYPERVISOR_physdev_op, (unsigned long)cmd, XT_UL(arg), 0, 0, 0);
}

#endif
