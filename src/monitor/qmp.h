/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMP monitor: QEMU's JSON machine protocol on a chardev, for libvirt. */
#ifndef XENNER_QMP_H
#define XENNER_QMP_H

#include <stdbool.h>

struct vm;
struct chardev;
struct json_object;

/* The version xenner reports as QEMU's (README, "QMP"): libvirt needs at
 * least 4.2.0 and builds the command line of the version it sees; 7.2.0 is
 * Debian bookworm's QEMU, whose command line from libvirt 9.0 xenner parses. */
#define QMP_QEMU_MAJOR 7
#define QMP_QEMU_MINOR 2
#define QMP_QEMU_MICRO 0

/* Serves QMP on @cd (from -qmp or -mon mode=control); before io_start. */
void monitor_add(struct vm *vm, struct chardev *cd);
/* Sends event @name with @data (may be NULL; ownership taken) to every
 * client past capability negotiation. Any thread. */
void monitor_event(const char *name, struct json_object *data);
struct vnc_peer;
/* VNC_CONNECTED, VNC_INITIALIZED, VNC_DISCONNECTED (display.c), for vnc_on_event(). */
void monitor_vnc_event(const char *event, const struct vnc_peer *client);

/* ---- for the command handlers (commands.c) ---- */

/* A command: returns its result (NULL means {}), or calls qmp_fail() and
 * returns NULL. Runs on the I/O thread. */
typedef struct json_object *qmp_cmd_fn(struct vm *vm, struct json_object *args);
struct qmp_cmd {
    const char *name;
    qmp_cmd_fn *fn;
};
extern const struct qmp_cmd qmp_commands[];
extern const unsigned qmp_nr_commands;
/* display.c: the screen's commands (query-vnc, screendump, send-key, ...) */
extern const struct qmp_cmd qmp_display_commands[];
extern const unsigned qmp_nr_display_commands;
/* Fails the running command with error class @cls ("GenericError",
 * "DeviceNotFound", ...). */
void qmp_fail(const char *cls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string argument @key of a command, or NULL if absent or not a string. */
const char *qmp_arg_str(struct json_object *args, const char *key);
/* Takes the descriptor named @name by getfd on the running command's
 * monitor (the caller owns it), or fails the command and returns -1. */
int qmp_take_fd(const char *name);
/* Calls @fn with every command's name but qmp_capabilities (query-commands). */
void qmp_command_names(void (*fn)(void *opaque, const char *name), void *opaque);

#endif
