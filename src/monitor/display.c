/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP for the guest's screen: query-vnc, screendump, send-key, input-send-event, passwords, VNC events. */
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "monitor/qmp.h"
#include "ui/display.h"
#include "ui/keymap.h"
#include "ui/vnc.h"
#include "util/log.h"

#define OBJ() json_object_new_object()
#define STR(s) json_object_new_string(s)
#define BOOL(b) json_object_new_boolean(b)
#define ADD(o, k, v) json_object_object_add(o, k, v)

static struct json_object *peer_json(const struct vnc_peer *p)
{
    struct json_object *o = OBJ();

    ADD(o, "host", STR(p->host));
    ADD(o, "service", STR(p->service));
    ADD(o, "family", STR(p->family));
    ADD(o, "websocket", BOOL(false));
    return o;
}

static struct json_object *server_json(const struct vnc_info *i, bool with_auth)
{
    struct json_object *o = OBJ();

    ADD(o, "host", STR(i->host));
    ADD(o, "service", STR(i->service));
    ADD(o, "family", STR(i->family));
    ADD(o, "websocket", BOOL(false));
    if (with_auth)
        ADD(o, "auth", STR(i->auth));
    return o;
}

/* VncInfo, as QEMU 7.2 answers query-vnc. */
static struct json_object *q_vnc(struct vm *vm, struct json_object *args)
{
    struct vnc_info i;
    struct json_object *r = OBJ(), *clients;

    if (!vnc_info(&i)) {
        ADD(r, "enabled", BOOL(false));
        return r;
    }
    ADD(r, "enabled", BOOL(true));
    ADD(r, "host", STR(i.host));
    ADD(r, "service", STR(i.service));
    ADD(r, "family", STR(i.family));
    ADD(r, "auth", STR(i.auth));
    clients = json_object_new_array();
    for (unsigned k = 0; k < i.nr_peers; k++)
        json_object_array_add(clients, peer_json(&i.peers[k]));
    ADD(r, "clients", clients);
    return r;
}

void monitor_vnc_event(const char *event, const struct vnc_peer *client)
{
    struct vnc_info i;
    struct json_object *d;

    if (!vnc_info(&i))
        return;
    d = OBJ();
    ADD(d, "server", server_json(&i, strcmp(event, "VNC_CONNECTED")));
    ADD(d, "client", peer_json(client));
    monitor_event(event, d);
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n, len -= n;
    }
    return 0;
}

static int write_ppm(int fd, const uint8_t *rgb, unsigned w, unsigned h)
{
    char head[64];
    int n = snprintf(head, sizeof(head), "P6\n%u %u\n255\n", w, h);

    return write_all(fd, head, n) || write_all(fd, rgb, (size_t)w * h * 3) ? -1 : 0;
}

static int write_png(int fd, const uint8_t *rgb, unsigned w, unsigned h)
{
    png_image img = { .version = PNG_IMAGE_VERSION, .width = w, .height = h,
                      .format = PNG_FORMAT_RGB };
    png_alloc_size_t len = 0;
    void *buf;
    int rc;

    if (!png_image_write_get_memory_size(img, len, 0, rgb, 0, NULL))
        return -1;
    buf = malloc(len);
    if (!buf)
        return -1;
    rc = png_image_write_to_memory(&img, buf, &len, 0, rgb, 0, NULL) ? write_all(fd, buf, len) : -1;
    free(buf);
    return rc;
}

/* screendump {filename, format?: ppm|png}: the screen as the guest drew it. */
static struct json_object *screendump(struct vm *vm, struct json_object *args)
{
    const char *file = qmp_arg_str(args, "filename"), *format = qmp_arg_str(args, "format");
    unsigned w, h;
    uint8_t *rgb;
    int fd, rc, err;

    if (!file) {
        qmp_fail("GenericError", "Parameter 'filename' is missing");
        return NULL;
    }
    if (format && strcmp(format, "ppm") && strcmp(format, "png")) {
        qmp_fail("GenericError", "Parameter 'format' does not accept value '%s'", format);
        return NULL;
    }
    if (qmp_arg_str(args, "device")) {
        qmp_fail("DeviceNotFound", "Device '%s' not found", qmp_arg_str(args, "device"));
        return NULL;
    }
    rgb = display_copy_rgb(&w, &h);
    if (!rgb) {
        qmp_fail("GenericError", "There is no console to take a screendump from: the guest "
                 "has no framebuffer (-vnc or -device VGA gives it one) or has not set it up yet");
        return NULL;
    }
    fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        err = errno;
        free(rgb);
        qmp_fail("GenericError", "Could not open '%s': %s", file, strerror(err));
        return NULL;
    }
    errno = EIO;
    rc = format && !strcmp(format, "png") ? write_png(fd, rgb, w, h) : write_ppm(fd, rgb, w, h);
    err = errno;
    if (close(fd) && !rc) {
        rc = -1;
        err = errno;
    }
    free(rgb);
    if (rc) {
        unlink(file); /* no half-written picture left behind */
        qmp_fail("GenericError", "Could not write '%s': %s", file, strerror(err));
        return NULL;
    }
    return NULL;
}

/* A KeyValue: {"type": "qcode", "data": "ctrl"} or {"type": "number", "data": 29}. */
static unsigned key_value(struct json_object *k)
{
    struct json_object *type, *data;
    const char *t;

    if (!json_object_is_type(k, json_type_object) ||
        !json_object_object_get_ex(k, "type", &type) ||
        !json_object_object_get_ex(k, "data", &data))
        return 0;
    t = json_object_get_string(type);
    if (!strcmp(t, "qcode") && json_object_is_type(data, json_type_string))
        return keymap_from_qcode(json_object_get_string(data));
    if (!strcmp(t, "number") && json_object_is_type(data, json_type_int))
        return keymap_from_qnum(json_object_get_int(data));
    return 0;
}

#define MAX_KEYS 16
#define MAX_QUEUED 256 /* send-key commands waiting their turn */

/* One send-key: pressed in order, held, released in reverse. */
struct press {
    unsigned codes[MAX_KEYS], n;
    unsigned hold_ms;
    struct press *next;
};

/* send-key returns at once and its keys go to the guest in turn, each
 * command's after the previous one's release, as QEMU queues them: a shift
 * held by one command never reaches the next command's keys. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct press *head, **tail;
    unsigned n;
    bool running;
} keyq = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, &keyq.head, 0, false };

static void *key_worker(void *arg)
{
    (void)arg;
    for (;;) {
        struct press *p;
        struct timespec ts;

        pthread_mutex_lock(&keyq.lock);
        while (!keyq.head)
            pthread_cond_wait(&keyq.cond, &keyq.lock);
        p = keyq.head;
        keyq.head = p->next;
        if (!keyq.head)
            keyq.tail = &keyq.head;
        keyq.n--;
        pthread_mutex_unlock(&keyq.lock);

        for (unsigned i = 0; i < p->n; i++)
            display_key(p->codes[i], true);
        ts = (struct timespec){ p->hold_ms / 1000, (long)(p->hold_ms % 1000) * 1000000 };
        while (nanosleep(&ts, &ts) && errno == EINTR)
            ;
        while (p->n--)
            display_key(p->codes[p->n], false);
        free(p);
    }
    return NULL;
}

/* send-key {keys: [KeyValue], hold-time?: ms}: pressed in order, released
 * in reverse after hold-time (default 100 ms), after the keys of earlier
 * send-key commands. */
static struct json_object *send_key(struct vm *vm, struct json_object *args)
{
    struct json_object *keys, *hold;
    struct press *p;
    size_t n;

    if (!args || !json_object_object_get_ex(args, "keys", &keys) ||
        !json_object_is_type(keys, json_type_array) || !(n = json_object_array_length(keys))) {
        qmp_fail("GenericError", "Parameter 'keys' is missing or empty");
        return NULL;
    }
    if (n > MAX_KEYS) {
        qmp_fail("GenericError", "at most %d keys at once", MAX_KEYS);
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (!p) {
        qmp_fail("GenericError", "out of memory");
        return NULL;
    }
    p->hold_ms = 100;
    if (json_object_object_get_ex(args, "hold-time", &hold)) {
        int64_t ms = json_object_get_int64(hold);

        p->hold_ms = ms < 0 ? 0 : ms > 10000 ? 10000 : ms;
    }
    for (size_t i = 0; i < n; i++) {
        p->codes[i] = key_value(json_object_array_get_idx(keys, i));
        if (!p->codes[i]) {
            free(p);
            qmp_fail("GenericError", "keys[%zu]: not a key xenner knows (%s)", i,
                     json_object_to_json_string(json_object_array_get_idx(keys, i)));
            return NULL;
        }
    }
    p->n = n;
    pthread_mutex_lock(&keyq.lock);
    if (keyq.n >= MAX_QUEUED) {
        pthread_mutex_unlock(&keyq.lock);
        free(p);
        qmp_fail("GenericError", "%d send-key commands are still waiting to be typed",
                 MAX_QUEUED);
        return NULL;
    }
    if (!keyq.running) {
        pthread_t t;

        if (pthread_create(&t, NULL, key_worker, NULL)) {
            pthread_mutex_unlock(&keyq.lock);
            free(p);
            qmp_fail("GenericError", "cannot start the key thread");
            return NULL;
        }
        pthread_detach(t);
        keyq.running = true;
    }
    *keyq.tail = p;
    keyq.tail = &p->next;
    keyq.n++;
    pthread_cond_signal(&keyq.cond);
    pthread_mutex_unlock(&keyq.lock);
    return NULL;
}

static const struct {
    const char *name;
    unsigned code;
} buttons[] = { { "left", 0x110 }, { "right", 0x111 }, { "middle", 0x112 },
                { "side", 0x113 }, { "extra", 0x114 } };

/* input-send-event {events: [InputEvent]}: keys, buttons and the absolute
 * pointer, to the guest's PV keyboard and pointer. */
static struct json_object *input_send_event(struct vm *vm, struct json_object *args)
{
    struct json_object *events;
    int x = -1, y = -1, wheel = 0;
    size_t n;

    if (!args || !json_object_object_get_ex(args, "events", &events) ||
        !json_object_is_type(events, json_type_array)) {
        qmp_fail("GenericError", "Parameter 'events' is missing");
        return NULL;
    }
    if (qmp_arg_str(args, "device")) {
        qmp_fail("DeviceNotFound", "Device '%s' not found", qmp_arg_str(args, "device"));
        return NULL;
    }
    n = json_object_array_length(events);
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(events, i), *type, *data, *v;
        const char *t;

        if (!json_object_object_get_ex(e, "type", &type) ||
            !json_object_object_get_ex(e, "data", &data))
            goto bad;
        t = json_object_get_string(type);
        if (!strcmp(t, "key")) {
            unsigned code = json_object_object_get_ex(data, "key", &v) ? key_value(v) : 0;

            if (!code || !json_object_object_get_ex(data, "down", &v))
                goto bad;
            display_key(code, json_object_get_boolean(v));
        } else if (!strcmp(t, "btn")) {
            const char *b = json_object_object_get_ex(data, "button", &v) ?
                            json_object_get_string(v) : "";
            bool down = json_object_object_get_ex(data, "down", &v) && json_object_get_boolean(v);
            unsigned k;

            for (k = 0; k < sizeof(buttons) / sizeof(buttons[0]); k++)
                if (!strcmp(b, buttons[k].name))
                    break;
            if (k < sizeof(buttons) / sizeof(buttons[0]))
                display_key(buttons[k].code, down);
            else if (!strcmp(b, "wheel-up"))
                wheel += down; /* a wheel step is its press; the release moves nothing */
            else if (!strcmp(b, "wheel-down"))
                wheel -= down;
            else
                goto bad;
        } else if (!strcmp(t, "abs")) {
            const char *axis = json_object_object_get_ex(data, "axis", &v) ?
                               json_object_get_string(v) : "";
            int value = json_object_object_get_ex(data, "value", &v) ? json_object_get_int(v) : 0;

            if (value < 0)
                value = 0;
            if (!strcmp(axis, "x"))
                x = value;
            else if (!strcmp(axis, "y"))
                y = value;
            else
                goto bad;
        } else {
            qmp_fail("GenericError", "events[%zu]: %s events are not supported: the guest's "
                     "pointer is absolute", i, t);
            return NULL;
        }
        continue;
bad:
        qmp_fail("GenericError", "events[%zu]: invalid event %s", i,
                 json_object_to_json_string(e));
        return NULL;
    }
    if (x >= 0 || y >= 0 || wheel)
        display_pointer_abs(x, y, wheel);
    return NULL;
}

/* set_password {protocol: vnc, password, connected?}. */
static struct json_object *set_password(struct vm *vm, struct json_object *args)
{
    const char *proto = qmp_arg_str(args, "protocol"), *pw = qmp_arg_str(args, "password");

    if (!proto || !pw) {
        qmp_fail("GenericError", "Parameters 'protocol' and 'password' are required");
        return NULL;
    }
    if (strcmp(proto, "vnc")) {
        qmp_fail("GenericError", "Parameter 'protocol' does not accept value '%s' (only vnc)",
                 proto);
        return NULL;
    }
    if (qmp_arg_str(args, "connected") && strcmp(qmp_arg_str(args, "connected"), "keep")) {
        qmp_fail("GenericError", "VNC supports only connected=keep");
        return NULL;
    }
    if (vnc_set_password(pw))
        qmp_fail("GenericError", "Could not set password: the VNC server was not started "
                 "with password=on");
    return NULL;
}

/* expire_password {protocol: vnc, time: now|never|+SECONDS|SECONDS}. */
static struct json_object *expire_password(struct vm *vm, struct json_object *args)
{
    const char *proto = qmp_arg_str(args, "protocol"), *t = qmp_arg_str(args, "time");
    time_t when;
    char *end;

    if (!proto || !t || strcmp(proto, "vnc")) {
        qmp_fail("GenericError", "Parameters 'protocol' (vnc) and 'time' are required");
        return NULL;
    }
    if (!strcmp(t, "now")) {
        when = 1;
    } else if (!strcmp(t, "never")) {
        when = 0;
    } else {
        long long v = strtoll(t + (t[0] == '+'), &end, 10);

        if (*end || end == t + (t[0] == '+') || v < 0) {
            qmp_fail("GenericError", "Parameter 'time' does not accept value '%s'", t);
            return NULL;
        }
        when = t[0] == '+' ? time(NULL) + v : v;
        if (!when)
            when = 1;
    }
    if (vnc_expire_password(when))
        qmp_fail("GenericError", "Could not set password expiry: no VNC server");
    return NULL;
}

/* A boolean argument: @dflt if absent, -1 (command failed) if not a boolean. */
static int arg_bool(struct json_object *args, const char *key, bool dflt)
{
    struct json_object *v;

    if (!args || !json_object_object_get_ex(args, key, &v))
        return dflt;
    if (!json_object_is_type(v, json_type_boolean)) {
        qmp_fail("GenericError", "Invalid parameter type for '%s', expected: boolean", key);
        return -1;
    }
    return json_object_get_boolean(v);
}

/*
 * add_client {protocol: vnc, fdname, skipauth?, tls?}: a connected socket,
 * passed before with getfd, becomes a VNC client, as libvirt's
 * virDomainOpenGraphicsFD (virt-manager's console) asks.
 */
static struct json_object *add_client(struct vm *vm, struct json_object *args)
{
    const char *proto = qmp_arg_str(args, "protocol"), *name = qmp_arg_str(args, "fdname");
    int skipauth = arg_bool(args, "skipauth", false), tls = arg_bool(args, "tls", false);
    struct stat st;
    int fd;

    if (!proto || !name) {
        qmp_fail("GenericError", "Parameters 'protocol' and 'fdname' are required");
        return NULL;
    }
    if (skipauth < 0 || tls < 0)
        return NULL;
    if (strcmp(proto, "vnc")) {
        qmp_fail("GenericError", "protocol '%s' is invalid (xenner serves vnc only)", proto);
        return NULL;
    }
    if (tls) {
        qmp_fail("GenericError", "xenner's VNC server has no TLS");
        return NULL;
    }
    fd = qmp_take_fd(name);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) || !S_ISSOCK(st.st_mode)) {
        close(fd);
        qmp_fail("GenericError", "File descriptor named '%s' is not a socket", name);
        return NULL;
    }
    if (vnc_add_client(fd, skipauth)) {
        close(fd);
        qmp_fail("GenericError", "No VNC server is running (start xenner with -vnc)");
    }
    return NULL;
}

const struct qmp_cmd qmp_display_commands[] = {
    { "add_client", add_client },
    { "query-vnc", q_vnc },
    { "screendump", screendump },
    { "send-key", send_key },
    { "input-send-event", input_send_event },
    { "set_password", set_password },
    { "expire_password", expire_password },
};
const unsigned qmp_nr_display_commands =
    sizeof(qmp_display_commands) / sizeof(qmp_display_commands[0]);
