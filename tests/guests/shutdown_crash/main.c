/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shutdown_crash: SCHEDOP_shutdown with SHUTDOWN_crash ends the domain as crashed. */
#include "xt.h"

const char xt_test_title[] = "shutdown_crash: SCHEDOP_shutdown(SHUTDOWN_crash)";

void test_main(void)
{
    struct sched_shutdown s = { .reason = SHUTDOWN_crash };

    xt_printk("shutdown_crash: reporting a crash with SCHEDOP_shutdown\n");
    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    xtf_failure("Fail: SCHEDOP_shutdown(SHUTDOWN_crash) returned\n");
}
