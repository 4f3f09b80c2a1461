/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV framebuffer (xenbus "vfb"): the guest's pixels onto the display. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/devices.h"
#include "backend/fb-ring.h"
#include "backend/xenbus.h"
#include "ui/display.h"
#include "util/log.h"
#include "vmm/vmm.h"
#include <xen/io/protocols.h>

/*
 * Xen's xen/io/fbif.h. The frontend (Linux's xen-fbfront) names one shared
 * page by frame number ("page-ref", not a grant): struct xenfb_page, with
 * the framebuffer's geometry, an out ring (update and resize events, guest
 * to backend), an in ring (backend to guest; unused here), and pd[], the
 * frames of directory pages that list the framebuffer's frames. All those
 * frames are looked up once at connect (each must be the guest's RAM);
 * the pixels are read from them on each update event and converted into
 * the display. The guest can change its pixels, never where xenner reads.
 * The ring, geometry and pixel logic is fb-ring.c's (fuzzed on its own).
 */

struct vfb {
    struct xb_dev *dev;
    pthread_mutex_t lock; /* the mapping: vCPU thread vs disconnect */
    struct xenfb_page *page; /* NULL while not connected */
    uint64_t page_pfn;
    uint8_t **frames;        /* the framebuffer, a host pointer per page */
    size_t nr_frames, mem_length;
    struct fb_geom g; /* the geometry in force (the page's at connect, then resizes) */
    bool broken;
};

/* Rectangle of the framebuffer into the display (display locked). */
static void draw(struct vfb *f, uint32_t *px, const struct fb_rect *r)
{
    fb_draw(&f->g, f->frames, px, r);
    display_damage(r->x, r->y, r->w, r->h);
}

static void redraw_all(struct vfb *f)
{
    uint32_t *px;

    display_lock();
    px = display_resize(f->g.width, f->g.height);
    if (px)
        draw(f, px, &(struct fb_rect){ 0, 0, f->g.width, f->g.height });
    display_unlock();
}

static void update(struct vfb *f, const struct xenfb_update *u)
{
    struct fb_rect r;
    uint32_t *px;
    unsigned dw, dh;

    if (!fb_clip(&f->g, u, &r))
        return;
    display_lock();
    px = display_pixels(&dw, &dh);
    if (px && dw == f->g.width && dh == f->g.height)
        draw(f, px, &r);
    display_unlock();
}

/* The out ring (vCPU thread, c->lock held). */
static void drain(struct vfb *f)
{
    struct fb_out o;
    union xenfb_out_event ev;

    if (fb_out_begin(&o, f->page)) {
        f->broken = true;
        xb_stop(f->dev, "out ring indexes corrupt (prod %u, cons %u)", o.prod, o.cons);
        return;
    }
    while (fb_out_next(&o, &ev)) {
        if (ev.type == XENFB_TYPE_UPDATE) {
            update(f, &ev.update);
        } else if (ev.type == XENFB_TYPE_RESIZE) {
            const struct xenfb_resize *r = &ev.resize;

            if (!fb_resize(&f->g, r, f->mem_length)) {
                log_warnx("devices", "vfb: resize to %dx%d, depth %d, stride %d, offset %d "
                          "ignored: out of range", r->width, r->height, r->depth, r->stride,
                          r->offset);
                continue;
            }
            log_info("devices", "vfb: %ux%u, depth %u", f->g.width, f->g.height, f->g.depth);
            redraw_all(f);
        }
    }
    fb_out_end(&o);
    xb_notify_guest(f->dev);
}

static void notify(struct xb_dev *dev)
{
    struct vfb *f = dev->priv;

    pthread_mutex_lock(&f->lock);
    if (f->page && !f->broken)
        drain(f);
    pthread_mutex_unlock(&f->lock);
}

/* The keys libxl writes for a vfb, and what the frontend looks for. */
static int probe(struct xb_dev *dev)
{
    xb_be_printf(dev, "feature-resize", "1");
    xb_be_printf(dev, "request-update", "1");
    xb_be_printf(dev, "vnc", "1");
    return 0;
}

static void unmap(struct vfb *f)
{
    free(f->frames);
    f->frames = NULL;
    f->nr_frames = 0;
    if (f->page)
        xb_unmap_frame(f->dev, f->page_pfn, true);
    f->page = NULL;
}

/* The framebuffer's frames, through the page directory. */
static int map_frames(struct vfb *f)
{
    const unsigned per_dir = FB_PAGE / sizeof(f->page->pd[0]);
    size_t n = (f->mem_length + FB_PAGE - 1) / FB_PAGE;

    f->frames = calloc(n, sizeof(*f->frames));
    if (!f->frames)
        return -ENOMEM;
    for (size_t i = 0; i < n; i += per_dir) {
        unsigned long dir_pfn = f->page->pd[i / per_dir];
        const unsigned long *dir = xb_map_frame(f->dev, dir_pfn, false);

        if (!dir) {
            xb_fail(f->dev, "page directory %zu: frame %#lx is not the guest's RAM",
                    i / per_dir, dir_pfn);
            return -EINVAL;
        }
        for (size_t j = i; j < n && j < i + per_dir; j++) {
            unsigned long pfn = __atomic_load_n(&dir[j - i], __ATOMIC_RELAXED);

            f->frames[j] = xb_map_frame(f->dev, pfn, false);
            if (!f->frames[j]) {
                xb_fail(f->dev, "framebuffer page %zu: frame %#lx is not the guest's RAM",
                        j, pfn);
                return -EINVAL;
            }
        }
    }
    f->nr_frames = n;
    return 0;
}

static int connect(struct xb_dev *dev)
{
    struct vfb *f = dev->priv;
    unsigned long pfn, port;
    char proto[32];
    struct xenfb_page *pg;
    long width, height, depth, stride;
    int rc;

    if (xb_fe_uint(dev, "page-ref", &pfn) || xb_fe_uint(dev, "event-channel", &port)) {
        xb_fail(dev, "no valid page-ref and event-channel from the frontend");
        return -1;
    }
    if (!xb_fe_read(dev, "protocol", proto, sizeof(proto)) && strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
        xb_fail(dev, "protocol %s: only %s", proto, XEN_IO_PROTO_ABI_X86_64);
        return -1;
    }
    pg = xb_map_frame(dev, pfn, true);
    if (!pg) {
        xb_fail(dev, "page-ref %#lx is not a writable frame of the guest's RAM", pfn);
        return -1;
    }
    pthread_mutex_lock(&f->lock);
    f->page = pg;
    f->page_pfn = pfn;
    f->broken = false;
    width = pg->width, height = pg->height, depth = pg->depth, stride = pg->line_length;
    f->mem_length = pg->mem_length;
    rc = -1;
    if (!fb_length_ok(f->mem_length))
        xb_fail(dev, "framebuffer length %zu out of range (at most %u MiB)", f->mem_length,
                FB_MAX_BYTES >> 20);
    else if (!fb_geom_set(&f->g, width, height, depth, stride, 0, f->mem_length))
        xb_fail(dev, "framebuffer %ldx%ld, depth %ld, line length %ld, length %zu: "
                "out of range", width, height, depth, stride, f->mem_length);
    else if (!map_frames(f))
        rc = 0;
    if (!rc && (port > UINT32_MAX || xb_bind(dev, port))) {
        xb_fail(dev, "event-channel %lu is not an unbound port for domain 0", port);
        rc = -1;
    }
    if (rc) {
        unmap(f);
        pthread_mutex_unlock(&f->lock);
        return -1;
    }
    log_info("devices", "vfb: %ux%u, depth %u, %zu KiB", f->g.width, f->g.height, f->g.depth,
             f->mem_length >> 10);
    redraw_all(f);
    pthread_mutex_unlock(&f->lock);
    display_set_present(true);
    return 0;
}

static void disconnect(struct xb_dev *dev)
{
    struct vfb *f = dev->priv;

    pthread_mutex_lock(&f->lock);
    unmap(f);
    pthread_mutex_unlock(&f->lock);
}

static const struct xb_ops vfb_ops = {
    .type = "vfb",
    .probe = probe,
    .connect = connect,
    .disconnect = disconnect,
    .notify = notify,
};

void vfb_add(struct vm *vm)
{
    struct vfb *f = calloc(1, sizeof(*f));

    if (!f)
        log_fatalx("devices", "out of memory");
    pthread_mutex_init(&f->lock, NULL);
    f->dev = xb_add(vm, &vfb_ops, 0, f);
}
