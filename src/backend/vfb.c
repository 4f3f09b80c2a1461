/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV framebuffer (xenbus "vfb"): the guest's pixels onto the display. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/devices.h"
#include "backend/xenbus.h"
#include "ui/display.h"
#include "util/log.h"
#include "vmm/vmm.h"
#include <xen/io/fbif.h>
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
 */

#define PAGE 4096u
#define FB_MAX_BYTES (64u << 20) /* larger than any display we show */

struct vfb {
    struct xb_dev *dev;
    pthread_mutex_t lock; /* the mapping: vCPU thread vs disconnect */
    struct xenfb_page *page; /* NULL while not connected */
    uint64_t page_pfn;
    uint8_t **frames;        /* the framebuffer, a host pointer per page */
    size_t nr_frames, mem_length;
    /* The geometry in force (the page's at connect, then resize events). */
    unsigned width, height, depth, stride, offset;
    bool broken;
};

static bool geometry_ok(struct vfb *f, long width, long height, long depth, long stride,
                        long offset)
{
    if (width <= 0 || height <= 0 || width > DISPLAY_MAX_WIDTH || height > DISPLAY_MAX_HEIGHT)
        return false;
    if (depth != 8 && depth != 16 && depth != 24 && depth != 32)
        return false;
    if (offset < 0 || stride < width * (depth / 8) || stride > 4 * DISPLAY_MAX_WIDTH)
        return false;
    return (uint64_t)offset + (uint64_t)stride * height <= f->mem_length;
}

/* Bytes [off, off+len) of the framebuffer into buf (page by page). */
static void fb_read(struct vfb *f, size_t off, uint8_t *buf, size_t len)
{
    while (len) {
        size_t in = off % PAGE, n = PAGE - in < len ? PAGE - in : len;

        memcpy(buf, f->frames[off / PAGE] + in, n);
        buf += n, off += n, len -= n;
    }
}

/* Rectangle of the framebuffer into the display (display locked). */
static void draw(struct vfb *f, uint32_t *px, unsigned x, unsigned y, unsigned w, unsigned h)
{
    unsigned bpp = f->depth / 8;
    uint8_t row[4 * DISPLAY_MAX_WIDTH];

    for (unsigned j = y; j < y + h; j++) {
        uint32_t *dst = px + (size_t)j * f->width + x;
        const uint8_t *s = row;

        fb_read(f, f->offset + (size_t)j * f->stride + (size_t)x * bpp, row, (size_t)w * bpp);
        for (unsigned i = 0; i < w; i++, s += bpp) {
            unsigned v = bpp == 2 ? s[0] | s[1] << 8 : s[0];

            switch (bpp) {
            case 4: /* fall through: B, G, R(, x) in memory (Linux's xen-fbfront) */
            case 3: dst[i] = DISPLAY_RGB(s[2], s[1], s[0]); break;
            case 2: /* RGB565 */
                dst[i] = DISPLAY_RGB((v >> 11 & 31) * 255 / 31, (v >> 5 & 63) * 255 / 63,
                                     (v & 31) * 255 / 31);
                break;
            default: /* RGB332 */
                dst[i] = DISPLAY_RGB((v >> 5) * 255 / 7, (v >> 2 & 7) * 255 / 7, (v & 3) * 255 / 3);
            }
        }
    }
    display_damage(x, y, w, h);
}

static void redraw_all(struct vfb *f)
{
    uint32_t *px;

    display_lock();
    px = display_resize(f->width, f->height);
    if (px)
        draw(f, px, 0, 0, f->width, f->height);
    display_unlock();
}

static void update(struct vfb *f, const struct xenfb_update *u)
{
    long x = u->x, y = u->y, w = u->width, h = u->height;
    uint32_t *px;
    unsigned dw, dh;

    /* Clip to the framebuffer: a bogus rectangle draws what it overlaps. */
    if (x < 0)
        w += x, x = 0;
    if (y < 0)
        h += y, y = 0;
    if (w > (long)f->width - x)
        w = (long)f->width - x;
    if (h > (long)f->height - y)
        h = (long)f->height - y;
    if (w <= 0 || h <= 0)
        return;
    display_lock();
    px = display_pixels(&dw, &dh);
    if (px && dw == f->width && dh == f->height)
        draw(f, px, x, y, w, h);
    display_unlock();
}

/* The out ring (vCPU thread, c->lock held). */
static void drain(struct vfb *f)
{
    struct xenfb_page *pg = f->page;
    uint32_t cons = pg->out_cons;
    uint32_t prod = __atomic_load_n(&pg->out_prod, __ATOMIC_ACQUIRE);

    if (prod - cons > XENFB_OUT_RING_LEN) {
        f->broken = true;
        xb_stop(f->dev, "out ring indexes corrupt (prod %u, cons %u)", prod, cons);
        return;
    }
    for (; cons != prod; cons++) {
        union xenfb_out_event ev;

        memcpy(&ev, &XENFB_OUT_RING_REF(pg, cons), sizeof(ev));
        if (ev.type == XENFB_TYPE_UPDATE) {
            update(f, &ev.update);
        } else if (ev.type == XENFB_TYPE_RESIZE) {
            const struct xenfb_resize *r = &ev.resize;

            if (!geometry_ok(f, r->width, r->height, r->depth, r->stride, r->offset)) {
                log_warnx("devices", "vfb: resize to %dx%d, depth %d, stride %d, offset %d "
                          "ignored: out of range", r->width, r->height, r->depth, r->stride,
                          r->offset);
                continue;
            }
            f->width = r->width, f->height = r->height, f->depth = r->depth;
            f->stride = r->stride, f->offset = r->offset;
            log_info("devices", "vfb: %ux%u, depth %u", f->width, f->height, f->depth);
            redraw_all(f);
        }
    }
    __atomic_store_n(&pg->out_cons, cons, __ATOMIC_RELEASE);
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
    const unsigned per_dir = PAGE / sizeof(f->page->pd[0]);
    size_t n = (f->mem_length + PAGE - 1) / PAGE;

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
    if (f->mem_length == 0 || f->mem_length > FB_MAX_BYTES)
        xb_fail(dev, "framebuffer length %zu out of range (at most %u MiB)", f->mem_length,
                FB_MAX_BYTES >> 20);
    else if (!geometry_ok(f, width, height, depth, stride, 0))
        xb_fail(dev, "framebuffer %ldx%ld, depth %ld, line length %ld, length %zu: "
                "out of range", width, height, depth, stride, f->mem_length);
    else if (!map_frames(f))
        rc = 0;
    if (!rc) {
        f->width = width, f->height = height, f->depth = depth;
        f->stride = stride, f->offset = 0;
        if (port > UINT32_MAX || xb_bind(dev, port)) {
            xb_fail(dev, "event-channel %lu is not an unbound port for domain 0", port);
            rc = -1;
        }
    }
    if (rc) {
        unmap(f);
        pthread_mutex_unlock(&f->lock);
        return -1;
    }
    log_info("devices", "vfb: %ux%u, depth %u, %zu KiB", f->width, f->height, f->depth,
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
