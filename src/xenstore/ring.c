/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's xenstore ring page as a byte stream for an xs_conn (no I/O, no mapping). */
#include <string.h>

#include "xenstore/xenstore-priv.h"

/* The guest writes the page concurrently: every index is read once, through
 * these, and validated before use; data is copied out before it is parsed. */
static XENSTORE_RING_IDX idx_load(const XENSTORE_RING_IDX *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void idx_store(XENSTORE_RING_IDX *p, XENSTORE_RING_IDX v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

void xs_ring_init(struct xenstore_domain_interface *intf)
{
    idx_store(&intf->req_cons, 0);
    idx_store(&intf->req_prod, 0);
    idx_store(&intf->rsp_cons, 0);
    idx_store(&intf->rsp_prod, 0);
    intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
    intf->connection = XENSTORE_CONNECTED;
    intf->error = XENSTORE_ERROR_NONE;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Copies @len bytes starting at index @idx out of @ring, wrapping at its end. */
static void ring_read(const char *ring, XENSTORE_RING_IDX idx, void *dst, uint32_t len)
{
    uint32_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

    if (first > len)
        first = len;
    memcpy(dst, ring + off, first);
    memcpy((char *)dst + first, ring, len - first);
}

static void ring_write(char *ring, XENSTORE_RING_IDX idx, const void *src, uint32_t len)
{
    uint32_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

    if (first > len)
        first = len;
    memcpy(ring + off, src, first);
    memcpy(ring, (const char *)src + first, len - first);
}

static int ring_fail(struct xenstore_domain_interface *intf, uint32_t error, int err)
{
    intf->error = error;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return err;
}

/* Moves queued output into the rsp ring; 1 if any was moved. */
static int flush_rsp(struct xenstore_domain_interface *intf, struct xs_conn *c)
{
    XENSTORE_RING_IDX cons = idx_load(&intf->rsp_cons), prod = idx_load(&intf->rsp_prod);
    uint32_t used = prod - cons, n;
    size_t len;
    const void *out;

    if (used > XENSTORE_RING_SIZE)
        return ring_fail(intf, XENSTORE_ERROR_RINGIDX, -EIO);
    out = xs_conn_peek(c, &len);
    n = XENSTORE_RING_SIZE - used;
    if (n > len)
        n = (uint32_t)len;
    if (!n)
        return 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* read rsp_cons before reusing the space */
    ring_write(intf->rsp, prod, out, n);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the data before the index */
    idx_store(&intf->rsp_prod, prod + n);
    xs_conn_consume(c, n);
    return 1;
}

/* Feeds the requests in the req ring to @c; 1 if any were consumed. */
static int pull_req(struct xenstore_domain_interface *intf, struct xs_conn *c)
{
    XENSTORE_RING_IDX cons = idx_load(&intf->req_cons), prod = idx_load(&intf->req_prod);
    uint32_t avail = prod - cons;
    char buf[XENSTORE_RING_SIZE];
    long done;

    if (avail > XENSTORE_RING_SIZE)
        return ring_fail(intf, XENSTORE_ERROR_RINGIDX, -EIO);
    if (!avail)
        return 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* req_prod before the data */
    ring_read(intf->req, cons, buf, avail);
    done = xs_conn_input(c, buf, avail);
    if (done < 0)
        return ring_fail(intf, done == -EPROTO ? XENSTORE_ERROR_PROTO : XENSTORE_ERROR_COMM,
                         (int)done);
    if (!done)
        return 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* finish reading before freeing the space */
    idx_store(&intf->req_cons, cons + (uint32_t)done);
    return 1;
}

int xs_ring_service(struct xenstore_domain_interface *intf, struct xs_conn *c)
{
    int notify = 0, r;

    if (xs_conn_broken(c))
        return ring_fail(intf, XENSTORE_ERROR_COMM, -EPIPE);
    if ((r = flush_rsp(intf, c)) < 0)
        return r;
    notify |= r;
    if ((r = pull_req(intf, c)) < 0)
        return r;
    notify |= r;
    if ((r = flush_rsp(intf, c)) < 0)
        return r;
    return notify | r;
}
