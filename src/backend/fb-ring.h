/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV screen's ring logic, free of I/O: vfb's out ring and geometry, vkbd's in ring. */
#ifndef XENNER_FB_RING_H
#define XENNER_FB_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>

/* Used by src/backend/vfb.c and vkbd.c, and by the fbif and kbdif fuzz targets. */

#define FB_PAGE      4096u
#define FB_MAX_BYTES (64u << 20) /* larger than any display we show */

/* ---- the framebuffer (xen/io/fbif.h) ---- */

/* The framebuffer's layout in force: the page's at connect, then resizes. */
struct fb_geom {
    unsigned width, height; /* pixels, 1..DISPLAY_MAX_WIDTH/HEIGHT */
    unsigned depth;         /* bits per pixel: 8, 16, 24 or 32 */
    unsigned stride;        /* bytes per row: width * depth / 8 .. 4 * DISPLAY_MAX_WIDTH */
    unsigned offset;        /* of the first row in the framebuffer */
};

/* A rectangle of the screen: never empty, within the geometry it was clipped to. */
struct fb_rect {
    unsigned x, y, w, h;
};

/*
 * Whether a layout fits the screen and a framebuffer of @mem_length bytes:
 * width and height 1..DISPLAY_MAX_*, depth 8/16/24/32, a stride from
 * width * depth / 8 to 4 * DISPLAY_MAX_WIDTH, offset >= 0 and
 * offset + stride * height <= mem_length. Any long is safe to pass.
 */
bool fb_geom_ok(long width, long height, long depth, long stride, long offset, size_t mem_length);
/* Sets *g to that layout if fb_geom_ok (returns true), else leaves it (false). */
bool fb_geom_set(struct fb_geom *g, long width, long height, long depth, long stride, long offset,
                 size_t mem_length);
/* Whether a frontend's framebuffer length is one xenner maps: 1..FB_MAX_BYTES. */
bool fb_length_ok(size_t mem_length);

/*
 * An update event's rectangle clipped to @g (a bogus rectangle draws what
 * it overlaps): returns false if nothing is left, else true with *r
 * non-empty and within g's width and height.
 */
bool fb_clip(const struct fb_geom *g, const struct xenfb_update *u, struct fb_rect *r);

/* A resize event: fb_geom_set with its layout. */
bool fb_resize(struct fb_geom *g, const struct xenfb_resize *rs, size_t mem_length);

/*
 * Converts rectangle @r (within @g) of the framebuffer into @px, the
 * screen's g->width * g->height pixels (DISPLAY_RGB). @frames holds a
 * pointer per page of the framebuffer, which is at least
 * g->offset + g->stride * g->height bytes long (fb_geom_ok); only those
 * bytes are read, and only r's pixels written.
 */
void fb_draw(const struct fb_geom *g, uint8_t *const *frames, uint32_t *px,
             const struct fb_rect *r);

/* Reading the out ring (guest to backend), one pass. */
struct fb_out {
    struct xenfb_page *page;
    uint32_t cons, prod;
};

/*
 * Starts a pass over @pg's out ring: returns 0, or -1 if the published
 * indexes are corrupt (more than XENFB_OUT_RING_LEN events; the device
 * must stop, o->prod and o->cons say what was seen, the page is untouched).
 */
int fb_out_begin(struct fb_out *o, struct xenfb_page *pg);
/* Copies the next published event into *ev; false when none is left. */
bool fb_out_next(struct fb_out *o, union xenfb_out_event *ev);
/* Ends the pass: every event read is consumed (out_cons published). */
void fb_out_end(struct fb_out *o);

/* ---- the keyboard and pointer (xen/io/kbdif.h) ---- */

/* The in ring's producer side: xenner owns the producer index. */
struct kbd_in {
    struct xenkbd_page *page;
    uint32_t prod; /* the frontend's in_prod at connect, then ours */
};

enum { KBD_PUT_OK, KBD_PUT_FULL, KBD_PUT_CORRUPT };
/*
 * Writes @ev into the in ring and publishes in_prod (KBD_PUT_OK: notify the
 * guest). KBD_PUT_FULL: the ring is full, or the slot is still the guest's
 * (index 0 after the wrap, whose slot index 0xffffffff shares), the event is
 * dropped. KBD_PUT_CORRUPT:
 * in_cons (in *cons) cannot be the guest's, nothing is written; the device
 * must stop. Only the event's slot and in_prod are written.
 */
int kbd_in_put(struct kbd_in *in, const union xenkbd_in_event *ev, uint32_t *cons);

/* The pointer as the frontend is told of it. */
struct kbd_pointer {
    bool abs;               /* XENKBD_TYPE_POS, else XENKBD_TYPE_MOTION */
    unsigned width, height; /* the absolute range told to the frontend */
    int last_x, last_y;     /* the last position, in that range */
};

/*
 * The event for a pointer at @x, @y (0..DISPLAY_ABS_MAX) with @wheel steps
 * (+1 up), scaled to 0..width-1, 0..height-1: a position if absolute, else
 * the motion since the last one. Returns false if there is nothing to send
 * (a relative pointer that did not move). Updates p's last position.
 */
bool kbd_pointer_event(struct kbd_pointer *p, int x, int y, int wheel, union xenkbd_in_event *ev);

#endif
