/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's screen and its keyboard and pointer, between the backends and the user interfaces. */
#include <linux/input-event-codes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ui/display.h"
#include "util/log.h"

static struct {
    pthread_mutex_t lock;
    uint32_t *pixels;  /* DISPLAY_MAX_WIDTH * DISPLAY_MAX_HEIGHT, mapped on first use */
    unsigned width, height;
    bool present;
    /* Damage not yet taken: a bounding box. */
    bool damaged, resized;
    unsigned x0, y0, x1, y1;
    bool wake_due;
    void (*wake)(void *opaque);
    void *wake_opaque;
    /* Input. */
    pthread_mutex_t in_lock;
    const struct display_input *in;
    void *in_opaque;
    unsigned buttons;
    int abs_x, abs_y; /* the last absolute position sent, 0..DISPLAY_ABS_MAX */
} dpy = { .lock = PTHREAD_MUTEX_INITIALIZER, .in_lock = PTHREAD_MUTEX_INITIALIZER };

void display_lock(void)
{
    pthread_mutex_lock(&dpy.lock);
}

void display_unlock(void)
{
    bool wake = dpy.wake_due && dpy.wake;

    dpy.wake_due = false;
    pthread_mutex_unlock(&dpy.lock);
    if (wake)
        dpy.wake(dpy.wake_opaque);
}

uint32_t *display_resize(unsigned width, unsigned height)
{
    size_t max = (size_t)DISPLAY_MAX_WIDTH * DISPLAY_MAX_HEIGHT * 4;

    if (!width || !height || width > DISPLAY_MAX_WIDTH || height > DISPLAY_MAX_HEIGHT)
        return NULL;
    if (!dpy.pixels) {
        /* Reserved once at the largest size, touched only as far as used,
         * so the VNC server's view of it never moves. */
        void *p = mmap(NULL, max, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED) {
            log_warn("display", "cannot map the screen");
            return NULL;
        }
        dpy.pixels = p;
    }
    if (width != dpy.width || height != dpy.height) {
        memset(dpy.pixels, 0, (size_t)width * height * 4);
        dpy.width = width;
        dpy.height = height;
        dpy.resized = true;
        display_damage(0, 0, width, height);
    }
    return dpy.pixels;
}

uint32_t *display_pixels(unsigned *width, unsigned *height)
{
    *width = dpy.width;
    *height = dpy.height;
    return dpy.width ? dpy.pixels : NULL;
}

void display_damage(unsigned x, unsigned y, unsigned w, unsigned h)
{
    unsigned x1, y1;

    if (x >= dpy.width || y >= dpy.height || !w || !h)
        return;
    x1 = w > dpy.width - x ? dpy.width : x + w;
    y1 = h > dpy.height - y ? dpy.height : y + h;
    if (!dpy.damaged) {
        dpy.x0 = x, dpy.y0 = y, dpy.x1 = x1, dpy.y1 = y1;
        dpy.damaged = true;
    } else {
        dpy.x0 = x < dpy.x0 ? x : dpy.x0;
        dpy.y0 = y < dpy.y0 ? y : dpy.y0;
        dpy.x1 = x1 > dpy.x1 ? x1 : dpy.x1;
        dpy.y1 = y1 > dpy.y1 ? y1 : dpy.y1;
    }
    dpy.wake_due = true;
}

void display_set_present(bool present)
{
    pthread_mutex_lock(&dpy.lock);
    dpy.present = present;
    pthread_mutex_unlock(&dpy.lock);
}

bool display_present(void)
{
    bool p;

    pthread_mutex_lock(&dpy.lock);
    p = dpy.present;
    pthread_mutex_unlock(&dpy.lock);
    return p;
}

bool display_take_damage(unsigned *x, unsigned *y, unsigned *w, unsigned *h, bool *resized)
{
    if (!dpy.damaged && !dpy.resized)
        return false;
    *resized = dpy.resized;
    if (dpy.resized || !dpy.damaged) {
        *x = *y = 0;
        *w = dpy.width;
        *h = dpy.height;
    } else {
        *x = dpy.x0;
        *y = dpy.y0;
        *w = dpy.x1 - dpy.x0;
        *h = dpy.y1 - dpy.y0;
    }
    dpy.damaged = dpy.resized = false;
    return true;
}

void display_set_waker(void (*wake)(void *opaque), void *opaque)
{
    pthread_mutex_lock(&dpy.lock);
    dpy.wake = wake;
    dpy.wake_opaque = opaque;
    pthread_mutex_unlock(&dpy.lock);
}

void display_set_input(const struct display_input *ops, void *opaque)
{
    pthread_mutex_lock(&dpy.in_lock);
    dpy.in = ops;
    dpy.in_opaque = opaque;
    dpy.buttons = 0;
    pthread_mutex_unlock(&dpy.in_lock);
}

void display_key(unsigned code, bool down)
{
    pthread_mutex_lock(&dpy.in_lock);
    if (dpy.in)
        dpy.in->key(dpy.in_opaque, code, down);
    pthread_mutex_unlock(&dpy.in_lock);
}

void display_pointer(int x, int y, unsigned buttons, int wheel)
{
    static const unsigned btn[3] = { BTN_LEFT, BTN_MIDDLE, BTN_RIGHT };

    unsigned w, h;

    pthread_mutex_lock(&dpy.lock);
    w = dpy.width > 1 ? dpy.width : 2;
    h = dpy.height > 1 ? dpy.height : 2;
    pthread_mutex_unlock(&dpy.lock);
    x = x < 0 ? 0 : (unsigned)x >= w ? (int)w - 1 : x;
    y = y < 0 ? 0 : (unsigned)y >= h ? (int)h - 1 : y;
    pthread_mutex_lock(&dpy.in_lock);
    if (dpy.in) {
        dpy.abs_x = x * DISPLAY_ABS_MAX / (int)(w - 1);
        dpy.abs_y = y * DISPLAY_ABS_MAX / (int)(h - 1);
        dpy.in->pointer(dpy.in_opaque, dpy.abs_x, dpy.abs_y, wheel);
        for (unsigned i = 0; i < 3; i++)
            if ((buttons ^ dpy.buttons) & (1u << i))
                dpy.in->key(dpy.in_opaque, btn[i], buttons & (1u << i));
        dpy.buttons = buttons;
    }
    pthread_mutex_unlock(&dpy.in_lock);
}

uint8_t *display_copy_rgb(unsigned *width, unsigned *height)
{
    uint8_t *out = NULL;

    pthread_mutex_lock(&dpy.lock);
    if (dpy.width && dpy.present)
        out = malloc((size_t)dpy.width * dpy.height * 3);
    if (out) {
        const uint8_t *src = (const uint8_t *)dpy.pixels;
        size_t n = (size_t)dpy.width * dpy.height;

        for (size_t i = 0; i < n; i++) {
            out[3 * i] = src[4 * i];
            out[3 * i + 1] = src[4 * i + 1];
            out[3 * i + 2] = src[4 * i + 2];
        }
        *width = dpy.width;
        *height = dpy.height;
    }
    pthread_mutex_unlock(&dpy.lock);
    return out;
}

void display_pointer_abs(int x, int y, int wheel)
{
    pthread_mutex_lock(&dpy.in_lock);
    if (x >= 0)
        dpy.abs_x = x > DISPLAY_ABS_MAX ? DISPLAY_ABS_MAX : x;
    if (y >= 0)
        dpy.abs_y = y > DISPLAY_ABS_MAX ? DISPLAY_ABS_MAX : y;
    if (dpy.in)
        dpy.in->pointer(dpy.in_opaque, dpy.abs_x, dpy.abs_y, wheel);
    pthread_mutex_unlock(&dpy.in_lock);
}
