/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evtchn_virq: bind_virq and bind_ipi, their status and their errors. */
#include "xt.h"

const char xt_test_title[] = "evtchn_virq: EVTCHNOP_bind_virq and EVTCHNOP_bind_ipi";

static void test_virq(void)
{
    evtchn_port_t t, t2;
    evtchn_status_t st;

    if (!xt_check_rc("bind VIRQ_TIMER", 0, xt_evtchn_bind_virq(VIRQ_TIMER, 0, &t)))
        return;
    xt_check_rc("status", 0, xt_evtchn_status(t, &st));
    xt_check_eq("status: virq", EVTCHNSTAT_virq, st.status);
    xt_check_eq("status: which virq", VIRQ_TIMER, st.u.virq);
    xt_check_eq("status: vcpu", 0, st.vcpu);
    /* event_channel.c evtchn_bind_virq: one port per virq and vcpu -> -EEXIST. */
    xt_check_rc("bind VIRQ_TIMER again", -XEN_EEXIST, xt_evtchn_bind_virq(VIRQ_TIMER, 0, &t2));
    xt_check_rc("close", 0, xt_evtchn_close(t));
    xt_check_eq("closed", EVTCHNSTAT_closed,
                (xt_evtchn_status(t, &st), st.status));
    xt_check_rc("bind VIRQ_TIMER after closing", 0, xt_evtchn_bind_virq(VIRQ_TIMER, 0, &t2));
    xt_check_rc("virq NR_VIRQS", -XEN_EINVAL, xt_evtchn_bind_virq(NR_VIRQS, 0, &t2));
    xt_check_rc("VIRQ_TIMER on vcpu 1000", -XEN_ENOENT, xt_evtchn_bind_virq(VIRQ_TIMER, 1000, &t2));
    /* A global virq may only be bound on vcpu 0. */
    xt_check_rc("global VIRQ_CON_RING on vcpu 1", -XEN_EINVAL, xt_evtchn_bind_virq(VIRQ_CON_RING, 1, &t2));
}

static void test_ipi(void)
{
    evtchn_port_t i, j;
    evtchn_status_t st;

    if (!xt_check_rc("bind_ipi", 0, xt_evtchn_bind_ipi(0, &i)))
        return;
    xt_check_rc("status", 0, xt_evtchn_status(i, &st));
    xt_check_eq("status: ipi", EVTCHNSTAT_ipi, st.status);
    xt_check_eq("status: vcpu", 0, st.vcpu);
    xt_port_clear(i);
    xt_check_rc("send on the ipi port", 0, xt_evtchn_send(i));
    xt_check_true("ipi port pending", xt_port_pending(i));
    xt_port_clear(i);
    xt_check_rc("bind_ipi to vcpu 1000", -XEN_ENOENT, xt_evtchn_bind_ipi(1000, &j));
    xt_check_rc("close", 0, xt_evtchn_close(i));
}

void test_main(void)
{
    test_virq();
    test_ipi();
    xtf_success(NULL);
}
