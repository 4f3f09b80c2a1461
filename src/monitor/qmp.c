/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP: the greeting, capability negotiation, commands in, replies and events out. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "monitor/qmp.h"
#include "util/chardev.h"
#include "util/log.h"
#include "vmm/runstate.h"
#include "vmm/vmm.h"

/*
 * Each message is one JSON object followed by "\r\n" (libvirt reads lines
 * that end so). Commands run one at a time on the I/O thread; events come
 * from any thread and share the chardev's write lock with replies.
 */

#define MAX_MONITORS 4
#define MAX_NAMED_FDS 16 /* getfd's descriptors a monitor holds at once */

struct named_fd {
    char name[64];
    int fd; /* -1: a free slot */
};

struct monitor {
    struct vm *vm;
    struct chardev *cd;
    struct json_tokener *tok;
    bool negotiated; /* qmp_capabilities done: commands and events flow */
    int passed_fd;   /* the last descriptor the client passed, for getfd; or -1 */
    struct named_fd fds[MAX_NAMED_FDS];
};

static struct monitor monitors[MAX_MONITORS];
static unsigned nr_monitors;
/* The monitor whose command is running (I/O thread only). */
static struct monitor *current;

/* The error of the command being run (I/O thread only). */
static struct {
    bool failed;
    char cls[32];
    char desc[256];
} err;

const char *qmp_arg_str(struct json_object *args, const char *key)
{
    struct json_object *v;

    if (!args || !json_object_object_get_ex(args, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

void qmp_fail(const char *cls, const char *fmt, ...)
{
    va_list ap;

    err.failed = true;
    snprintf(err.cls, sizeof(err.cls), "%s", cls);
    va_start(ap, fmt);
    vsnprintf(err.desc, sizeof(err.desc), fmt, ap);
    va_end(ap);
}

static void send_obj(struct monitor *m, struct json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    size_t n = strlen(s);
    char *line = malloc(n + 2);

    if (line) {
        memcpy(line, s, n);
        memcpy(line + n, "\r\n", 2);
        chardev_write(m->cd, line, n + 2);
        free(line);
    }
    json_object_put(o);
}

static void reply_error(struct monitor *m, struct json_object *id, const char *cls,
                        const char *desc)
{
    struct json_object *r = json_object_new_object(), *e = json_object_new_object();

    json_object_object_add(e, "class", json_object_new_string(cls));
    json_object_object_add(e, "desc", json_object_new_string(desc));
    json_object_object_add(r, "error", e);
    if (id)
        json_object_object_add(r, "id", json_object_get(id));
    send_obj(m, r);
}

static void reply(struct monitor *m, struct json_object *id, struct json_object *ret)
{
    struct json_object *r = json_object_new_object();

    json_object_object_add(r, "return", ret ? ret : json_object_new_object());
    if (id)
        json_object_object_add(r, "id", json_object_get(id));
    send_obj(m, r);
}

/*
 * Descriptors passed by the client (SCM_RIGHTS on a unix socket), as QEMU
 * keeps them: the one that came with a `getfd` command is named by it, and
 * `closefd` or a command that uses it (add_client) takes it back.
 */
static void on_passed_fd(void *opaque, int fd)
{
    struct monitor *m = opaque;

    if (m->passed_fd >= 0)
        close(m->passed_fd); /* passed with a command that did not take it */
    m->passed_fd = fd;
}

static struct named_fd *find_fd(struct monitor *m, const char *name)
{
    for (unsigned i = 0; i < MAX_NAMED_FDS; i++)
        if (m->fds[i].fd >= 0 && !strcmp(m->fds[i].name, name))
            return &m->fds[i];
    return NULL;
}

static struct json_object *getfd(struct vm *vm, struct json_object *args)
{
    const char *name = qmp_arg_str(args, "fdname");
    struct named_fd *slot;

    if (!name) {
        qmp_fail("GenericError", "Parameter 'fdname' is missing");
        return NULL;
    }
    if (current->passed_fd < 0) {
        qmp_fail("GenericError", "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    if (name[0] >= '0' && name[0] <= '9') {
        qmp_fail("GenericError", "Parameter 'fdname' expects a name not starting with a digit");
        return NULL;
    }
    if (strlen(name) >= sizeof(slot->name)) {
        qmp_fail("GenericError", "Parameter 'fdname' is longer than %zu characters",
                 sizeof(slot->name) - 1);
        return NULL;
    }
    slot = find_fd(current, name);
    if (slot) {
        close(slot->fd); /* as QEMU: the name now means the new descriptor */
    } else {
        for (unsigned i = 0; i < MAX_NAMED_FDS && !slot; i++)
            if (current->fds[i].fd < 0)
                slot = &current->fds[i];
        if (!slot) {
            qmp_fail("GenericError", "Too many file descriptors held (%d); closefd some",
                     MAX_NAMED_FDS);
            return NULL;
        }
        snprintf(slot->name, sizeof(slot->name), "%s", name);
    }
    slot->fd = current->passed_fd;
    current->passed_fd = -1;
    log_debug("qmp", "getfd %s: descriptor %d", name, slot->fd);
    return NULL;
}

static struct json_object *closefd(struct vm *vm, struct json_object *args)
{
    const char *name = qmp_arg_str(args, "fdname");
    int fd = name ? qmp_take_fd(name) : -1;

    if (!name)
        qmp_fail("GenericError", "Parameter 'fdname' is missing");
    else if (fd >= 0)
        close(fd);
    return NULL;
}

int qmp_take_fd(const char *name)
{
    struct named_fd *slot = find_fd(current, name);
    int fd;

    if (!slot) {
        qmp_fail("GenericError", "File descriptor named '%s' not found", name);
        return -1;
    }
    fd = slot->fd;
    slot->fd = -1;
    return fd;
}

static const struct qmp_cmd fd_commands[] = {
    { "getfd", getfd },
    { "closefd", closefd },
};
static const unsigned nr_fd_commands = sizeof(fd_commands) / sizeof(fd_commands[0]);

static const struct {
    const struct qmp_cmd *cmds;
    const unsigned *nr;
} tables[] = {
    { qmp_commands, &qmp_nr_commands },
    { qmp_display_commands, &qmp_nr_display_commands },
    { fd_commands, &nr_fd_commands },
};

void qmp_command_names(void (*fn)(void *opaque, const char *name), void *opaque)
{
    for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (unsigned i = 0; i < *tables[t].nr; i++)
            fn(opaque, tables[t].cmds[i].name);
}

static const struct qmp_cmd *find_cmd(const char *name)
{
    for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (unsigned i = 0; i < *tables[t].nr; i++)
            if (!strcmp(tables[t].cmds[i].name, name))
                return &tables[t].cmds[i];
    return NULL;
}

static void dispatch(struct monitor *m, struct json_object *req)
{
    struct json_object *id = NULL, *ex = NULL, *args = NULL, *ret;
    const struct qmp_cmd *c;
    const char *name;

    if (!json_object_is_type(req, json_type_object)) {
        reply_error(m, NULL, "GenericError", "QMP input must be a JSON object");
        return;
    }
    json_object_object_get_ex(req, "id", &id);
    if (!json_object_object_get_ex(req, "execute", &ex) || !json_object_is_type(ex, json_type_string)) {
        reply_error(m, id, "GenericError", "QMP input lacks member 'execute'");
        return;
    }
    name = json_object_get_string(ex);
    if (json_object_object_get_ex(req, "arguments", &args) &&
        !json_object_is_type(args, json_type_object)) {
        reply_error(m, id, "GenericError", "QMP input member 'arguments' must be an object");
        return;
    }
    if (!strcmp(name, "qmp_capabilities")) {
        if (m->negotiated)
            reply_error(m, id, "CommandNotFound",
                        "Capabilities negotiation is already complete, command ignored");
        else {
            m->negotiated = true;
            reply(m, id, NULL);
        }
        return;
    }
    if (!m->negotiated) {
        reply_error(m, id, "CommandNotFound",
                    "Expecting capabilities negotiation with 'qmp_capabilities'");
        return;
    }
    c = find_cmd(name);
    if (!c) {
        char desc[160];

        snprintf(desc, sizeof(desc), "The command %s has not been found", name);
        reply_error(m, id, "CommandNotFound", desc);
        return;
    }
    log_debug("qmp", "command %s", name);
    err.failed = false;
    current = m;
    ret = c->fn(m->vm, args);
    current = NULL;
    if (err.failed) {
        json_object_put(ret);
        reply_error(m, id, err.cls, err.desc);
    } else {
        reply(m, id, ret);
        if (!strcmp(name, "quit"))
            run_quit(m->vm, EXIT_POWEROFF, "host-qmp-quit");
    }
}

static void on_input(void *opaque, const char *buf, size_t len)
{
    struct monitor *m = opaque;

    while (len) {
        struct json_object *o = json_tokener_parse_ex(m->tok, buf, len);
        enum json_tokener_error e = json_tokener_get_error(m->tok);
        size_t used = json_tokener_get_parse_end(m->tok);

        if (e == json_tokener_continue)
            return; /* the rest of the object comes later */
        if (e != json_tokener_success) {
            char desc[160];

            snprintf(desc, sizeof(desc), "JSON parse error, %s", json_tokener_error_desc(e));
            reply_error(m, NULL, "GenericError", desc);
            json_tokener_reset(m->tok);
            return; /* drop the rest of this read: resynchronise on the next */
        }
        dispatch(m, o);
        json_object_put(o);
        if (!used)
            used = len;
        buf += used;
        len -= used;
        json_tokener_reset(m->tok);
        /* Line ends and spaces between messages. */
        while (len && (*buf == '\r' || *buf == '\n' || *buf == ' ' || *buf == '\t')) {
            buf++;
            len--;
        }
    }
}

static void on_open(void *opaque)
{
    struct monitor *m = opaque;
    struct json_object *g = json_object_new_object(), *q = json_object_new_object();
    struct json_object *v = json_object_new_object(), *qv = json_object_new_object();

    json_tokener_reset(m->tok);
    m->negotiated = false;
    json_object_object_add(qv, "micro", json_object_new_int(QMP_QEMU_MICRO));
    json_object_object_add(qv, "minor", json_object_new_int(QMP_QEMU_MINOR));
    json_object_object_add(qv, "major", json_object_new_int(QMP_QEMU_MAJOR));
    json_object_object_add(v, "qemu", qv);
    json_object_object_add(v, "package", json_object_new_string("xenner " XENNER_VERSION));
    json_object_object_add(q, "version", v);
    json_object_object_add(q, "capabilities", json_object_new_array());
    json_object_object_add(g, "QMP", q);
    send_obj(m, g);
}

static void on_close(void *opaque)
{
    struct monitor *m = opaque;

    m->negotiated = false;
    if (m->passed_fd >= 0)
        close(m->passed_fd);
    m->passed_fd = -1;
}

/* A client survives a reboot's exec in its negotiated state, with no new greeting. */
static int on_save(void *opaque)
{
    return ((struct monitor *)opaque)->negotiated;
}

static void on_restore(void *opaque, int negotiated)
{
    struct monitor *m = opaque;

    json_tokener_reset(m->tok);
    m->negotiated = negotiated;
}

static const struct chardev_fe qmp_fe = { .input = on_input, .opened = on_open, .closed = on_close,
                                          .save = on_save, .restore = on_restore,
                                          .passed_fd = on_passed_fd };

void monitor_add(struct vm *vm, struct chardev *cd)
{
    struct monitor *m;

    if (nr_monitors == MAX_MONITORS)
        log_fatalx("options", "at most %d QMP monitors", MAX_MONITORS);
    m = &monitors[nr_monitors++];
    m->vm = vm;
    m->cd = cd;
    m->passed_fd = -1;
    for (unsigned i = 0; i < MAX_NAMED_FDS; i++)
        m->fds[i].fd = -1;
    m->tok = json_tokener_new();
    if (!m->tok)
        log_fatalx("qmp", "out of memory");
    chardev_attach(cd, "-mon", &qmp_fe, m);
}

void monitor_event(const char *name, struct json_object *data)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    for (unsigned i = 0; i < nr_monitors; i++) {
        struct json_object *e, *ts;

        if (!__atomic_load_n(&monitors[i].negotiated, __ATOMIC_ACQUIRE))
            continue;
        e = json_object_new_object();
        ts = json_object_new_object();
        json_object_object_add(e, "event", json_object_new_string(name));
        if (data)
            json_object_object_add(e, "data", json_object_get(data));
        json_object_object_add(ts, "seconds", json_object_new_int64(tv.tv_sec));
        json_object_object_add(ts, "microseconds", json_object_new_int64(tv.tv_usec));
        json_object_object_add(e, "timestamp", ts);
        send_obj(&monitors[i], e);
    }
    json_object_put(data);
    log_info("qmp", "event %s", name);
}
