/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xen_version: version, extraversion, capabilities, features, pagesize, bad commands. */
#include "xt.h"

const char xt_test_title[] = "xen_version: XENVER_* sub-commands and errors";

static void test_strings(void)
{
    xen_extraversion_t extra;
    static xen_capabilities_info_t caps;

    memset(extra, 0xff, sizeof(extra));
    xt_check_rc("XENVER_extraversion", 0, HYPERVISOR_xen_version(XENVER_extraversion, extra));
    xt_check_true("extraversion is NUL-terminated", strnlen(extra, sizeof(extra)) < sizeof(extra));
    memset(caps, 0xff, sizeof(caps));
    xt_check_rc("XENVER_capabilities", 0, HYPERVISOR_xen_version(XENVER_capabilities, caps));
    xt_check_true("capabilities is NUL-terminated", strnlen(caps, sizeof(caps)) < sizeof(caps));
    xt_check_true("capabilities list xen-3.0-x86_64", strstr(caps, "xen-3.0-x86_64") != NULL);
    xt_printk("Xen extraversion \"%s\", capabilities \"%s\"\n", extra, caps);
}

/* xen/common/kernel.c, XENVER_get_features: what a PV domU sees in submap 0. */
static void test_features(void)
{
    xen_feature_info_t fi = { .submap_idx = 0, .submap = 0xdeadbeef };

    xt_check_rc("XENVER_get_features submap 0", 0, HYPERVISOR_xen_version(XENVER_get_features, &fi));
    xt_check_eq("XENFEAT_writable_page_tables (PV)", 0, (fi.submap >> XENFEAT_writable_page_tables) & 1);
    xt_check_eq("XENFEAT_auto_translated_physmap (PV)", 0,
                (fi.submap >> XENFEAT_auto_translated_physmap) & 1);
    xt_check_eq("XENFEAT_supervisor_mode_kernel", 0, (fi.submap >> XENFEAT_supervisor_mode_kernel) & 1);
    xt_check_eq("XENFEAT_hvm_callback_vector (PV)", 0, (fi.submap >> XENFEAT_hvm_callback_vector) & 1);
    xt_check_eq("XENFEAT_dom0 (domU)", 0, (fi.submap >> XENFEAT_dom0) & 1);
    xt_check_eq("XENFEAT_mmu_pt_update_preserve_ad", 1,
                (fi.submap >> XENFEAT_mmu_pt_update_preserve_ad) & 1);
    fi.submap_idx = 1;
    xt_check_rc("XENVER_get_features submap 1", -XEN_EINVAL,
                HYPERVISOR_xen_version(XENVER_get_features, &fi));
}

void test_main(void)
{
    long v = HYPERVISOR_xen_version(XENVER_version, NULL);
    xen_platform_parameters_t pp = { 0 };

    xt_printk("Xen version %ld.%ld\n", v >> 16, v & 0xffff);
    xt_check_true("major version >= 3", v > 0 && (v >> 16) >= 3);
    test_strings();
    test_features();
    xt_check_rc("XENVER_pagesize", XT_PAGE_SIZE, HYPERVISOR_xen_version(XENVER_pagesize, NULL));
    xt_check_rc("XENVER_platform_parameters", 0,
                HYPERVISOR_xen_version(XENVER_platform_parameters, &pp));
    xt_check_eq("platform_parameters.virt_start", HYPERVISOR_VIRT_START, pp.virt_start);
    xt_check_rc("unknown XENVER command", -XEN_ENOSYS, HYPERVISOR_xen_version(0x7fff, NULL));
    xtf_success(NULL);
}
