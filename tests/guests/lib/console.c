/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Console output: HYPERVISOR_console_io, falling back to the PV console ring. */
#include "xt.h"

/*
 * Real Xen refuses console_io to unprivileged domains unless built with
 * CONFIG_VERBOSE_DEBUG (xen/include/xsm/dummy.h, xsm_console_io); then the
 * PV console ring (start_info console.domU) carries the output instead.
 */
static bool xt_console_use_ring;

static struct xencons_interface *ring_page(void)
{
    return xt_mfn_to_virt(xt_start_info->console.domU.mfn);
}

static void ring_notify(void)
{
    struct evtchn_send send = { .port = xt_start_info->console.domU.evtchn };

    HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

/* Copy as much as fits; returns the number of bytes queued. */
static size_t ring_put(struct xencons_interface *r, const char *buf, size_t len)
{
    XENCONS_RING_IDX cons = XT_READ_ONCE(r->out_cons);
    XENCONS_RING_IDX prod = r->out_prod;
    size_t n = 0;

    __asm__ volatile("" ::: "memory");
    while (n < len && prod - cons < sizeof(r->out))
        r->out[MASK_XENCONS_IDX(prod++, r->out)] = buf[n++];
    __asm__ volatile("sfence" ::: "memory");
    XT_WRITE_ONCE(r->out_prod, prod);
    return n;
}

static bool ring_drained(struct xencons_interface *r)
{
    return XT_READ_ONCE(r->out_cons) == XT_READ_ONCE(r->out_prod);
}

/* Queue all of buf, yielding while the ring is full; bounded by max_yields. */
static int ring_write_bounded(const char *buf, size_t len, unsigned long max_yields)
{
    struct xencons_interface *r = ring_page();

    if (!r)
        return -XEN_EFAULT;
    while (len) {
        size_t n = ring_put(r, buf, len);

        buf += n;
        len -= n;
        ring_notify();
        if (len && max_yields-- == 0)
            return -XEN_EBUSY;
        if (len)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return 0;
}

void xt_console_write(const char *buf, size_t len)
{
    if (!xt_console_use_ring) {
        if (HYPERVISOR_console_io(CONSOLEIO_write, (int)len, buf) >= 0)
            return;
        xt_console_use_ring = true;
    }
    ring_write_bounded(buf, len, 1000000);
}

int xt_console_ring_write(const char *buf, size_t len, uint64_t timeout_ns)
{
    uint64_t deadline = xt_now() + timeout_ns;
    int rc = ring_write_bounded(buf, len, 1000000);

    if (rc)
        return rc;
    while (!ring_drained(ring_page())) {
        if (xt_now() > deadline)
            return -XEN_EBUSY;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return 0;
}
