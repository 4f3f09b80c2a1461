/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console_ring: output through the PV console ring reaches the console backend. */
#include "xt.h"

const char xt_test_title[] = "console_ring: the PV console ring (start_info console.domU)";

void test_main(void)
{
    static const char line[] = "console_ring: hello through the PV console ring\n";
    uint64_t mfn = xt_start_info->console.domU.mfn;
    int rc;

    if (!xt_check_true("console mfn is set", mfn != 0) ||
        !xt_check_true("console evtchn is set", xt_start_info->console.domU.evtchn != 0) ||
        !xt_check_true("console page is one of our frames", xt_mfn_to_virt(mfn) != NULL))
        return;
    /* The expect file checks the line really came out. */
    rc = xt_console_ring_write(line, sizeof(line) - 1, XT_MS(5000));
    if (!xt_check_rc("ring write consumed by the backend", 0, rc))
        return;
    xtf_success(NULL);
}
