/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The files xenner makes while it runs (sockets, pid file), and removes at exit. */
#ifndef XENNER_RUNTIME_H
#define XENNER_RUNTIME_H

#include <sys/types.h>

/*
 * Every file listed here is removed when xenner exits, however it exits
 * short of SIGKILL; one left by a killed xenner never stops the next
 * start: a socket nobody listens on is replaced, and an unlocked pid file
 * is overwritten.
 */

/* xenner's runtime directory: $XDG_RUNTIME_DIR/xenner, or /run/xenner for
 * root; created (mode 0700) on first use. NULL if it cannot be made. */
const char *runtime_dir(void);
/* Listens on unix socket @path (mode @mode), replacing a stale socket there,
 * and removes it at exit. The fd, or -1 with errno (EADDRINUSE: a live
 * process listens there). */
int runtime_listen_unix(const char *path, mode_t mode);
/* Removes @path at exit (a socket taken over from before a reboot's exec). */
void runtime_remember(const char *path);
/* -pidfile: writes our pid to @path and holds a lock on it while we live;
 * exits with a message if another live process holds it. */
void runtime_pidfile(const char *path);
/* -daemonize: fork; the parent waits until runtime_daemonize_ready() (then
 * exits 0) or until the child exits (then exits 1). */
void runtime_daemonize_start(void);
/* The daemon is set up: release the parent, detach stdio to /dev/null. */
void runtime_daemonize_ready(void);

#endif
