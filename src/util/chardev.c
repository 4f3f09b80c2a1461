/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Character devices (-chardev): stdio, pty, unix socket, file, null. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util/chardev.h"
#include "util/log.h"
#include "util/opts.h"
#include "util/runtime.h"
#include "util/iothread.h"

/* The environment variable that hands chardevs to a re-executed xenner. */
#define KEEP_ENV "XENNER_KEPT_CHARDEVS"

/* How long a socket write may wait for a slow reader before output is dropped. */
#define SOCKET_WRITE_WAIT_MS 1000

enum cd_kind { CD_STDIO, CD_PTY, CD_SOCKET, CD_FILE, CD_NULL };

struct chardev {
    char *id;
    enum cd_kind kind;
    char *path;            /* socket, file or pty slave path */
    int passed_fd;         /* fd=N: a listening socket from the caller, else -1 */
    bool wait;             /* server=on,wait=on: wait for a client before starting */
    bool append;
    char *logfile;
    bool logappend;
    int in_fd, out_fd, listen_fd, log_fd, pty_slave;
    const struct chardev_fe *fe;
    void *opaque;
    pthread_mutex_t lock; /* one writer at a time; the client fd changes under it */
    struct chardev *next;
};

static struct chardev *chardevs;
static unsigned anon_ids;

struct chardev *chardev_find(const char *id)
{
    for (struct chardev *cd = chardevs; cd; cd = cd->next)
        if (!strcmp(cd->id, id))
            return cd;
    return NULL;
}

bool chardev_is_stdio(const struct chardev *cd)
{
    return cd->kind == CD_STDIO;
}

static struct chardev *new_chardev(const char *option, const char *id, enum cd_kind kind)
{
    struct chardev *cd = calloc(1, sizeof(*cd));

    if (!cd)
        log_fatalx("options", "out of memory");
    if (chardev_find(id))
        log_fatalx("options", "%s: chardev id '%s' is used twice", option, id);
    for (struct chardev *o = chardevs; o && kind == CD_STDIO; o = o->next)
        if (o->kind == CD_STDIO)
            log_fatalx("options", "%s: only one chardev can use stdio", option);
    cd->id = strdup(id);
    cd->kind = kind;
    cd->passed_fd = -1;
    cd->in_fd = cd->out_fd = cd->listen_fd = cd->log_fd = cd->pty_slave = -1;
    pthread_mutex_init(&cd->lock, NULL);
    /* Keep command-line order: query-chardev lists them that way. */
    struct chardev **tail = &chardevs;
    while (*tail)
        tail = &(*tail)->next;
    *tail = cd;
    return cd;
}

static void socket_opts(struct chardev *cd, struct opts *o)
{
    const char *path = opts_get(o, "path"), *fd = opts_get(o, "fd");

    if (!opts_get_bool(o, "server", false))
        log_fatalx("options", "%s %s: only server sockets (server=on) are supported", o->option,
                   cd->id);
    cd->wait = opts_get_bool(o, "wait", true);
    if (!!path == !!fd)
        log_fatalx("options", "%s %s: give one of path= or fd=", o->option, cd->id);
    if (path)
        cd->path = strdup(path);
    if (fd) {
        char *end;
        long n = strtol(fd, &end, 10);

        if (*end || n < 3 || fcntl(n, F_GETFD) < 0)
            log_fatalx("options", "%s %s: fd=%s is not an open file descriptor", o->option,
                       cd->id, fd);
        cd->passed_fd = n;
    }
    opts_only(o, "telnet", (const char *const[]){ "off", "no", "false", NULL });
    opts_only(o, "websocket", (const char *const[]){ "off", "no", "false", NULL });
    opts_accept(o, "nodelay"); /* a unix socket has no Nagle to switch off */
}

void chardev_add_opts(struct opts *o)
{
    static const char *const kinds[] = { "stdio", "pty", "socket", "file", "null" };
    const char *backend = opts_get(o, "backend"), *id = opts_get(o, "id");
    struct chardev *cd;
    unsigned k;

    if (!backend)
        log_fatalx("options", "-chardev: no backend given");
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k], backend); k++)
        ;
    if (k == sizeof(kinds) / sizeof(kinds[0]))
        log_fatalx("options", "-chardev %s: backend not supported by xenner (stdio, pty, "
                   "socket, file, null)", backend);
    if (!id)
        log_fatalx("options", "-chardev %s: no id= given", backend);
    cd = new_chardev("-chardev", id, k);
    switch (cd->kind) {
    case CD_SOCKET:
        socket_opts(cd, o);
        break;
    case CD_FILE:
        if (!opts_get(o, "path"))
            log_fatalx("options", "-chardev file,id=%s: no path= given", id);
        cd->path = strdup(opts_get(o, "path"));
        cd->append = opts_get_bool(o, "append", false);
        break;
    case CD_STDIO:
        opts_get_bool(o, "signal", true); /* C-c goes to the guest either way: raw mode */
        break;
    default:
        break;
    }
    if (opts_get(o, "logfile")) {
        cd->logfile = strdup(opts_get(o, "logfile"));
        cd->logappend = opts_get_bool(o, "logappend", false);
    }
    opts_only(o, "mux", (const char *const[]){ "off", "no", "false", NULL });
    opts_finish(o);
}

const char *chardev_add_short(const char *option, const char *spec, const char *id)
{
    char buf[64], *text;
    struct opts *o;

    if (!strncmp(spec, "chardev:", 8)) {
        if (!chardev_find(spec + 8))
            log_fatalx("options", "%s %s: no chardev with that id", option, spec);
        return spec + 8;
    }
    if (!id) {
        snprintf(buf, sizeof(buf), "compat_%s%u", option + 1, anon_ids++);
        id = buf;
    }
    if (!strcmp(spec, "stdio") || !strcmp(spec, "pty") || !strcmp(spec, "null"))
        asprintf(&text, "%s,id=%s", spec, id);
    else if (!strncmp(spec, "file:", 5))
        asprintf(&text, "file,id=%s,path=%s", id, spec + 5);
    else if (!strncmp(spec, "unix:", 5))
        asprintf(&text, "socket,id=%s,path=%s", id, spec + 5);
    else
        log_fatalx("options", "%s %s: not supported by xenner (stdio, pty, null, file:PATH, "
                   "unix:PATH,server=on, chardev:ID)", option, spec);
    o = opts_parse(option, text, "backend");
    free(text);
    chardev_add_opts(o);
    return chardev_find(id)->id;
}

void chardev_attach(struct chardev *cd, const char *who, const struct chardev_fe *fe, void *opaque)
{
    if (cd->fe)
        log_fatalx("options", "%s: chardev '%s' is already in use", who, cd->id);
    cd->fe = fe;
    cd->opaque = opaque;
}

/* ---- I/O ---- */

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void write_all(int fd, const char *buf, size_t len, int wait_ms)
{
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN && wait_ms > 0) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };

            if (poll(&p, 1, wait_ms) > 0)
                continue;
        }
        if (n <= 0)
            return; /* nobody reads: dropped */
        buf += n;
        len -= n;
    }
}

void chardev_write(struct chardev *cd, const void *buf, size_t len)
{
    if (!cd)
        return;
    pthread_mutex_lock(&cd->lock);
    if (cd->out_fd >= 0) {
        switch (cd->kind) {
        case CD_PTY: write_all(cd->out_fd, buf, len, 0); break;
        case CD_SOCKET: write_all(cd->out_fd, buf, len, SOCKET_WRITE_WAIT_MS); break;
        default: write_all(cd->out_fd, buf, len, -1); break; /* stdio, file: everything */
        }
    }
    if (cd->log_fd >= 0)
        write_all(cd->log_fd, buf, len, -1);
    pthread_mutex_unlock(&cd->lock);
}

void chardev_pause_input(struct chardev *cd, bool paused)
{
    int fd = __atomic_load_n(&cd->in_fd, __ATOMIC_ACQUIRE);

    if (fd >= 0)
        io_pause_fd(fd, paused);
}

/* Held while input is read and handled; taken for good by chardev_quiesce(). */
static pthread_mutex_t input_gate = PTHREAD_MUTEX_INITIALIZER;

void chardev_quiesce(void)
{
    pthread_mutex_lock(&input_gate);
}

/* Most descriptors one read takes (SCM_RIGHTS); libvirt sends one at a time. */
#define MAX_PASSED_FDS 8

/*
 * A read from a unix socket client also takes the descriptors it passed
 * (libvirt's getfd): each goes to the front end before the bytes it came
 * with, or is closed if the front end takes none.
 */
static ssize_t read_socket(struct chardev *cd, int fd, char *buf, size_t len)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(MAX_PASSED_FDS * sizeof(int))];
    } ctl;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                          .msg_controllen = sizeof(ctl.buf) };
    ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

    if (n < 0)
        return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        size_t nfds;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfds; i++) {
            int passed;

            memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (cd->fe && cd->fe->passed_fd)
                cd->fe->passed_fd(cd->opaque, passed);
            else
                close(passed);
        }
    }
    if (msg.msg_flags & MSG_CTRUNC)
        log_warnx("chardev", "%s: a client passed more than %d descriptors at once; "
                  "the rest were dropped", cd->id, MAX_PASSED_FDS);
    return n;
}

static int on_input(struct vm *vm, int fd, void *opaque)
{
    struct chardev *cd = opaque;
    char buf[512];
    ssize_t n;

    pthread_mutex_lock(&input_gate);
    n = cd->kind == CD_SOCKET ? read_socket(cd, fd, buf, sizeof(buf)) : read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        pthread_mutex_unlock(&input_gate);
        return 0;
    }
    if (n > 0) {
        if (cd->fe && cd->fe->input)
            cd->fe->input(cd->opaque, buf, n);
        pthread_mutex_unlock(&input_gate);
        return 0;
    }
    pthread_mutex_unlock(&input_gate);
    if (cd->kind != CD_SOCKET)
        return -1; /* end of stdin: the guest goes on, without console input */
    pthread_mutex_lock(&cd->lock);
    close(cd->in_fd);
    __atomic_store_n(&cd->in_fd, -1, __ATOMIC_RELEASE);
    cd->out_fd = -1;
    pthread_mutex_unlock(&cd->lock);
    if (cd->fe && cd->fe->closed)
        cd->fe->closed(cd->opaque);
    io_pause_fd(cd->listen_fd, false); /* take the next client */
    return -1;
}

static void connected(struct chardev *cd, int fd)
{
    set_nonblock(fd);
    pthread_mutex_lock(&cd->lock);
    cd->out_fd = fd;
    __atomic_store_n(&cd->in_fd, fd, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&cd->lock);
    if (cd->fe && cd->fe->opened)
        cd->fe->opened(cd->opaque);
}

/* A client connects; as QEMU's socket chardev, one at a time. */
static int on_listen(struct vm *vm, int fd, void *opaque)
{
    struct chardev *cd = opaque;
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (c < 0)
        return 0;
    if (cd->in_fd >= 0 || io_add_fd(c, on_input, cd)) {
        close(c);
        return 0;
    }
    io_pause_fd(fd, true);
    connected(cd, c);
    return 0;
}

static void open_pty(struct chardev *cd)
{
    struct termios t;
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    const char *name;

    if (m < 0 || grantpt(m) || unlockpt(m) || !(name = ptsname(m)))
        log_fatal("chardev", "%s: cannot create a pty", cd->id);
    cd->path = strdup(name);
    /* xenner holds the slave open, so that the master never reads a hang-up
     * while nobody is attached (which would spin the I/O thread); output no
     * one reads then fills the pty and is dropped. */
    cd->pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (cd->pty_slave < 0 || tcgetattr(cd->pty_slave, &t))
        log_fatal("chardev", "%s: cannot open %s", cd->id, name);
    cfmakeraw(&t);
    tcsetattr(cd->pty_slave, TCSANOW, &t);
    set_nonblock(m);
    cd->in_fd = cd->out_fd = m;
    /* libvirt and users read this line (QEMU prints the same). */
    log_plain("char device redirected to %s (label %s)", name, cd->id);
}

static void open_socket(struct chardev *cd)
{
    int fd = cd->passed_fd, on = 0;
    socklen_t len = sizeof(on);

    if (fd >= 0) {
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) || !on)
            log_fatalx("chardev", "%s: fd=%d is not a listening socket", cd->id, fd);
    } else {
        fd = runtime_listen_unix(cd->path, 0600);
        if (fd < 0)
            log_fatal("chardev", "%s: cannot listen on %s", cd->id, cd->path);
    }
    cd->listen_fd = fd;
    if (cd->wait) {
        int c;

        fprintf(stderr, "xenner: waiting for a connection on %s\n",
                cd->path ? cd->path : cd->id);
        while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) < 0 && errno == EINTR)
            ;
        if (c < 0)
            log_fatal("chardev", "%s: accept", cd->id);
        if (io_add_fd(c, on_input, cd))
            log_fatalx("chardev", "%s: too many descriptors", cd->id);
        connected(cd, c);
    }
    if (io_add_fd(fd, on_listen, cd))
        log_fatalx("chardev", "%s: too many descriptors", cd->id);
    if (cd->in_fd >= 0)
        io_pause_fd(fd, true);
}

/* ---- surviving the exec of a guest reboot ---- */

static void keep_fd(int fd)
{
    if (fd > STDERR_FILENO)
        fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
}

void chardev_keep_for_exec(void)
{
    char *env = strdup(""), *e;

    for (struct chardev *cd = chardevs; cd && env; cd = cd->next) {
        int client = cd->kind == CD_SOCKET ? cd->in_fd : -1;
        int state = client >= 0 && cd->fe && cd->fe->save ? cd->fe->save(cd->opaque) : 0;
        int master = cd->kind == CD_PTY ? cd->in_fd : -1;

        if (cd->kind != CD_SOCKET && cd->kind != CD_PTY)
            continue;
        keep_fd(cd->listen_fd);
        keep_fd(client);
        keep_fd(master);
        keep_fd(cd->pty_slave);
        /* id is last: it may hold anything but a newline */
        if (asprintf(&e, "%s%d %d %d %d %d %s\n", env, cd->listen_fd, client, state, master,
                     cd->pty_slave, cd->id) < 0)
            e = NULL;
        free(env);
        env = e;
    }
    if (env)
        setenv(KEEP_ENV, env, 1);
    free(env);
}

/* Takes over @cd's descriptors from the xenner that re-executed into this
 * one; false if there are none. */
static bool adopt(struct chardev *cd)
{
    const char *env = getenv(KEEP_ENV);
    int listen_fd, client, state, master, slave, n;

    for (const char *l = env; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
        if (sscanf(l, "%d %d %d %d %d %n", &listen_fd, &client, &state, &master, &slave, &n) != 5 ||
            strncmp(l + n, cd->id, strlen(cd->id)) || l[n + strlen(cd->id)] != '\n')
            continue;
        if (cd->kind == CD_PTY && master >= 0) {
            cd->in_fd = cd->out_fd = master;
            cd->pty_slave = slave;
            cd->path = strdup(ptsname(master));
            fcntl(master, F_SETFD, FD_CLOEXEC);
            fcntl(slave, F_SETFD, FD_CLOEXEC);
            return true;
        }
        if (cd->kind != CD_SOCKET || listen_fd < 0)
            return false;
        cd->listen_fd = listen_fd;
        if (cd->passed_fd < 0) {
            fcntl(listen_fd, F_SETFD, FD_CLOEXEC);
            runtime_remember(cd->path);
        }
        if (io_add_fd(listen_fd, on_listen, cd))
            log_fatalx("chardev", "%s: too many descriptors", cd->id);
        if (client >= 0) {
            fcntl(client, F_SETFD, FD_CLOEXEC);
            if (io_add_fd(client, on_input, cd))
                log_fatalx("chardev", "%s: too many descriptors", cd->id);
            io_pause_fd(listen_fd, true);
            pthread_mutex_lock(&cd->lock);
            cd->out_fd = client;
            __atomic_store_n(&cd->in_fd, client, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&cd->lock);
            if (cd->fe && cd->fe->restore)
                cd->fe->restore(cd->opaque, state);
        }
        return true;
    }
    return false;
}

static void open_one(struct chardev *cd)
{
    if ((cd->kind == CD_PTY || cd->kind == CD_SOCKET) && adopt(cd)) {
        if (cd->kind == CD_PTY && cd->fe && cd->fe->input && io_add_fd(cd->in_fd, on_input, cd))
            log_fatalx("chardev", "%s: too many descriptors", cd->id);
        return;
    }
    switch (cd->kind) {
    case CD_STDIO:
        cd->in_fd = STDIN_FILENO;
        cd->out_fd = STDOUT_FILENO;
        break;
    case CD_PTY:
        open_pty(cd);
        break;
    case CD_FILE:
        cd->out_fd = open(cd->path, O_WRONLY | O_CREAT | O_CLOEXEC |
                          (cd->append ? O_APPEND : O_TRUNC), 0666);
        if (cd->out_fd < 0)
            log_fatal("chardev", "%s: %s", cd->id, cd->path);
        return;
    case CD_SOCKET:
        open_socket(cd);
        return;
    case CD_NULL:
        return;
    }
    if (cd->fe && cd->fe->input && io_add_fd(cd->in_fd, on_input, cd))
        log_fatalx("chardev", "%s: too many descriptors", cd->id);
}

void chardev_open_all(void)
{
    for (struct chardev *cd = chardevs; cd; cd = cd->next) {
        if (cd->logfile) {
            cd->log_fd = open(cd->logfile, O_WRONLY | O_CREAT | O_CLOEXEC |
                              (cd->logappend ? O_APPEND : O_TRUNC), 0666);
            if (cd->log_fd < 0)
                log_fatal("chardev", "%s: logfile %s", cd->id, cd->logfile);
        }
        open_one(cd);
    }
    unsetenv(KEEP_ENV); /* taken over: not for any later exec's guesswork */
}

void chardev_foreach(void (*fn)(void *opaque, const char *label, const char *filename,
                                bool connected), void *opaque)
{
    for (struct chardev *cd = chardevs; cd; cd = cd->next) {
        char name[160];

        switch (cd->kind) {
        case CD_STDIO: snprintf(name, sizeof(name), "stdio"); break;
        case CD_NULL: snprintf(name, sizeof(name), "null"); break;
        case CD_PTY: snprintf(name, sizeof(name), "pty:%s", cd->path); break;
        case CD_FILE: snprintf(name, sizeof(name), "file:%s", cd->path); break;
        case CD_SOCKET:
            if (cd->path)
                snprintf(name, sizeof(name), "unix:%s,server=on", cd->path);
            else
                snprintf(name, sizeof(name), "unix:,server=on");
            break;
        }
        fn(opaque, cd->id, name, cd->kind != CD_SOCKET || cd->in_fd >= 0);
    }
}
