/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xenstore on a unix socket (-xenstore PATH): the host side, as xenstored serves dom0's tools. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/log.h"
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

static char *socket_path;

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

static void remove_socket(void)
{
    if (socket_path)
        unlink(socket_path);
}

/* An existing socket nobody answers on is a crashed xenner's: reuse the path. */
static void clear_stale(const struct sockaddr_un *sa)
{
    struct stat st;
    int fd;

    if (lstat(sa->sun_path, &st) || !S_ISSOCK(st.st_mode))
        return;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 &&
        errno == ECONNREFUSED)
        unlink(sa->sun_path);
    if (fd >= 0)
        close(fd);
}

int xs_socket_start(struct vm *vm, const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path))
        log_fatalx("xenstore", "-xenstore %s: path too long for a unix socket", path);
    strcpy(sa.sun_path, path);
    clear_stale(&sa);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        log_fatal("xenstore", "-xenstore %s", path);
    socket_path = strdup(path);
    atexit(remove_socket);
    if (chmod(path, 0600) < 0 || listen(fd, 16) < 0 || io_add_fd(fd, on_listen, NULL))
        log_fatal("xenstore", "-xenstore %s", path);
    return 0;
}
