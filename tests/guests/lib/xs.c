/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal xenstore client on the guest's ring page, for the device tests. */
#include "xt.h"

#include <xen/io/xs_wire.h>

#include "xs.h"

static uint32_t req_id;

static struct xenstore_domain_interface *ring(void)
{
    return xt_mfn_to_virt(xt_start_info->store_mfn);
}

bool xt_xs_ready(void)
{
    return ring() != NULL;
}

static void put(const void *p, uint32_t n)
{
    struct xenstore_domain_interface *xs = ring();
    const char *c = p;

    for (uint32_t i = 0; i < n; i++) {
        while (xs->req_prod - xs->req_cons >= XENSTORE_RING_SIZE)
            xt_evtchn_send(xt_start_info->store_evtchn);
        xs->req[MASK_XENSTORE_IDX(xs->req_prod)] = c[i];
        __atomic_thread_fence(__ATOMIC_RELEASE);
        xs->req_prod++;
    }
}

static bool get(void *p, uint32_t n)
{
    struct xenstore_domain_interface *xs = ring();
    char *c = p;
    uint64_t end = xt_now() + XT_MS(5000);

    for (uint32_t i = 0; i < n; i++) {
        while (xs->rsp_prod == xs->rsp_cons)
            if (xt_now() > end)
                return false;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        c[i] = xs->rsp[MASK_XENSTORE_IDX(xs->rsp_cons)];
        xs->rsp_cons++;
    }
    return true;
}

int xt_xs_op(uint32_t type, const char *a, const char *b, char *out, uint32_t outlen)
{
    struct xsd_sockmsg m = { .type = type, .req_id = ++req_id,
                             .len = strlen(a) + 1 + (b ? strlen(b) : 0) };
    char buf[256];

    put(&m, sizeof(m));
    put(a, strlen(a) + 1);
    if (b)
        put(b, strlen(b));
    xt_evtchn_send(xt_start_info->store_evtchn);
    if (!get(&m, sizeof(m)) || m.len >= sizeof(buf) || !get(buf, m.len))
        return -1;
    buf[m.len] = 0;
    if (out) {
        uint32_t n = m.len < outlen - 1 ? m.len : outlen - 1;

        memcpy(out, buf, n);
        out[n] = 0;
    }
    return m.type == XS_ERROR ? -1 : 0;
}
