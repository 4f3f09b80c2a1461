/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's xenstore: the in-process store, its ring, and the nodes a toolstack writes. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "vmm/vmm.h"
#include "xenstore/xenstore.h"
#include <xen/io/xs_wire.h>

struct store {
    struct vm *vm;
    pthread_mutex_t lock; /* every use of xs, from any thread */
    struct xs_store *xs;
    struct xs_conn *guest; /* the guest's ring connection; NULL once shut down */
    struct xenstore_domain_interface *ring;
    unsigned port;
};

/* Serve the guest's ring (vCPU thread): answers, watch events, notify. */
static void service(struct store *s)
{
    int rc;

    if (!s->guest || !s->ring)
        return;
    rc = xs_ring_service(s->ring, s->guest);
    if (rc < 0) {
        log_warnx("xenstore", "guest xenstore ring broken (%s): connection shut down",
                  strerror(-rc));
        xs_conn_free(s->guest);
        s->guest = NULL;
        return;
    }
    if (rc > 0)
        pv_evtchn_set_pending(&s->vm->d, s->port);
}



/* Output became available (e.g. a watch fired from a host write). */
static void wake(void *opaque)
{
    struct store *s = opaque;

    vm_defer(s->vm, WORK_STORE);
}

void store_service(struct vm *vm)
{
    if (!vm->store)
        return;
    pthread_mutex_lock(&vm->store->lock);
    service(vm->store);
    pthread_mutex_unlock(&vm->store->lock);
}

void store_lock(struct vm *vm)
{
    pthread_mutex_lock(&vm->store->lock);
}

void store_unlock(struct vm *vm)
{
    pthread_mutex_unlock(&vm->store->lock);
}

struct xs_store *store_xs(struct vm *vm)
{
    return vm->store->xs;
}

static void notify(struct pv_domain *d, unsigned port, void *opaque)
{
    store_service(vm_of(d));
}

static void put(struct store *s, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void put(struct store *s, const char *path, const char *fmt, ...)
{
    char val[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(val) || xs_host_write(s->xs, path, val, n))
        log_fatalx("xenstore", "cannot write %s", path);
}

/* Set @path's owner to @owner; @guest gets @perm on it too. */
static void perms(struct store *s, const char *path, unsigned owner, unsigned guest,
                  unsigned perm)
{
    struct xs_perm p[2] = { { .domid = owner, .perm = XSP_NONE },
                            { .domid = guest, .perm = perm } };

    if (xs_host_set_perms(s->xs, path, p, owner == guest ? 1 : 2))
        log_fatalx("xenstore", "cannot set permissions of %s", path);
}

/*
 * The nodes a Xen toolstack (libxl) writes for a new domain: the guest may
 * read its own directory and write its device, data, control/shutdown and
 * feature areas; everything else belongs to the host (domain 0).
 */
static void populate(struct store *s)
{
    struct vm *vm = s->vm;
    unsigned id = vm->d.domid;
    const char *rw[] = { "data", "drivers", "feature", "attr", "error", "control/shutdown",
                         "control/feature-poweroff", "control/feature-reboot",
                         "control/feature-suspend", "control/sysrq", "device/suspend/event-channel" };
    char dom[64], path[160], vmpath[80];
    const uint8_t *u = vm->d.handle;

    snprintf(dom, sizeof(dom), "/local/domain/%u", id);
    snprintf(vmpath, sizeof(vmpath),
             "/vm/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
    put(s, "/local/domain/0/name", "Domain-0");
    put(s, "/local/domain/0/domid", "0");
    put(s, vmpath, "%s", "");
    snprintf(path, sizeof(path), "%s/name", vmpath);
    put(s, path, "%s", vm->cfg.name ? vm->cfg.name : "xenner");
    snprintf(path, sizeof(path), "%s/uuid", vmpath);
    put(s, path, "%s", vmpath + 4);
    perms(s, vmpath, 0, id, XSP_READ);
    put(s, dom, "%s", "");
    perms(s, dom, 0, id, XSP_READ);
#define PUT(sub, ...) (snprintf(path, sizeof(path), "%s/" sub, dom), put(s, path, __VA_ARGS__))
    PUT("vm", "%s", vmpath);
    PUT("name", "%s", vm->cfg.name ? vm->cfg.name : "xenner");
    PUT("domid", "%u", id);
    PUT("memory/static-max", "%" PRIu64, vm->d.nr_pages * 4);
    PUT("memory/target", "%" PRIu64, vm->d.nr_pages * 4);
    for (unsigned i = 0; i < vm->d.nr_vcpus; i++) {
        snprintf(path, sizeof(path), "%s/cpu/%u/availability", dom, i);
        put(s, path, "online");
    }
    PUT("store/port", "%u", s->port);
    PUT("store/ring-ref", "%" PRIu64, vm->d.store_pfn);
    PUT("console/port", "%u", vm->d.console_port);
    PUT("console/ring-ref", "%" PRIu64, vm->d.console_pfn);
    PUT("console/limit", "%d", 1048576);
    PUT("console/type", "xenconsoled");
    PUT("console/tty", "%s", "stdio");
    PUT("device", "%s", "");
    PUT("control", "%s", "");
    PUT("image", "%s", "");
    for (unsigned i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dom, rw[i]);
        put(s, path, "%s", "");
        perms(s, path, id, id, XSP_BOTH);
    }
#undef PUT
    if (xs_host_introduce(s->xs, id))
        log_fatalx("xenstore", "cannot introduce domain %u", id);
}

int store_setup(struct vm *vm)
{
    struct store *s = calloc(1, sizeof(*s));
    int port;

    if (!s || !(s->xs = xs_store_new(NULL)))
        return -1;
    s->vm = vm;
    pthread_mutex_init(&s->lock, NULL);
    port = pv_evtchn_bind_backend(&vm->d, notify, s);
    if (port < 0)
        return -1;
    s->port = port;
    vm->d.store_port = port;
    vm->store = s;
    return 0;
}

void store_attach(struct vm *vm)
{
    struct store *s = vm->store;

    s->ring = pv_gpa(&vm->d, vm->d.store_pfn << 12, sizeof(*s->ring));
    if (!s->ring)
        log_fatalx("xenstore", "the xenstore page is outside guest memory");
    xs_ring_init(s->ring);
    populate(s);
    s->guest = xs_conn_new(s->xs, vm->d.domid, false, wake, s);
    if (!s->guest)
        log_fatalx("xenstore", "out of memory");
}
