/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vbd device: a disk's xenstore keys, its ring and the worker thread that serves it. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <xen/io/protocols.h>

#include "backend/blk-priv.h"
#include "backend/xenbus.h"
#include "util/log.h"
#include "util/thread.h"
#include "vmm/vmm.h"

#define BACKEND_DOMID 0 /* the domain the guest grants its pages to: xenner, as dom0 */

/* The keys blkback and the toolstack write (xen/io/blkif.h, Xen's
 * docs/misc/xenstore-paths). Everything the frontend reads before it
 * connects must be there before it starts. */
static int vbd_probe(struct xb_dev *dev)
{
    struct disk *k = dev->priv;

    xb_be_printf(dev, "params", "%s", k->filename);
    xb_be_printf(dev, "type", "%s", k->blockdev ? "phy" : "file");
    xb_be_printf(dev, "mode", "%s", k->readonly ? "r" : "w");
    xb_be_printf(dev, "dev", "%s", k->name);
    xb_be_printf(dev, "removable", "0");
    xb_be_printf(dev, "sectors", "%llu", (unsigned long long)k->bd.sectors);
    xb_be_printf(dev, "info", "%u", k->readonly ? VDISK_READONLY : 0);
    xb_be_printf(dev, "sector-size", "%u", (unsigned)BLK_SECTOR);
    xb_be_printf(dev, "physical-sector-size", "%u", (unsigned)PV_PAGE_SIZE);
    xb_be_printf(dev, "feature-flush-cache", "1");
    xb_be_printf(dev, "feature-max-indirect-segments", "%u", BLK_MAX_SEGS);
    /* Grants are checked on every use, which costs no more than keeping
     * them: the protocol works either way (blkfront reuses a grant the
     * backend dropped, or grants afresh). */
    xb_be_printf(dev, "feature-persistent", "1");
    if (k->bd.discard) {
        xb_be_printf(dev, "feature-discard", "1");
        xb_be_printf(dev, "discard-granularity", "%u", (unsigned)PV_PAGE_SIZE);
        xb_be_printf(dev, "discard-alignment", "0");
        xb_be_printf(dev, "discard-secure", "0");
    }
    xb_fe_printf(dev, "virtual-device", "%u", k->devid);
    xb_fe_printf(dev, "device-type", "disk");
    return 0;
}

/* Serves the ring whenever the guest kicks, until disconnect says stop. */
static void *vbd_worker(void *opaque)
{
    struct disk *k = opaque;
    bool broken = false;

    while (!__atomic_load_n(&k->ring.stop, __ATOMIC_ACQUIRE)) {
        struct pollfd p = { .fd = k->efd, .events = POLLIN };
        uint64_t n;

        if (!broken) {
            unsigned rc = blk_ring_serve(&k->ring);

            if (rc & BLK_NOTIFY)
                xb_notify_guest(k->dev);
            if (rc & BLK_BROKEN) {
                broken = true;
                xb_stop(k->dev, "ring indexes corrupt (req_prod %u, rsp_prod %u)",
                        k->ring.ring.sring->req_prod, k->ring.ring.rsp_prod_pvt);
            }
        }
        if (poll(&p, 1, -1) > 0 && read(k->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
            log_warn("blk", "%s: eventfd", k->name);
    }
    return NULL;
}

static void kick(struct disk *k)
{
    if (!thread_wake(k->efd))
        log_warn("blk", "%s: eventfd", k->name);
}

static int vbd_connect(struct xb_dev *dev)
{
    struct disk *k = dev->priv;
    unsigned long ref, port, order;
    char proto[32], name[16];
    int rc;

    if (!xb_fe_uint(dev, "ring-page-order", &order) && order) {
        xb_fail(dev, "ring-page-order %lu: only one-page rings are offered", order);
        return -EINVAL;
    }
    if (xb_fe_uint(dev, "ring-ref", &ref) || ref > UINT32_MAX) {
        xb_fail(dev, "reading ring-ref");
        return -EINVAL;
    }
    if (xb_fe_uint(dev, "event-channel", &port)) {
        xb_fail(dev, "reading event-channel");
        return -EINVAL;
    }
    rc = xb_fe_read(dev, "protocol", proto, sizeof(proto));
    if (rc != -ENOENT && (rc || strcmp(proto, XEN_IO_PROTO_ABI_X86_64))) {
        xb_fail(dev, "protocol '%s' not supported (only %s)", rc ? "?" : proto,
                XEN_IO_PROTO_ABI_X86_64);
        return -EINVAL;
    }
    k->ring_ref = ref;
    k->sring = xb_map(dev, k->ring_ref, true, &k->ring_pfn);
    if (!k->sring) {
        xb_fail(dev, "ring-ref %lu is not a page granted to the backend", ref);
        return -EINVAL;
    }
    if (xb_bind(dev, port)) {
        xb_fail(dev, "event-channel %lu cannot be bound", port);
        goto fail;
    }
    blk_ring_init(&k->ring, &dev->vm->d, BACKEND_DOMID, &k->bd, k->sring);
    snprintf(name, sizeof(name), "blk-%.11s", k->name);
    rc = thread_start(&k->worker, name, vbd_worker, k);
    if (rc) {
        xb_fail(dev, "cannot start the disk's thread: %s", strerror(rc));
        goto fail;
    }
    k->running = true;
    return 0;
fail:
    xb_unbind(dev);
    xb_unmap(dev, k->ring_ref, k->ring_pfn, true);
    k->sring = NULL;
    return -EINVAL;
}

static void vbd_disconnect(struct xb_dev *dev)
{
    struct disk *k = dev->priv;

    if (k->running) {
        __atomic_store_n(&k->ring.stop, true, __ATOMIC_RELEASE);
        kick(k);
        pthread_join(k->worker, NULL);
        k->running = false;
        log_debug("blk", "%s: %llu requests, %llu answered with an error", k->name,
                  (unsigned long long)k->ring.reqs, (unsigned long long)k->ring.errors);
    }
    if (k->sring)
        xb_unmap(dev, k->ring_ref, k->ring_pfn, true);
    k->sring = NULL;
}

static void vbd_notify(struct xb_dev *dev)
{
    kick(dev->priv);
}

static const struct xb_ops vbd_ops = {
    .type = "vbd",
    .probe = vbd_probe,
    .connect = vbd_connect,
    .disconnect = vbd_disconnect,
    .notify = vbd_notify,
};

void vbd_add(struct vm *vm, struct disk *k)
{
    /* Lives as long as xenner: ops->notify may run on the vCPU thread while
     * another thread disconnects. A stale kick only makes the worker look. */
    k->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (k->efd < 0)
        log_fatal("blk", "eventfd");
    k->dev = xb_add(vm, &vbd_ops, k->devid, k);
}
