/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console_io: CONSOLEIO_write of short, empty and multi-page buffers, and bad buffers. */
#include "xt.h"

const char xt_test_title[] = "console_io: CONSOLEIO_write and its error paths";

static char xt_big[3 * XT_PAGE_SIZE];

/* Lines of text long enough to span pages (Xen copies in small chunks). */
static size_t fill_big(void)
{
    size_t i, n = 0;

    for (i = 0; n + 80 < sizeof(xt_big); i++)
        n += (size_t)xt_snprintf(xt_big + n, sizeof(xt_big) - n,
                                 "console_io: long write, line %03lu of text\n", i);
    return n;
}

void test_main(void)
{
    static const char line[] = "console_io: a line written with CONSOLEIO_write\n";
    long rc = HYPERVISOR_console_io(CONSOLEIO_write, sizeof(line) - 1, line);

    /* Unprivileged domains on a release build of Xen get -EPERM (xsm_console_io). */
    if (rc == -XEN_EPERM) {
        xtf_skip("Skip: console_io is not permitted for this domain\n");
        return;
    }
    xt_check_rc("CONSOLEIO_write of one line", 0, rc);
    xt_check_rc("CONSOLEIO_write of 0 bytes", 0,
                HYPERVISOR_console_io(CONSOLEIO_write, 0, line));
    xt_check_rc("CONSOLEIO_write across pages", 0,
                HYPERVISOR_console_io(CONSOLEIO_write, (int)fill_big(), xt_big));
    /* guest_console_write(): copy_from_guest failure is -EFAULT. */
    xt_check_rc("CONSOLEIO_write from an unmapped buffer", -XEN_EFAULT,
                HYPERVISOR_console_io(CONSOLEIO_write, 16, (const char *)0x1000));
    xt_check_rc("CONSOLEIO_write from the hypervisor hole", -XEN_EFAULT,
                HYPERVISOR_console_io(CONSOLEIO_write, 16,
                                      (const char *)HYPERVISOR_VIRT_START));
    xtf_success(NULL);
}
