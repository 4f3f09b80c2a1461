/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The disk backend's request engine (src/backend/blk-ring.c) against a well-behaved and a hostile frontend. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend/blk-ring.h"
#include "pv-fixture.h"

/* The front ring macros' barriers: the test plays the frontend on one thread. */
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#define DISK_SECTORS 64
#define RING_PFN 10
#define RING_REF 1
#define DATA_PFN 11 /* data pages 11..30 granted as refs 2..21 */
#define DATA_REF 2
#define NR_DATA 20
#define IND_PFN 40  /* indirect descriptor page, ref 40 */
#define IND_REF 40

struct t {
    struct fix *f;
    struct blk_disk disk;
    struct blk_ring ring;
    blkif_front_ring_t front;
    uint8_t image[DISK_SECTORS * BLK_SECTOR];
};

static grant_entry_v1_t *gnt(struct t *t, uint32_t ref)
{
    return (grant_entry_v1_t *)(t->f->d.xen_pages + PAGE) + ref;
}

static void grant(struct t *t, uint32_t ref, uint64_t pfn, bool readonly)
{
    gnt(t, ref)->domid = 0;
    gnt(t, ref)->frame = pfn;
    gnt(t, ref)->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

static uint8_t *page(struct t *t, uint64_t pfn)
{
    return t->f->d.ram + pfn * PAGE;
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    char path[] = "/tmp/xenner-test-blk-XXXXXX";
    blkif_sring_t *s;

    t->f = fix_new();
    t->f->d.grant_frames = 1;
    memset(t->f->d.xen_pages + PAGE, 0, PAGE);
    for (size_t i = 0; i < sizeof(t->image); i++)
        t->image[i] = (uint8_t)(i * 7 + i / BLK_SECTOR);
    t->disk.fd = mkstemp(path);
    assert_true(t->disk.fd >= 0);
    unlink(path);
    assert_int_equal(write(t->disk.fd, t->image, sizeof(t->image)), sizeof(t->image));
    t->disk.sectors = DISK_SECTORS;
    t->disk.flush = true;
    s = (blkif_sring_t *)page(t, RING_PFN);
    SHARED_RING_INIT(s);
    FRONT_RING_INIT(&t->front, s, PAGE);
    grant(t, RING_REF, RING_PFN, false);
    for (unsigned i = 0; i < NR_DATA; i++)
        grant(t, DATA_REF + i, DATA_PFN + i, false);
    grant(t, IND_REF, IND_PFN, true);
    blk_ring_init(&t->ring, &t->f->d, 0, &t->disk, s);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;

    close(t->disk.fd);
    fix_free(t->f);
    free(t);
    return 0;
}

static blkif_request_t rw_req(uint8_t op, uint64_t id, uint64_t sector, unsigned nseg)
{
    blkif_request_t r = { .operation = op, .nr_segments = nseg, .id = id,
                          .sector_number = sector };

    for (unsigned i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
        r.seg[i] = (struct blkif_request_segment){ .gref = DATA_REF + i, .first_sect = 0,
                                                   .last_sect = 7 };
    return r;
}

static void push(struct t *t, const void *req, size_t len)
{
    void *slot = RING_GET_REQUEST(&t->front, t->front.req_prod_pvt);

    memset(slot, 0, sizeof(blkif_request_t));
    memcpy(slot, req, len);
    t->front.req_prod_pvt++;
    RING_PUSH_REQUESTS(&t->front);
}

/* Pushes @req, serves the ring, returns the one response's status. */
static int one(struct t *t, const void *req, size_t len)
{
    uint64_t id;
    blkif_response_t *rsp;

    memcpy(&id, (const char *)req + offsetof(blkif_request_t, id), sizeof(id));
    push(t, req, len);
    assert_false(blk_ring_serve(&t->ring) & BLK_BROKEN);
    assert_int_equal(t->front.sring->rsp_prod, t->front.rsp_cons + 1);
    rsp = RING_GET_RESPONSE(&t->front, t->front.rsp_cons);
    t->front.rsp_cons++;
    assert_int_equal(rsp->id, id);
    return rsp->status;
}

static void assert_no_busy_grants(struct t *t)
{
    for (uint32_t ref = 0; ref < PAGE / sizeof(grant_entry_v1_t); ref++)
        if (ref != RING_REF)
            assert_int_equal(gnt(t, ref)->flags & (GTF_reading | GTF_writing), 0);
}

static void test_read_write(void **state)
{
    struct t *t = *state;
    blkif_request_t r = rw_req(BLKIF_OP_READ, 1, 8, 2);
    uint8_t back[2 * PAGE];

    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    assert_memory_equal(page(t, DATA_PFN), t->image + 8 * BLK_SECTOR, PAGE);
    assert_memory_equal(page(t, DATA_PFN + 1), t->image + 16 * BLK_SECTOR, PAGE);
    /* A partial segment: sectors 2..3 of the page from disk sector 40. */
    r = rw_req(BLKIF_OP_READ, 2, 40, 1);
    r.seg[0].first_sect = 2;
    r.seg[0].last_sect = 3;
    memset(page(t, DATA_PFN), 0, PAGE);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    assert_memory_equal(page(t, DATA_PFN) + 2 * BLK_SECTOR, t->image + 40 * BLK_SECTOR,
                        2 * BLK_SECTOR);
    assert_int_equal(page(t, DATA_PFN)[0], 0);
    /* Write two pages, read them back from the file. */
    memset(page(t, DATA_PFN), 0xab, PAGE);
    memset(page(t, DATA_PFN + 1), 0xcd, PAGE);
    r = rw_req(BLKIF_OP_WRITE, 3, 48, 2);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    assert_int_equal(pread(t->disk.fd, back, sizeof(back), 48 * BLK_SECTOR), sizeof(back));
    assert_memory_equal(back, page(t, DATA_PFN), PAGE);
    assert_memory_equal(back + PAGE, page(t, DATA_PFN + 1), PAGE);
    /* A flush with data writes it too; a bare flush has no segments. */
    r = rw_req(BLKIF_OP_FLUSH_DISKCACHE, 4, 0, 1);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    r = rw_req(BLKIF_OP_FLUSH_DISKCACHE, 5, 0, 0);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    assert_no_busy_grants(t);
}

static void test_indirect(void **state)
{
    struct t *t = *state;
    blkif_request_indirect_t r = { .operation = BLKIF_OP_INDIRECT,
                                   .indirect_op = BLKIF_OP_READ, .nr_segments = NR_DATA,
                                   .id = 9, .sector_number = 0, .indirect_grefs = { IND_REF } };
    struct blkif_request_segment *seg = (void *)page(t, IND_PFN);
    blkif_response_t *rsp;

    /* 20 segments of one sector each: sector i into page i, at sector i % 8. */
    for (unsigned i = 0; i < NR_DATA; i++)
        seg[i] = (struct blkif_request_segment){ .gref = DATA_REF + i, .first_sect = i % 8,
                                                 .last_sect = i % 8 };
    push(t, &r, sizeof(r));
    assert_false(blk_ring_serve(&t->ring) & BLK_BROKEN);
    rsp = RING_GET_RESPONSE(&t->front, t->front.rsp_cons++);
    assert_int_equal(rsp->status, BLKIF_RSP_OKAY);
    assert_int_equal(rsp->operation, BLKIF_OP_READ); /* what blkfront checks */
    for (unsigned i = 0; i < NR_DATA; i++)
        assert_memory_equal(page(t, DATA_PFN + i) + (i % 8) * BLK_SECTOR,
                            t->image + i * BLK_SECTOR, BLK_SECTOR);
    assert_no_busy_grants(t);
}

/* Each hostile request gets an error response; the ring keeps working. */
static void test_bad_requests(void **state)
{
    struct t *t = *state;
    blkif_request_t r;
    blkif_request_indirect_t ir = { .operation = BLKIF_OP_INDIRECT,
                                    .indirect_op = BLKIF_OP_READ, .id = 50,
                                    .indirect_grefs = { IND_REF } };
    struct blkif_request_segment *seg = (void *)page(t, IND_PFN);

    r = rw_req(BLKIF_OP_READ, 10, 0, 1);
    r.seg[0].gref = 300; /* no such grant (an empty entry) */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r.seg[0].gref = 0xfffffff0; /* past the table */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_READ, 11, DISK_SECTORS - 4, 1); /* 8 sectors, 4 past the end */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_WRITE, 12, UINT64_MAX - 2, 1); /* sector + length wraps */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_READ, 13, 0, 11);
    r.nr_segments = 12; /* one more than fits a direct request */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_READ, 14, 0, 0); /* a read of nothing */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_READ, 15, 0, 1);
    r.seg[0].first_sect = 5;
    r.seg[0].last_sect = 4;
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r.seg[0].first_sect = 0;
    r.seg[0].last_sect = 8; /* past the page */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_READ, 16, 0, 1);
    r.seg[0].gref = RING_REF + 100;
    grant(t, RING_REF + 100, L1, false); /* a page table is never written by a backend */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    grant(t, RING_REF + 100, DATA_PFN, true); /* a read must write the guest's page */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(42, 17, 0, 1);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_EOPNOTSUPP);
    r = rw_req(BLKIF_OP_WRITE_BARRIER, 18, 0, 1);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_EOPNOTSUPP);
    r = rw_req(BLKIF_OP_DISCARD, 19, 0, 0); /* not offered on this disk */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_EOPNOTSUPP);

    ir.nr_segments = BLK_MAX_SEGS + 1;
    assert_int_equal(one(t, &ir, sizeof(ir)), BLKIF_RSP_ERROR);
    ir.nr_segments = 0;
    assert_int_equal(one(t, &ir, sizeof(ir)), BLKIF_RSP_ERROR);
    ir.nr_segments = 2;
    ir.indirect_grefs[0] = 500; /* not granted */
    assert_int_equal(one(t, &ir, sizeof(ir)), BLKIF_RSP_ERROR);
    ir.indirect_grefs[0] = IND_REF;
    seg[0] = (struct blkif_request_segment){ .gref = DATA_REF, .first_sect = 0, .last_sect = 7 };
    seg[1] = (struct blkif_request_segment){ .gref = DATA_REF + 1, .first_sect = 7,
                                             .last_sect = 1 };
    assert_int_equal(one(t, &ir, sizeof(ir)), BLKIF_RSP_ERROR);
    ir.indirect_op = BLKIF_OP_FLUSH_DISKCACHE;
    assert_int_equal(one(t, &ir, sizeof(ir)), BLKIF_RSP_EOPNOTSUPP);
    assert_no_busy_grants(t);

    r = rw_req(BLKIF_OP_READ, 20, 0, 1); /* and a good one still works */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    assert_int_equal(t->ring.errors, 18); /* every one above */
}

static void test_readonly(void **state)
{
    struct t *t = *state;
    blkif_request_t r;
    uint8_t back[PAGE];

    t->disk.readonly = true;
    t->disk.discard = true;
    memset(page(t, DATA_PFN), 0x5a, PAGE);
    r = rw_req(BLKIF_OP_WRITE, 1, 0, 1);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_FLUSH_DISKCACHE, 2, 0, 1);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_DISCARD, 3, 0, 0);
    ((blkif_request_discard_t *)&r)->nr_sectors = 8;
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
    r = rw_req(BLKIF_OP_FLUSH_DISKCACHE, 4, 0, 0); /* nothing to write: fine */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    r = rw_req(BLKIF_OP_READ, 5, 0, 1);
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    assert_int_equal(pread(t->disk.fd, back, PAGE, 0), PAGE);
    assert_memory_equal(back, t->image, PAGE);
}

static void test_discard(void **state)
{
    struct t *t = *state;
    blkif_request_discard_t r = { .operation = BLKIF_OP_DISCARD, .id = 1, .sector_number = 8,
                                  .nr_sectors = 8 };
    uint8_t back[PAGE], zero[PAGE] = { 0 };

    t->disk.discard = true;
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    assert_int_equal(pread(t->disk.fd, back, PAGE, 8 * BLK_SECTOR), PAGE);
    assert_memory_equal(back, zero, PAGE);
    r.nr_sectors = DISK_SECTORS; /* past the end */
    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_ERROR);
}

/* Indexes no frontend could produce stop the device; nothing is answered. */
static void test_garbage_indexes(void **state)
{
    struct t *t = *state;
    blkif_request_t r = rw_req(BLKIF_OP_READ, 1, 0, 1);

    memcpy(RING_GET_REQUEST(&t->front, 0), &r, sizeof(r));
    t->front.sring->req_prod = 1000; /* 1000 requests on a 32-slot ring */
    assert_true(blk_ring_serve(&t->ring) & BLK_BROKEN);
    assert_int_equal(t->front.sring->rsp_prod, 0);
    t->front.sring->req_prod = 1; /* and it stays stopped */
    assert_int_equal(blk_ring_serve(&t->ring), BLK_BROKEN);
    assert_int_equal(t->front.sring->rsp_prod, 0);
    assert_no_busy_grants(t);
}

static void test_backwards_index(void **state)
{
    struct t *t = *state;
    blkif_request_t r = rw_req(BLKIF_OP_READ, 1, 0, 1);

    assert_int_equal(one(t, &r, sizeof(r)), BLKIF_RSP_OKAY);
    t->front.sring->req_prod = 0; /* behind what was consumed */
    assert_true(blk_ring_serve(&t->ring) & BLK_BROKEN);
}

/* The notification protocol: told once per batch the frontend waits on, and
 * req_event re-armed so the next request is kicked. */
static void test_notify(void **state)
{
    struct t *t = *state;
    blkif_request_t r = rw_req(BLKIF_OP_READ, 1, 0, 1);
    int more;

    push(t, &r, sizeof(r));
    push(t, &r, sizeof(r));
    assert_int_equal(blk_ring_serve(&t->ring), BLK_NOTIFY);
    assert_int_equal(t->front.sring->req_event, 3);
    t->front.rsp_cons = 2; /* the frontend took both but did not re-arm rsp_event */
    push(t, &r, sizeof(r));
    assert_int_equal(blk_ring_serve(&t->ring), 0);
    RING_FINAL_CHECK_FOR_RESPONSES(&t->front, more);
    assert_true(more);
}

/* Random garbage requests on a well-indexed ring: each one answered. */
static void test_random_requests(void **state)
{
    struct t *t = *state;
    uint32_t x = 12345;

    for (unsigned n = 0; n < 20000; n++) {
        uint8_t raw[sizeof(blkif_request_t)];
        blkif_request_t r;

        for (size_t i = 0; i < sizeof(raw); i++) {
            x = x * 1103515245 + 12345;
            raw[i] = x >> 16;
        }
        memcpy(&r, raw, sizeof(r));
        if (n & 1) /* aim some at real grants and small sectors */
            for (unsigned i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
                r.seg[i].gref = r.seg[i].gref % 48 == RING_REF ? DATA_REF : r.seg[i].gref % 48;
        if (n & 2) {
            r.operation %= 8;
            r.sector_number %= 2 * DISK_SECTORS;
        }
        (void)one(t, &r, sizeof(r));
    }
    assert_no_busy_grants(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backwards_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_requests, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
