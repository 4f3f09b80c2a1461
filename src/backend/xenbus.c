/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The xenbus backend framework: device nodes in xenstore and the XenbusState handshake. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/xenbus.h"
#include "util/log.h"
#include "vmm/vmm.h"
#include "xenstore/xenstore.h"

#define XB_MAX_DEVS 64
#define BACKEND_DOMID 0 /* xenner is the backend domain, as dom0 */

static struct xb_dev *devs[XB_MAX_DEVS];
static unsigned nr_devs;

struct xb_dev *xb_add(struct vm *vm, const struct xb_ops *ops, unsigned devid, void *priv)
{
    struct xb_dev *dev;

    for (unsigned i = 0; i < nr_devs; i++)
        if (devs[i]->ops == ops && devs[i]->devid == devid)
            log_fatalx("devices", "two %s devices with the same id %u", ops->type, devid);
    if (nr_devs == XB_MAX_DEVS)
        log_fatalx("devices", "too many devices (at most %d)", XB_MAX_DEVS);
    dev = calloc(1, sizeof(*dev));
    if (!dev)
        log_fatalx("devices", "out of memory");
    dev->vm = vm;
    dev->ops = ops;
    dev->priv = priv;
    dev->devid = devid;
    dev->state = XenbusStateInitialising;
    snprintf(dev->be, sizeof(dev->be), "/local/domain/%u/backend/%s/%u/%u", BACKEND_DOMID,
             ops->type, GUEST_DOMID, devid);
    snprintf(dev->fe, sizeof(dev->fe), "/local/domain/%u/device/%s/%u", GUEST_DOMID, ops->type,
             devid);
    devs[nr_devs++] = dev;
    return dev;
}

static void vwrite(struct xb_dev *dev, const char *dir, const char *key, const char *fmt,
                   va_list ap)
{
    char path[192], val[512];
    int n = vsnprintf(val, sizeof(val), fmt, ap);

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    if (n < 0 || (size_t)n >= sizeof(val) || xs_host_write(store_xs(dev->vm), path, val, n))
        log_warnx("devices", "cannot write %s", path);
}

void xb_be_printf(struct xb_dev *dev, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vwrite(dev, dev->be, key, fmt, ap);
    va_end(ap);
}

void xb_fe_printf(struct xb_dev *dev, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vwrite(dev, dev->fe, key, fmt, ap);
    va_end(ap);
}

int xb_fe_read(struct xb_dev *dev, const char *key, char *buf, size_t len)
{
    char path[192], *val;
    size_t n;
    int rc;

    snprintf(path, sizeof(path), "%s/%s", dev->fe, key);
    rc = xs_host_read(store_xs(dev->vm), path, &val, &n);
    if (rc)
        return rc;
    if (n >= len) {
        free(val);
        return -E2BIG;
    }
    memcpy(buf, val, n + 1);
    free(val);
    return 0;
}

int xb_fe_uint(struct xb_dev *dev, const char *key, unsigned long *out)
{
    char buf[32], *end;
    int rc = xb_fe_read(dev, key, buf, sizeof(buf));

    if (rc)
        return rc == -E2BIG ? -EINVAL : rc;
    errno = 0;
    *out = strtoul(buf, &end, 10);
    if (errno || end == buf || *end || buf[0] == '-')
        return -EINVAL;
    return 0;
}

void xb_fail(struct xb_dev *dev, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_warnx("devices", "%s/%u: %s", dev->ops->type, dev->devid, msg);
    xb_be_printf(dev, "error", "%s", msg);
}

/* A connect that works drops the reason an earlier instance was refused. */
static void clear_error(struct xb_dev *dev)
{
    char path[192];

    snprintf(path, sizeof(path), "%s/error", dev->be);
    xs_host_rm(store_xs(dev->vm), path); /* -ENOENT when there was none */
}

static void set_state(struct xb_dev *dev, enum xenbus_state st)
{
    if (dev->state == st)
        return;
    log_debug("devices", "%s/%u: backend state %d -> %d", dev->ops->type, dev->devid, dev->state,
              st);
    dev->state = st;
    xb_be_printf(dev, "state", "%d", st);
}

static void on_guest_send(struct pv_domain *d, unsigned port, void *opaque)
{
    struct xb_dev *dev = opaque;

    if (dev->ops->notify)
        dev->ops->notify(dev);
}

int xb_bind(struct xb_dev *dev, unsigned port)
{
    int rc = pv_evtchn_connect(&dev->vm->d, port, BACKEND_DOMID, on_guest_send, dev);

    if (rc)
        return rc;
    dev->port = port;
    __atomic_store_n(&dev->bound, true, __ATOMIC_RELEASE);
    return 0;
}

void xb_unbind(struct xb_dev *dev)
{
    if (!dev->bound)
        return;
    __atomic_store_n(&dev->bound, false, __ATOMIC_RELEASE);
    pv_evtchn_disconnect(&dev->vm->d, dev->port, dev);
}

void xb_notify_guest(struct xb_dev *dev)
{
    if (__atomic_load_n(&dev->bound, __ATOMIC_ACQUIRE))
        pv_evtchn_set_pending(&dev->vm->d, dev->port);
}

void *xb_map(struct xb_dev *dev, uint32_t ref, bool write, uint64_t *pfn)
{
    return pv_grant_get(&dev->vm->d, ref, BACKEND_DOMID, write, pfn);
}

void xb_unmap(struct xb_dev *dev, uint32_t ref, uint64_t pfn, bool write)
{
    pv_grant_put(&dev->vm->d, ref, pfn, write);
}

void *xb_map_frame(struct xb_dev *dev, uint64_t pfn, bool write)
{
    return pv_frame_get(&dev->vm->d, pfn, write);
}

void xb_unmap_frame(struct xb_dev *dev, uint64_t pfn, bool write)
{
    pv_frame_put(&dev->vm->d, pfn, write);
}

static void disconnect(struct xb_dev *dev)
{
    if (dev->connected) {
        dev->connected = false;
        dev->ops->disconnect(dev);
        /* The device's threads are gone: a pending xb_stop() was about
         * this connection, not a later one. */
        __atomic_store_n(&dev->stop, false, __ATOMIC_RELEASE);
        log_info("devices", "%s/%u: disconnected", dev->ops->type, dev->devid);
    }
    xb_unbind(dev);
}

/* The frontend's state changed (or its watch was just set): follow it. */
static void frontend_changed(void *opaque, const char *path, const char *token)
{
    struct xb_dev *dev = opaque;
    unsigned long fe;

    if (xb_fe_uint(dev, "state", &fe))
        fe = XenbusStateUnknown; /* gone, or garbage: as if it left */
    switch (fe) {
    case XenbusStateInitialising:
        if (dev->state == XenbusStateClosed || dev->state == XenbusStateClosing) {
            disconnect(dev);
            set_state(dev, XenbusStateInitWait); /* a new frontend instance */
        }
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        if (dev->state != XenbusStateInitWait)
            break;
        if (dev->ops->connect(dev)) {
            xb_unbind(dev);
            set_state(dev, XenbusStateClosing);
            break;
        }
        dev->connected = true;
        clear_error(dev);
        set_state(dev, XenbusStateConnected);
        log_info("devices", "%s/%u: connected", dev->ops->type, dev->devid);
        break;
    case XenbusStateClosing:
        disconnect(dev);
        set_state(dev, XenbusStateClosing);
        break;
    case XenbusStateClosed:
    case XenbusStateUnknown:
    default:
        disconnect(dev);
        if (dev->state != XenbusStateInitialising && dev->state != XenbusStateInitWait)
            set_state(dev, XenbusStateClosed);
        break;
    }
}

/* Creates @dir owned by @owner, readable by @other; keys written below it
 * later inherit that. */
static void make_dir(struct xb_dev *dev, const char *dir, unsigned owner, unsigned other)
{
    struct xs_perm p[2] = { { .domid = owner, .perm = XSP_NONE },
                            { .domid = other, .perm = XSP_READ } };

    if (xs_host_mkdir(store_xs(dev->vm), dir) || xs_host_set_perms(store_xs(dev->vm), dir, p, 2))
        log_fatalx("devices", "cannot create %s", dir);
}

/* The nodes libxl writes for a device, then the backend's probe: the guest
 * owns its frontend directory, xenner (domain 0) the backend's; each may
 * read the other's. */
static void attach(struct xb_dev *dev)
{
    char token[32], path[192];

    make_dir(dev, dev->be, BACKEND_DOMID, GUEST_DOMID);
    make_dir(dev, dev->fe, GUEST_DOMID, BACKEND_DOMID);
    xb_be_printf(dev, "frontend", "%s", dev->fe);
    xb_be_printf(dev, "frontend-id", "%u", GUEST_DOMID);
    xb_be_printf(dev, "online", "1");
    xb_be_printf(dev, "state", "%d", XenbusStateInitialising);
    xb_fe_printf(dev, "backend", "%s", dev->be);
    xb_fe_printf(dev, "backend-id", "%u", BACKEND_DOMID);
    xb_fe_printf(dev, "state", "%d", XenbusStateInitialising);
    if (dev->ops->probe && dev->ops->probe(dev))
        log_fatalx("devices", "%s/%u: cannot set up the device", dev->ops->type, dev->devid);
    set_state(dev, XenbusStateInitWait);
    snprintf(token, sizeof(token), "xb%p", (void *)dev);
    snprintf(path, sizeof(path), "%s/state", dev->fe);
    if (xs_host_watch(store_xs(dev->vm), path, token, frontend_changed, dev))
        log_fatalx("devices", "cannot watch %s", path);
}

void xb_attach(struct vm *vm)
{
    store_lock(vm);
    for (unsigned i = 0; i < nr_devs; i++)
        attach(devs[i]);
    store_unlock(vm);
}

void xb_stop(struct xb_dev *dev, const char *fmt, ...)
{
    va_list ap;

    if (__atomic_load_n(&dev->stop, __ATOMIC_ACQUIRE))
        return; /* the first reason stands */
    va_start(ap, fmt);
    vsnprintf(dev->stop_why, sizeof(dev->stop_why), fmt, ap);
    va_end(ap);
    __atomic_store_n(&dev->stop, true, __ATOMIC_RELEASE);
    vm_defer(dev->vm, WORK_DEVICES);
}

void xb_run_deferred(struct vm *vm)
{
    store_lock(vm);
    for (unsigned i = 0; i < nr_devs; i++) {
        struct xb_dev *dev = devs[i];

        if (!__atomic_load_n(&dev->stop, __ATOMIC_ACQUIRE))
            continue;
        if (dev->connected) {
            xb_fail(dev, "%s: device stopped", dev->stop_why);
            disconnect(dev);
            set_state(dev, XenbusStateClosing);
        }
    }
    store_unlock(vm);
}

void xb_shutdown(struct vm *vm)
{
    store_lock(vm);
    for (unsigned i = 0; i < nr_devs; i++)
        disconnect(devs[i]);
    store_unlock(vm);
}
