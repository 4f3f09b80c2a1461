/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcpu_op: is_up, nonexistent vcpus, unknown commands, get_physid for a domU. */
#include "xt.h"

const char xt_test_title[] = "vcpu_op: VCPUOP_is_up and error paths";

void test_main(void)
{
    struct vcpu_get_physid id;

    xt_check_rc("VCPUOP_is_up vcpu 0", 1, HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL));
    /* common/domain.c do_vcpu_op: no such vcpu -> -ENOENT. */
    xt_check_rc("VCPUOP_is_up vcpu 1000", -XEN_ENOENT, HYPERVISOR_vcpu_op(VCPUOP_is_up, 1000, NULL));
    xt_check_rc("unknown VCPUOP", -XEN_ENOSYS, HYPERVISOR_vcpu_op(99, 0, NULL));
    /* arch/x86/domain.c: only a pinned hardware-domain vcpu has a physid. */
    xt_check_rc("VCPUOP_get_physid in a domU", -XEN_EINVAL,
                HYPERVISOR_vcpu_op(VCPUOP_get_physid, 0, &id));
    xtf_success(NULL);
}
