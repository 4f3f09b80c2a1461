/* SPDX-License-Identifier: GPL-2.0-or-later */
/* physdev: PHYSDEVOP_set_iopl gates port I/O from the guest kernel. */
#include "xt.h"

const char xt_test_title[] = "physdev: PHYSDEVOP_set_iopl and emulated port I/O";

/* A port no PV domU owns: reads give all ones (pv/emul-priv-op.c guest_io_read). */
#define XT_PORT 0x5e0

static long set_iopl(uint32_t iopl)
{
    struct physdev_set_iopl s = { .iopl = iopl };

    return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &s);
}

/* inb from XT_PORT; true if it did not fault. */
static bool inb(uint8_t *val)
{
    unsigned int before = xt_fault.count;
    uint32_t v = 0x12345678;

    __asm__ volatile("1: inb %w1, %b0\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     : "+a"(v)
                     : "d"(XT_PORT)
                     : "memory");
    *val = (uint8_t)v;
    return xt_fault.count == before;
}

static bool outb(uint8_t val)
{
    unsigned int before = xt_fault.count;

    __asm__ volatile("1: outb %b0, %w1\n\t"
                     "2:\n\t" XT_EXTABLE(1b, 2b)
                     :
                     : "a"(val), "d"(XT_PORT)
                     : "memory");
    return xt_fault.count == before;
}

void test_main(void)
{
    uint8_t v;

    /* The initial virtual IOPL is 0: the guest kernel (CPL 1 to Xen) may not do I/O. */
    xt_fault_clear();
    xt_check_true("inb with IOPL 0 faults", !inb(&v));
    xt_check_fault("inb with IOPL 0", X86_EXC_GP, 0);
    xt_check_rc("set_iopl 1", 0, set_iopl(1));
    xt_fault_clear();
    xt_check_true("inb with IOPL 1", inb(&v));
    xt_check_eq("unowned port reads all ones", 0xff, v);
    xt_check_true("outb with IOPL 1", outb(0x5a));
    xt_check_rc("set_iopl 3", 0, set_iopl(3));
    xt_check_true("inb with IOPL 3", inb(&v));
    xt_check_rc("set_iopl 0", 0, set_iopl(0));
    xt_fault_clear();
    xt_check_true("inb after set_iopl 0 faults", !inb(&v));
    xt_check_fault("inb after set_iopl 0", X86_EXC_GP, 0);
    /* physdev.c: iopl > 3 -> -EINVAL; unknown ops -> -ENOSYS. */
    xt_check_rc("set_iopl 4", -XEN_EINVAL, set_iopl(4));
    xt_check_rc("unknown PHYSDEVOP", -XEN_ENOSYS, HYPERVISOR_physdev_op(99, NULL));
    xtf_success(NULL);
}
