/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memory_op: reservations, maximum_ram_page, machphys_mapping and the M2P it names. */
#include "xt.h"

const char xt_test_title[] = "memory_op: XENMEM_* queries and the machine-to-phys table";

static uint64_t max_our_mfn(void)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)xt_start_info->mfn_list;
    uint64_t i, max = 0;

    for (i = 0; i < xt_start_info->nr_pages; i++)
        if (p2m[i] > max)
            max = p2m[i];
    return max;
}

static void test_reservations(void)
{
    domid_t self = DOMID_SELF, none = DOMID_INVALID;
    long cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    long max = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);

    xt_check_rc("current_reservation is nr_pages", (long)xt_start_info->nr_pages, cur);
    xt_check_true("maximum_reservation >= current", max >= cur);
    /* rcu_lock_domain_by_any_id fails -> -ESRCH (common/memory.c). */
    xt_check_rc("current_reservation of DOMID_INVALID", -XEN_ESRCH,
                HYPERVISOR_memory_op(XENMEM_current_reservation, &none));
}

/* Every frame of ours maps back to its pfn in the read-only M2P. */
static void test_m2p(const struct xen_machphys_mapping *m)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)xt_start_info->mfn_list;
    uint64_t pfn, v;
    char what[80];

    for (pfn = 0; pfn < xt_start_info->nr_pages; pfn++) {
        const void *e = (const void *)(m->v_start + p2m[pfn] * sizeof(xen_pfn_t));

        if (xt_probe_read(e, &v) && v == pfn)
            continue;
        xt_snprintf(what, sizeof(what), "M2P entry of pfn %#lx (mfn %#lx)", pfn, p2m[pfn]);
        xt_check_eq(what, pfn, v);
        return;
    }
}

static void test_machphys(void)
{
    struct xen_machphys_mapping m = { 0 };

    if (!xt_check_rc("XENMEM_machphys_mapping", 0, HYPERVISOR_memory_op(XENMEM_machphys_mapping, &m)))
        return;
    xt_printk("M2P at %#lx-%#lx, max_mfn %#lx\n", m.v_start, m.v_end, m.max_mfn);
    /* Xen uses MACH2PHYS_VIRT_START; the ABI only promises a read-only
     * table inside the hypervisor hole, which is all guests may assume. */
    xt_check_true("M2P inside the hypervisor hole",
                  m.v_start >= HYPERVISOR_VIRT_START && m.v_end <= HYPERVISOR_VIRT_END);
    xt_check_true("v_end above v_start", m.v_end > m.v_start);
    xt_check_true("max_mfn covers our frames", m.max_mfn >= max_our_mfn());
    test_m2p(&m);
}

void test_main(void)
{
    long maxram = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

    xt_check_true("maximum_ram_page above every frame of ours", maxram > (long)max_our_mfn());
    test_reservations();
    test_machphys();
    xt_check_rc("unknown XENMEM command 63", -XEN_ENOSYS, HYPERVISOR_memory_op(63, NULL));
    xtf_success(NULL);
}
