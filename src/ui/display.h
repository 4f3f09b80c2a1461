/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's screen and its keyboard and pointer, between the backends and the user interfaces. */
#ifndef XENNER_DISPLAY_H
#define XENNER_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One screen per guest. The framebuffer backend (src/backend/vfb.c) draws
 * into it; the user interfaces (src/ui/vnc.c, QMP's screendump) read it.
 * Pixels are 32 bits, bytes R, G, B, unused in memory (DISPLAY_RGB), rows
 * of `width` pixels, no padding.
 * The keyboard backend (src/backend/vkbd.c) takes the user's input from
 * the interfaces.
 */

#define DISPLAY_MAX_WIDTH 2560
#define DISPLAY_MAX_HEIGHT 1600
#define DISPLAY_ABS_MAX 0x7fff
#define DISPLAY_RGB(r, g, b) ((uint32_t)(r) | (uint32_t)(g) << 8 | (uint32_t)(b) << 16)

/* ---- the framebuffer's side ---- */

/* Locks the screen for drawing (any thread). */
void display_lock(void);
void display_unlock(void);
/* With the lock held: the screen now has this size (1..MAX each); returns
 * its pixels, cleared to black if the size changed. */
uint32_t *display_resize(unsigned width, unsigned height);
/* With the lock held: the pixels, or NULL before the first resize. */
uint32_t *display_pixels(unsigned *width, unsigned *height);
/* With the lock held: this rectangle changed (clipped to the screen). */
void display_damage(unsigned x, unsigned y, unsigned w, unsigned h);
/* Whether a framebuffer device exists (a user interface has something to show). */
void display_set_present(bool present);
bool display_present(void);

/* ---- the user interfaces' side ---- */

/* What changed since the last call, with the lock held: false if nothing.
 * *resized: the size changed (the whole screen is damaged then). Only one
 * interface consumes the damage (the VNC server); others read the pixels. */
bool display_take_damage(unsigned *x, unsigned *y, unsigned *w, unsigned *h, bool *resized);
/* Called (any thread, lock not held) after damage, to wake the interface. */
void display_set_waker(void (*wake)(void *opaque), void *opaque);

/* Input, from a user interface (any thread). Key codes are Linux's
 * (linux/input-event-codes.h: KEY_*, and BTN_LEFT... for buttons). */
struct display_input {
    void (*key)(void *opaque, unsigned code, bool down);
    /* Absolute position, 0..DISPLAY_ABS_MAX across the screen whatever its
     * size, and wheel steps (+1 up). */
    void (*pointer)(void *opaque, int x, int y, int wheel);
};
/* The keyboard backend connects (ops) or disconnects (NULL). */
void display_set_input(const struct display_input *ops, void *opaque);
void display_key(unsigned code, bool down);
/* QMP screendump: a copy of the screen, 3 bytes R, G, B per pixel, rows
 * without padding (free() it); NULL if the guest has drawn no screen. */
uint8_t *display_copy_rgb(unsigned *width, unsigned *height);
/* QMP input-send-event: an absolute position in 0..DISPLAY_ABS_MAX (a
 * negative x or y keeps the last one), and wheel steps (+1 up). */
void display_pointer_abs(int x, int y, int wheel);
/* x, y in screen pixels; buttons: bit 0 left, 1 middle, 2 right (as in
 * VNC), turned into BTN_* presses and releases. */
void display_pointer(int x, int y, unsigned buttons, int wheel);

#endif
