/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV keyboard and pointer (xenbus "vkbd"): the display's input into the guest. */
#include <pthread.h>
#include <stdlib.h>

#include "backend/devices.h"
#include "backend/fb-ring.h"
#include "backend/xenbus.h"
#include "ui/display.h"
#include "util/log.h"
#include "vmm/vmm.h"

/*
 * Xen's xen/io/kbdif.h. The frontend (Linux's xen-kbdfront) shares one page
 * (by grant, "page-gref", or by frame number, "page-ref") whose in ring
 * carries key, button, and pointer events to the guest. Positions are
 * absolute if the frontend asked for it ("request-abs-pointer"), else
 * relative to the last one. xenner owns the producer index; a consumer
 * index that cannot be the guest's stops the device. The ring and pointer
 * logic is fb-ring.c's (fuzzed on its own).
 */

/* The absolute pointer's range, as told to the frontend: its default screen. */
#define ABS_WIDTH 800
#define ABS_HEIGHT 600

struct vkbd {
    struct xb_dev *dev;
    pthread_mutex_t lock; /* the page: input thread vs disconnect */
    struct kbd_in in; /* in.page: NULL while not connected */
    uint64_t pfn;
    uint32_t gref;
    bool by_grant;
    struct kbd_pointer ptr;
    bool broken;
};

/* One event into the in ring (lock held); dropped if the ring is full. */
static void put(struct vkbd *k, const union xenkbd_in_event *ev)
{
    uint32_t cons;

    switch (kbd_in_put(&k->in, ev, &cons)) {
    case KBD_PUT_CORRUPT:
        k->broken = true;
        xb_stop(k->dev, "in ring consumer index corrupt (prod %u, cons %u)", k->in.prod, cons);
        break;
    case KBD_PUT_OK:
        xb_notify_guest(k->dev);
        break;
    }
}

static void key(void *opaque, unsigned code, bool down)
{
    struct vkbd *k = opaque;
    union xenkbd_in_event ev = { 0 };

    ev.key.type = XENKBD_TYPE_KEY;
    ev.key.pressed = down;
    ev.key.keycode = code;
    pthread_mutex_lock(&k->lock);
    if (k->in.page && !k->broken)
        put(k, &ev);
    pthread_mutex_unlock(&k->lock);
}

static void pointer(void *opaque, int x, int y, int wheel)
{
    struct vkbd *k = opaque;
    union xenkbd_in_event ev;

    pthread_mutex_lock(&k->lock);
    if (kbd_pointer_event(&k->ptr, x, y, wheel, &ev) && k->in.page && !k->broken)
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
    k->in.page = p;
    k->in.prod = __atomic_load_n(&k->in.page->in_prod, __ATOMIC_ACQUIRE);
    k->pfn = pfn;
    k->gref = ref;
    k->by_grant = by_grant;
    k->ptr.abs = abs != 0;
    k->broken = false;
    pthread_mutex_unlock(&k->lock);
    display_set_input(&input, k);
    log_info("devices", "vkbd: keyboard and %s pointer", k->ptr.abs ? "absolute" : "relative");
    return 0;
}

static void disconnect(struct xb_dev *dev)
{
    struct vkbd *k = dev->priv;

    display_set_input(NULL, NULL);
    pthread_mutex_lock(&k->lock);
    if (k->in.page) {
        if (k->by_grant)
            xb_unmap(dev, k->gref, k->pfn, true);
        else
            xb_unmap_frame(dev, k->pfn, true);
    }
    k->in.page = NULL;
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
    k->ptr.width = ABS_WIDTH, k->ptr.height = ABS_HEIGHT;
    pthread_mutex_init(&k->lock, NULL);
    k->dev = xb_add(vm, &vkbd_ops, 0, k);
}
