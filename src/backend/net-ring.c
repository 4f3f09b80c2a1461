/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vif rings: one worker thread per NIC moves packets between the guest's
 * tx and rx rings and the tap. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "backend/net-priv.h"
#include "backend/xenbus.h"
#include "util/log.h"
#include "util/thread.h"
#include "vmm/vmm.h"

#define BATCH 64 /* packets per direction before the other gets a turn */
#define VHDR sizeof(struct virtio_net_hdr)

/* The frontend broke its ring: stop touching it at once, and have the
 * framework disconnect the device (xb_stop: this thread cannot take the
 * store lock, which disconnect holds while it joins this thread). */
static void fail(struct nic *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct nic *n, const char *fmt, ...)
{
    char why[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    __atomic_store_n(&n->dead, true, __ATOMIC_RELEASE);
    xb_stop(n->dev, "%s", why);
}

static RING_IDX load_idx(RING_IDX *p)
{
    RING_IDX v = __atomic_load_n(p, __ATOMIC_RELAXED);

    xen_rmb(); /* the requests up to the index are read after it */
    return v;
}

/* ---- tx: guest -> tap ---- */

static const netif_tx_request_t *txreq(struct nic *n, RING_IDX cons, unsigned i)
{
    return &n->txq[(cons + i) & (NET_RING_MAX - 1)];
}

/* The offload header for a checked packet whose first bytes are @head. -1: drop it. */
static int tx_vhdr(struct nic *n, const struct net_txp *p, const uint8_t *head, unsigned hlen,
                   struct virtio_net_hdr *h, struct net_l4 *l4)
{
    memset(h, 0, sizeof(*h));
    if (!(p->flags & NETTXF_csum_blank))
        return 0;
    if (net_l4_find(head, hlen, l4))
        return -1; /* a partial checksum where no checksum can go */
    h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h->csum_start = l4->csum_start;
    h->csum_offset = l4->csum_offset;
    if (p->gso_type == XEN_NETIF_GSO_TYPE_NONE)
        return 0;
    if (!n->tap->vnet_hdr || l4->proto != 6 ||
        l4->ipv != (p->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ? 4 : 6))
        return -1;
    h->gso_type = l4->ipv == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
    h->gso_size = p->gso_size;
    h->hdr_len = l4->csum_start + l4->l4_hlen;
    return 0;
}

/* Writes the packet to the tap. NETIF_RSP_OKAY, or NETIF_RSP_ERROR for a bad grant or
 * a packet no header describes. A tap that cannot take it drops it, as a wire would. */
static int16_t tx_send(struct nic *n, const struct net_txp *p, RING_IDX cons)
{
    struct iovec iov[NET_MAX_FRAGS + 1];
    uint64_t pfn[NET_MAX_FRAGS];
    uint8_t head[NET_HDR_COPY];
    unsigned mapped, hlen = 0;
    struct virtio_net_hdr h;
    struct net_l4 l4;
    int16_t st = NETIF_RSP_OKAY;
    ssize_t w;

    for (mapped = 0; mapped < p->nfrags; mapped++) {
        const netif_tx_request_t *r = txreq(n, cons, p->frag[mapped]);
        uint8_t *pg = xb_map(n->dev, r->gref, false, &pfn[mapped]);

        if (!pg) {
            log_debug("net", "vif/%u: tx: invalid grant %u", n->dev->devid, r->gref);
            st = NETIF_RSP_ERROR;
            goto out;
        }
        iov[1 + mapped] = (struct iovec){ pg + r->offset, p->frag_len[mapped] };
    }
    for (unsigned i = 0; i < p->nfrags && hlen < sizeof(head); i++) {
        size_t k = iov[1 + i].iov_len < sizeof(head) - hlen ? iov[1 + i].iov_len
                                                              : sizeof(head) - hlen;
        memcpy(head + hlen, iov[1 + i].iov_base, k);
        hlen += k;
    }
    if (tx_vhdr(n, p, head, hlen, &h, &l4)) {
        log_debug("net", "vif/%u: tx: no checksum place for an offloaded packet", n->dev->devid);
        st = NETIF_RSP_ERROR;
        goto out;
    }
    if (n->tap->vnet_hdr) {
        iov[0] = (struct iovec){ &h, VHDR };
        w = writev(n->tap->fd, iov, 1 + p->nfrags);
    } else {
        /* No header to carry the partial checksum: complete it here, on a
         * private copy (the guest's pages are read-only to us). */
        size_t len = 0;

        for (unsigned i = 0; i < p->nfrags; i++) {
            memcpy(n->txbuf + len, iov[1 + i].iov_base, iov[1 + i].iov_len);
            len += iov[1 + i].iov_len;
        }
        if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
            net_csum_fill(n->txbuf, len, h.csum_start, h.csum_offset);
        w = write(n->tap->fd, n->txbuf, len);
    }
    if (w >= 0) {
        n->tx_bytes += p->size;
        n->tx_gso += h.gso_type != VIRTIO_NET_HDR_GSO_NONE;
    } else {
        n->tx_drops++;
        log_debug("net", "vif/%u: tx: tap write: %s", n->dev->devid, strerror(errno));
    }
out:
    for (unsigned i = 0; i < mapped; i++)
        xb_unmap(n->dev, txreq(n, cons, p->frag[i])->gref, pfn[i], false);
    return st;
}

static void tx_respond(struct nic *n, const struct net_txp *p, RING_IDX cons, int16_t st)
{
    for (unsigned i = 0; i < p->nslots; i++) {
        netif_tx_response_t rsp = { .id = txreq(n, cons, i)->id, .status = st };

        if (i >= 1 && i <= p->nextras)
            rsp = (netif_tx_response_t){ .id = txreq(n, cons, 0)->id, .status = NETIF_RSP_NULL };
        memcpy(RING_GET_RESPONSE(&n->tx, n->tx.rsp_prod_pvt), &rsp, sizeof(rsp));
        n->tx.rsp_prod_pvt++;
    }
}

/* Copies the newly published tx slots out of the shared ring, once each.
 * -1: the indexes are garbage (the device is stopped). */
static int tx_copy_slots(struct nic *n, RING_IDX prod)
{
    netif_tx_back_ring_t *r = &n->tx;

    if (RING_REQUEST_PROD_OVERFLOW(r, prod) || prod - r->req_cons < n->txq_end - r->req_cons) {
        fail(n, "tx ring: request index %u with %u consumed", prod, r->req_cons);
        return -1;
    }
    for (; n->txq_end != prod; n->txq_end++)
        memcpy(&n->txq[n->txq_end & (NET_RING_MAX - 1)], RING_GET_REQUEST(r, n->txq_end),
               sizeof(netif_tx_request_t));
    return 0;
}

/* Sends what the guest queued, up to BATCH packets. true: more may be waiting. */
static bool tx_run(struct nic *n, bool *notify)
{
    netif_tx_back_ring_t *r = &n->tx;
    unsigned done = 0;
    int more, ntf;

    for (;;) {
        RING_IDX prod = load_idx(&r->sring->req_prod);
        enum net_txp_status st = NET_TXP_OK;

        if (tx_copy_slots(n, prod))
            return false;
        while (r->req_cons != prod && done < BATCH) {
            struct net_txp p;
            int16_t rsp = NETIF_RSP_ERROR;

            st = net_tx_parse(n->txq, RING_SIZE(r), r->req_cons, prod - r->req_cons, &p);
            if (st == NET_TXP_MORE)
                break;
            if (st == NET_TXP_FATAL) {
                fail(n, "tx ring: %s", p.why);
                return false;
            }
            if (st == NET_TXP_OK)
                rsp = tx_send(n, &p, r->req_cons);
            else
                log_debug("net", "vif/%u: tx: dropped: %s", n->dev->devid, p.why);
            if (rsp == NETIF_RSP_OKAY)
                n->tx_pkts++;
            else
                n->tx_drops++;
            tx_respond(n, &p, r->req_cons, rsp);
            r->req_cons += p.nslots;
            done++;
        }
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, ntf);
        *notify |= ntf;
        if (done >= BATCH)
            return true;
        if (st == NET_TXP_MORE) {
            /* Half a packet is published: wake up when the rest is. */
            r->sring->req_event = prod + 1;
            xen_mb();
            if (load_idx(&r->sring->req_prod) != prod)
                continue;
            return false;
        }
        RING_FINAL_CHECK_FOR_REQUESTS(r, more);
        if (!more)
            return false;
    }
}

/* ---- rx: tap -> guest ---- */

/* Takes the packet in n->pkt apart: its offload flags and GSO type for the
 * frontend, and where its data starts. -1: the frontend cannot take it. */
static int rx_prepare(struct nic *n, uint8_t **data, unsigned *len, uint16_t *flags,
                      uint8_t *gso)
{
    struct virtio_net_hdr h = { 0 };
    unsigned skip = n->tap->vnet_hdr ? VHDR : 0;

    if ((unsigned)n->rx_len < skip + 14)
        return -1;
    if (skip)
        memcpy(&h, n->pkt, VHDR);
    *data = n->pkt + skip;
    *len = n->rx_len - skip;
    *flags = 0;
    *gso = XEN_NETIF_GSO_TYPE_NONE;
    if (h.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && n->gso4)
        *gso = XEN_NETIF_GSO_TYPE_TCPV4;
    else if (h.gso_type == VIRTIO_NET_HDR_GSO_TCPV6 && n->gso6)
        *gso = XEN_NETIF_GSO_TYPE_TCPV6;
    else if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
        return -1; /* not asked for: the tap was told (TUNSETOFFLOAD) */
    if (*gso && !h.gso_size)
        return -1;
    if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        if (n->csum)
            *flags = NETRXF_csum_blank | NETRXF_data_validated;
        else if (*gso || net_csum_fill(*data, *len, h.csum_start, h.csum_offset))
            return -1;
        else
            *flags = NETRXF_data_validated;
    } else if (h.flags & VIRTIO_NET_HDR_F_DATA_VALID) {
        *flags = NETRXF_data_validated;
    }
    if (*len > NET_PAGE && !n->sg)
        return -1;
    return 0;
}

static void rx_extra(struct nic *n, uint8_t gso, uint16_t size)
{
    netif_extra_info_t x = { .type = XEN_NETIF_EXTRA_TYPE_GSO };

    x.u.gso.type = gso;
    x.u.gso.size = size;
    memcpy(RING_GET_RESPONSE(&n->rx, n->rx.rsp_prod_pvt), &x, sizeof(x));
    n->rx.rsp_prod_pvt++;
    n->rx.req_cons++; /* its buffer is unused: the frontend recycles it */
}

/* Copies the packet into the next rx buffers, which the caller checked are there. */
static void rx_deliver(struct nic *n, const uint8_t *data, unsigned len, uint16_t flags,
                       uint8_t gso, uint16_t gso_size)
{
    netif_rx_back_ring_t *r = &n->rx;
    bool bad = false;

    for (unsigned off = 0, k = 0; off < len || k == 0; k++) {
        netif_rx_request_t req;
        netif_rx_response_t rsp = { 0 };
        unsigned chunk = len - off < NET_PAGE ? len - off : NET_PAGE;
        uint64_t pfn;
        uint8_t *pg;

        memcpy(&req, RING_GET_REQUEST(r, r->req_cons), sizeof(req));
        r->req_cons++;
        pg = xb_map(n->dev, req.gref, true, &pfn);
        if (pg) {
            memcpy(pg, data + off, chunk);
            xb_unmap(n->dev, req.gref, pfn, true);
        } else {
            bad = true;
        }
        rsp.id = req.id;
        rsp.status = pg ? (int16_t)chunk : NETIF_RSP_ERROR;
        rsp.flags = (k == 0 ? flags : 0) | (off + chunk < len ? NETRXF_more_data : 0);
        if (k == 0 && gso)
            rsp.flags |= NETRXF_extra_info;
        memcpy(RING_GET_RESPONSE(r, r->rsp_prod_pvt), &rsp, sizeof(rsp));
        r->rsp_prod_pvt++;
        if (k == 0 && gso)
            rx_extra(n, gso, gso_size);
        off += chunk;
    }
    if (bad) {
        n->rx_drops++;
        log_debug("net", "vif/%u: rx: invalid grant", n->dev->devid);
    } else {
        n->rx_pkts++;
        n->rx_bytes += len;
        n->rx_gso += gso != XEN_NETIF_GSO_TYPE_NONE;
    }
}

/* Moves packets from the tap to the guest while it has buffers, up to BATCH.
 * true: more may be waiting; *want_tap: poll the tap for the next packet. */
static bool rx_run(struct nic *n, bool *notify, bool *want_tap)
{
    netif_rx_back_ring_t *r = &n->rx;
    int ntf, more;
    bool busy = false;

    *want_tap = false;
    for (unsigned done = 0;; done++) {
        RING_IDX prod = load_idx(&r->sring->req_prod);
        unsigned len, slots;
        uint16_t flags;
        uint8_t *data, gso;

        if (RING_REQUEST_PROD_OVERFLOW(r, prod)) {
            fail(n, "rx ring: request index %u with %u consumed", prod, r->req_cons);
            return false;
        }
        if (done == BATCH) {
            busy = true;
            break;
        }
        if (prod == r->req_cons) {
            RING_FINAL_CHECK_FOR_REQUESTS(r, more);
            if (more)
                continue;
            break; /* no buffers: leave packets in the tap until the guest posts some */
        }
        if (!n->rx_len) {
            /* Read whole into n->pkt, then copied to the guest: how many
             * buffers the packet takes, and whether a GSO extra-info slot
             * comes second, are known only once it is here. */
            ssize_t got = read(n->tap->fd, n->pkt, NET_PKT_MAX + VHDR);

            if (got <= 0) {
                *want_tap = true;
                break;
            }
            n->rx_len = got;
        }
        if (rx_prepare(n, &data, &len, &flags, &gso)) {
            n->rx_drops++;
            n->rx_len = 0;
            continue;
        }
        slots = (len + NET_PAGE - 1) / NET_PAGE + (gso ? 1 : 0);
        if (slots > NET_MAX_FRAGS + 1) {
            n->rx_drops++;
            n->rx_len = 0;
            continue;
        }
        if (prod - r->req_cons < slots) {
            /* Not enough buffers for this packet: wake when there are. */
            r->sring->req_event = r->req_cons + slots;
            xen_mb();
            if (load_idx(&r->sring->req_prod) - r->req_cons >= slots)
                continue;
            break;
        }
        {
            struct virtio_net_hdr h = { 0 };

            if (n->tap->vnet_hdr)
                memcpy(&h, n->pkt, VHDR);
            rx_deliver(n, data, len, flags, gso, h.gso_size);
        }
        n->rx_len = 0;
    }
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, ntf);
    *notify |= ntf;
    return busy;
}

static void *worker(void *arg)
{
    struct nic *n = arg;

    while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE)) {
        bool busy = false, notify = false, want_tap = false;
        struct pollfd pfd[2] = { { .fd = n->evfd, .events = POLLIN },
                                 { .events = POLLIN } };
        uint64_t v;

        if (!__atomic_load_n(&n->dead, __ATOMIC_ACQUIRE)) {
            busy |= tx_run(n, &notify);
            if (!__atomic_load_n(&n->dead, __ATOMIC_ACQUIRE))
                busy |= rx_run(n, &notify, &want_tap);
        }
        if (notify)
            xb_notify_guest(n->dev);
        if (__atomic_load_n(&n->dead, __ATOMIC_ACQUIRE))
            want_tap = busy = false;
        pfd[1].fd = want_tap && !n->tap_gone ? n->tap->fd : -1;
        if (poll(pfd, 2, busy ? 0 : -1) < 0 && errno != EINTR) {
            log_warn("net", "vif/%u: poll", n->dev->devid);
            break;
        }
        if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL) && !n->tap_gone) {
            /* The tap was deleted under us: the NIC stays, as if unplugged. */
            log_warnx("net", "vif/%u: tap %s is gone", n->dev->devid, n->tap->ifname);
            n->tap_gone = true;
        }
        if (pfd[0].revents & POLLIN && read(n->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
            log_warn("net", "vif/%u: eventfd", n->dev->devid);
    }
    return NULL;
}

static void *map_ring(struct nic *n, uint32_t ref, uint64_t *pfn, const char *what)
{
    void *p = xb_map(n->dev, ref, true, pfn);

    if (!p)
        xb_fail(n->dev, "%s %u is not a grant xenner can use", what, ref);
    return p;
}

int net_ring_start(struct nic *n)
{
    void *tx, *rx;
    unsigned off = 0;
    char name[16];
    int err;

    if (!(tx = map_ring(n, n->tx_ref, &n->tx_pfn, "tx-ring-ref")))
        return -EINVAL;
    if (!(rx = map_ring(n, n->rx_ref, &n->rx_pfn, "rx-ring-ref"))) {
        xb_unmap(n->dev, n->tx_ref, n->tx_pfn, true);
        return -EINVAL;
    }
    /* The frontend initialised the shared rings; only our private halves start here. */
    BACK_RING_INIT(&n->tx, (netif_tx_sring_t *)tx, NET_PAGE);
    BACK_RING_INIT(&n->rx, (netif_rx_sring_t *)rx, NET_PAGE);
    n->txq_end = 0;
    n->rx_len = 0;
    n->stop = n->dead = n->tap_gone = false;
    if (n->tap->vnet_hdr) {
        if (n->csum)
            off |= TUN_F_CSUM;
        if (n->csum && n->gso4)
            off |= TUN_F_TSO4;
        if (n->csum && n->gso6)
            off |= TUN_F_TSO6;
        if (ioctl(n->tap->fd, TUNSETOFFLOAD, off) < 0)
            log_warn("net", "vif/%u: TUNSETOFFLOAD %#x", n->dev->devid, off);
    }
    snprintf(name, sizeof(name), "vif%u", n->dev->devid);
    err = thread_start(&n->worker, name, worker, n);
    if (err) {
        xb_fail(n->dev, "cannot start the worker thread: %s", strerror(err));
        xb_unmap(n->dev, n->tx_ref, n->tx_pfn, true);
        xb_unmap(n->dev, n->rx_ref, n->rx_pfn, true);
        return -err;
    }
    return 0;
}

void net_ring_stop(struct nic *n)
{
    __atomic_store_n(&n->stop, true, __ATOMIC_RELEASE);
    net_ring_kick(n);
    pthread_join(n->worker, NULL);
    xb_unmap(n->dev, n->tx_ref, n->tx_pfn, true);
    xb_unmap(n->dev, n->rx_ref, n->rx_pfn, true);
    if (n->tap->vnet_hdr && ioctl(n->tap->fd, TUNSETOFFLOAD, 0) < 0)
        log_warn("net", "vif/%u: TUNSETOFFLOAD 0", n->dev->devid);
    log_info("net", "vif/%u: tx %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " GSO, %" PRIu64
             " dropped; rx %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " GSO, %" PRIu64
             " dropped", n->dev->devid, n->tx_pkts, n->tx_bytes, n->tx_gso, n->tx_drops,
             n->rx_pkts, n->rx_bytes, n->rx_gso, n->rx_drops);
}

void net_ring_kick(struct nic *n)
{
    if (!thread_wake(n->evfd))
        log_warn("net", "vif/%u: eventfd", n->dev->devid);
}
