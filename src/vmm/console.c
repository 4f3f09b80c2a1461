/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV console backend: the guest's console ring to and from the terminal. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/chardev.h"
#include "util/log.h"
#include "vmm/runstate.h"
#include "vmm/vmm.h"
#include <xen/io/console.h>

#define ESCAPE_CHAR 0x01 /* C-a, as QEMU's -nographic */

struct console {
    struct vm *vm;
    struct xencons_interface *ring;
    unsigned port;
    bool broken; /* the guest corrupted the ring: the device is stopped */
    struct chardev *cd; /* where the console goes (-serial, isa-serial); may be NULL */
    /* Typed input not yet in the ring; the I/O thread fills, the vCPU drains.
     * While less than one read's worth is free, the chardev is not read
     * (blocked), so that the I/O thread never waits for the guest. */
    pthread_mutex_t lock;
    char in[4096];
    size_t in_len;
    bool blocked;
    bool escape; /* C-a seen, waiting for the command key (stdio only) */
};

#define CONSOLE_READ 512 /* the most one chardev read delivers */

static struct termios saved_tty;
static bool tty_raw;

long xencons_take_output(struct xencons_interface *r, char *buf)
{
    XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
    size_t n = 0;

    if (prod - cons > sizeof(r->out))
        return -1;
    while (cons != prod)
        buf[n++] = r->out[MASK_XENCONS_IDX(cons++, r->out)];
    __atomic_store_n(&r->out_cons, cons, __ATOMIC_RELEASE);
    return n;
}

long xencons_put_input(struct xencons_interface *r, const char *buf, size_t len)
{
    XENCONS_RING_IDX cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX prod = r->in_prod; /* ours: the guest only reads it */
    size_t n = 0;

    if (prod - cons > sizeof(r->in))
        return -1;
    while (n < len && prod - cons < sizeof(r->in))
        r->in[MASK_XENCONS_IDX(prod++, r->in)] = buf[n++];
    if (n)
        __atomic_store_n(&r->in_prod, prod, __ATOMIC_RELEASE);
    return n;
}

/* Drain the output ring to the chardev. Indexes are the guest's and untrusted. */
static void drain(struct console *c)
{
    char buf[sizeof(c->ring->out)];
    long n;

    if (c->broken || !c->ring)
        return;
    n = xencons_take_output(c->ring, buf);
    if (n < 0) {
        log_warnx("console", "guest console output ring corrupt: console stopped");
        c->broken = true;
        return;
    }
    c->vm->d.host.console_write(c->vm, buf, n);
    if (n)
        pv_evtchn_set_pending(&c->vm->d, c->port);
}

/* Move buffered input into the guest's ring (vCPU thread). */
static void fill(struct console *c)
{
    long n = 0;

    if (c->broken || !c->ring)
        return;
    pthread_mutex_lock(&c->lock);
    n = xencons_put_input(c->ring, c->in, c->in_len);
    if (n < 0) {
        log_warnx("console", "guest console input ring corrupt: console stopped");
        c->broken = true;
        n = 0;
    }
    if (n) {
        memmove(c->in, c->in + n, c->in_len - n);
        c->in_len -= n;
    }
    if (c->blocked && (sizeof(c->in) - c->in_len >= CONSOLE_READ || c->broken)) {
        c->blocked = false;
        chardev_pause_input(c->cd, false);
    }
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
        run_quit(c->vm, EXIT_POWEROFF, "host-ui");
        return false;
    case ESCAPE_CHAR:
        return true;
    default:
        return false; /* unknown commands do nothing, as in QEMU */
    }
}

/* Add typed bytes to the input buffer (I/O thread); there is room for one
 * read, and reading stops while there is not. */
static void queue_input(void *opaque, const char *buf, size_t len)
{
    struct console *c = opaque;
    bool keys = chardev_is_stdio(c->cd);

    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < len; i++) {
        char k = buf[i];

        if (!keys) {
            /* C-a keys belong to the terminal xenner runs on only. */
        } else if (c->escape) {
            c->escape = false;
            if (!escape_key(c, k))
                continue;
        } else if (k == ESCAPE_CHAR) {
            c->escape = true;
            continue;
        }
        if (c->broken || c->in_len == sizeof(c->in))
            break; /* a broken console takes nothing; a full one cannot happen */
        c->in[c->in_len++] = k;
    }
    if (!c->blocked && !c->broken && sizeof(c->in) - c->in_len < CONSOLE_READ) {
        c->blocked = true;
        chardev_pause_input(c->cd, true);
    }
    pthread_mutex_unlock(&c->lock);
    vm_defer(c->vm, WORK_CONSOLE_IN);
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

static const struct chardev_fe console_fe = { .input = queue_input };

void console_connect(struct vm *vm, struct chardev *cd)
{
    vm->console->cd = cd;
    if (!cd)
        return;
    chardev_attach(cd, "the PV console", &console_fe, vm->console);
    if (chardev_is_stdio(cd))
        raw_tty();
}

void console_output(struct vm *vm, const char *buf, size_t len)
{
    if (vm->pvgrub_image)
        pvgrub_scan(vm, buf, len);
    if (vm->console)
        chardev_write(vm->console->cd, buf, len);
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
