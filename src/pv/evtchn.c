/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event channels, 2-level ABI: ports, VIRQs, interdomain and backend links. */
#include <errno.h>

#include "pv/pv.h"

#define BITS_PER_WORD 64

static bool port_ok(struct pv_domain *d, unsigned port)
{
    return port > 0 && port < PV_NR_EVTCHN;
}

static bool test_and_set(xen_ulong_t *w, unsigned bit)
{
    xen_ulong_t m = 1ULL << bit;

    return __atomic_fetch_or(w, m, __ATOMIC_SEQ_CST) & m;
}

static bool test_bit(xen_ulong_t *w, unsigned bit)
{
    return __atomic_load_n(w, __ATOMIC_SEQ_CST) & (1ULL << bit);
}

/* Make a pending, unmasked port visible to its vCPU (Xen's 2-level rule). */
static void mark_vcpu(struct pv_domain *d, unsigned port)
{
    struct pv_vcpu *v = d->vcpu[d->evtchn[port].notify_vcpu];
    struct vcpu_info *vi = pv_vcpu_info(v);

    if (test_and_set(&vi->evtchn_pending_sel, port / BITS_PER_WORD))
        return;
    __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    d->host.kick(d->host.opaque, v);
}

void pv_evtchn_set_pending(struct pv_domain *d, unsigned port)
{
    struct shared_info *s = pv_shared_info(d);
    unsigned w = port / BITS_PER_WORD, b = port % BITS_PER_WORD;

    if (test_and_set(&s->evtchn_pending[w], b))
        return;
    if (!test_bit(&s->evtchn_mask[w], b))
        mark_vcpu(d, port);
    else
        d->host.kick(d->host.opaque, d->vcpu[d->evtchn[port].notify_vcpu]); /* for poll */
}

bool pv_evtchn_pending(struct pv_domain *d, unsigned port)
{
    return port_ok(d, port) &&
           test_bit(&pv_shared_info(d)->evtchn_pending[port / BITS_PER_WORD],
                    port % BITS_PER_WORD);
}

void pv_send_virq(struct pv_vcpu *v, unsigned virq)
{
    struct pv_domain *d = v->d;

    for (unsigned p = 1; p < PV_NR_EVTCHN; p++)
        if (d->evtchn[p].state == EVTCHNSTAT_virq && d->evtchn[p].virq == virq &&
            d->evtchn[p].notify_vcpu == v->id) {
            pv_evtchn_set_pending(d, p);
            return;
        }
}

static int alloc_port(struct pv_domain *d)
{
    for (unsigned p = 1; p < PV_NR_EVTCHN; p++)
        if (d->evtchn[p].state == EVTCHNSTAT_closed)
            return p;
    return -ENOSPC;
}

int pv_evtchn_bind_backend(struct pv_domain *d,
                           void (*fn)(struct pv_domain *, unsigned, void *), void *opaque)
{
    int p = alloc_port(d);

    if (p < 0)
        return p;
    d->evtchn[p] = (struct pv_evtchn){ .state = EVTCHNSTAT_interdomain, .remote_dom = 0,
                                       .backend = fn, .opaque = opaque, .fixed = true };
    return p;
}

int pv_evtchn_connect(struct pv_domain *d, unsigned port, domid_t dom,
                      void (*fn)(struct pv_domain *, unsigned, void *), void *opaque)
{
    struct pv_evtchn *e;

    if (!port_ok(d, port))
        return -EINVAL;
    e = &d->evtchn[port];
    if (e->state != EVTCHNSTAT_unbound || e->remote_dom != dom)
        return -EINVAL;
    e->opaque = opaque;
    e->backend = fn;
    e->remote_port = 0;
    __atomic_store_n(&e->state, EVTCHNSTAT_interdomain, __ATOMIC_RELEASE);
    return 0;
}

void pv_evtchn_disconnect(struct pv_domain *d, unsigned port, void *opaque)
{
    struct pv_evtchn *e;

    if (!port_ok(d, port))
        return;
    e = &d->evtchn[port];
    if (e->state != EVTCHNSTAT_interdomain || e->fixed || e->opaque != opaque)
        return; /* the guest closed it already (and may have reused it) */
    e->backend = NULL;
    e->opaque = NULL;
    e->state = EVTCHNSTAT_unbound; /* the guest's end waits for a new backend */
}

static bool is_self(struct pv_domain *d, domid_t dom)
{
    return dom == DOMID_SELF || dom == d->domid;
}

static long alloc_unbound(struct pv_vcpu *v, void *op)
{
    struct evtchn_alloc_unbound *a = op;
    struct pv_domain *d = v->d;
    int p;

    if (!is_self(d, a->dom))
        return a->dom == 0 ? -EPERM : -ESRCH; /* dom0 is not ours to touch */
    p = alloc_port(d);
    if (p < 0)
        return p;
    d->evtchn[p] = (struct pv_evtchn){ .state = EVTCHNSTAT_unbound,
                                       .remote_dom = is_self(d, a->remote_dom) ? d->domid
                                                                                : a->remote_dom };
    a->port = p;
    return 0;
}

static long bind_interdomain(struct pv_vcpu *v, void *op)
{
    struct evtchn_bind_interdomain *b = op;
    struct pv_domain *d = v->d;
    struct pv_evtchn *r;
    int p;

    if (!is_self(d, b->remote_dom))
        return -ESRCH; /* xenner runs one domain; dom0's ends are backends */
    if (!port_ok(d, b->remote_port))
        return -EINVAL;
    r = &d->evtchn[b->remote_port];
    if (r->state != EVTCHNSTAT_unbound || r->remote_dom != d->domid)
        return -EINVAL;
    p = alloc_port(d);
    if (p < 0)
        return p;
    d->evtchn[p] = (struct pv_evtchn){ .state = EVTCHNSTAT_interdomain, .remote_dom = d->domid,
                                       .remote_port = b->remote_port };
    r->state = EVTCHNSTAT_interdomain;
    r->remote_port = p;
    b->local_port = p;
    pv_evtchn_set_pending(d, p); /* as Xen does: the binder may have missed a send */
    return 0;
}

static bool virq_is_per_vcpu(unsigned virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
           virq == VIRQ_XENPMU;
}

static long bind_virq(struct pv_vcpu *v, void *op)
{
    struct evtchn_bind_virq *b = op;
    struct pv_domain *d = v->d;
    int p;

    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    if (!virq_is_per_vcpu(b->virq) && b->vcpu != 0)
        return -EINVAL; /* global VIRQs are bound on vCPU 0 */
    if (b->vcpu >= d->nr_vcpus)
        return -ENOENT;
    for (unsigned i = 1; i < PV_NR_EVTCHN; i++)
        if (d->evtchn[i].state == EVTCHNSTAT_virq && d->evtchn[i].virq == b->virq &&
            d->evtchn[i].notify_vcpu == b->vcpu)
            return -EEXIST;
    p = alloc_port(d);
    if (p < 0)
        return p;
    d->evtchn[p] = (struct pv_evtchn){ .state = EVTCHNSTAT_virq, .virq = b->virq,
                                       .notify_vcpu = b->vcpu };
    b->port = p;
    return 0;
}

static long bind_ipi(struct pv_vcpu *v, void *op)
{
    struct evtchn_bind_ipi *b = op;
    struct pv_domain *d = v->d;
    int p;

    if (b->vcpu >= d->nr_vcpus)
        return -ENOENT;
    p = alloc_port(d);
    if (p < 0)
        return p;
    d->evtchn[p] = (struct pv_evtchn){ .state = EVTCHNSTAT_ipi, .notify_vcpu = b->vcpu };
    b->port = p;
    return 0;
}

static long evtchn_close(struct pv_domain *d, unsigned port)
{
    struct pv_evtchn *e;

    if (!port_ok(d, port) || d->evtchn[port].state == EVTCHNSTAT_closed)
        return -EINVAL;
    e = &d->evtchn[port];
    if (e->fixed)
        return -EINVAL; /* the console's and xenstore's ports stay */
    if (e->backend) {
        /* A backend's port: it stops hearing from the guest now, and finds
         * the port gone when it disconnects (pv_evtchn_disconnect). */
        *e = (struct pv_evtchn){ 0 };
        return 0;
    }
    if (e->state == EVTCHNSTAT_interdomain) {
        struct pv_evtchn *r = &d->evtchn[e->remote_port];

        r->state = EVTCHNSTAT_unbound; /* the other end waits for a new peer */
        r->remote_dom = d->domid;
    }
    *e = (struct pv_evtchn){ 0 };
    return 0;
}

static long evtchn_send(struct pv_domain *d, unsigned port)
{
    struct pv_evtchn *e;

    if (!port_ok(d, port))
        return -EINVAL;
    e = &d->evtchn[port];
    switch (e->state) {
    case EVTCHNSTAT_interdomain:
        if (e->backend)
            e->backend(d, port, e->opaque);
        else
            pv_evtchn_set_pending(d, e->remote_port);
        return 0;
    case EVTCHNSTAT_ipi:
        pv_evtchn_set_pending(d, port);
        return 0;
    case EVTCHNSTAT_unbound:
        return 0; /* nobody listens yet: dropped, as on Xen */
    default:
        return -EINVAL;
    }
}

static long evtchn_status(struct pv_vcpu *v, void *op)
{
    struct evtchn_status *s = op;
    struct pv_domain *d = v->d;
    struct pv_evtchn *e;

    if (!is_self(d, s->dom))
        return -ESRCH;
    if (s->port >= PV_NR_EVTCHN)
        return -EINVAL;
    e = &d->evtchn[s->port];
    s->status = e->state;
    s->vcpu = e->notify_vcpu;
    switch (e->state) {
    case EVTCHNSTAT_unbound: s->u.unbound.dom = e->remote_dom; break;
    case EVTCHNSTAT_interdomain:
        s->u.interdomain.dom = e->remote_dom;
        s->u.interdomain.port = e->remote_port;
        break;
    case EVTCHNSTAT_virq: s->u.virq = e->virq; break;
    }
    return 0;
}

static long evtchn_unmask(struct pv_domain *d, unsigned port)
{
    struct shared_info *s = pv_shared_info(d);
    unsigned w = port / BITS_PER_WORD, b = port % BITS_PER_WORD;

    if (!port_ok(d, port))
        return -EINVAL;
    __atomic_fetch_and(&s->evtchn_mask[w], ~(1ULL << b), __ATOMIC_SEQ_CST);
    if (test_bit(&s->evtchn_pending[w], b))
        mark_vcpu(d, port);
    return 0;
}

static long bind_vcpu(struct pv_vcpu *v, void *op)
{
    struct pv_domain *d = v->d;
    struct evtchn_bind_vcpu *b = op;

    if (!port_ok(d, b->port) || d->evtchn[b->port].state == EVTCHNSTAT_closed)
        return -EINVAL;
    if (b->vcpu >= d->nr_vcpus)
        return -ENOENT;
    d->evtchn[b->port].notify_vcpu = b->vcpu;
    return 0;
}

typedef long (*evtchn_fn)(struct pv_vcpu *v, void *op);

/* Copy the sub-op's struct in, run it, copy it back out on success. */
static long with_op(struct pv_vcpu *v, uint64_t arg, size_t size, evtchn_fn fn)
{
    uint8_t op[64];
    long rc;

    if (pv_copy_from_guest(v, op, arg, size))
        return -EFAULT;
    rc = fn(v, op);
    if (!rc && pv_copy_to_guest(v, arg, op, size))
        return -EFAULT;
    return rc;
}

long pv_event_channel_op(struct pv_vcpu *v, unsigned cmd, uint64_t arg)
{
    struct pv_domain *d = v->d;
    uint32_t port;

    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        return with_op(v, arg, sizeof(struct evtchn_alloc_unbound), alloc_unbound);
    case EVTCHNOP_bind_interdomain:
        return with_op(v, arg, sizeof(struct evtchn_bind_interdomain), bind_interdomain);
    case EVTCHNOP_bind_virq:
        return with_op(v, arg, sizeof(struct evtchn_bind_virq), bind_virq);
    case EVTCHNOP_bind_ipi:
        return with_op(v, arg, sizeof(struct evtchn_bind_ipi), bind_ipi);
    case EVTCHNOP_status:
        return with_op(v, arg, sizeof(struct evtchn_status), evtchn_status);
    case EVTCHNOP_bind_vcpu:
        return with_op(v, arg, sizeof(struct evtchn_bind_vcpu), bind_vcpu);
    case EVTCHNOP_close:
    case EVTCHNOP_send:
    case EVTCHNOP_unmask:
        if (pv_copy_from_guest(v, &port, arg, sizeof(port)))
            return -EFAULT;
        if (cmd == EVTCHNOP_close)
            return evtchn_close(d, port);
        return cmd == EVTCHNOP_send ? evtchn_send(d, port) : evtchn_unmask(d, port);
    case EVTCHNOP_bind_pirq:
        return -EPERM; /* no physical IRQs for this guest */
    default:
        return -ENOSYS; /* FIFO ABI (init_control, expand_array...) not offered */
    }
}
