/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV keyboard and pointer (xenbus "vkbd"): the display's input into the guest. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/devices.h"
#include "backend/xenbus.h"
#include "ui/display.h"
#include "util/log.h"
#include "vmm/vmm.h"
#include <xen/io/kbdif.h>

/*
 * Xen's xen/io/kbdif.h. The frontend (Linux's xen-kbdfront) shares one page
 * (by grant, "page-gref", or by frame number, "page-ref") whose in ring
 * carries key, button, and pointer events to the guest. Positions are
 * absolute if the frontend asked for it ("request-abs-pointer"), else
 * relative to the last one. xenner owns the producer index; a consumer
 * index that cannot be the guest's stops the device.
 */

/* The absolute pointer's range, as told to the frontend: its default screen. */
#define ABS_WIDTH 800
#define ABS_HEIGHT 600

struct vkbd {
    struct xb_dev *dev;
    pthread_mutex_t lock; /* the page: input thread vs disconnect */
    struct xenkbd_page *page; /* NULL while not connected */
    uint64_t pfn;
    uint32_t gref;
    bool by_grant;
    bool abs;
    uint32_t prod;
    int last_x, last_y;
    bool broken;
};

/* One event into the in ring (lock held); dropped if the ring is full. */
static void put(struct vkbd *k, const union xenkbd_in_event *ev)
{
    uint32_t cons = __atomic_load_n(&k->page->in_cons, __ATOMIC_ACQUIRE);

    if (k->prod - cons > XENKBD_IN_RING_LEN) {
        k->broken = true;
        xb_stop(k->dev, "in ring consumer index corrupt (prod %u, cons %u)", k->prod, cons);
        return;
    }
    if (k->prod - cons == XENKBD_IN_RING_LEN)
        return; /* full: the event is lost, as a key pressed too fast */
    memcpy(&XENKBD_IN_RING_REF(k->page, k->prod), ev, sizeof(*ev));
    k->prod++;
    __atomic_store_n(&k->page->in_prod, k->prod, __ATOMIC_RELEASE);
    xb_notify_guest(k->dev);
}

static void key(void *opaque, unsigned code, bool down)
{
    struct vkbd *k = opaque;
    union xenkbd_in_event ev = { 0 };

    ev.key.type = XENKBD_TYPE_KEY;
    ev.key.pressed = down;
    ev.key.keycode = code;
    pthread_mutex_lock(&k->lock);
    if (k->page && !k->broken)
        put(k, &ev);
    pthread_mutex_unlock(&k->lock);
}

static void pointer(void *opaque, int x, int y, int wheel)
{
    struct vkbd *k = opaque;
    union xenkbd_in_event ev = { 0 };

    x = x * (ABS_WIDTH - 1) / DISPLAY_ABS_MAX;
    y = y * (ABS_HEIGHT - 1) / DISPLAY_ABS_MAX;
    pthread_mutex_lock(&k->lock);
    if (k->abs) {
        ev.pos.type = XENKBD_TYPE_POS;
        ev.pos.abs_x = x;
        ev.pos.abs_y = y;
        ev.pos.rel_z = -wheel; /* kbdif: wheel down is positive */
    } else {
        ev.motion.type = XENKBD_TYPE_MOTION;
        ev.motion.rel_x = x - k->last_x;
        ev.motion.rel_y = y - k->last_y;
        ev.motion.rel_z = -wheel;
    }
    k->last_x = x, k->last_y = y;
    if (k->page && !k->broken &&
        (k->abs || ev.motion.rel_x || ev.motion.rel_y || ev.motion.rel_z))
        put(k, &ev);
    pthread_mutex_unlock(&k->lock);
}

static const struct display_input input = { .key = key, .pointer = pointer };

static void notify(struct xb_dev *dev)
{
    /* No backend-bound events are defined (the out ring stays empty). */
}

static int probe(struct xb_dev *dev)
{
    xb_be_printf(dev, XENKBD_FIELD_FEAT_ABS_POINTER, "1");
    xb_be_printf(dev, XENKBD_FIELD_WIDTH, "%u", ABS_WIDTH);
    xb_be_printf(dev, XENKBD_FIELD_HEIGHT, "%u", ABS_HEIGHT);
    return 0;
}

static int connect(struct xb_dev *dev)
{
    struct vkbd *k = dev->priv;
    unsigned long ref, port, abs = 0;
    void *p;
    bool by_grant = !xb_fe_uint(dev, XENKBD_FIELD_RING_GREF, &ref);
    uint64_t pfn = 0;

    if ((!by_grant && xb_fe_uint(dev, XENKBD_FIELD_RING_REF, &ref)) ||
        xb_fe_uint(dev, XENKBD_FIELD_EVT_CHANNEL, &port) || (by_grant && ref > UINT32_MAX)) {
        xb_fail(dev, "no valid page-gref or page-ref, and event-channel, from the frontend");
        return -1;
    }
    xb_fe_uint(dev, XENKBD_FIELD_REQ_ABS_POINTER, &abs);
    if (by_grant) {
        p = xb_map(dev, ref, true, &pfn);
    } else {
        pfn = ref;
        p = xb_map_frame(dev, pfn, true);
    }
    if (!p) {
        xb_fail(dev, "%s %lu is not a writable page of the guest's", by_grant ? "page-gref" :
                "page-ref", ref);
        return -1;
    }
    if (port > UINT32_MAX || xb_bind(dev, port)) {
        if (by_grant)
            xb_unmap(dev, ref, pfn, true);
        else
            xb_unmap_frame(dev, pfn, true);
        xb_fail(dev, "event-channel %lu is not an unbound port for domain 0", port);
        return -1;
    }
    pthread_mutex_lock(&k->lock);
    k->page = p;
    k->pfn = pfn;
    k->gref = ref;
    k->by_grant = by_grant;
    k->abs = abs != 0;
    k->broken = false;
    k->prod = __atomic_load_n(&k->page->in_prod, __ATOMIC_ACQUIRE);
    pthread_mutex_unlock(&k->lock);
    display_set_input(&input, k);
    log_info("devices", "vkbd: keyboard and %s pointer", k->abs ? "absolute" : "relative");
    return 0;
}

static void disconnect(struct xb_dev *dev)
{
    struct vkbd *k = dev->priv;

    display_set_input(NULL, NULL);
    pthread_mutex_lock(&k->lock);
    if (k->page) {
        if (k->by_grant)
            xb_unmap(dev, k->gref, k->pfn, true);
        else
            xb_unmap_frame(dev, k->pfn, true);
    }
    k->page = NULL;
    pthread_mutex_unlock(&k->lock);
}

static const struct xb_ops vkbd_ops = {
    .type = "vkbd",
    .probe = probe,
    .connect = connect,
    .disconnect = disconnect,
    .notify = notify,
};

void vkbd_add(struct vm *vm)
{
    struct vkbd *k = calloc(1, sizeof(*k));

    if (!k)
        log_fatalx("devices", "out of memory");
    pthread_mutex_init(&k->lock, NULL);
    k->dev = xb_add(vm, &vkbd_ops, 0, k);
}
