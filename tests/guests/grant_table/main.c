/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grant_table: query_size, setup_table (map and write a frame), versions and errors. */
#include "xt.h"

const char xt_test_title[] = "grant_table: GNTTABOP_query_size/setup_table/get_version/set_version";

static void test_setup(const struct gnttab_query_size *q)
{
    xen_pfn_t frames[1] = { 0 };
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    struct grant_entry_v1 *g = (struct grant_entry_v1 *)xt_window;

    set_xen_guest_handle(st.frame_list, frames);
    xt_check_rc("GNTTABOP_setup_table", 0, HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1));
    if (!xt_check_rc("setup_table status", GNTST_okay, st.status) ||
        !xt_check_true("setup_table frame", frames[0] != 0))
        return;
    if (!xt_check_rc("mapping the grant frame", 0, xt_map_page(xt_window, frames[0], XT_PTE_DATA)))
        return;
    /* Entries 0-7 are reserved for the toolstack; use entry 10. */
    g[10] = (struct grant_entry_v1){ .flags = 0, .domid = 0x1234, .frame = 0x5678 };
    xt_check_eq("grant entry 10 reads back", 0x5678, g[10].frame);
    g[10] = (struct grant_entry_v1){ 0 };
    xt_check_rc("restoring the window", 0, xt_remap_rw(xt_window));

    st.nr_frames = q->max_nr_frames + 1;
    xt_check_rc("setup_table past max_nr_frames", 0, HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1));
    xt_check_rc("status past max_nr_frames", GNTST_general_error, st.status);
}

static void test_versions(void)
{
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    struct gnttab_set_version sv = { .version = 1 };

    xt_check_rc("GNTTABOP_get_version", 0, HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1));
    xt_check_eq("version 1 by default", 1, gv.version);
    xt_check_rc("GNTTABOP_set_version 1", 0, HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1));
    xt_check_eq("set_version reports version 1", 1, sv.version);
    sv.version = 3;
    xt_check_rc("GNTTABOP_set_version 3", -XEN_EINVAL, HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1));
}

void test_main(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };

    xt_check_rc("GNTTABOP_query_size", 0, HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1));
    xt_check_rc("query_size status", GNTST_okay, q.status);
    xt_printk("grant table: %u frames, at most %u\n", q.nr_frames, q.max_nr_frames);
    xt_check_true("1 <= nr_frames <= max_nr_frames", q.nr_frames >= 1 && q.nr_frames <= q.max_nr_frames);
    test_setup(&q);
    test_versions();
    xt_check_rc("unknown GNTTABOP", -XEN_ENOSYS, HYPERVISOR_grant_table_op(99, &q, 1));
    xtf_success(NULL);
}
