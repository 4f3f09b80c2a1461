/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages to stderr, prefixed with "xenner: " and the subsystem. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

int log_verbosity;
bool log_timestamps;

static void stamp(void)
{
    if (log_timestamps) {
        /* QEMU's -msg timestamp=on format, which libvirt's log readers know. */
        struct timespec ts;
        struct tm tm;
        char when[40];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(stderr, "%s.%03ldZ ", when, ts.tv_nsec / 1000000);
    }
}

static void vlog(const char *sub, const char *fmt, va_list ap, const char *err)
{
    char msg[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    stamp();
    if (err)
        fprintf(stderr, "xenner: %s: %s: %s\n", sub, msg, err);
    else
        fprintf(stderr, "xenner: %s: %s\n", sub, msg);
}

#define LOG_BODY(errstr)              \
    va_list ap;                       \
    va_start(ap, fmt);                \
    vlog(sub, fmt, ap, errstr);       \
    va_end(ap)

void log_warn(const char *sub, const char *fmt, ...)
{
    const char *e = strerror(errno);

    LOG_BODY(e);
}

void log_warnx(const char *sub, const char *fmt, ...)
{
    LOG_BODY(NULL);
}

void log_info(const char *sub, const char *fmt, ...)
{
    if (log_verbosity < 1)
        return;
    LOG_BODY(NULL);
}

void log_debug(const char *sub, const char *fmt, ...)
{
    if (log_verbosity < 2)
        return;
    LOG_BODY(NULL);
}

void log_fatalx(const char *sub, const char *fmt, ...)
{
    LOG_BODY(NULL);
    exit(1);
}

void log_fatal(const char *sub, const char *fmt, ...)
{
    const char *e = strerror(errno);

    LOG_BODY(e);
    exit(1);
}

void log_plain(const char *fmt, ...)
{
    va_list ap;

    stamp();
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
