/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test status reporting in XTF's manner: the worst status reported wins. */
#include "xt.h"

enum xt_status { XT_RUNNING, XT_SUCCESS, XT_SKIP, XT_ERROR, XT_FAILURE };

static enum xt_status xt_status = XT_RUNNING;

static const char *const xt_status_names[] = {
    [XT_RUNNING] = "ERROR",
    [XT_SUCCESS] = "SUCCESS",
    [XT_SKIP] = "SKIP",
    [XT_ERROR] = "ERROR",
    [XT_FAILURE] = "FAILURE",
};

static void report(enum xt_status s, const char *fmt, va_list ap)
{
    if (s > xt_status)
        xt_status = s;
    if (fmt)
        xt_vprintk(fmt, ap);
}

#define XT_REPORT_FN(name, status)              \
    void name(const char *fmt, ...)             \
    {                                           \
        va_list ap;                             \
                                                \
        va_start(ap, fmt);                      \
        report(status, fmt, ap);                \
        va_end(ap);                             \
    }

XT_REPORT_FN(xtf_success, XT_SUCCESS)
XT_REPORT_FN(xtf_skip, XT_SKIP)
XT_REPORT_FN(xtf_error, XT_ERROR)
XT_REPORT_FN(xtf_failure, XT_FAILURE)

bool xtf_failed(void)
{
    return xt_status >= XT_ERROR;
}

static void shutdown(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };

    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

void xt_exit(void)
{
    if (xt_status == XT_RUNNING)
        xt_printk("Error: the test reported no result\n");
    xt_printk("Test result: %s\n", xt_status_names[xt_status]);
    shutdown(SHUTDOWN_poweroff);
    /* Still here: crash instead, so the run cannot look like a pass. */
    shutdown(SHUTDOWN_crash);
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

void xt_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(XT_ERROR, fmt, ap);
    va_end(ap);
    xt_exit();
}

bool xt_check_eq(const char *what, uint64_t expected, uint64_t got)
{
    if (expected == got)
        return true;
    xtf_failure("Fail: %s: expected %#lx, got %#lx\n", what, expected, got);
    return false;
}

bool xt_check_rc(const char *what, long expected, long got)
{
    if (expected == got)
        return true;
    xtf_failure("Fail: %s: expected %ld, got %ld\n", what, expected, got);
    return false;
}

bool xt_check_true(const char *what, bool cond)
{
    if (!cond)
        xtf_failure("Fail: %s: expected true, got false\n", what);
    return cond;
}

bool xt_require_rc(const char *what, long expected, long got)
{
    if (expected == got)
        return true;
    xtf_error("Error: %s: expected %ld, got %ld\n", what, expected, got);
    return false;
}
