/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV screen's ring logic, free of I/O: vfb's out ring and geometry, vkbd's in ring. */
#include <string.h>

#include "backend/fb-ring.h"
#include "ui/display.h"

/* A framebuffer of FB_MAX_BYTES fits the page directory of struct xenfb_page. */
#define PD_ENTRIES (sizeof(((struct xenfb_page *)0)->pd) / sizeof(unsigned long))
_Static_assert(FB_MAX_BYTES / FB_PAGE <= PD_ENTRIES * (FB_PAGE / sizeof(unsigned long)),
               "FB_MAX_BYTES is over what the page directory can name");

bool fb_geom_ok(long width, long height, long depth, long stride, long offset, size_t mem_length)
{
    if (width <= 0 || height <= 0 || width > DISPLAY_MAX_WIDTH || height > DISPLAY_MAX_HEIGHT)
        return false;
    if (depth != 8 && depth != 16 && depth != 24 && depth != 32)
        return false;
    if (offset < 0 || stride < width * (depth / 8) || stride > 4 * DISPLAY_MAX_WIDTH)
        return false;
    return (uint64_t)offset + (uint64_t)stride * height <= mem_length;
}

bool fb_geom_set(struct fb_geom *g, long width, long height, long depth, long stride, long offset,
                 size_t mem_length)
{
    if (!fb_geom_ok(width, height, depth, stride, offset, mem_length))
        return false;
    *g = (struct fb_geom){
        .width = width, .height = height, .depth = depth, .stride = stride, .offset = offset};
    return true;
}

bool fb_length_ok(size_t mem_length)
{
    return mem_length != 0 && mem_length <= FB_MAX_BYTES;
}

bool fb_clip(const struct fb_geom *g, const struct xenfb_update *u, struct fb_rect *r)
{
    long x = u->x, y = u->y, w = u->width, h = u->height;

    if (x < 0)
        w += x, x = 0;
    if (y < 0)
        h += y, y = 0;
    if (w > (long)g->width - x)
        w = (long)g->width - x;
    if (h > (long)g->height - y)
        h = (long)g->height - y;
    if (w <= 0 || h <= 0)
        return false;
    *r = (struct fb_rect){.x = x, .y = y, .w = w, .h = h};
    return true;
}

bool fb_resize(struct fb_geom *g, const struct xenfb_resize *rs, size_t mem_length)
{
    return fb_geom_set(g, rs->width, rs->height, rs->depth, rs->stride, rs->offset, mem_length);
}

/* Bytes [off, off+len) of the framebuffer into buf (page by page). */
static void fb_read(uint8_t *const *frames, size_t off, uint8_t *buf, size_t len)
{
    while (len) {
        size_t in = off % FB_PAGE, n = FB_PAGE - in < len ? FB_PAGE - in : len;

        memcpy(buf, frames[off / FB_PAGE] + in, n);
        buf += n, off += n, len -= n;
    }
}

/* One pixel of @bpp bytes at @s as DISPLAY_RGB. */
static uint32_t pixel(const uint8_t *s, unsigned bpp)
{
    unsigned v = bpp == 2 ? s[0] | s[1] << 8 : s[0];

    switch (bpp) {
    case 4: /* fall through: B, G, R(, x) in memory (Linux's xen-fbfront) */
    case 3: return DISPLAY_RGB(s[2], s[1], s[0]);
    case 2: /* RGB565 */
        return DISPLAY_RGB((v >> 11 & 31) * 255 / 31, (v >> 5 & 63) * 255 / 63,
                           (v & 31) * 255 / 31);
    default: /* RGB332 */
        return DISPLAY_RGB((v >> 5) * 255 / 7, (v >> 2 & 7) * 255 / 7, (v & 3) * 255 / 3);
    }
}

void fb_draw(const struct fb_geom *g, uint8_t *const *frames, uint32_t *px, const struct fb_rect *r)
{
    unsigned bpp = g->depth / 8;
    uint8_t row[4 * DISPLAY_MAX_WIDTH];

    for (unsigned j = r->y; j < r->y + r->h; j++) {
        uint32_t *dst = px + (size_t)j * g->width + r->x;
        const uint8_t *s = row;

        fb_read(frames, g->offset + (size_t)j * g->stride + (size_t)r->x * bpp, row,
                (size_t)r->w * bpp);
        for (unsigned i = 0; i < r->w; i++, s += bpp)
            dst[i] = pixel(s, bpp);
    }
}

int fb_out_begin(struct fb_out *o, struct xenfb_page *pg)
{
    o->page = pg;
    o->cons = pg->out_cons;
    o->prod = __atomic_load_n(&pg->out_prod, __ATOMIC_ACQUIRE);
    return o->prod - o->cons > XENFB_OUT_RING_LEN ? -1 : 0;
}

bool fb_out_next(struct fb_out *o, union xenfb_out_event *ev)
{
    if (o->cons == o->prod)
        return false;
    memcpy(ev, &XENFB_OUT_RING_REF(o->page, o->cons), sizeof(*ev));
    o->cons++;
    return true;
}

void fb_out_end(struct fb_out *o)
{
    __atomic_store_n(&o->page->out_cons, o->cons, __ATOMIC_RELEASE);
}

int kbd_in_put(struct kbd_in *in, const union xenkbd_in_event *ev, uint32_t *cons)
{
    *cons = __atomic_load_n(&in->page->in_cons, __ATOMIC_ACQUIRE);
    if (in->prod - *cons > XENKBD_IN_RING_LEN)
        return KBD_PUT_CORRUPT;
    /* Slots are index % 51 and 2^32 is 1 mod 51: index 0 shares the slot of
     * index 0xffffffff, which must be consumed before it is written over. */
    if (in->prod - *cons == XENKBD_IN_RING_LEN || (in->prod == 0 && *cons != 0))
        return KBD_PUT_FULL; /* the event is lost, as a key pressed too fast */
    memcpy(&XENKBD_IN_RING_REF(in->page, in->prod), ev, sizeof(*ev));
    in->prod++;
    __atomic_store_n(&in->page->in_prod, in->prod, __ATOMIC_RELEASE);
    return KBD_PUT_OK;
}

bool kbd_pointer_event(struct kbd_pointer *p, int x, int y, int wheel, union xenkbd_in_event *ev)
{
    x = x * ((int)p->width - 1) / DISPLAY_ABS_MAX;
    y = y * ((int)p->height - 1) / DISPLAY_ABS_MAX;
    memset(ev, 0, sizeof(*ev));
    if (p->abs) {
        ev->pos.type = XENKBD_TYPE_POS;
        ev->pos.abs_x = x;
        ev->pos.abs_y = y;
        ev->pos.rel_z = -wheel; /* kbdif: wheel down is positive */
    } else {
        ev->motion.type = XENKBD_TYPE_MOTION;
        ev->motion.rel_x = x - p->last_x;
        ev->motion.rel_y = y - p->last_y;
        ev->motion.rel_z = -wheel;
    }
    p->last_x = x, p->last_y = y;
    return p->abs || ev->motion.rel_x || ev->motion.rel_y || ev->motion.rel_z;
}
