/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shared_info: the frame from start_info maps, twice, and holds sane time data. */
#include "xt.h"

const char xt_test_title[] = "shared_info: mapping the shared_info frame and its contents";

/* A second mapping of the same frame sees the same bytes. */
static void test_second_mapping(void)
{
    shared_info_t *alias = (shared_info_t *)xt_window;
    long rc = HYPERVISOR_update_va_mapping((unsigned long)xt_window,
                                           xt_start_info->shared_info | XT_PTE_DATA, UVMF_INVLPG);

    if (!xt_check_rc("mapping shared_info a second time", 0, rc))
        return;
    alias->evtchn_mask[63] = 0x5a5a5a5a12345678UL;
    xt_check_eq("write through one mapping, read through the other", 0x5a5a5a5a12345678UL,
                XT_READ_ONCE(xt_shared->evtchn_mask[63]));
    xt_shared->evtchn_mask[63] = ~0UL;
    xt_check_eq("and back", ~0UL, XT_READ_ONCE(alias->evtchn_mask[63]));
    xt_check_rc("restoring the window", 0, xt_remap_rw(xt_window));
}

static void test_time(void)
{
    struct vcpu_time_info t;
    uint32_t v;

    xt_time_snapshot(&xt_vcpu->time, &t);
    xt_check_eq("vcpu_time_info version is even", 0, t.version & 1);
    xt_check_true("tsc_to_system_mul is set", t.tsc_to_system_mul != 0);
    xt_check_true("system_time is set", t.system_time != 0);
    v = XT_READ_ONCE(xt_shared->wc_version);
    xt_check_eq("wc_version is even", 0, v & 1);
    /* 2020-01-01: the wallclock is set from the host's clock. */
    xt_check_true("wallclock is after 2020", xt_shared->wc_sec + ((uint64_t)xt_shared->wc_sec_hi << 32)
                                             >= 1577836800UL);
}

void test_main(void)
{
    xt_printk("shared_info at machine address %#lx\n", xt_start_info->shared_info);
    xt_check_eq("shared_info L1 entry maps the frame", xt_start_info->shared_info,
                xt_l1e_of(xt_shared_info_page) & XT_PTE_ADDR);
    xt_check_eq("vcpu 0 upcall mask (set at boot)", 1, xt_vcpu->evtchn_upcall_mask);
    test_second_mapping();
    test_time();
    xtf_success(NULL);
}
