/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV console backend: the guest's console ring to and from the terminal. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/vmm.h"
#include <xen/io/console.h>

struct console {
    struct vm *vm;
    struct xencons_interface *ring;
    unsigned port;
    bool broken; /* the guest corrupted the ring: the device is stopped */
};

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

static void notify(struct pv_domain *d, unsigned port, void *opaque)
{
    drain(opaque);
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
