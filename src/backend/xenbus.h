/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The xenbus backend framework: device nodes in xenstore and the XenbusState handshake. */
#ifndef XENNER_XENBUS_H
#define XENNER_XENBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xenbus.h>

struct vm;
struct opts;
struct xb_dev;

/*
 * One kind of PV device (vbd, vif, console). xenner acts as the toolstack
 * and as the backend domain (domain 0): it writes the device's frontend and
 * backend directories as libxl does (Xen's docs/misc/xenstore-paths), then
 * follows the frontend's state:
 *
 *   backend  InitWait  --(frontend Initialised or Connected)-->  connect()
 *            Connected --(frontend Closing, Closed or gone)----> disconnect()
 *            Closing/Closed --(frontend Initialising again)----> InitWait
 *
 * The callbacks run with the store locked (store_lock), on whichever thread
 * changed the frontend's state; they may use the xb_* helpers below but must
 * not block for long. A device's ring work belongs on its own thread.
 */
struct xb_ops {
    const char *type; /* directory name under device/ and backend/ */
    /* Write the toolstack's and the backend's keys (xb_be_printf,
     * xb_fe_printf) before the guest can see the device. 0 or -errno. */
    int (*probe)(struct xb_dev *dev);
    /* The frontend published its rings: read its keys, map the rings, start.
     * 0: the backend goes Connected; -errno: xb_fail() is expected to
     * have said why, and the device goes Closing. */
    int (*connect)(struct xb_dev *dev);
    /* Stop using the frontend's rings and event channel. When it returns,
     * nothing of the device touches guest memory any more. */
    void (*disconnect)(struct xb_dev *dev);
    /* The guest sent on the device's event channel (vCPU thread: only wake
     * the device's thread here). */
    void (*notify)(struct xb_dev *dev);
};

struct xb_dev {
    struct vm *vm;
    const struct xb_ops *ops;
    void *priv;          /* the device's own state */
    unsigned devid;      /* the frontend's device id (51712 for xvda, 0 for eth0) */
    char be[96], fe[96]; /* backend and frontend directories */
    enum xenbus_state state;  /* the backend's */
    bool connected;           /* connect() succeeded and disconnect() is due */
    unsigned port;            /* the frontend's event channel, once bound */
    bool bound;
    bool stop;                /* xb_stop() was called, atomic */
    char stop_why[160];
};

/* Registers a device before boot (exits on a setup error). */
struct xb_dev *xb_add(struct vm *vm, const struct xb_ops *ops, unsigned devid, void *priv);
/* Writes every registered device's nodes and starts following the frontends
 * (once the store holds the domain's own nodes). */
void xb_attach(struct vm *vm);
/* Disconnects every connected device (xenner is stopping). */
void xb_shutdown(struct vm *vm);

/* Inside the callbacks (store locked). */
int xb_fe_read(struct xb_dev *dev, const char *key, char *buf, size_t len); /* 0, -ENOENT, -E2BIG */
int xb_fe_uint(struct xb_dev *dev, const char *key, unsigned long *val);    /* 0, -ENOENT, -EINVAL */
void xb_be_printf(struct xb_dev *dev, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void xb_fe_printf(struct xb_dev *dev, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Says why the device cannot work, as xenbus_dev_fatal does: logs it and
 * writes it to the backend's "error" node. */
void xb_fail(struct xb_dev *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The frontend broke the device at run time (a corrupt ring): says why as
 * xb_fail() does, then disconnects the device and goes Closing, soon, on
 * the vCPU thread. Any thread, store not locked (a device thread cannot
 * take the store lock: disconnect() joins it with the lock held). */
void xb_stop(struct xb_dev *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Carries out xb_stop() requests (vCPU thread, WORK_DEVICES). */
void xb_run_deferred(struct vm *vm);

/* Takes the backend end of the guest's unbound event channel @port (the
 * frontend's "event-channel"); ops->notify then runs on each send. 0 or -EINVAL. */
int xb_bind(struct xb_dev *dev, unsigned port);
void xb_unbind(struct xb_dev *dev);
/* Raises the device's event channel in the guest (any thread). */
void xb_notify_guest(struct xb_dev *dev);

/* The guest's granted page @ref for this backend (domain 0), checked as Xen
 * maps a grant (any thread); NULL if the grant is invalid. End each use with
 * xb_unmap() and the same ref, pfn and write. */
void *xb_map(struct xb_dev *dev, uint32_t ref, bool write, uint64_t *pfn);
void xb_unmap(struct xb_dev *dev, uint32_t ref, uint64_t pfn, bool write);
/* The guest's frame @pfn named by number (the vfb's and vkbd's page-ref),
 * as Xen's domain 0 maps a foreign page; NULL if it is not the guest's RAM,
 * or is a page or descriptor table and @write. End with xb_unmap_frame(). */
void *xb_map_frame(struct xb_dev *dev, uint64_t pfn, bool write);
void xb_unmap_frame(struct xb_dev *dev, uint64_t pfn, bool write);

#endif
