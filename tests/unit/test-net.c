/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vif backend on hostile input: tx request chains checked on their own
 * (net_tx_parse), then the rings served by the real worker thread over a PV
 * domain without KVM, with a datagram socket standing in for the tap. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend/net-priv.h"
#include "backend/xenbus.h"
#include "pv-fixture.h"
#include "vmm/vmm.h"

/* ---- net_tx_parse ---- */

#define RS 256

static netif_tx_request_t ring[RS];

static void req(unsigned i, uint32_t gref, uint16_t off, uint16_t size, uint16_t flags)
{
    ring[i % RS] = (netif_tx_request_t){ .gref = gref, .offset = off, .size = size,
                                         .flags = flags, .id = i % RS };
}

static void test_parse_single(void **state)
{
    struct net_txp p;

    req(0, 5, 100, 60, NETTXF_csum_blank);
    assert_int_equal(net_tx_parse(ring, RS, 0, 1, &p), NET_TXP_OK);
    assert_int_equal(p.nslots, 1);
    assert_int_equal(p.nfrags, 1);
    assert_int_equal(p.frag_len[0], 60);
    assert_int_equal(p.size, 60);
}

static void test_parse_chain_and_gso(void **state)
{
    netif_extra_info_t x = { .type = XEN_NETIF_EXTRA_TYPE_GSO };
    struct net_txp p;

    x.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
    x.u.gso.size = 1448;
    /* Starts at slot 254: the chain wraps around the ring. */
    req(254, 1, 0, 9000, NETTXF_more_data | NETTXF_extra_info | NETTXF_csum_blank);
    memcpy(&ring[255], &x, sizeof(x));
    req(256, 2, 0, 4096, NETTXF_more_data);
    req(257, 3, 0, 904, 0);
    assert_int_equal(net_tx_parse(ring, RS, 254, 4, &p), NET_TXP_OK);
    assert_int_equal(p.nslots, 4);
    assert_int_equal(p.nextras, 1);
    assert_int_equal(p.nfrags, 3);
    assert_int_equal(p.frag[1], 2);
    assert_int_equal(p.frag_len[0], 4000);
    assert_int_equal(p.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
    assert_int_equal(p.gso_size, 1448);
    /* Published only up to the extra: wait for the rest. */
    assert_int_equal(net_tx_parse(ring, RS, 254, 2, &p), NET_TXP_MORE);
}

static void test_parse_bad(void **state)
{
    struct net_txp p;

    req(0, 1, 4000, 200, 0); /* past the page */
    assert_int_equal(net_tx_parse(ring, RS, 0, 1, &p), NET_TXP_DROP);
    assert_int_equal(p.nslots, 1);
    req(0, 1, 0, 100, NETTXF_more_data); /* fragments larger than the packet */
    req(1, 1, 0, 200, 0);
    assert_int_equal(net_tx_parse(ring, RS, 0, 2, &p), NET_TXP_DROP);
    assert_int_equal(p.nslots, 2);
    req(0, 1, 0, 10, 0); /* shorter than an Ethernet header */
    assert_int_equal(net_tx_parse(ring, RS, 0, 1, &p), NET_TXP_DROP);
    req(0, 1, 0, 1000, NETTXF_extra_info); /* an extra of unknown type */
    memset(&ring[1], 0, sizeof(ring[1]));
    ring[1].gref = 77;
    assert_int_equal(net_tx_parse(ring, RS, 0, 2, &p), NET_TXP_DROP);
    assert_int_equal(p.nslots, 2);
}

static void test_parse_long_chain(void **state)
{
    struct net_txp p;

    /* 30 slots: more than a packet may have; the whole chain is dropped. */
    for (unsigned i = 0; i < 30; i++)
        req(i, 1, 0, i ? 100 : 3000, i < 29 ? NETTXF_more_data : 0);
    assert_int_equal(net_tx_parse(ring, RS, 0, 40, &p), NET_TXP_DROP);
    assert_int_equal(p.nslots, 30);
    assert_int_equal(p.nfrags, NET_MAX_FRAGS);
    /* A chain that fills the whole ring can never end. */
    for (unsigned i = 0; i < RS; i++)
        req(i, 1, 0, 100, NETTXF_more_data);
    assert_int_equal(net_tx_parse(ring, RS, 0, RS, &p), NET_TXP_FATAL);
    assert_non_null(p.why);
    assert_int_equal(net_tx_parse(ring, RS, 0, RS - 1, &p), NET_TXP_MORE);
    /* So does an endless run of extra-info segments. */
    for (unsigned i = 0; i < RS; i++)
        req(i, 1, 0, 100, NETTXF_extra_info | (XEN_NETIF_EXTRA_FLAG_MORE << 8));
    for (unsigned i = 1; i < RS; i++)
        ((netif_extra_info_t *)&ring[i])->flags = XEN_NETIF_EXTRA_FLAG_MORE;
    assert_int_equal(net_tx_parse(ring, RS, 0, RS, &p), NET_TXP_FATAL);
}

/* Random slots: whatever comes back stays inside the window, and an accepted
 * packet's fragments fit their pages and add up to its size. */
static void test_parse_random(void **state)
{
    uint64_t x = 88172645463325252ULL;

    for (unsigned round = 0; round < 200000; round++) {
        unsigned avail = 1 + round % RS, sum = 0;
        uint32_t start = round * 7919;
        enum net_txp_status st;
        struct net_txp p;

        for (unsigned i = 0; i < 24; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            memcpy(&ring[(start + i) % RS], &x, sizeof(ring[0]) < 8 ? sizeof(ring[0]) : 8);
            ring[(start + i) % RS].size = x >> 20 & (round & 1 ? 0xfff : 0xffff);
            ring[(start + i) % RS].offset = x >> 36 & 0xfff;
            ring[(start + i) % RS].flags = x >> 48 & (round & 2 ? 0x7 : 0xf);
        }
        st = net_tx_parse(ring, RS, start, avail, &p);
        if (st == NET_TXP_OK || st == NET_TXP_DROP)
            assert_in_range(p.nslots, 1, avail);
        if (st != NET_TXP_OK)
            continue;
        assert_in_range(p.nfrags, 1, NET_MAX_FRAGS);
        for (unsigned i = 0; i < p.nfrags; i++) {
            const netif_tx_request_t *r = &ring[(start + p.frag[i]) % RS];

            assert_true(p.frag[i] < p.nslots);
            assert_true(r->offset + p.frag_len[i] <= NET_PAGE);
            sum += p.frag_len[i];
        }
        assert_int_equal(sum, p.size);
    }
}

/* An Ethernet + IPv4 + TCP header (54 bytes), then payload. */
static unsigned make_tcp4(uint8_t *f, unsigned payload)
{
    memset(f, 0, 54 + payload);
    f[12] = 0x08;
    f[14] = 0x45;
    f[16] = (40 + payload) >> 8, f[17] = (40 + payload) & 0xff;
    f[23] = 6;
    f[46] = 5 << 4; /* TCP data offset */
    for (unsigned i = 0; i < payload; i++)
        f[54 + i] = i * 7;
    return 54 + payload;
}

static void test_l4_and_csum(void **state)
{
    uint8_t f[256];
    struct net_l4 l4;
    unsigned len = make_tcp4(f, 100);
    uint32_t sum = 0x1234;

    assert_int_equal(net_l4_find(f, len, &l4), 0);
    assert_int_equal(l4.csum_start, 34);
    assert_int_equal(l4.csum_offset, 16);
    assert_int_equal(l4.l4_hlen, 20);
    assert_int_equal(l4.ipv, 4);
    assert_int_equal(net_l4_find(f, 40, &l4), -1); /* cut inside the TCP header */
    f[20] = 0x20;                                   /* a fragment */
    assert_int_equal(net_l4_find(f, len, &l4), -1);
    f[20] = 0;
    /* IPv6 + UDP */
    memset(f, 0, sizeof(f));
    f[12] = 0x86, f[13] = 0xdd, f[14] = 0x60, f[20] = 17;
    assert_int_equal(net_l4_find(f, 14 + 40 + 8, &l4), 0);
    assert_int_equal(l4.csum_start, 54);
    assert_int_equal(l4.csum_offset, 6);
    assert_int_equal(l4.ipv, 6);
    /* A filled checksum makes the ones' complement sum, with the
     * pseudo-header's, all ones. */
    len = make_tcp4(f, 101);
    f[50] = 0x12, f[51] = 0x34; /* the pseudo-header sum the sender left */
    assert_int_equal(net_csum_fill(f, len, 34, 16), 0);
    for (unsigned i = 34; i < len; i += 2)
        sum += (unsigned)f[i] << 8 | (i + 1 < len ? f[i + 1] : 0);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    assert_int_equal(sum, 0xffff);
    assert_int_equal(net_csum_fill(f, len, len - 1, 0), -1);
    assert_int_equal(net_csum_fill(f, 10, 34, 16), -1);
}

/* ---- the rings, served by the worker ---- */

/* What net-ring.c needs from the framework, over the fixture's domain. */
static struct fix *F;
static int notified;
static char failed[256];

void *xb_map(struct xb_dev *dev, uint32_t ref, bool write, uint64_t *pfn)
{
    return pv_grant_get(&F->d, ref, 0, write, pfn);
}

void xb_unmap(struct xb_dev *dev, uint32_t ref, uint64_t pfn, bool write)
{
    pv_grant_put(&F->d, ref, pfn, write);
}

void xb_notify_guest(struct xb_dev *dev)
{
    __atomic_fetch_add(&notified, 1, __ATOMIC_SEQ_CST);
}

void xb_fail(struct xb_dev *dev, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(failed, sizeof(failed), fmt, ap);
    va_end(ap);
}

void store_lock(struct vm *vm)
{
}

void store_unlock(struct vm *vm)
{
}

enum { TX_RING = 10, RX_RING = 11, DATA = 20 }; /* frames */
enum { REF_TX = 1, REF_RX = 2, REF_DATA = 20, REF_BAD = 3 }; /* grant refs */

struct rig {
    struct nic n;
    struct net_tap tap;
    struct xb_dev dev;
    int peer; /* the host's side of the "tap" */
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
};

static void grant(uint32_t ref, uint64_t pfn, bool ro)
{
    grant_entry_v1_t *e = (grant_entry_v1_t *)(F->d.xen_pages + PAGE) + ref;

    e->domid = 0;
    e->frame = pfn;
    e->flags = GTF_permit_access | (ro ? GTF_readonly : 0);
}

static uint8_t *frame(unsigned pfn)
{
    return F->d.ram + pfn * PAGE;
}

static int rig_setup(void **state)
{
    struct rig *r = calloc(1, sizeof(*r));
    int sv[2];

    F = fix_new();
    F->d.grant_frames = 1;
    notified = 0;
    failed[0] = 0;
    grant(REF_TX, TX_RING, false);
    grant(REF_RX, RX_RING, false);
    for (unsigned i = 0; i < 8; i++)
        grant(REF_DATA + i, DATA + i, false);
    SHARED_RING_INIT((netif_tx_sring_t *)frame(TX_RING));
    SHARED_RING_INIT((netif_rx_sring_t *)frame(RX_RING));
    FRONT_RING_INIT(&r->tx, (netif_tx_sring_t *)frame(TX_RING), PAGE);
    FRONT_RING_INIT(&r->rx, (netif_rx_sring_t *)frame(RX_RING), PAGE);
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
    r->tap = (struct net_tap){ .id = "t", .fd = sv[0], .vnet_hdr = false, .ifname = "t0" };
    r->peer = sv[1];
    r->n.tap = &r->tap;
    r->n.dev = &r->dev;
    r->n.evfd = eventfd(0, EFD_NONBLOCK);
    r->n.pkt = malloc(NET_PKT_MAX + 64);
    r->n.txbuf = malloc(NET_PKT_MAX);
    r->n.tx_ref = REF_TX;
    r->n.rx_ref = REF_RX;
    r->n.sg = true;
    r->dev.priv = &r->n;
    assert_int_equal(net_ring_start(&r->n), 0);
    *state = r;
    return 0;
}

static int rig_teardown(void **state)
{
    struct rig *r = *state;

    net_ring_stop(&r->n);
    /* Nothing stays mapped: every grant's busy flags are clear again. */
    for (unsigned ref = 0; ref < 64; ref++)
        assert_int_equal(((grant_entry_v1_t *)(F->d.xen_pages + PAGE))[ref].flags &
                         (GTF_reading | GTF_writing), 0);
    close(r->tap.fd);
    close(r->peer);
    close(r->n.evfd);
    free(r->n.pkt);
    free(r->n.txbuf);
    free(r);
    fix_free(F);
    return 0;
}

static void kick(struct rig *r)
{
    net_ring_kick(&r->n);
}

/* Waits (at most 10 s) until @cond holds. */
#define WAIT_FOR(cond)                                                  \
    do {                                                                \
        for (int i_ = 0; i_ < 10000 && !(cond); i_++)                   \
            usleep(1000);                                               \
        assert_true(cond);                                              \
    } while (0)

static void tx_push(struct rig *r, uint32_t gref, uint16_t off, uint16_t size, uint16_t flags)
{
    netif_tx_request_t *q = RING_GET_REQUEST(&r->tx, r->tx.req_prod_pvt);

    *q = (netif_tx_request_t){ .gref = gref, .offset = off, .size = size, .flags = flags,
                               .id = r->tx.req_prod_pvt % 256 };
    r->tx.req_prod_pvt++;
}

static void tx_publish(struct rig *r)
{
    int ntf;

    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r->tx, ntf);
    (void)ntf;
    kick(r);
}

static int16_t tx_status(struct rig *r, RING_IDX i)
{
    return RING_GET_RESPONSE(&r->tx, i)->status;
}

static RING_IDX tx_rsp_prod(struct rig *r)
{
    return __atomic_load_n(&r->tx.sring->rsp_prod, __ATOMIC_ACQUIRE);
}

static ssize_t peer_read(struct rig *r, uint8_t *buf, size_t len)
{
    struct pollfd p = { .fd = r->peer, .events = POLLIN };

    if (poll(&p, 1, 2000) != 1)
        return -1;
    return read(r->peer, buf, len);
}

static void test_tx_good_and_bad(void **state)
{
    struct rig *r = *state;
    uint8_t buf[2048];
    unsigned len = make_tcp4(frame(DATA) + 100, 200);

    frame(DATA)[100 + 50] = 0x55; /* a pseudo-header sum in the checksum field */
    tx_push(r, REF_DATA, 100, len, NETTXF_csum_blank); /* good, with a partial checksum */
    tx_push(r, REF_BAD, 0, 100, 0);                    /* no such grant */
    tx_push(r, REF_DATA, 4000, 200, 0);                /* past its page */
    tx_push(r, REF_DATA, 0, 100, NETTXF_more_data);    /* fragments larger than the packet */
    tx_push(r, REF_DATA + 1, 0, 300, 0);
    tx_push(r, REF_DATA, 100, len, 0);                 /* good again */
    tx_publish(r);
    WAIT_FOR(tx_rsp_prod(r) == 6);
    assert_int_equal(tx_status(r, 0), NETIF_RSP_OKAY);
    assert_int_equal(tx_status(r, 1), NETIF_RSP_ERROR);
    assert_int_equal(tx_status(r, 2), NETIF_RSP_ERROR);
    assert_int_equal(tx_status(r, 3), NETIF_RSP_ERROR);
    assert_int_equal(tx_status(r, 4), NETIF_RSP_ERROR);
    assert_int_equal(tx_status(r, 5), NETIF_RSP_OKAY);
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(RING_GET_RESPONSE(&r->tx, i)->id, i);
    assert_true(notified > 0);
    /* The tap got the two good packets; the first with its checksum completed
     * here (this "tap" has no offload header), the guest's page untouched. */
    assert_int_equal(peer_read(r, buf, sizeof(buf)), len);
    assert_memory_equal(buf, frame(DATA) + 100, 50);
    assert_memory_not_equal(buf + 50, frame(DATA) + 150, 2);
    assert_int_equal(peer_read(r, buf, sizeof(buf)), len);
    assert_memory_equal(buf, frame(DATA) + 100, len);
    assert_false(r->n.dead);
}

static void test_tx_long_chain(void **state)
{
    struct rig *r = *state;

    for (unsigned i = 0; i < 25; i++)
        tx_push(r, REF_DATA, 0, i ? 10 : 1000, i < 24 ? NETTXF_more_data : 0);
    tx_publish(r);
    WAIT_FOR(tx_rsp_prod(r) == 25);
    for (unsigned i = 0; i < 25; i++)
        assert_int_equal(tx_status(r, i), NETIF_RSP_ERROR);
    assert_false(r->n.dead);
}

static void test_tx_endless_chain(void **state)
{
    struct rig *r = *state;

    for (unsigned i = 0; i < 256; i++)
        tx_push(r, REF_DATA, 0, 100, NETTXF_more_data);
    tx_publish(r);
    WAIT_FOR(__atomic_load_n(&r->n.dead, __ATOMIC_ACQUIRE));
    assert_int_equal(tx_rsp_prod(r), 0);
    kick(r); /* the next notification reports it in the store */
    assert_non_null(strstr(failed, "never end"));
}

static void test_tx_garbage_index(void **state)
{
    struct rig *r = *state;

    r->tx.sring->req_prod = 5000;
    kick(r);
    WAIT_FOR(__atomic_load_n(&r->n.dead, __ATOMIC_ACQUIRE));
    assert_int_equal(tx_rsp_prod(r), 0);
    kick(r);
    assert_non_null(strstr(failed, "tx ring"));
}

static void rx_post(struct rig *r, uint32_t gref)
{
    netif_rx_request_t *q = RING_GET_REQUEST(&r->rx, r->rx.req_prod_pvt);

    q->id = r->rx.req_prod_pvt % 256;
    q->gref = gref;
    r->rx.req_prod_pvt++;
    RING_PUSH_REQUESTS(&r->rx);
}

static void test_rx(void **state)
{
    struct rig *r = *state;
    uint8_t pkt[6000];
    netif_rx_response_t *rsp;

    for (unsigned i = 0; i < sizeof(pkt); i++)
        pkt[i] = i * 13;
    pkt[12] = 0x08;
    rx_post(r, REF_DATA);
    rx_post(r, REF_DATA + 1);
    rx_post(r, REF_BAD);
    rx_post(r, REF_DATA + 2);
    kick(r);
    /* 6000 bytes: two buffers with more_data on the first. */
    assert_int_equal(write(r->peer, pkt, sizeof(pkt)), sizeof(pkt));
    WAIT_FOR(__atomic_load_n(&r->rx.sring->rsp_prod, __ATOMIC_ACQUIRE) == 2);
    rsp = RING_GET_RESPONSE(&r->rx, 0);
    assert_int_equal(rsp->status, 4096);
    assert_int_equal(rsp->id, 0);
    assert_true(rsp->flags & NETRXF_more_data);
    rsp = RING_GET_RESPONSE(&r->rx, 1);
    assert_int_equal(rsp->status, 6000 - 4096);
    assert_false(rsp->flags & NETRXF_more_data);
    assert_memory_equal(frame(DATA), pkt, 4096);
    assert_memory_equal(frame(DATA + 1), pkt + 4096, 6000 - 4096);
    /* The next buffer's grant is invalid: an error for it, and the device goes on. */
    assert_int_equal(write(r->peer, pkt, 100), 100);
    WAIT_FOR(__atomic_load_n(&r->rx.sring->rsp_prod, __ATOMIC_ACQUIRE) == 3);
    assert_int_equal(RING_GET_RESPONSE(&r->rx, 2)->status, NETIF_RSP_ERROR);
    assert_int_equal(write(r->peer, pkt, 100), 100);
    WAIT_FOR(__atomic_load_n(&r->rx.sring->rsp_prod, __ATOMIC_ACQUIRE) == 4);
    assert_int_equal(RING_GET_RESPONSE(&r->rx, 3)->status, 100);
    assert_false(r->n.dead);
}

static void test_rx_garbage_index(void **state)
{
    struct rig *r = *state;
    uint8_t pkt[100] = { [12] = 0x08 };

    r->rx.sring->req_prod = 100000;
    assert_int_equal(write(r->peer, pkt, sizeof(pkt)), sizeof(pkt));
    kick(r);
    WAIT_FOR(__atomic_load_n(&r->n.dead, __ATOMIC_ACQUIRE));
    assert_int_equal(r->rx.sring->rsp_prod, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_single),
        cmocka_unit_test(test_parse_chain_and_gso),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_long_chain),
        cmocka_unit_test(test_parse_random),
        cmocka_unit_test(test_l4_and_csum),
        cmocka_unit_test_setup_teardown(test_tx_good_and_bad, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_tx_long_chain, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_tx_endless_chain, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_tx_garbage_index, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_rx, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_rx_garbage_index, rig_setup, rig_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
