/* SPDX-License-Identifier: GPL-2.0-or-later */
/* blk-hostile: a PV test guest acting as a hostile blkfront against xenner's disk backend. */
#include "xt.h"
#include "xs.h"

#include <xen/io/blkif.h>
#include <xen/io/protocols.h>
#include <xen/io/xs_wire.h>

/* The front ring macros' barriers. */
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

const char xt_test_title[] = "blk-hostile: bad requests and a corrupt ring on xvda "
                             "(run with a 1 MiB -drive whose sector s holds bytes s & 0xff)";

#define VBD "device/vbd/51712"
#define DISK_SECTORS 2048
#define REF_RING 8
#define REF_DATA 9

static int xs_write(const char *path, const char *val)
{
    return xt_xs_op(XS_WRITE, path, val, NULL, 0);
}

/* Waits up to 5 s for @path to read @want. */
static bool xs_wait(const char *path, const char *want)
{
    uint64_t end = xt_now() + XT_MS(5000);
    char v[64] = "";

    while (xt_now() < end) {
        if (!xt_xs_op(XS_READ, path, NULL, v, sizeof(v)) && !strcmp(v, want))
            return true;
        xt_spin_ns(XT_MS(1));
    }
    xt_printk("%s is '%s', expected '%s'\n", path, v, want);
    return false;
}

/* The backend's key @key, into @out. */
static void be_path(const char *key, char *out, size_t len)
{
    char be[128] = "";

    xt_xs_op(XS_READ, VBD "/backend", NULL, be, sizeof(be));
    xt_snprintf(out, len, "%s/%s", be, key);
}

static blkif_front_ring_t ring;
static evtchn_port_t blk_port;
static uint8_t *data;

/* Pushes one request, kicks, and returns the status of its response (or
 * 99 if none came within 5 s). */
static int submit(const void *req, size_t len)
{
    void *slot = RING_GET_REQUEST(&ring, ring.req_prod_pvt);
    blkif_response_t rsp;
    uint64_t end = xt_now() + XT_MS(5000);

    memset(slot, 0, sizeof(blkif_request_t));
    memcpy(slot, req, len);
    ring.req_prod_pvt++;
    RING_PUSH_REQUESTS(&ring);
    xt_evtchn_send(blk_port);
    while (ring.sring->rsp_prod == ring.rsp_cons)
        if (xt_now() > end)
            return 99;
    xen_rmb();
    rsp = *RING_GET_RESPONSE(&ring, ring.rsp_cons);
    ring.rsp_cons++;
    return rsp.status;
}

static blkif_request_t read_req(uint64_t sector, uint8_t first, uint8_t last)
{
    return (blkif_request_t){ .operation = BLKIF_OP_READ, .nr_segments = 1, .id = 7,
                              .sector_number = sector,
                              .seg = { { .gref = REF_DATA, .first_sect = first,
                                         .last_sect = last } } };
}

static bool connect(void)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    struct grant_entry_v1 *g = (struct grant_entry_v1 *)xt_window;
    blkif_sring_t *s = xt_alloc_page();
    xen_pfn_t frame = 0;
    char num[32], be[160];

    data = xt_alloc_page();
    set_xen_guest_handle(st.frame_list, &frame);
    if (!xt_check_rc("GNTTABOP_setup_table", 0,
                     HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1)) ||
        !xt_check_rc("mapping the grant table", 0, xt_map_page(xt_window, frame, XT_PTE_DATA)))
        return false;
    SHARED_RING_INIT(s);
    FRONT_RING_INIT(&ring, s, XT_PAGE_SIZE);
    g[REF_RING] = (struct grant_entry_v1){ .domid = 0, .frame = xt_virt_to_mfn(s) };
    g[REF_DATA] = (struct grant_entry_v1){ .domid = 0, .frame = xt_virt_to_mfn(data) };
    __atomic_thread_fence(__ATOMIC_RELEASE);
    g[REF_RING].flags = GTF_permit_access;
    g[REF_DATA].flags = GTF_permit_access;
    if (!xt_check_rc("alloc_unbound for the backend", 0, xt_evtchn_alloc_unbound(0, &blk_port)))
        return false;
    if (xt_xs_op(XS_READ, VBD "/backend", NULL, be, sizeof(be))) {
        xtf_skip("no disk xvda: run with -drive");
        return false;
    }
    xs_write(VBD "/ring-ref", "8");
    xt_snprintf(num, sizeof(num), "%u", blk_port);
    xs_write(VBD "/event-channel", num);
    xs_write(VBD "/protocol", XEN_IO_PROTO_ABI_X86_64);
    xs_write(VBD "/state", "3");
    be_path("state", be, sizeof(be));
    return xt_check_true("the backend connects", xs_wait(be, "4"));
}

void test_main(void)
{
    blkif_request_t r;
    char be[160], err[160] = "";
    bool ok = true;

    if (!xt_check_true("xenstore ring mapped", xt_xs_ready()) || !connect())
        return;

    r = read_req(5, 0, 7);
    ok &= xt_check_rc("a good read", BLKIF_RSP_OKAY, submit(&r, sizeof(r)));
    for (unsigned i = 0; i < 8 * 512; i++)
        if (data[i] != 5 + i / 512)
            ok = xt_check_eq("a byte read from the disk", 5 + i / 512, data[i]) && false;
    r = read_req(0, 0, 7);
    r.seg[0].gref = 500;
    ok &= xt_check_rc("a read into an ungranted ref", BLKIF_RSP_ERROR, submit(&r, sizeof(r)));
    r = read_req(DISK_SECTORS - 3, 0, 7);
    ok &= xt_check_rc("a read past the end", BLKIF_RSP_ERROR, submit(&r, sizeof(r)));
    r = read_req(0, 6, 2);
    ok &= xt_check_rc("first_sect > last_sect", BLKIF_RSP_ERROR, submit(&r, sizeof(r)));
    r = read_req(0, 0, 7);
    r.nr_segments = 12;
    ok &= xt_check_rc("12 segments in a direct request", BLKIF_RSP_ERROR, submit(&r, sizeof(r)));
    r.operation = 99;
    ok &= xt_check_rc("an unknown operation", BLKIF_RSP_EOPNOTSUPP, submit(&r, sizeof(r)));
    r = read_req(1, 0, 0);
    ok &= xt_check_rc("and a good read again", BLKIF_RSP_OKAY, submit(&r, sizeof(r)));
    ok &= xt_check_eq("its byte", 1, data[0]);

    /* Garbage indexes: far more requests than the ring holds. */
    be_path("state", be, sizeof(be));
    ring.sring->req_prod += 1000;
    xt_evtchn_send(blk_port);
    ok &= xt_check_true("a corrupt ring stops the device (backend Closing)", xs_wait(be, "5"));
    be_path("error", be, sizeof(be));
    xt_xs_op(XS_READ, be, NULL, err, sizeof(err));
    xt_printk("backend error node: %s\n", err);
    ok &= xt_check_true("and says why in its error node", strstr(err, "corrupt") != NULL);
    if (ok)
        xtf_success(NULL);
}
