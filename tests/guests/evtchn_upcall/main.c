/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evtchn_upcall: when events are, and are not, delivered through the upcall. */
#include "xt.h"

const char xt_test_title[] = "evtchn_upcall: port masks, the vcpu upcall mask and iret";

static evtchn_port_t xt_a, xt_b;
static volatile uint8_t xt_mask_in_handler;

static void on_b(evtchn_port_t port, struct xt_regs *r)
{
    (void)port;
    (void)r;
    xt_mask_in_handler = xt_vcpu->evtchn_upcall_mask;
}

static unsigned int hits(void)
{
    return xt_port_hits[xt_b];
}

static void test_unmasked(void)
{
    xt_events_on();
    xt_port_unmask_bit(xt_b);
    xt_check_rc("send", 0, xt_evtchn_send(xt_a));
    xt_check_eq("delivered on the send hypercall's return", 1, hits());
    xt_check_eq("upcall mask set inside the handler", 1, xt_mask_in_handler);
    xt_check_eq("upcall mask restored after it", 0, xt_vcpu->evtchn_upcall_mask);
    xt_check_true("pending bit consumed", !xt_port_pending(xt_b));
    xt_check_eq("upcall frame cs: kernel, saved mask 0", XT_KERNEL_FRAME_CS, xt_upcall_cs);
}

/* xen.h shared_info: a masked port's edge is only replayed by EVTCHNOP_unmask. */
static void test_port_mask(void)
{
    xt_port_mask(xt_b);
    xt_check_rc("send to a masked port", 0, xt_evtchn_send(xt_a));
    xt_check_eq("masked port: no upcall", 1, hits());
    xt_check_true("masked port: pending", xt_port_pending(xt_b));
    xt_check_eq("masked port: upcall not pending", 0, xt_vcpu->evtchn_upcall_pending);
    xt_check_rc("EVTCHNOP_unmask", 0, xt_evtchn_unmask(xt_b));
    xt_check_eq("EVTCHNOP_unmask delivers the pending event", 2, hits());
    xt_check_true("unmasked by the hypercall", !xt_port_masked(xt_b));

    xt_port_mask(xt_b);
    xt_check_rc("send to a masked port again", 0, xt_evtchn_send(xt_a));
    xt_port_unmask_bit(xt_b);
    xt_force_upcall();
    xt_check_eq("clearing the mask bit directly replays nothing", 2, hits());
    xt_port_clear(xt_b);
}

/* The per-vcpu mask holds delivery back; clearing it needs a hypercall to take effect. */
static void test_vcpu_mask(void)
{
    xt_events_off();
    xt_check_rc("send with events off", 0, xt_evtchn_send(xt_a));
    xt_force_upcall();
    xt_check_eq("vcpu masked: no upcall", 2, hits());
    xt_check_eq("vcpu masked: upcall pending", 1, xt_vcpu->evtchn_upcall_pending);
    xt_events_on();
    xt_check_eq("delivered once the mask is cleared", 3, hits());
}

/* iret with rflags.IF set clears the mask; the upcall comes before the target runs. */
static void test_iret_delivery(void)
{
    uint64_t target;

    xt_events_off();
    xt_check_rc("send with events off", 0, xt_evtchn_send(xt_a));
    /* %[target] may be %rsp-relative: store it before the pushes. */
    __asm__ volatile("lea 1f(%%rip), %%rax\n\t"
                     "mov %%rax, %[target]\n\t"
                     "mov %%rsp, %%rbx\n\t"
                     "push $%c[ss]\n\t"
                     "push %%rbx\n\t"
                     "push $%c[fl]\n\t"
                     "push $%c[cs]\n\t"
                     "push %%rax\n\t"
                     "push $0\n\t"
                     "push %%rcx\n\t"
                     "push %%r11\n\t"
                     "push %%rax\n\t"
                     "mov $%c[nr], %%eax\n\t"
                     "syscall\n\t"
                     "ud2\n\t"
                     "1:\n\t"
                     : [target] "=m"(target)
                     : [ss] "i"(FLAT_KERNEL_SS), [cs] "i"(XT_KERNEL_FRAME_CS),
                       [fl] "i"(X86_EFLAGS_IF | X86_EFLAGS_FIXED), [nr] "i"(__HYPERVISOR_iret)
                     : "rax", "rbx", "rcx", "r11", "memory", "cc");
    xt_check_eq("delivered by the iret", 4, hits());
    xt_check_eq("upcall frame rip is the iret target", target, xt_upcall_rip);
    xt_check_eq("upcall frame rflags.IF", X86_EFLAGS_IF, xt_upcall_rflags & X86_EFLAGS_IF);
}

void test_main(void)
{
    if (!xt_require_rc("loopback ports", 0, xt_evtchn_loopback(&xt_a, &xt_b)))
        return;
    xt_evtchn_set_handler(xt_b, on_b);
    test_unmasked();
    test_port_mask();
    test_vcpu_mask();
    test_iret_delivery();
    xtf_success(NULL);
}
