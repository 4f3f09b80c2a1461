/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xenstore on a unix socket (-xenstore PATH): the host side, as xenstored serves dom0's tools. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"
#include "util/runtime.h"
#include "vmm/vmm.h"
#include "xenstore/xenstore.h"

/*
 * Clients (Debian's xenstore-utils with XENSTORED_PATH, and in time
 * libvirt's tools) connect as the privileged domain 0. Their sockets are
 * read on the I/O thread; every use of the store is under store_lock(),
 * which the vCPU thread's ring service takes too.
 */

struct client {
    struct vm *vm;
    int fd;
    struct xs_conn *conn;
};

/* Send what the connection has queued, as far as the socket takes it now. */
static void flush(struct client *c)
{
    size_t len;
    const void *buf;

    while ((buf = xs_conn_peek(c->conn, &len)) && len) {
        ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n <= 0)
            return; /* full (the rest goes with the next flush) or gone */
        xs_conn_consume(c->conn, n);
    }
}

/* Output became available, e.g. a watch the guest's write fired (store locked). */
static void wake(void *opaque)
{
    flush(opaque);
}

static void drop(struct client *c)
{
    xs_conn_free(c->conn);
    close(c->fd);
    free(c);
}

static int on_client(struct vm *vm, int fd, void *opaque)
{
    struct client *c = opaque;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    long done = 0;

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    store_lock(vm);
    while (n > 0 && done >= 0 && done < n) {
        long k = xs_conn_input(c->conn, buf + done, n - done);

        done = k < 0 ? k : done + k;
        flush(c);
        if (k == 0)
            break; /* back-pressure: the peer must read first */
    }
    if (n <= 0 || done < 0 || xs_conn_broken(c->conn)) {
        drop(c);
        store_unlock(vm);
        return -1;
    }
    store_unlock(vm);
    return 0;
}

static int on_listen(struct vm *vm, int fd, void *opaque)
{
    struct client *c;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (cfd < 0)
        return 0;
    c = calloc(1, sizeof(*c));
    if (!c) {
        close(cfd);
        return 0;
    }
    c->vm = vm;
    c->fd = cfd;
    store_lock(vm);
    c->conn = xs_conn_new(store_xs(vm), 0, true, wake, c);
    store_unlock(vm);
    if (!c->conn || io_add_fd(cfd, on_client, c)) {
        log_warnx("xenstore", "too many socket clients: one refused");
        xs_conn_free(c->conn);
        close(cfd);
        free(c);
    }
    return 0;
}

/* Sockets named after the pid of a xenner that is gone (killed with
 * SIGKILL, so it could not remove its own): litter in the runtime
 * directory, removed by the next xenner. A live pid's file is left alone. */
static void sweep_dead(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        char path[512], end[16];
        int pid;

        if (sscanf(e->d_name, "xenner-%d.%15s", &pid, end) != 2 || strcmp(end, "xenstore") ||
            pid <= 0)
            continue;
        if (kill(pid, 0) == 0 || errno != ESRCH)
            continue; /* alive (or not ours to ask about) */
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
            unlink(path);
    }
    closedir(d);
}

/* The default socket: NAME.xenstore in xenner's runtime directory. NAME is
 * -name if it makes a usable file name that no live xenner uses, else the pid. */
static int listen_default(struct vm *vm, char *path, size_t len)
{
    const char *dir = runtime_dir(), *name = vm->cfg.name;
    int fd = -1;

    if (!dir) {
        log_warn("xenstore", "no runtime directory: no xenstore socket");
        return -1;
    }
    sweep_dead(dir);
    if (name && *name && !strchr(name, '/') && name[0] != '.' &&
        (size_t)snprintf(path, len, "%s/%s.xenstore", dir, name) < len)
        fd = runtime_listen_unix(path, 0600);
    if (fd < 0) {
        snprintf(path, len, "%s/xenner-%d.xenstore", dir, (int)getpid());
        fd = runtime_listen_unix(path, 0600);
    }
    if (fd < 0)
        log_warn("xenstore", "no xenstore socket: %s", path);
    return fd;
}

int xs_socket_start(struct vm *vm, const char *path)
{
    char def[256];
    int fd;

    if (path) {
        fd = runtime_listen_unix(path, 0600);
        if (fd < 0)
            log_fatal("xenstore", "-xenstore %s", path);
    } else {
        fd = listen_default(vm, def, sizeof(def));
        if (fd < 0)
            return -1;
        path = def;
    }
    log_info("xenstore", "xenstore socket %s", path);
    if (io_add_fd(fd, on_listen, NULL))
        log_fatal("xenstore", "%s", path);
    return 0;
}
