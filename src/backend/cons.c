/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secondary consoles (xenbus "console" devices, the guest's hvc1, hvc2...) on chardevs. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/devices.h"
#include "backend/xenbus.h"
#include "util/chardev.h"
#include "util/log.h"
#include "util/opts.h"
#include "vmm/vmm.h"
#include <xen/io/console.h>

/*
 * The guest's first console is Xen's start_info console (src/vmm/console.c).
 * Further ones are xenbus devices, device/console/1 and up, which Linux's
 * hvc_xen attaches as hvc1...: the frontend grants one xencons_interface
 * page ("ring-ref") and an event channel ("port"); xenner copies its output
 * ring to the chardev and the chardev's input into its input ring.
 */
struct cons {
    struct xb_dev *dev;
    struct chardev *cd;
    pthread_mutex_t lock; /* ring and its mapping: vCPU thread vs I/O thread */
    struct xencons_interface *ring; /* NULL while not connected */
    uint32_t ref;
    uint64_t pfn;
    bool broken;
};

static unsigned nr_consoles;

/* Guest output to the chardev (vCPU thread, on the guest's notification). */
static void drain(struct cons *c)
{
    char buf[sizeof(c->ring->out)];
    long n = xencons_take_output(c->ring, buf);

    if (n < 0) {
        c->broken = true;
        xb_stop(c->dev, "output ring corrupt");
        return;
    }
    if (n) {
        chardev_write(c->cd, buf, n);
        xb_notify_guest(c->dev);
    }
}

static void notify(struct xb_dev *dev)
{
    struct cons *c = dev->priv;

    pthread_mutex_lock(&c->lock);
    if (c->ring && !c->broken)
        drain(c);
    pthread_mutex_unlock(&c->lock);
}

/* Chardev input into the guest's input ring (I/O thread); what does not
 * fit is dropped, as on a serial line without flow control. */
static void input(void *opaque, const char *buf, size_t len)
{
    struct cons *c = opaque;
    long n = 0;

    pthread_mutex_lock(&c->lock);
    if (c->ring && !c->broken)
        n = xencons_put_input(c->ring, buf, len);
    if (n < 0)
        c->broken = true;
    pthread_mutex_unlock(&c->lock);
    if (n < 0)
        xb_stop(c->dev, "input ring corrupt");
    else if (n)
        xb_notify_guest(c->dev);
}

static const struct chardev_fe cons_fe = { .input = input };

/* The keys libxl writes for a console device. */
static int probe(struct xb_dev *dev)
{
    xb_fe_printf(dev, "limit", "%d", 1048576);
    xb_fe_printf(dev, "type", "ioemu");
    xb_fe_printf(dev, "output", "chardev");
    xb_fe_printf(dev, "name", "xenner-%u", dev->devid);
    xb_be_printf(dev, "protocol", "vt100");
    return 0;
}

static int connect(struct xb_dev *dev)
{
    struct cons *c = dev->priv;
    unsigned long ref, port;
    void *p;

    if (xb_fe_uint(dev, "ring-ref", &ref) || xb_fe_uint(dev, "port", &port) ||
        ref > UINT32_MAX) {
        xb_fail(dev, "no valid ring-ref and port from the frontend");
        return -1;
    }
    p = xb_map(dev, ref, true, &c->pfn);
    if (!p) {
        xb_fail(dev, "ring-ref %lu is not a grant of a writable page", ref);
        return -1;
    }
    if (xb_bind(dev, port)) {
        xb_unmap(dev, ref, c->pfn, true);
        xb_fail(dev, "port %lu is not an unbound event channel for domain 0", port);
        return -1;
    }
    pthread_mutex_lock(&c->lock);
    c->ref = ref;
    c->ring = p;
    c->broken = false;
    pthread_mutex_unlock(&c->lock);
    xb_notify_guest(dev); /* input may be waiting, output was sent meanwhile */
    return 0;
}

static void disconnect(struct xb_dev *dev)
{
    struct cons *c = dev->priv;

    pthread_mutex_lock(&c->lock);
    if (c->ring)
        xb_unmap(dev, c->ref, c->pfn, true);
    c->ring = NULL;
    pthread_mutex_unlock(&c->lock);
}

static const struct xb_ops cons_ops = {
    .type = "console",
    .probe = probe,
    .connect = connect,
    .disconnect = disconnect,
    .notify = notify,
};

/* -device xen-console,chardev=ID: the next console, hvc1, hvc2, ... */
void cons_device(struct vm *vm, struct opts *o)
{
    const char *id = opts_get(o, "chardev");
    struct cons *c;

    if (!id)
        log_fatalx("options", "-device xen-console: no chardev= given");
    c = calloc(1, sizeof(*c));
    if (!c)
        log_fatalx("options", "out of memory");
    c->cd = chardev_find(id);
    if (!c->cd)
        log_fatalx("options", "-device xen-console: no chardev '%s'", id);
    opts_accept(o, "id");
    opts_finish(o);
    pthread_mutex_init(&c->lock, NULL);
    chardev_attach(c->cd, "a xen-console", &cons_fe, c);
    c->dev = xb_add(vm, &cons_ops, ++nr_consoles, c); /* 0 is the start_info console */
}
