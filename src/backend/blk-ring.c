/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The disk backend's request engine: requests copied out of the guest's blkif
 * ring once, checked, served with preadv/pwritev straight into the granted
 * pages, answered on the ring. No xenstore, no threads: blk.c drives it, and
 * the unit tests drive it against a hostile ring. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend/blk-ring.h"

/* The barriers the ring macros (xen/io/ring.h) use: the frontend runs on
 * another CPU. */
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

static int decode_rw(const blkif_request_t *c, struct blk_req *r)
{
    if (c->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return BLKIF_RSP_ERROR;
    if (c->nr_segments == 0 && c->operation != BLKIF_OP_FLUSH_DISKCACHE)
        return BLKIF_RSP_ERROR;
    r->op = c->operation;
    r->sector = c->sector_number;
    r->nr_segs = c->nr_segments;
    memcpy(r->seg, c->seg, c->nr_segments * sizeof(c->seg[0]));
    return BLKIF_RSP_OKAY;
}

static int decode_indirect(const blkif_request_t *c, struct blk_req *r)
{
    blkif_request_indirect_t ic;

    memcpy(&ic, c, sizeof(ic));
    r->ring_op = ic.indirect_op; /* the response names the operation done, as blkback's do */
    /* Only reads and writes come indirect (blkif.h); a flush never does. */
    if (ic.indirect_op != BLKIF_OP_READ && ic.indirect_op != BLKIF_OP_WRITE)
        return BLKIF_RSP_EOPNOTSUPP;
    if (ic.nr_segments == 0 || ic.nr_segments > BLK_MAX_SEGS)
        return BLKIF_RSP_ERROR;
    r->op = ic.indirect_op;
    r->sector = ic.sector_number;
    r->nr_segs = ic.nr_segments;
    r->nr_indirect = (ic.nr_segments + BLK_SEGS_PER_INDIRECT_PAGE - 1) / BLK_SEGS_PER_INDIRECT_PAGE;
    memcpy(r->indirect, ic.indirect_grefs, r->nr_indirect * sizeof(r->indirect[0]));
    return BLKIF_RSP_OKAY;
}

int blk_req_decode(const blkif_request_t *c, struct blk_req *r)
{
    blkif_request_discard_t dc;

    r->id = c->id;
    r->ring_op = c->operation;
    r->op = c->operation;
    r->sector = 0;
    r->nr_sectors = 0;
    r->nr_segs = 0;
    r->nr_indirect = 0;
    switch (c->operation) {
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
    case BLKIF_OP_FLUSH_DISKCACHE:
        return decode_rw(c, r);
    case BLKIF_OP_DISCARD:
        memcpy(&dc, c, sizeof(dc));
        r->sector = dc.sector_number;
        r->nr_sectors = dc.nr_sectors;
        return BLKIF_RSP_OKAY;
    case BLKIF_OP_INDIRECT:
        return decode_indirect(c, r);
    default:
        /* Barriers are not advertised (flushes are); unknown ops are the guest's bug. */
        return BLKIF_RSP_EOPNOTSUPP;
    }
}

int blk_req_check(struct blk_req *r, const struct blk_disk *disk)
{
    uint64_t n = 0;

    if (r->op == BLKIF_OP_DISCARD) {
        if (disk->readonly)
            return BLKIF_RSP_ERROR;
        if (!disk->discard)
            return BLKIF_RSP_EOPNOTSUPP;
        n = r->nr_sectors;
    } else {
        if (r->nr_segs > BLK_MAX_SEGS)
            return BLKIF_RSP_ERROR;
        for (unsigned i = 0; i < r->nr_segs; i++) {
            const struct blkif_request_segment *s = &r->seg[i];

            if (s->first_sect > s->last_sect || s->last_sect >= BLK_SECTORS_PER_PAGE)
                return BLKIF_RSP_ERROR;
            n += s->last_sect - s->first_sect + 1;
        }
        if (r->op != BLKIF_OP_READ && r->nr_segs && disk->readonly)
            return BLKIF_RSP_ERROR;
        r->nr_sectors = n;
    }
    if (n && (r->sector > disk->sectors || n > disk->sectors - r->sector))
        return BLKIF_RSP_ERROR;
    return BLKIF_RSP_OKAY;
}

/* Copies an indirect request's segments out of its pages, once. */
static int fetch_indirect(struct blk_ring *ring, struct blk_req *r)
{
    for (unsigned i = 0; i < r->nr_indirect; i++) {
        unsigned first = i * BLK_SEGS_PER_INDIRECT_PAGE, n = r->nr_segs - first;
        uint64_t pfn;
        void *p = pv_grant_get(ring->d, r->indirect[i], ring->backend, false, &pfn);

        if (!p)
            return BLKIF_RSP_ERROR;
        if (n > BLK_SEGS_PER_INDIRECT_PAGE)
            n = BLK_SEGS_PER_INDIRECT_PAGE;
        memcpy(&r->seg[first], p, n * sizeof(r->seg[0]));
        pv_grant_put(ring->d, r->indirect[i], pfn, false);
    }
    return BLKIF_RSP_OKAY;
}

/* The whole transfer at @off, resuming after short or interrupted calls. */
static int transfer(int fd, bool write, struct iovec *iov, unsigned cnt, off_t off)
{
    while (cnt) {
        ssize_t n = write ? pwritev(fd, iov, cnt, off) : preadv(fd, iov, cnt, off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1; /* an error, or the file shrank under us */
        off += n;
        while (cnt && (size_t)n >= iov->iov_len) {
            n -= iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt) {
            iov->iov_base = (char *)iov->iov_base + n;
            iov->iov_len -= n;
        }
    }
    return 0;
}

/* A read or write (with a flush after it for a flush with data). Reads
 * write into the guest's pages, so they need writable grants. */
static int rw(struct blk_ring *ring, const struct blk_req *r)
{
    bool into_guest = r->op == BLKIF_OP_READ;
    struct iovec iov[BLK_MAX_SEGS];
    uint64_t pfn[BLK_MAX_SEGS];
    unsigned n;
    int st = BLKIF_RSP_OKAY;

    for (n = 0; n < r->nr_segs; n++) {
        const struct blkif_request_segment *s = &r->seg[n];
        char *p = pv_grant_get(ring->d, s->gref, ring->backend, into_guest, &pfn[n]);

        if (!p) {
            st = BLKIF_RSP_ERROR;
            break;
        }
        iov[n].iov_base = p + s->first_sect * BLK_SECTOR;
        iov[n].iov_len = (s->last_sect - s->first_sect + 1) * BLK_SECTOR;
    }
    if (st == BLKIF_RSP_OKAY && n &&
        transfer(ring->disk->fd, !into_guest, iov, n, (off_t)(r->sector * BLK_SECTOR)))
        st = BLKIF_RSP_ERROR;
    while (n--)
        pv_grant_put(ring->d, r->seg[n].gref, pfn[n], into_guest);
    return st;
}

static int flush(const struct blk_disk *disk)
{
    return !disk->flush || fdatasync(disk->fd) == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
}

static int discard(const struct blk_disk *disk, const struct blk_req *r)
{
    int rc = fallocate(disk->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                       (off_t)(r->sector * BLK_SECTOR), (off_t)(r->nr_sectors * BLK_SECTOR));

    return rc == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
}

static int serve_one(struct blk_ring *ring, const blkif_request_t *c, struct blk_req *r)
{
    int st = blk_req_decode(c, r);

    if (st == BLKIF_RSP_OKAY && r->nr_indirect)
        st = fetch_indirect(ring, r);
    if (st == BLKIF_RSP_OKAY)
        st = blk_req_check(r, ring->disk);
    if (st != BLKIF_RSP_OKAY)
        return st;
    switch (r->op) {
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
        return rw(ring, r);
    case BLKIF_OP_FLUSH_DISKCACHE:
        /* Linux sends a write with FUA or a preceding flush as a flush
         * with data: write, then make it and everything before durable. */
        st = rw(ring, r);
        return st == BLKIF_RSP_OKAY ? flush(ring->disk) : st;
    case BLKIF_OP_DISCARD:
        return r->nr_sectors ? discard(ring->disk, r) : BLKIF_RSP_OKAY;
    }
    return BLKIF_RSP_EOPNOTSUPP;
}

void blk_ring_init(struct blk_ring *r, struct pv_domain *d, domid_t backend,
                   const struct blk_disk *disk, void *sring)
{
    memset(r, 0, sizeof(*r));
    r->d = d;
    r->backend = backend;
    r->disk = disk;
    BACK_RING_INIT(&r->ring, (blkif_sring_t *)sring, PV_PAGE_SIZE);
}

unsigned blk_ring_serve(struct blk_ring *ring)
{
    struct blk_req *r = &ring->req;
    unsigned out = 0;
    int more;

    if (ring->broken)
        return BLK_BROKEN;
    do {
        RING_IDX rp = __atomic_load_n(&ring->ring.sring->req_prod, __ATOMIC_ACQUIRE);

        if (RING_REQUEST_PROD_OVERFLOW(&ring->ring, rp)) {
            ring->broken = true;
            return out | BLK_BROKEN;
        }
        while (ring->ring.req_cons != rp) {
            blkif_request_t c;
            blkif_response_t *rsp;
            bool notify;
            int st;

            RING_COPY_REQUEST(&ring->ring, ring->ring.req_cons, &c);
            ring->ring.req_cons++;
            st = serve_one(ring, &c, r);
            ring->reqs++;
            if (st != BLKIF_RSP_OKAY)
                ring->errors++;
            rsp = RING_GET_RESPONSE(&ring->ring, ring->ring.rsp_prod_pvt);
            rsp->id = r->id;
            rsp->operation = r->ring_op;
            rsp->status = st;
            ring->ring.rsp_prod_pvt++;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&ring->ring, notify);
            if (notify)
                out |= BLK_NOTIFY;
            if (__atomic_load_n(&ring->stop, __ATOMIC_ACQUIRE))
                return out;
        }
        RING_FINAL_CHECK_FOR_REQUESTS(&ring->ring, more);
    } while (more);
    return out;
}
