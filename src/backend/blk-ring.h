/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The disk backend's request engine: the guest's blkif ring served on a file descriptor. */
#ifndef XENNER_BLK_RING_H
#define XENNER_BLK_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/blkif.h>

#include "pv/pv.h"

#define BLK_SECTOR 512
#define BLK_SECTORS_PER_PAGE (PV_PAGE_SIZE / BLK_SECTOR)
/* Segments per request the backend accepts (feature-max-indirect-segments):
 * 256 pages = 1 MiB, one indirect page of descriptors. */
#define BLK_MAX_SEGS 256
#define BLK_SEGS_PER_INDIRECT_PAGE (PV_PAGE_SIZE / sizeof(struct blkif_request_segment))

/* The image as the engine serves it. */
struct blk_disk {
    int fd;
    uint64_t sectors;  /* 512-byte sectors the guest may address */
    bool readonly;     /* writes, discards and flushes with data fail */
    bool discard;      /* the file punches holes (fallocate) */
    bool flush;        /* a flush is an fdatasync (false for cache=unsafe) */
};

/* One request, copied out of the ring (and its indirect pages) and decoded. */
struct blk_req {
    uint64_t id;
    uint8_t ring_op;   /* echoed in the response (an indirect request's inner op) */
    uint8_t op;        /* BLKIF_OP_READ, _WRITE, _FLUSH_DISKCACHE or _DISCARD */
    uint64_t sector;
    uint64_t nr_sectors;  /* discard: its length; read/write: filled by blk_req_check */
    unsigned nr_segs;
    unsigned nr_indirect; /* indirect pages holding the segments (0: in the request) */
    grant_ref_t indirect[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
    struct blkif_request_segment seg[BLK_MAX_SEGS];
};

/*
 * The pure checks, functions of the copied request alone (libFuzzer
 * targets). blk_req_decode() reads the ring's copy: the operation, and the
 * segment count against the direct (11) or indirect (BLK_MAX_SEGS) limit;
 * for an indirect request it names the pages whose segments the caller must
 * copy into r->seg before blk_req_check(). blk_req_check() then checks the
 * segments (first_sect <= last_sect < 8) and the sector range against the
 * disk, and the operation against a read-only disk, and sets nr_sectors.
 * Both return BLKIF_RSP_OKAY, or the status the request is answered with
 * (BLKIF_RSP_ERROR, BLKIF_RSP_EOPNOTSUPP).
 */
int blk_req_decode(const blkif_request_t *copy, struct blk_req *r);
int blk_req_check(struct blk_req *r, const struct blk_disk *disk);

/* The back end of one ring page. */
struct blk_ring {
    struct pv_domain *d;
    domid_t backend;      /* the domain grants must name (0: xenner) */
    const struct blk_disk *disk;
    blkif_back_ring_t ring;
    bool broken;          /* the indexes were garbage: never touch the ring again */
    bool stop;            /* set from another thread: blk_ring_serve returns soon */
    uint64_t reqs, errors;
    struct blk_req req;   /* the request being served (2 KiB: off the stack) */
};

/* Sets up @r on the mapped ring page @sring (the frontend initialised it). */
void blk_ring_init(struct blk_ring *r, struct pv_domain *d, domid_t backend,
                   const struct blk_disk *disk, void *sring);

enum { BLK_NOTIFY = 1, BLK_BROKEN = 2 };
/*
 * Serves every request on the ring until it is empty, with the final check
 * that closes the race with a frontend adding one (so no kick is missed).
 * Returns BLK_NOTIFY if the frontend asked to be told of the responses, and
 * BLK_BROKEN once the ring's indexes are garbage (the device must stop; the
 * ring is not touched again).
 */
unsigned blk_ring_serve(struct blk_ring *r);

#endif
