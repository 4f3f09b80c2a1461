/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The I/O thread: waits on host file descriptors and hands work to the vCPU thread. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "backend/xenbus.h"
#include "vmm/log.h"
#include "vmm/thread.h"
#include "vmm/runstate.h"
#include "vmm/vmm.h"

/*
 * Guest memory, event channels and backend rings are touched only on the
 * vCPU thread. The I/O thread reads host descriptors, buffers what it got
 * in the backend, and asks for the rest with vm_defer(), which kicks the
 * vCPU out of KVM_RUN or out of its block so it runs vm_run_deferred().
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

void vm_defer(struct vm *vm, unsigned work)
{
    __atomic_fetch_or(&vm->deferred, work, __ATOMIC_SEQ_CST);
    vm->d.host.kick(vm->d.host.opaque, vm->d.vcpu[0]);
}

void vm_run_deferred(struct vm *vm)
{
    unsigned work = __atomic_exchange_n(&vm->deferred, 0, __ATOMIC_SEQ_CST);

    if (work & WORK_CONSOLE_IN)
        console_deliver_input(vm);
    if (work & WORK_STORE)
        store_service(vm);
    if (work & WORK_DEVICES)
        xb_run_deferred(vm); /* devices a backend thread stopped */
    if (work & WORK_PAUSE)
        run_park(vm);
    if (run_quitting(vm, NULL))
        pv_crash(&vm->d, PV_STOP_QUIT, "xenner was told to quit");
    if (work & WORK_RESET)
        pv_crash(&vm->d, PV_STOP_REBOOT, "system_reset");
}
