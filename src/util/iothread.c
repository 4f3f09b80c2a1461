/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The I/O thread: waits on host file descriptors and calls their handlers. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/iothread.h"
#include "util/log.h"
#include "util/thread.h"

/*
 * Guest memory, event channels and backend rings are touched only on the
 * vCPU thread. The I/O thread reads host descriptors, buffers what it got
 * in the handler's owner, and asks for the rest with vm_defer()
 * (src/vmm/defer.c).
 */

#define IO_MAX_FDS 16

struct io_fd {
    int fd;
    io_fn *fn;
    void *opaque;
    bool paused;
};

static struct io_fd fds[IO_MAX_FDS];
static unsigned nr_fds;
static int wake_fd = -1; /* makes poll() look at the set again */

void io_pause_fd(int fd, bool paused)
{
    uint64_t one = 1;

    for (unsigned i = 0; i < nr_fds; i++)
        if (fds[i].fd == fd)
            __atomic_store_n(&fds[i].paused, paused, __ATOMIC_RELEASE);
    if (wake_fd >= 0 && write(wake_fd, &one, sizeof(one)) < 0)
        log_warn("io", "wake");
}

int io_add_fd(int fd, io_fn *fn, void *opaque)
{
    unsigned i;

    for (i = 0; i < nr_fds && fds[i].fd >= 0; i++)
        ;
    if (i == IO_MAX_FDS)
        return -1;
    fds[i] = (struct io_fd){ .fd = fd, .fn = fn, .opaque = opaque };
    if (wake_fd < 0)
        wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (i == nr_fds)
        nr_fds++;
    return 0;
}

static void *io_main(void *arg)
{
    struct vm *vm = arg;
    struct pollfd p[IO_MAX_FDS + 1];
    unsigned slot[IO_MAX_FDS + 1];

    for (;;) {
        unsigned n = 0;
        uint64_t v;

        for (unsigned i = 0; i < nr_fds; i++) {
            if (fds[i].fd < 0 || __atomic_load_n(&fds[i].paused, __ATOMIC_ACQUIRE))
                continue;
            slot[n] = i;
            p[n++] = (struct pollfd){ .fd = fds[i].fd, .events = POLLIN };
        }
        slot[n] = IO_MAX_FDS;
        p[n++] = (struct pollfd){ .fd = wake_fd, .events = POLLIN };
        if (poll(p, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            log_warn("io", "poll");
            return NULL;
        }
        /* Handlers may add descriptors (an accepted client): check each slot
         * still holds the descriptor that was polled. */
        if (p[n - 1].revents && read(wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
            log_warn("io", "wake");
        for (unsigned j = 0; j < n - 1; j++) {
            struct io_fd *f = &fds[slot[j]];

            if (f->paused)
                continue; /* paused since the poll: leave the input where it is */
            if (p[j].revents && f->fd == p[j].fd && f->fn(vm, f->fd, f->opaque) < 0)
                f->fd = -1, f->paused = false; /* end of file or error: stop watching it */
        }
    }
}

int io_start(struct vm *vm)
{
    pthread_t t;
    int rc;

    if (!nr_fds)
        return 0;
    rc = thread_start(&t, "io", io_main, vm);
    if (rc) {
        errno = rc;
        log_warn("io", "cannot start the I/O thread");
        return -1;
    }
    pthread_detach(t);
    return 0;
}
