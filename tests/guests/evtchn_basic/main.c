/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evtchn_basic: alloc_unbound, loopback bind_interdomain, send, status, close and errors. */
#include "xt.h"

const char xt_test_title[] = "evtchn_basic: interdomain channels to ourselves";

static evtchn_status_t status_of(evtchn_port_t port)
{
    evtchn_status_t st;
    char what[64];

    xt_snprintf(what, sizeof(what), "EVTCHNOP_status of port %u", port);
    xt_check_rc(what, 0, xt_evtchn_status(port, &st));
    return st;
}

static void test_pair(evtchn_port_t a, evtchn_port_t b, domid_t self)
{
    evtchn_status_t st;

    st = status_of(a);
    xt_check_eq("a: interdomain", EVTCHNSTAT_interdomain, st.status);
    xt_check_eq("a: remote domain is us", self, st.u.interdomain.dom);
    xt_check_eq("a: remote port is b", b, st.u.interdomain.port);
    xt_check_eq("a: notify vcpu", 0, st.vcpu);
    st = status_of(b);
    xt_check_eq("b: interdomain", EVTCHNSTAT_interdomain, st.status);
    xt_check_eq("b: remote port is a", a, st.u.interdomain.port);
    xt_port_clear(a);
    xt_port_clear(b);
    xt_check_rc("send on a", 0, xt_evtchn_send(a));
    xt_check_true("send on a makes b pending", xt_port_pending(b) && !xt_port_pending(a));
    xt_port_clear(b);
    xt_check_rc("send on b", 0, xt_evtchn_send(b));
    xt_check_true("send on b makes a pending", xt_port_pending(a) && !xt_port_pending(b));
    xt_port_clear(a);
}

static void test_close(evtchn_port_t a, evtchn_port_t b, domid_t self)
{
    evtchn_status_t st;

    xt_check_rc("close b", 0, xt_evtchn_close(b));
    xt_check_eq("b: closed", EVTCHNSTAT_closed, status_of(b).status);
    st = status_of(a);
    xt_check_eq("a: unbound again", EVTCHNSTAT_unbound, st.status);
    xt_check_eq("a: still for us", self, st.u.unbound.dom);
    /* event_channel.c evtchn_send: unbound drops silently, closed -> -EINVAL. */
    xt_check_rc("send on unbound a", 0, xt_evtchn_send(a));
    xt_check_true("nothing pending", !xt_port_pending(a) && !xt_port_pending(b));
    xt_check_rc("send on closed b", -XEN_EINVAL, xt_evtchn_send(b));
    xt_check_rc("close b again", -XEN_EINVAL, xt_evtchn_close(b));
    xt_check_rc("close a", 0, xt_evtchn_close(a));
    xt_check_rc("bind_interdomain to a closed port", -XEN_EINVAL,
                xt_evtchn_bind_interdomain(DOMID_SELF, a, &b));
}

static void test_errors(void)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_INVALID, .remote_dom = DOMID_SELF };
    evtchn_status_t st;

    xt_check_rc("status of port 4096", -XEN_EINVAL, xt_evtchn_status(XT_NR_PORTS, &st));
    xt_check_rc("close port 4096", -XEN_EINVAL, xt_evtchn_close(XT_NR_PORTS));
    xt_check_rc("send on port 4096", -XEN_EINVAL, xt_evtchn_send(XT_NR_PORTS));
    xt_check_rc("unmask port 4096", -XEN_EINVAL, xt_evtchn_unmask(XT_NR_PORTS));
    xt_check_rc("close reserved port 0", -XEN_EINVAL, xt_evtchn_close(0));
    xt_check_rc("alloc_unbound in DOMID_INVALID", -XEN_ESRCH,
                HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au));
    xt_check_rc("unknown EVTCHNOP", -XEN_ENOSYS, HYPERVISOR_event_channel_op(99, &st));
}

void test_main(void)
{
    evtchn_port_t a, b;
    evtchn_status_t st;
    domid_t self;

    if (!xt_check_rc("alloc_unbound", 0, xt_evtchn_alloc_unbound(DOMID_SELF, &a)))
        return;
    xt_check_true("port is not 0 (reserved)", a != 0);
    st = status_of(a);
    xt_check_eq("a: unbound", EVTCHNSTAT_unbound, st.status);
    self = st.u.unbound.dom;
    if (!xt_check_rc("bind_interdomain to our own port", 0, xt_evtchn_bind_interdomain(DOMID_SELF, a, &b)))
        return;
    xt_check_true("new port differs", b != a && b != 0);
    /* event_channel.c: binding conservatively sets the local port pending. */
    xt_check_true("new local port pending after binding", xt_port_pending(b));
    xt_check_rc("bind_interdomain to a bound port", -XEN_EINVAL,
                xt_evtchn_bind_interdomain(DOMID_SELF, a, &b));
    test_pair(a, b, self);
    test_close(a, b, self);
    test_errors();
    xtf_success(NULL);
}
