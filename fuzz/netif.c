/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the network backend's checks of tx request chains and packet headers. */
#include <sanitizer/asan_interface.h>
#include <stdlib.h>
#include <string.h>

#include "backend/net-priv.h"
#include "fuzz.h"

/*
 * The input, zero-padded where short:
 *   1 byte   the ring size: 1 << (byte % 9) slots (the real ring has 256)
 *   4 bytes  the first unconsumed slot (start)
 *   2 bytes  how many slots the frontend published (% (size + 2), so some
 *            windows are larger than the ring)
 *   6 bytes  a length, checksum start and offset for net_csum_fill on the
 *            page alone
 *   size * 12 the copied tx request slots
 *   rest     the one guest page every request points into
 * Packets are parsed one after another as the tx worker does (net-ring.c),
 * on a private copy of the slots whose unpublished slots are poisoned, so
 * ASan reports any read of a slot the frontend has not published. Each
 * packet the parser accepts is gathered from the page as tx_send does
 * (ASan reports a fragment past its page), its checksum place is found with
 * net_l4_find and filled with net_csum_fill on a buffer of exactly its size,
 * and the filled checksum must verify.
 */

#define SLOT sizeof(netif_tx_request_t)

static unsigned be16(const uint8_t *b)
{
    return (unsigned)b[0] << 8 | b[1];
}

/* The ones' complement sum of @p[start, len), with @extra added in. */
static unsigned csum(const uint8_t *p, unsigned len, unsigned start, unsigned extra)
{
    uint64_t s = extra;
    unsigned i;

    for (i = start; i + 1 < len; i += 2)
        s += be16(p + i);
    if (i < len)
        s += (unsigned)p[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (unsigned)s;
}

/* net_csum_fill at (@start, @off) of a copy of exactly @len bytes: it
 * refuses a place outside the packet, and a filled sum verifies with the
 * pseudo-header sum that was in the field. */
static void fill_and_verify(const uint8_t *pkt, unsigned len, unsigned start, unsigned off)
{
    uint8_t *b = malloc(len ? len : 1);
    bool fits = start <= len && off <= len - start && len - start - off >= 2;
    unsigned pseudo;
    int r;

    FUZZ_CHECK(b, "out of memory");
    memcpy(b, pkt, len);
    pseudo = fits ? be16(b + start + off) : 0;
    r = net_csum_fill(b, len, start, off);
    FUZZ_CHECK(r == (fits ? 0 : -1), "net_csum_fill accepted a place outside the packet, or refused one in it");
    if (fits) {
        FUZZ_CHECK(!memcmp(b, pkt, start + off) && !memcmp(b + start + off + 2, pkt + start + off + 2,
                                                           len - start - off - 2),
                   "net_csum_fill changed bytes outside the checksum field");
        /* An odd offset straddles the 16-bit words: no sum to verify. */
        if (off % 2 == 0)
            FUZZ_CHECK(csum(b, len, start, pseudo) == 0xffff, "the filled checksum does not verify");
    }
    free(b);
}

/* Gathers an accepted packet from the page as tx_send does, then checks its headers. */
static void send_packet(const netif_tx_request_t *ring, unsigned size, uint32_t start,
                        const struct net_txp *p, const uint8_t *page)
{
    uint8_t *pkt = malloc(p->size ? p->size : 1);
    unsigned len = 0;
    struct net_l4 l4;

    FUZZ_CHECK(pkt, "out of memory");
    for (unsigned i = 0; i < p->nfrags; i++) {
        const netif_tx_request_t *r = &ring[(start + p->frag[i]) & (size - 1)];

        FUZZ_CHECK(p->frag[i] < p->nslots && (i == 0 || p->frag[i] > p->frag[i - 1]),
                   "fragments out of order or outside the packet's slots");
        FUZZ_CHECK(p->frag_len[i] <= p->size - len, "fragments larger than the packet");
        memcpy(pkt + len, page + r->offset, p->frag_len[i]);
        len += p->frag_len[i];
    }
    FUZZ_CHECK(len == p->size, "fragments do not add up to the packet");
    FUZZ_CHECK(len >= 14, "a packet shorter than an Ethernet header accepted");
    if (net_l4_find(pkt, len < NET_HDR_COPY ? len : NET_HDR_COPY, &l4) == 0) {
        FUZZ_CHECK(l4.ipv == 4 || l4.ipv == 6, "an IP version that is neither 4 nor 6");
        FUZZ_CHECK(l4.proto == 6 || l4.proto == 17, "a checksum place in neither TCP nor UDP");
        FUZZ_CHECK(l4.csum_start + l4.csum_offset + 2u <= (len < NET_HDR_COPY ? len : NET_HDR_COPY),
                   "a checksum place outside the header");
        fill_and_verify(pkt, len, l4.csum_start, l4.csum_offset);
    }
    free(pkt);
}

/* The slots the parser may read, [start, start + avail), and no others. */
static void poison_unpublished(netif_tx_request_t *ring, unsigned size, uint32_t start,
                               unsigned avail)
{
    ASAN_POISON_MEMORY_REGION(ring, size * SLOT);
    for (unsigned i = 0; i < avail && i < size; i++)
        ASAN_UNPOISON_MEMORY_REGION(&ring[(start + i) & (size - 1)], SLOT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    uint8_t order;
    uint16_t avail16, cs[3];
    uint32_t start;
    unsigned slots, avail;
    netif_tx_request_t *ring;
    uint8_t *page = malloc(NET_PAGE);

    fuzz_take(&in, &order, 1);
    fuzz_take(&in, &start, 4);
    fuzz_take(&in, &avail16, 2);
    fuzz_take(&in, cs, sizeof(cs));
    slots = 1u << (order % 9);
    avail = avail16 % (slots + 2);
    ring = malloc(slots * SLOT);
    FUZZ_CHECK(ring && page, "out of memory");
    fuzz_take(&in, ring, slots * SLOT);
    fuzz_take(&in, page, NET_PAGE);
    fill_and_verify(page, cs[0] % (NET_PAGE + 1), cs[1], cs[2]);

    /* Packet after packet, as long as the parser consumes slots. */
    for (unsigned round = 0; round <= NET_RING_MAX; round++) {
        struct net_txp p;
        enum net_txp_status st;

        poison_unpublished(ring, slots, start, avail);
        st = net_tx_parse(ring, slots, start, avail, &p);
        ASAN_UNPOISON_MEMORY_REGION(ring, slots * SLOT);
        if (st == NET_TXP_MORE) {
            FUZZ_CHECK(avail < slots || !avail, "waiting for slots on a full ring");
            break;
        }
        FUZZ_CHECK(st == NET_TXP_FATAL || st == NET_TXP_DROP || st == NET_TXP_OK, "an unknown status");
        FUZZ_CHECK((st == NET_TXP_OK) == !p.why, "a reason with an accepted packet, or none with a refusal");
        if (st == NET_TXP_FATAL)
            break;
        FUZZ_CHECK(p.nslots >= 1 && p.nslots <= avail, "a packet of no slots or unpublished ones");
        FUZZ_CHECK(p.nfrags >= 1 && p.nfrags <= NET_MAX_FRAGS, "a fragment count past the limit");
        FUZZ_CHECK(p.nextras + 1 <= p.nslots, "more extra-info slots than the packet has");
        if (st == NET_TXP_OK)
            send_packet(ring, slots, start, &p, page);
        start += p.nslots;
        avail -= p.nslots;
    }
    free(ring);
    free(page);
    return 0;
}
