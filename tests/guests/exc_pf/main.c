/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exc_pf: #PF error codes and cr2 (in vcpu_info->arch.cr2) for kernel-mode faults. */
#include "xt.h"

const char xt_test_title[] = "exc_pf: page faults with error code and cr2";

static void check_pf(const char *what, uint64_t ec, uint64_t cr2)
{
    char buf[96];

    xt_check_fault(what, X86_EXC_PF, ec);
    xt_snprintf(buf, sizeof(buf), "%s: cr2", what);
    xt_check_eq(buf, cr2, xt_fault.cr2);
    xt_snprintf(buf, sizeof(buf), "%s: vcpu_info arch.cr2", what);
    xt_check_eq(buf, cr2, xt_vcpu->arch.cr2);
}

void test_main(void)
{
    uint8_t *ro = xt_alloc_page();
    uint64_t val;

    /* The guest kernel's faults have the U bit clear (pv/traps.c, pv_inject_event). */
    xt_fault_clear();
    xt_probe_read((void *)0x1000, &val);
    check_pf("read of an unmapped address", 0, 0x1000);

    xt_fault_clear();
    xt_probe_write((void *)0x2008, 1);
    check_pf("write to an unmapped address", X86_PFEC_WRITE, 0x2008);

    if (!xt_require_rc("making a page read-only", 0, xt_remap_ro(ro)))
        return;
    xt_fault_clear();
    xt_check_true("read of a read-only page", xt_probe_read(ro + 8, &val));
    xt_probe_write(ro + 16, 1);
    check_pf("write to a read-only page", X86_PFEC_PRESENT | X86_PFEC_WRITE, (uint64_t)ro + 16);

    /* The L4 is a pinned page table: never writable, whatever the vm_assists. */
    xt_fault_clear();
    xt_probe_write((uint8_t *)xt_start_info->pt_base + 0x800, 0);
    check_pf("write to the L4 page table", X86_PFEC_PRESENT | X86_PFEC_WRITE,
             xt_start_info->pt_base + 0x800);
    xtf_success(NULL);
}
