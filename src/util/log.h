/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One logging vocabulary: warn (with errno), warnx, fatal, info, debug. */
#ifndef XENNER_LOG_H
#define XENNER_LOG_H

#include <stdbool.h>

extern int log_verbosity; /* 0 errors and warnings, 1 info, 2 debug */
extern bool log_timestamps; /* -msg timestamp=on: messages start with the UTC time */

void log_warn(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warnx(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_info(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_debug(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A message without the "xenner: " prefix, for lines whose wording others
 * read (QEMU's "char device redirected to ..."). */
void log_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print and exit with status 1 (a set-up failure). */
void log_fatalx(const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
void log_fatal(const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
