/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV console backend: the guest's console ring to and from the terminal. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/vmm.h"
#include <xen/io/console.h>

#define ESCAPE_CHAR 0x01 /* C-a, as QEMU's -nographic */

struct console {
    struct vm *vm;
    struct xencons_interface *ring;
    unsigned port;
    bool broken; /* the guest corrupted the ring: the device is stopped */
    /* Typed input not yet in the ring; the I/O thread fills, the vCPU drains. */
    pthread_mutex_t lock;
    pthread_cond_t space;
    char in[4096];
    size_t in_len;
    bool escape; /* C-a seen, waiting for the command key */
};

static struct termios saved_tty;
static bool tty_raw;

/* Drain the output ring to stdout. Indexes are the guest's and untrusted. */
static void drain(struct console *c)
{
    struct xencons_interface *r = c->ring;
    XENCONS_RING_IDX cons, prod;
    char buf[sizeof(r->out)];
    size_t n = 0;

    if (c->broken || !r)
        return;
    cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
    prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
    if (prod - cons > sizeof(r->out)) {
        log_warnx("console", "guest console ring corrupt (prod %u cons %u): console stopped",
                  prod, cons);
        c->broken = true;
        return;
    }
    while (cons != prod)
        buf[n++] = r->out[MASK_XENCONS_IDX(cons++, r->out)];
    __atomic_store_n(&r->out_cons, cons, __ATOMIC_RELEASE);
    c->vm->d.host.console_write(c->vm, buf, n);
    if (n)
        pv_evtchn_set_pending(&c->vm->d, c->port);
}

/* Move buffered input into the guest's ring (vCPU thread). */
static void fill(struct console *c)
{
    struct xencons_interface *r = c->ring;
    XENCONS_RING_IDX cons, prod;
    size_t n = 0;

    if (c->broken || !r)
        return;
    pthread_mutex_lock(&c->lock);
    cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
    prod = r->in_prod; /* ours: the guest only reads it */
    if (prod - cons > sizeof(r->in)) {
        log_warnx("console", "guest console ring corrupt (in prod %u cons %u): console stopped",
                  prod, cons);
        c->broken = true;
    }
    while (!c->broken && n < c->in_len && prod - cons < sizeof(r->in))
        r->in[MASK_XENCONS_IDX(prod++, r->in)] = c->in[n++];
    if (n) {
        memmove(c->in, c->in + n, c->in_len - n);
        c->in_len -= n;
        __atomic_store_n(&r->in_prod, prod, __ATOMIC_RELEASE);
    }
    if (n || c->broken)
        pthread_cond_signal(&c->space); /* room, or no point in waiting */
    pthread_mutex_unlock(&c->lock);
    if (n)
        pv_evtchn_set_pending(&c->vm->d, c->port);
}

static void notify(struct pv_domain *d, unsigned port, void *opaque)
{
    drain(opaque);
    fill(opaque); /* the guest may have made room for more input */
}

void console_deliver_input(struct vm *vm)
{
    if (vm->console)
        fill(vm->console);
}

static void say(const char *msg)
{
    if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
        return; /* nowhere to say it */
}

/* A key after C-a; true if it is to be passed to the guest. */
static bool escape_key(struct console *c, char k)
{
    switch (k) {
    case 'h':
    case '?':
        say("\r\nC-a h    print this help\r\n"
            "C-a x    exit xenner (the guest is stopped at once)\r\n"
            "C-a C-a  send C-a to the guest\r\n");
        return false;
    case 'x':
        say("\r\nxenner: terminated by C-a x\r\n");
        vm_defer(c->vm, WORK_QUIT);
        return false;
    case ESCAPE_CHAR:
        return true;
    default:
        return false; /* unknown commands do nothing, as in QEMU */
    }
}

/* Add typed bytes to the input buffer, waiting while it is full (I/O thread). */
static void queue_input(struct console *c, const char *buf, size_t len)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < len; i++) {
        char k = buf[i];

        if (c->escape) {
            c->escape = false;
            if (!escape_key(c, k))
                continue;
        } else if (k == ESCAPE_CHAR) {
            c->escape = true;
            continue;
        }
        while (c->in_len == sizeof(c->in) && !c->broken)
            pthread_cond_wait(&c->space, &c->lock);
        if (c->broken)
            break;
        c->in[c->in_len++] = k;
    }
    pthread_mutex_unlock(&c->lock);
    vm_defer(c->vm, WORK_CONSOLE_IN);
}

/* stdin is readable (I/O thread). At end of file the guest keeps running. */
static int on_stdin(struct vm *vm, int fd, void *opaque)
{
    char buf[512];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0)
        return -1;
    queue_input(opaque, buf, n);
    return 0;
}

static void restore_tty(void)
{
    if (tty_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
    tty_raw = false;
}

void console_stop_input(void)
{
    restore_tty();
}

/* A terminal on stdin goes raw, as under QEMU, so keys reach the guest
 * (C-c included); output keeps its newline translation for xenner's own
 * messages. It is restored at exit. */
static void raw_tty(void)
{
    struct termios t;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
        return;
    t = saved_tty;
    cfmakeraw(&t);
    t.c_oflag |= OPOST | ONLCR;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
        tty_raw = true;
        atexit(restore_tty);
    }
}

void console_start_input(struct vm *vm)
{
    if (io_add_fd(STDIN_FILENO, on_stdin, vm->console))
        log_fatalx("console", "cannot watch standard input");
    raw_tty();
}

void console_flush(struct vm *vm)
{
    if (vm->console)
        drain(vm->console);
}

int console_setup(struct vm *vm)
{
    struct console *c = calloc(1, sizeof(*c));
    int port;

    if (!c)
        return -1;
    c->vm = vm;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->space, NULL);
    port = pv_evtchn_bind_backend(&vm->d, notify, c);
    if (port < 0)
        return -1;
    c->port = port;
    vm->d.console_port = port;
    vm->console = c;
    return 0;
}

void console_attach(struct vm *vm)
{
    vm->console->ring = pv_gpa(&vm->d, vm->d.console_pfn << 12, sizeof(*vm->console->ring));
}
