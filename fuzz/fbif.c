/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the framebuffer backend's out ring, geometry checks and drawing (fb-ring.c). */
#include <stdlib.h>
#include <string.h>

#include "backend/fb-ring.h"
#include "ui/display.h"
#include "fuzz.h"

/*
 * The input, zero-padded where short:
 *   33 bytes the shared page's head as the frontend left it at connect:
 *            in_cons, in_prod, out_cons, out_prod, width, height,
 *            line_length, mem_length (4 bytes each), depth
 *   1 byte   how far the frontend moves out_prod before the second pass
 *            (% (XENFB_OUT_RING_LEN + 8), so some moves overrun the ring)
 *   1 byte   bit 0: before the second pass the frontend also stores the
 *            next 4 bytes into out_cons
 *   4 bytes  that out_cons
 *   1 byte   n: out ring slots that follow (n % (XENFB_OUT_RING_LEN + 1)),
 *            written from slot out_cons on (any event type, any fields)
 *   n * 40   those slots
 *   rest     the framebuffer's bytes
 * The connect-time checks run as vfb.c runs them; a framebuffer they accept
 * of at most FUZZ_FB_MAX bytes is drawn, then the out ring is read twice,
 * each pass as vfb.c's drain() (updates clipped and drawn, resizes applied
 * and the screen redrawn). What must hold: a length or geometry is accepted
 * exactly when it is within the limits fbif.h and the display set, and a
 * refused resize leaves the geometry alone; every rectangle drawn is the
 * update's intersection with the screen and not empty; every pixel drawn
 * is the framebuffer's at its place and no other pixel changes; a pass
 * refuses exactly the indexes that claim more than a ring of events, and
 * then touches nothing; otherwise it hands over the published slots in
 * order, sets out_cons to out_prod and writes nothing else in the page.
 * The page, each framebuffer page (the last one exactly as long as what is
 * left of mem_length) and the screen are separate allocations of their
 * exact sizes, so ASan reports any access outside them.
 */

#define FUZZ_FB_MAX (16 * FB_PAGE) /* drawn at most: larger ones are only checked */

/* The framebuffer and the screen, as vfb.c and the display hold them. */
struct fb {
    struct fb_geom g;
    size_t mem_length;
    uint8_t *flat;    /* the framebuffer's bytes in one piece, for the checks */
    uint8_t **frames; /* the same bytes, a separate allocation per page */
    size_t nr_frames;
    uint32_t *px, *before; /* the screen, and a copy to compare with */
};

/* The limits as fbif.h, the display and the README state them (independent of fb_geom_ok). */
static bool geom_expected(int64_t w, int64_t h, int64_t depth, int64_t stride, int64_t offset,
                          uint64_t mem)
{
    int64_t bpp = depth / 8;

    if (w < 1 || w > DISPLAY_MAX_WIDTH || h < 1 || h > DISPLAY_MAX_HEIGHT)
        return false;
    if (!(depth == 8 || depth == 16 || depth == 24 || depth == 32))
        return false;
    if (stride < w * bpp || stride > 4 * DISPLAY_MAX_WIDTH || offset < 0)
        return false;
    return (uint64_t)offset + (uint64_t)stride * (uint64_t)h <= mem;
}

static uint32_t expected_pixel(const struct fb *f, unsigned x, unsigned y)
{
    unsigned bpp = f->g.depth / 8;
    const uint8_t *s = f->flat + f->g.offset + (size_t)y * f->g.stride + (size_t)x * bpp;
    unsigned r, g, b;

    if (bpp >= 3) {
        r = s[2], g = s[1], b = s[0];
    } else if (bpp == 2) {
        unsigned v = s[0] | s[1] << 8;

        r = (v >> 11) * 255 / 31, g = (v >> 5 & 63) * 255 / 63, b = (v & 31) * 255 / 31;
    } else {
        r = (s[0] >> 5) * 255 / 7, g = (s[0] >> 2 & 7) * 255 / 7, b = (s[0] & 3) * 255 / 3;
    }
    return DISPLAY_RGB(r, g, b);
}

/* fb_draw of @r: its pixels are the framebuffer's, the others did not change. */
static void draw_check(struct fb *f, const struct fb_rect *r)
{
    size_t n = (size_t)f->g.width * f->g.height;

    FUZZ_CHECK(r->w && r->h && r->x + r->w <= f->g.width && r->y + r->h <= f->g.height,
               "a rectangle drawn outside the screen, or an empty one");
    memcpy(f->before, f->px, n * sizeof(*f->px));
    fb_draw(&f->g, f->frames, f->px, r);
    for (unsigned y = 0; y < f->g.height; y++)
        for (unsigned x = 0; x < f->g.width; x++) {
            size_t i = (size_t)y * f->g.width + x;
            bool in = x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;

            FUZZ_CHECK(f->px[i] == (in ? expected_pixel(f, x, y) : f->before[i]),
                       in ? "a pixel drawn wrong" : "a pixel outside the rectangle changed");
        }
}

/* The screen at the geometry's size, black if it changed (display_resize), redrawn. */
static void resize_screen(struct fb *f, bool changed)
{
    size_t n = (size_t)f->g.width * f->g.height;

    if (changed || !f->px) {
        free(f->px);
        free(f->before);
        f->px = calloc(n, sizeof(*f->px));
        f->before = malloc(n * sizeof(*f->before));
        FUZZ_CHECK(f->px && f->before, "out of memory");
    }
    draw_check(f, &(struct fb_rect){0, 0, f->g.width, f->g.height});
}

/* fb_clip: the update's intersection with the screen, computed in 64 bits. */
static void update_check(struct fb *f, const struct xenfb_update *u)
{
    int64_t x0 = u->x > 0 ? u->x : 0, y0 = u->y > 0 ? u->y : 0;
    int64_t x1 = (int64_t)u->x + u->width, y1 = (int64_t)u->y + u->height;
    struct fb_rect r;
    bool drawn;

    x1 = x1 < f->g.width ? x1 : f->g.width;
    y1 = y1 < f->g.height ? y1 : f->g.height;
    drawn = fb_clip(&f->g, u, &r);
    FUZZ_CHECK(drawn == (x0 < x1 && y0 < y1), "an update's overlap with the screen missed");
    if (!drawn)
        return;
    FUZZ_CHECK(r.x == x0 && r.y == y0 && r.x + r.w == x1 && r.y + r.h == y1,
               "an update clipped to another rectangle");
    draw_check(f, &r);
}

static void resize_check(struct fb *f, const struct xenfb_resize *rs)
{
    struct fb_geom old = f->g;
    bool ok =
        geom_expected(rs->width, rs->height, rs->depth, rs->stride, rs->offset, f->mem_length);

    FUZZ_CHECK(fb_resize(&f->g, rs, f->mem_length) == ok,
               ok ? "a resize within the limits refused" : "a resize out of range accepted");
    if (!ok) {
        FUZZ_CHECK(!memcmp(&old, &f->g, sizeof(old)), "a refused resize changed the geometry");
        return;
    }
    FUZZ_CHECK(f->g.width == (unsigned)rs->width && f->g.height == (unsigned)rs->height &&
                   f->g.depth == (unsigned)rs->depth && f->g.stride == (unsigned)rs->stride &&
                   f->g.offset == (unsigned)rs->offset,
               "a resize to another geometry");
    resize_screen(f, old.width != f->g.width || old.height != f->g.height);
}

/* One pass over the out ring, as vfb.c's drain(). */
static void drain_check(struct fb *f, struct xenfb_page *pg)
{
    static uint8_t copy[FB_PAGE];
    uint32_t cons = pg->out_cons, prod = pg->out_prod;
    struct fb_out o;
    union xenfb_out_event ev;
    uint32_t i = cons;

    memcpy(copy, pg, FB_PAGE);
    if (fb_out_begin(&o, pg)) {
        FUZZ_CHECK(prod - cons > XENFB_OUT_RING_LEN, "good indexes refused");
        FUZZ_CHECK(o.prod == prod && o.cons == cons, "corrupt indexes misreported");
        FUZZ_CHECK(!memcmp(copy, pg, FB_PAGE), "the page written on corrupt indexes");
        return;
    }
    FUZZ_CHECK(prod - cons <= XENFB_OUT_RING_LEN, "corrupt indexes taken");
    while (fb_out_next(&o, &ev)) {
        FUZZ_CHECK(i != prod, "an event read past out_prod");
        FUZZ_CHECK(!memcmp(&ev, &XENFB_OUT_RING_REF((struct xenfb_page *)copy, i), sizeof(ev)),
                   "an event read from another slot");
        i++;
        if (ev.type == XENFB_TYPE_UPDATE)
            update_check(f, &ev.update);
        else if (ev.type == XENFB_TYPE_RESIZE)
            resize_check(f, &ev.resize);
    }
    FUZZ_CHECK(i == prod, "published events left unread");
    fb_out_end(&o);
    FUZZ_CHECK(pg->out_cons == prod, "out_cons not published");
    ((struct xenfb_page *)copy)->out_cons = prod;
    FUZZ_CHECK(!memcmp(copy, pg, FB_PAGE), "the backend wrote the page beyond out_cons");
}

/* The connect-time checks, as vfb.c's connect(); false if the device is refused. */
static bool connect_check(struct fb *f, const struct xenfb_page *pg)
{
    long width = pg->width, height = pg->height, depth = pg->depth, stride = pg->line_length;
    bool ok;

    f->mem_length = pg->mem_length;
    ok = f->mem_length >= 1 && f->mem_length <= FB_MAX_BYTES;
    FUZZ_CHECK(fb_length_ok(f->mem_length) == ok,
               ok ? "a good length refused" : "a length out of range accepted");
    if (!ok)
        return false;
    ok = geom_expected(width, height, depth, stride, 0, f->mem_length);
    FUZZ_CHECK(fb_geom_set(&f->g, width, height, depth, stride, 0, f->mem_length) == ok,
               ok ? "a framebuffer within the limits refused"
                  : "a framebuffer out of range accepted");
    return ok;
}

/* The framebuffer's pages from @in, each alone, the last one no longer than mem_length. */
static void map_frames(struct fb *f, struct fuzz_input *in)
{
    f->flat = malloc(f->mem_length);
    f->nr_frames = (f->mem_length + FB_PAGE - 1) / FB_PAGE;
    f->frames = calloc(f->nr_frames, sizeof(*f->frames));
    FUZZ_CHECK(f->flat && f->frames, "out of memory");
    fuzz_take(in, f->flat, f->mem_length);
    for (size_t i = 0; i < f->nr_frames; i++) {
        size_t len = f->mem_length - i * FB_PAGE < FB_PAGE ? f->mem_length - i * FB_PAGE : FB_PAGE;

        f->frames[i] = malloc(len);
        FUZZ_CHECK(f->frames[i], "out of memory");
        memcpy(f->frames[i], f->flat + i * FB_PAGE, len);
    }
}

static void fb_free(struct fb *f)
{
    for (size_t i = 0; i < f->nr_frames; i++)
        free(f->frames[i]);
    free(f->frames);
    free(f->flat);
    free(f->px);
    free(f->before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    struct xenfb_page *pg = aligned_alloc(FB_PAGE, FB_PAGE);
    struct fb f = {0};
    uint8_t more, flags, n;
    uint32_t cons2;

    FUZZ_CHECK(pg, "out of memory");
    memset(pg, 0xa5, FB_PAGE); /* the in ring and the page directory: anything */
    fuzz_take(&in, pg, offsetof(struct xenfb_page, depth) + 1);
    fuzz_take(&in, &more, 1);
    fuzz_take(&in, &flags, 1);
    fuzz_take(&in, &cons2, 4);
    fuzz_take(&in, &n, 1);
    for (unsigned i = 0; i < n % (XENFB_OUT_RING_LEN + 1); i++)
        fuzz_take(&in, &XENFB_OUT_RING_REF(pg, pg->out_cons + i), XENFB_OUT_EVENT_SIZE);

    if (connect_check(&f, pg) && f.mem_length <= FUZZ_FB_MAX) {
        map_frames(&f, &in);
        resize_screen(&f, true);
        drain_check(&f, pg);
        pg->out_prod += more % (XENFB_OUT_RING_LEN + 8);
        if (flags & 1)
            pg->out_cons = cons2;
        drain_check(&f, pg);
    }
    fb_free(&f);
    free(pg);
    return 0;
}
