/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the disk backend's request engine (blk_ring_serve) under a hostile frontend. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/blk-ring.h"
#include "pv-dom.h"
#include "fuzz.h"

/*
 * The input, zero-padded where short:
 *   1 byte   the disk: bit 0 read-only, bit 1 discard, bit 2 flush
 *   1 byte   how far the frontend moves req_prod before the second round
 *   16 bytes the shared ring's req_prod, req_event, rsp_prod, rsp_event
 *   1 byte   n: request slots that follow (n % 33)
 *   n * 112  the request slots (blkif_request_t, any operation)
 *   512      the first 64 grant entries (domain 1 grants domain 0)
 *   rest     guest RAM (8 pages: data and indirect segment pages)
 * The engine serves the ring twice (the second time over whatever the slots
 * hold then). After each round: every request got its response, in order,
 * with its id and operation and a status blkif.h defines, unless the indexes
 * were garbage (then BLK_BROKEN and nothing answered); no grant is left busy;
 * the image never grows and a read-only image never changes. The ring page,
 * RAM and the grant frame are separate allocations, so ASan reports any
 * access outside them.
 */

#define DISK_SECTORS 64
#define RING_SLOTS __CONST_RING_SIZE(blkif, PV_PAGE_SIZE)

static int make_disk(struct blk_disk *bd, unsigned cfg, uint8_t *image)
{
    int fd = memfd_create("fuzz-disk", 0);

    FUZZ_CHECK(fd >= 0, "memfd_create");
    for (unsigned i = 0; i < DISK_SECTORS * BLK_SECTOR; i++)
        image[i] = (uint8_t)(i * 7 + i / BLK_SECTOR);
    FUZZ_CHECK(pwrite(fd, image, DISK_SECTORS * BLK_SECTOR, 0) == DISK_SECTORS * BLK_SECTOR,
               "writing the image");
    *bd = (struct blk_disk){.fd = fd, .sectors = DISK_SECTORS, .readonly = cfg & 1,
                            .discard = cfg & 2, .flush = cfg & 4};
    return fd;
}

/* One round: the engine serves what the frontend published. */
static void round_check(struct blk_ring *r, blkif_sring_t *s, struct pv_domain *d)
{
    static uint8_t copy[PV_PAGE_SIZE] __attribute__((aligned(64)));
    const blkif_sring_t *before = (const blkif_sring_t *)copy;
    grant_entry_v1_t grants[FUZZ_GRANTS];
    RING_IDX start = r->ring.rsp_prod_pvt, prod = s->req_prod;
    bool garbage = prod - start > RING_SLOTS;
    unsigned ret;

    memcpy(copy, s, PV_PAGE_SIZE);
    memcpy(grants, fuzz_dom_grants(d), sizeof(grants));
    ret = blk_ring_serve(r);
    fuzz_dom_check_idle(d, grants);
    FUZZ_CHECK(!(ret & ~(unsigned)(BLK_NOTIFY | BLK_BROKEN)), "an unknown result");
    FUZZ_CHECK(!!(ret & BLK_BROKEN) == garbage, "garbage indexes not (or wrongly) refused");
    if (garbage) {
        FUZZ_CHECK(r->ring.rsp_prod_pvt == start && s->rsp_prod == before->rsp_prod,
                   "responses on a broken ring");
        return;
    }
    FUZZ_CHECK(r->ring.req_cons == prod && r->ring.rsp_prod_pvt == prod, "a request left unanswered");
    /* rsp_prod is only written when there are responses to publish. */
    FUZZ_CHECK(s->rsp_prod == (prod != start ? prod : before->rsp_prod), "responses not published");
    for (RING_IDX i = start; i != prod; i++) {
        const blkif_request_t *q = &before->ring[i % RING_SLOTS].req;
        const blkif_response_t *p = &s->ring[i % RING_SLOTS].rsp;
        /* As Xen's blkback, an indirect request is answered with its inner operation. */
        uint8_t op = q->operation == BLKIF_OP_INDIRECT
                         ? ((const blkif_request_indirect_t *)q)->indirect_op : q->operation;

        FUZZ_CHECK(p->id == q->id && p->operation == op, "a response to another request");
        FUZZ_CHECK(p->status == BLKIF_RSP_OKAY || p->status == BLKIF_RSP_ERROR ||
                       p->status == BLKIF_RSP_EOPNOTSUPP, "a status blkif.h does not define");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t image[DISK_SECTORS * BLK_SECTOR], now[DISK_SECTORS * BLK_SECTOR];
    struct pv_domain *d = fuzz_dom_new();
    blkif_sring_t *s = aligned_alloc(PV_PAGE_SIZE, PV_PAGE_SIZE);
    struct blk_ring *r = malloc(sizeof(*r));
    struct blk_disk bd;
    struct fuzz_input in = {data, size};
    uint8_t cfg = 0, more = 0, n = 0;
    uint32_t idx[4];
    struct stat st;
    int fd;

    FUZZ_CHECK(s && r, "out of memory");
    fuzz_take(&in, &cfg, 1);
    fuzz_take(&in, &more, 1);
    fuzz_take(&in, idx, sizeof(idx));
    fuzz_take(&in, &n, 1);
    memset(s, 0, PV_PAGE_SIZE);
    for (unsigned i = 0; i < n % (RING_SLOTS + 1); i++)
        fuzz_take(&in, &s->ring[i].req, sizeof(s->ring[i].req));
    fuzz_dom_fill(d, in.p, in.left);
    fd = make_disk(&bd, cfg, image);

    blk_ring_init(r, d, 0, &bd, s);
    s->req_prod = idx[0];
    s->req_event = idx[1];
    s->rsp_prod = idx[2];
    s->rsp_event = idx[3];
    round_check(r, s, d);
    if (!r->broken) {
        s->req_prod += more % (RING_SLOTS + 8);
        round_check(r, s, d);
    }

    FUZZ_CHECK(fstat(fd, &st) == 0 && st.st_size == DISK_SECTORS * BLK_SECTOR,
               "the image changed size");
    if (bd.readonly) {
        FUZZ_CHECK(pread(fd, now, sizeof(now), 0) == sizeof(now), "reading the image");
        FUZZ_CHECK(!memcmp(now, image, sizeof(now)), "a read-only image was written");
    }
    close(fd);
    free(r);
    free(s);
    fuzz_dom_free(d);
    return 0;
}
