/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm_assist: enabling and disabling known assists; unknown types and commands. */
#include "xt.h"

const char xt_test_title[] = "vm_assist: VMASST_CMD_enable/disable and errors";

void test_main(void)
{
    static const unsigned int types[] = { VMASST_TYPE_writable_pagetables,
                                          VMASST_TYPE_runstate_update_flag };
    unsigned int i;
    char what[64];

    for (i = 0; i < XT_ARRAY_SIZE(types); i++) {
        xt_snprintf(what, sizeof(what), "enable type %u", types[i]);
        xt_check_rc(what, 0, HYPERVISOR_vm_assist(VMASST_CMD_enable, types[i]));
        xt_snprintf(what, sizeof(what), "disable type %u", types[i]);
        xt_check_rc(what, 0, HYPERVISOR_vm_assist(VMASST_CMD_disable, types[i]));
    }
    /* common/domain.c do_vm_assist: type outside the valid mask -> -EINVAL, bad cmd -> -ENOSYS. */
    xt_check_rc("enable unknown type 30", -XEN_EINVAL, HYPERVISOR_vm_assist(VMASST_CMD_enable, 30));
    xt_check_rc("enable type 64", -XEN_EINVAL, HYPERVISOR_vm_assist(VMASST_CMD_enable, 64));
    xt_check_rc("unknown command", -XEN_ENOSYS,
                HYPERVISOR_vm_assist(7, VMASST_TYPE_writable_pagetables));
    xtf_success(NULL);
}
