/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network backend's parts: options and xenbus (net.c), the rings and the
 * worker thread (net-ring.c), and the pure packet checks (net-pkt.c). */
#ifndef XENNER_NET_PRIV_H
#define XENNER_NET_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* ring.h leaves the barriers to its user. */
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/netif.h>

#include <linux/virtio_net.h>

#define NET_PAGE 4096u
/* Data slots of one packet: what Linux's netfront sends at most (64 KiB in
 * 4 KiB pieces at any offset) and what it accepts on rx. */
#define NET_MAX_FRAGS XEN_NETIF_NR_SLOTS_MIN
#define NET_MAX_EXTRAS (XEN_NETIF_EXTRA_TYPE_MAX - 1)
#define NET_HDR_COPY 128 /* packet head copied to find the L3/L4 headers */
#define NET_RING_MAX __CONST_RING_SIZE(netif_tx, NET_PAGE) /* 256, rx the same */
#define NET_PKT_MAX (65536 + 64) /* a GSO frame from the tap, with its VLAN tag */

/* ---- net-pkt.c: pure functions of copied ring slots and packet bytes ---- */

enum net_txp_status {
    NET_TXP_OK,    /* a well-formed packet of p->nslots slots */
    NET_TXP_MORE,  /* the chain goes past the published slots: wait */
    NET_TXP_DROP,  /* a bad packet of p->nslots slots: error responses, drop it */
    NET_TXP_FATAL, /* the ring cannot be parsed any further: stop the device */
};

struct net_txp {
    unsigned nslots;                    /* ring slots used, extras included */
    unsigned nextras;                   /* extra-info slots, right after the first */
    unsigned nfrags;                    /* data slots */
    uint16_t frag[NET_MAX_FRAGS];       /* slot index (from the first) of each */
    uint16_t frag_len[NET_MAX_FRAGS];   /* bytes of each */
    uint16_t size;                      /* the whole packet */
    uint16_t flags;                     /* the first request's NETTXF_* */
    uint8_t gso_type;                   /* XEN_NETIF_GSO_TYPE_*, NONE without GSO */
    uint16_t gso_size;
    const char *why;                    /* DROP, FATAL: the reason */
};

/*
 * Delimits and checks the tx packet starting at slot @start of a private
 * copy of the ring's request slots (@ring, @ring_size slots, a power of 2;
 * slot i of the ring is ring[i & (ring_size - 1)]). @avail slots from @start
 * are published. Checks each request's offset and size against the page,
 * the fragment sizes against the packet size, the number of slots and the
 * extra-info segments; grants are the caller's to check. DROP still sets
 * nslots so that the whole chain gets its error responses; a chain that
 * cannot end within the ring is FATAL.
 */
enum net_txp_status net_tx_parse(const netif_tx_request_t *ring, unsigned ring_size,
                                 uint32_t start, unsigned avail, struct net_txp *p);

/* Where the TCP or UDP checksum of an Ethernet frame goes, from its first
 * @len bytes: csum_start (the L4 header) and csum_offset (the field in it),
 * l4_hlen (the L4 header's length) and the IP version. 0, or -1 for a frame
 * that is not TCP or UDP over IPv4 or IPv6 (one VLAN tag allowed). */
struct net_l4 {
    uint16_t csum_start, csum_offset, l4_hlen;
    uint8_t proto, ipv;
};
int net_l4_find(const uint8_t *frame, unsigned len, struct net_l4 *l4);

/* Completes a partial checksum as a NIC does: the ones' complement sum of
 * @pkt from @start, folded into the 16 bits at @start + @offset (which hold
 * the pseudo-header sum). -1 if those do not fit in @len. */
int net_csum_fill(uint8_t *pkt, unsigned len, unsigned start, unsigned offset);

/* ---- net.c / net-ring.c ---- */

struct xb_dev;

struct net_tap {
    char *id;       /* -netdev id, or "tap" for -net tap */
    int fd;
    bool vnet_hdr;  /* the tap carries a virtio_net_hdr before each packet */
    bool used;      /* a NIC is attached */
    char ifname[16];
};

struct nic {
    struct net_tap *tap;
    uint8_t mac[6];
    struct xb_dev *dev;
    const char *option; /* for messages: "-device xen-net-device" */

    /* connected state (net-ring.c) */
    netif_tx_back_ring_t tx;
    netif_rx_back_ring_t rx;
    uint32_t tx_ref, rx_ref;
    uint64_t tx_pfn, rx_pfn;
    bool sg, csum, csum6, gso4, gso6; /* what the frontend accepts on rx */
    int evfd;
    pthread_t worker;
    bool stop, dead, dead_told;
    char dead_why[128];
    netif_tx_request_t txq[NET_RING_MAX]; /* tx slots copied out of the ring */
    uint32_t txq_end;                     /* slots before this index are copied */
    uint8_t *pkt;      /* NET_PKT_MAX + header: the rx packet read from the tap, or tx bounce */
    uint8_t *txbuf;    /* tx bounce buffer (a tap without vnet header) */
    int rx_len;        /* > 0: a packet from the tap waits for rx requests */
    uint64_t tx_pkts, tx_drops, rx_pkts, rx_drops;
};

/* net-ring.c: start serving the rings (connect, store locked), stop (disconnect). */
int net_ring_start(struct nic *n);
void net_ring_stop(struct nic *n);
/* ops->notify: wake the worker (vCPU thread). */
void net_ring_kick(struct nic *n);

#endif
