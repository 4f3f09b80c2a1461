/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network backend's pure parts: tx request chains and packet headers, free of I/O
 * so that unit tests and fuzzers can drive them with any input. */
#include <string.h>

#include "backend/net-priv.h"

#define ETH_HLEN 14

static const netif_tx_request_t *slot(const netif_tx_request_t *ring, unsigned ring_size,
                                      uint32_t start, unsigned i)
{
    return &ring[(start + i) & (ring_size - 1)];
}

/* The chain needs slot @i, which is not published: wait for it, unless the
 * ring is full and it never can be. */
static enum net_txp_status short_chain(struct net_txp *p, unsigned avail, unsigned ring_size)
{
    if (avail < ring_size)
        return NET_TXP_MORE;
    p->why = "a packet's slots never end (the whole ring is one chain)";
    return NET_TXP_FATAL;
}

/* Extra-info segments after the first request; *i is the next slot. */
static enum net_txp_status parse_extras(const netif_tx_request_t *ring, unsigned ring_size,
                                        uint32_t start, unsigned avail, unsigned *i,
                                        struct net_txp *p)
{
    bool more = true;

    for (unsigned n = 0; more; n++) {
        netif_extra_info_t x;

        if (*i >= avail)
            return short_chain(p, avail, ring_size);
        memcpy(&x, slot(ring, ring_size, start, (*i)++), sizeof(x));
        p->nextras++;
        more = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
        if (n >= NET_MAX_EXTRAS) {
            p->why = p->why ? p->why : "too many extra-info segments";
            continue;
        }
        switch (x.type) {
        case XEN_NETIF_EXTRA_TYPE_GSO:
            if ((x.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
                 x.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6) || !x.u.gso.size) {
                p->why = p->why ? p->why : "bad GSO type or size";
                break;
            }
            p->gso_type = x.u.gso.type;
            p->gso_size = x.u.gso.size;
            break;
        case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
        case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
        case XEN_NETIF_EXTRA_TYPE_HASH:
            break; /* hints for features xenner does not offer: the tap sees all */
        default:
            p->why = p->why ? p->why : "unknown extra-info type";
            break;
        }
    }
    return NET_TXP_OK;
}

enum net_txp_status net_tx_parse(const netif_tx_request_t *ring, unsigned ring_size,
                                 uint32_t start, unsigned avail, struct net_txp *p)
{
    const netif_tx_request_t *first;
    enum net_txp_status st;
    uint32_t rest = 0;
    unsigned i = 1;
    bool more;

    memset(p, 0, sizeof(*p));
    if (!avail || !ring_size || (ring_size & (ring_size - 1)) || avail > ring_size) {
        p->why = "bad ring window";
        return avail ? NET_TXP_FATAL : NET_TXP_MORE;
    }
    first = slot(ring, ring_size, start, 0);
    p->flags = first->flags;
    p->size = first->size;
    p->nfrags = 1;
    if (first->flags & NETTXF_extra_info) {
        st = parse_extras(ring, ring_size, start, avail, &i, p);
        if (st != NET_TXP_OK)
            return st;
    }
    for (more = first->flags & NETTXF_more_data; more; i++) {
        const netif_tx_request_t *r;

        if (i >= avail)
            return short_chain(p, avail, ring_size);
        r = slot(ring, ring_size, start, i);
        more = r->flags & NETTXF_more_data;
        if (p->nfrags == NET_MAX_FRAGS) {
            p->why = p->why ? p->why : "too many slots in one packet";
        } else {
            p->frag[p->nfrags] = i;
            p->frag_len[p->nfrags++] = r->size;
        }
        if ((uint32_t)r->offset + r->size > NET_PAGE)
            p->why = p->why ? p->why : "request crosses its page";
        rest += r->size;
    }
    p->nslots = i;
    if (rest > first->size)
        p->why = p->why ? p->why : "fragments larger than the packet";
    else if ((uint32_t)first->offset + (first->size - rest) > NET_PAGE)
        p->why = p->why ? p->why : "request crosses its page";
    else
        p->frag_len[0] = first->size - rest;
    if (first->size < ETH_HLEN)
        p->why = p->why ? p->why : "packet shorter than an Ethernet header";
    if (p->gso_type != XEN_NETIF_GSO_TYPE_NONE && !(first->flags & NETTXF_csum_blank))
        p->why = p->why ? p->why : "GSO without a partial checksum";
    return p->why ? NET_TXP_DROP : NET_TXP_OK;
}

static unsigned be16(const uint8_t *b)
{
    return (unsigned)b[0] << 8 | b[1];
}

/* IPv6 extension headers a checksum offload can skip; *proto, *off move on. */
static int skip_ipv6_ext(const uint8_t *f, unsigned len, uint8_t *proto, unsigned *off)
{
    for (unsigned n = 0; n < 8; n++) {
        if (*proto != 0 && *proto != 43 && *proto != 60) /* hop-by-hop, routing, dest. */
            return 0;
        if (len < *off + 8)
            return -1;
        *proto = f[*off];
        *off += (f[*off + 1] + 1) * 8;
    }
    return -1;
}

int net_l4_find(const uint8_t *f, unsigned len, struct net_l4 *l4)
{
    unsigned off = ETH_HLEN, type;
    uint8_t proto;

    if (len < ETH_HLEN)
        return -1;
    type = be16(f + 12);
    if (type == 0x8100 || type == 0x88a8) { /* one VLAN tag */
        if (len < ETH_HLEN + 4)
            return -1;
        type = be16(f + 16);
        off += 4;
    }
    if (type == 0x0800) {
        unsigned ihl;

        if (len < off + 20 || f[off] >> 4 != 4 || (ihl = (f[off] & 15) * 4) < 20)
            return -1;
        if (be16(f + off + 6) & 0x3fff) /* a fragment: no L4 header to sum */
            return -1;
        proto = f[off + 9];
        off += ihl;
        l4->ipv = 4;
    } else if (type == 0x86dd) {
        if (len < off + 40 || f[off] >> 4 != 6)
            return -1;
        proto = f[off + 6];
        off += 40;
        if (skip_ipv6_ext(f, len, &proto, &off))
            return -1;
        l4->ipv = 6;
    } else {
        return -1;
    }
    l4->proto = proto;
    l4->csum_start = off;
    if (proto == 6 && len >= off + 20 && (f[off + 12] >> 4) >= 5) {
        l4->csum_offset = 16;
        l4->l4_hlen = (f[off + 12] >> 4) * 4;
    } else if (proto == 17 && len >= off + 8) {
        l4->csum_offset = 6;
        l4->l4_hlen = 8;
    } else {
        return -1;
    }
    return off > 0xffff ? -1 : 0;
}

int net_csum_fill(uint8_t *pkt, unsigned len, unsigned start, unsigned offset)
{
    uint64_t sum = 0;
    unsigned i;
    uint16_t c;

    if (start > len || offset > len - start || len - start - offset < 2)
        return -1;
    for (i = start; i + 1 < len; i += 2)
        sum += be16(pkt + i);
    if (i < len)
        sum += (unsigned)pkt[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    c = ~sum & 0xffff;
    if (!c)
        c = 0xffff; /* 0 means "no checksum" to UDP; the same value to TCP */
    pkt[start + offset] = c >> 8;
    pkt[start + offset + 1] = c & 0xff;
    return 0;
}
