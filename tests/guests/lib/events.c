/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event channel helpers and the upcall dispatcher. */
#include "xt.h"

volatile uint32_t xt_port_hits[XT_NR_PORTS];
volatile uint32_t xt_upcalls;
volatile uint64_t xt_upcall_rip;
volatile uint64_t xt_upcall_cs;
volatile uint64_t xt_upcall_rflags;
static xt_port_handler_t xt_port_handlers[XT_NR_PORTS];

void xt_evtchn_set_handler(evtchn_port_t port, xt_port_handler_t fn)
{
    if (port < XT_NR_PORTS)
        xt_port_handlers[port] = fn;
}

static void handle_port(evtchn_port_t port, struct xt_regs *r)
{
    xt_port_hits[port]++;
    if (xt_port_handlers[port])
        xt_port_handlers[port](port, r);
}

static void scan_word(unsigned int w, struct xt_regs *r)
{
    unsigned long bits = XT_READ_ONCE(xt_shared->evtchn_pending[w]) &
                         ~XT_READ_ONCE(xt_shared->evtchn_mask[w]);

    while (bits) {
        unsigned int b = (unsigned int)__builtin_ctzl(bits);
        evtchn_port_t port = w * 64 + b;

        bits &= bits - 1;
        xt_clear_bit(port % 64, &xt_shared->evtchn_pending[w]);
        handle_port(port, r);
    }
}

void xt_do_event(struct xt_regs *r)
{
    unsigned long sel;

    xt_upcalls++;
    xt_upcall_rip = r->rip;
    xt_upcall_cs = r->cs;
    xt_upcall_rflags = r->rflags;
    /* Clear the flag before scanning (xen.h, struct vcpu_info). */
    XT_WRITE_ONCE(xt_vcpu->evtchn_upcall_pending, 0);
    sel = __atomic_exchange_n(&xt_vcpu->evtchn_pending_sel, 0UL, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned int w = (unsigned int)__builtin_ctzl(sel);

        sel &= sel - 1;
        scan_word(w, r);
    }
}

long xt_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

    if (!rc)
        *port = op.port;
    return rc;
}

long xt_evtchn_bind_interdomain(domid_t rdom, evtchn_port_t rport, evtchn_port_t *lport)
{
    struct evtchn_bind_interdomain op = { .remote_dom = rdom, .remote_port = rport };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);

    if (!rc)
        *lport = op.local_port;
    return rc;
}

long xt_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

    if (!rc)
        *port = op.port;
    return rc;
}

long xt_evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);

    if (!rc)
        *port = op.port;
    return rc;
}

long xt_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

long xt_evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

long xt_evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask op = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
}

long xt_evtchn_status(evtchn_port_t port, evtchn_status_t *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = port;
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

long xt_evtchn_loopback(evtchn_port_t *a, evtchn_port_t *b)
{
    long rc = xt_evtchn_alloc_unbound(DOMID_SELF, a);

    if (rc)
        return rc;
    xt_port_mask(*a);
    rc = xt_evtchn_bind_interdomain(DOMID_SELF, *a, b);
    if (rc)
        return rc;
    /* Binding sets the new local port pending (event_channel.c). */
    xt_port_mask(*b);
    xt_port_clear(*a);
    xt_port_clear(*b);
    return 0;
}

void xt_port_mask(evtchn_port_t port)
{
    xt_set_bit(port % 64, &xt_shared->evtchn_mask[port / 64]);
}

void xt_port_unmask_bit(evtchn_port_t port)
{
    xt_clear_bit(port % 64, &xt_shared->evtchn_mask[port / 64]);
}

void xt_port_clear(evtchn_port_t port)
{
    xt_clear_bit(port % 64, &xt_shared->evtchn_pending[port / 64]);
}

bool xt_port_pending(evtchn_port_t port)
{
    return xt_test_bit(port, xt_shared->evtchn_pending);
}

bool xt_port_masked(evtchn_port_t port)
{
    return xt_test_bit(port, xt_shared->evtchn_mask);
}

void xt_force_upcall(void)
{
    HYPERVISOR_xen_version(XENVER_version, NULL);
}

void xt_events_on(void)
{
    xt_barrier();
    XT_WRITE_ONCE(xt_vcpu->evtchn_upcall_mask, 0);
    xt_barrier();
    if (XT_READ_ONCE(xt_vcpu->evtchn_upcall_pending))
        xt_force_upcall();
}

void xt_events_off(void)
{
    XT_WRITE_ONCE(xt_vcpu->evtchn_upcall_mask, 1);
    xt_barrier();
}
