/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Trap table set-up, the C exception dispatcher and expected-fault handling. */
#include "xt.h"

struct xt_extable_entry {
    uint64_t fault;
    uint64_t fixup;
};

extern const struct xt_extable_entry xt_extable_start[], xt_extable_end[];

volatile struct xt_fault xt_fault;
static xt_trap_hook_t xt_hooks[XT_VEC_FAILSAFE + 1];

/* Vectors 0-19 that can reach a PV guest; #BP and #OF may be raised from any ring. */
static const uint8_t xt_default_vectors[] = { 0, 1, 3, 4, 5, 6, 7, 10, 11, 12,
                                              13, 14, 16, 17, 18, 19 };
static struct trap_info xt_traps[XT_ARRAY_SIZE(xt_default_vectors) + 1];

unsigned long xt_stub_address(unsigned int vector)
{
    return (unsigned long)xt_stubs + vector * XT_STUB_SIZE;
}

static struct trap_info trap_entry(unsigned int vector, unsigned int dpl)
{
    /* flags: DPL for software `int`, bit 2 = mask events on entry. */
    return (struct trap_info){
        .vector = (uint8_t)vector,
        .flags = (uint8_t)(dpl | 4),
        .cs = FLAT_KERNEL_CS,
        .address = xt_stub_address(vector),
    };
}

const struct trap_info *xt_default_traps(void)
{
    unsigned int i;

    for (i = 0; i < XT_ARRAY_SIZE(xt_default_vectors); i++) {
        unsigned int v = xt_default_vectors[i];

        xt_traps[i] = trap_entry(v, (v == X86_EXC_BP || v == X86_EXC_OF) ? 3 : 0);
    }
    xt_traps[i] = (struct trap_info){ 0 };
    return xt_traps;
}

long xt_trap_register(unsigned int vector, unsigned int dpl)
{
    struct trap_info t[2] = { trap_entry(vector, dpl), { 0 } };

    return HYPERVISOR_set_trap_table(t);
}

void xt_set_trap_hook(unsigned int vector, xt_trap_hook_t hook)
{
    if (vector < XT_ARRAY_SIZE(xt_hooks))
        xt_hooks[vector] = hook;
}

uint64_t xt_regs_entry_rsp(const struct xt_regs *r)
{
    bool ec = r->vector < 32 && ((XT_EC_MASK >> r->vector) & 1);

    return (uint64_t)&r->rip - 16 - (ec ? 8 : 0);
}

void xt_fault_clear(void)
{
    xt_fault.valid = false;
    xt_fault.vector = 0;
    xt_fault.error_code = 0;
    xt_fault.rip = 0;
    xt_fault.cs = 0;
    xt_fault.cr2 = 0;
    xt_fault.count = 0;
}

static void record_fault(const struct xt_regs *r)
{
    xt_fault.valid = true;
    xt_fault.vector = r->vector;
    xt_fault.error_code = r->error_code;
    xt_fault.rip = r->rip;
    xt_fault.cs = r->cs;
    xt_fault.cr2 = (r->vector == X86_EXC_PF && xt_vcpu) ? xt_vcpu->arch.cr2 : 0;
    xt_fault.count++;
}

bool xt_check_fault(const char *what, unsigned int vector, uint64_t error_code)
{
    char buf[128];
    bool ok;

    xt_snprintf(buf, sizeof(buf), "%s: number of faults", what);
    ok = xt_check_eq(buf, 1, xt_fault.count);
    xt_snprintf(buf, sizeof(buf), "%s: vector", what);
    ok &= xt_check_eq(buf, vector, xt_fault.vector);
    xt_snprintf(buf, sizeof(buf), "%s: error code", what);
    ok &= xt_check_eq(buf, error_code, xt_fault.error_code);
    return ok;
}

bool xt_check_no_fault(const char *what)
{
    char buf[128];

    xt_snprintf(buf, sizeof(buf), "%s: number of faults", what);
    return xt_check_eq(buf, 0, xt_fault.count);
}

bool xt_probe_read(const volatile void *p, uint64_t *val)
{
    unsigned int before = xt_fault.count;
    uint64_t v;

    __asm__ volatile("xor %k[v], %k[v]\n\t"
                     "1: mov (%[p]), %[v]\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : [v] "=&r"(v)
                     : [p] "r"(p)
                     : "memory", "cc");
    *val = v;
    return xt_fault.count == before;
}

bool xt_probe_write(volatile void *p, uint64_t val)
{
    unsigned int before = xt_fault.count;

    __asm__ volatile("1: mov %[v], (%[p])\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     :
                     : [v] "r"(val), [p] "r"(p)
                     : "memory");
    return xt_fault.count == before;
}

static uint64_t extable_fixup(uint64_t rip)
{
    const struct xt_extable_entry *e;

    for (e = xt_extable_start; e < xt_extable_end; e++)
        if (e->fault == rip)
            return e->fixup;
    return 0;
}

void xt_dump_regs(const struct xt_regs *r)
{
    xt_printk("vector %#x error %#lx rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx\n",
              r->vector, r->error_code, r->rip, r->cs, r->rflags, r->rsp, r->ss);
    xt_printk("rax %#lx rbx %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx rbp %#lx\n",
              r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp);
    xt_printk("r8 %#lx r9 %#lx r10 %#lx r11 %#lx cr2 %#lx\n", r->r8, r->r9, r->r10,
              r->r11, xt_vcpu ? xt_vcpu->arch.cr2 : 0);
}

static void unexpected(struct xt_regs *r)
{
    xt_printk("Error: unexpected trap %#x at %#lx\n", r->vector, r->rip);
    xt_dump_regs(r);
    xt_panic(NULL);
}

void xt_do_exception(struct xt_regs *r)
{
    uint64_t fixup;

    if (r->vector == XT_VEC_EVENT && !xt_hooks[XT_VEC_EVENT]) {
        xt_do_event(r);
        return;
    }
    if (r->vector == XT_VEC_SYSCALL && r->rax == XT_SYSCALL_USER_EXIT)
        xt_user_return();
    if (r->vector < 32)
        record_fault(r);
    fixup = r->vector < 32 ? extable_fixup(r->rip) : 0;
    if (fixup) {
        r->rip = fixup;
        return;
    }
    if (r->vector < XT_ARRAY_SIZE(xt_hooks) && xt_hooks[r->vector]) {
        xt_hooks[r->vector](r);
        return;
    }
    unexpected(r);
}
