/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Character devices (-chardev): where the PV console and the QMP monitor meet the host. */
#ifndef XENNER_CHARDEV_H
#define XENNER_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>

struct opts;
struct chardev;

/*
 * A front end (the PV console, a QMP monitor) attaches to one chardev.
 * Its callbacks run on the I/O thread; input() gets what was read.
 * opened()/closed() tell a socket chardev's front end that a client came
 * or went (a monitor greets each new client).
 */
struct chardev_fe {
    void (*input)(void *opaque, const char *buf, size_t len);
    void (*opened)(void *opaque);
    void (*closed)(void *opaque);
    /* Across a guest reboot (chardev_keep_for_exec): the front end's state
     * for a connected client (a monitor: negotiated), and back. Optional. */
    int (*save)(void *opaque);
    void (*restore)(void *opaque, int state);
    /* A socket client passed descriptor @fd (SCM_RIGHTS), before the input
     * it came with; the front end owns it. Optional: without it, closed. */
    void (*passed_fd)(void *opaque, int fd);
};

/* -chardev BACKEND,id=ID,...: stdio, pty, socket (path= or fd=, server=on),
 * file (path=), null. Exits naming the option on what xenner cannot honour. */
void chardev_add_opts(struct opts *o);
/* -serial / -qmp / -monitor shorthands ("stdio", "pty", "null", "file:PATH",
 * "unix:PATH,server=on,wait=off", "chardev:ID"): the id of a new or named chardev. */
const char *chardev_add_short(const char *option, const char *spec, const char *id);
struct chardev *chardev_find(const char *id);
/* Opens every chardev (ptys, listening sockets, files); prints the pty
 * paths as QEMU does. Exits with a message on failure. */
void chardev_open_all(void);
/* Attaches @fe; at most one front end per chardev (exits naming @who otherwise). */
void chardev_attach(struct chardev *cd, const char *who, const struct chardev_fe *fe, void *opaque);
/* Writes @len bytes without blocking for long: output nobody reads (a pty
 * without a reader, a stuck socket) is dropped, as on a serial line. A
 * stdio or file chardev writes everything. Any thread. */
void chardev_write(struct chardev *cd, const void *buf, size_t len);
/* Stops or resumes reading input (any thread): a front end with a full buffer. */
void chardev_pause_input(struct chardev *cd, bool paused);
bool chardev_is_stdio(const struct chardev *cd);

/*
 * A guest reboot re-executes xenner (README, "Reboot"). So that clients
 * keep their connections and the console keeps its pty, every chardev's
 * descriptors survive the exec, described in the environment; the new
 * process's chardev_open_all() takes them over instead of making new ones.
 */
void chardev_keep_for_exec(void);
/* Before that exec: waits until no chardev input (a QMP command) is being
 * handled and keeps any more from being read, so each command is answered
 * either by this process or, still unread, by the next one. */
void chardev_quiesce(void);

/* For query-chardev: calls @fn for each chardev with its label and its
 * QEMU-style filename ("pty:/dev/pts/3", "unix:/path,server=on", "stdio"). */
void chardev_foreach(void (*fn)(void *opaque, const char *label, const char *filename,
                                bool connected), void *opaque);

#endif
