/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the keyboard backend's in ring producer and pointer events (fb-ring.c). */
#include <stdlib.h>
#include <string.h>

#include "backend/fb-ring.h"
#include "ui/display.h"
#include "fuzz.h"

/*
 * The input, zero-padded where short:
 *   16 bytes the shared page's in_cons, in_prod, out_cons, out_prod at
 *            connect (xenner starts producing at that in_prod)
 *   1 byte   bit 0: the frontend asked for an absolute pointer
 *   rest     steps of 5 bytes, an operation and a 4-byte argument:
 *            op % 4 == 0: a key (the argument its code, op bit 2 pressed)
 *                      1: the pointer moves to (arg & 0xffff, arg >> 16),
 *                         each % (DISPLAY_ABS_MAX + 1), wheel (op >> 2) % 5 - 2
 *                      2: the guest consumes up to arg % 64 events
 *                      3: the guest stores arg into in_cons (any value)
 * Events go in as vkbd.c puts them: a device whose in_cons was found corrupt
 * is stopped and given nothing more. What must hold: kbd_in_put reports a
 * corrupt in_cons exactly when in_prod - in_cons is over the ring's length,
 * and a full ring exactly when it holds 51 events or in_prod's slot
 * (index % 51) is that of an event not consumed yet (2^32 wrapped:
 * 0xffffffff and 0 share slot 0), and then writes nothing;
 * otherwise it writes only the event's slot and in_prod, which moves by one.
 * A guest that only consumes reads every event that was put, in order and
 * unchanged (no unconsumed event is overwritten). An absolute position lies
 * within the range told to the frontend; relative motions add up to the
 * pointer's position; no event is produced for a relative pointer that did
 * not move. The page is allocated alone, so ASan reports any access past it.
 */

#define ABS_WIDTH  800 /* as vkbd.c tells the frontend */
#define ABS_HEIGHT 600
#define MAX_PUTS   4096

struct model {
    struct kbd_in in;
    struct kbd_pointer ptr;
    bool broken;    /* a corrupt in_cons stopped the device */
    bool honest;    /* the guest only ever consumed: every event must reach it */
    uint32_t first; /* the in_prod at connect: the index of puts[0] */
    unsigned nr_puts;
    union xenkbd_in_event puts[MAX_PUTS];
    int sum_x, sum_y; /* relative motions sent (or skipped as zero) */
};

/* Whether index @prod's slot holds an event the guest has not consumed
 * (one of cons..prod-1): two indexes share a slot (or the ring is full). */
static bool slot_pending(uint32_t prod, uint32_t cons)
{
    for (uint32_t i = cons; i != prod; i++)
        if (i % XENKBD_IN_RING_LEN == prod % XENKBD_IN_RING_LEN)
            return true;
    return false;
}

/* kbd_in_put of @ev, checked against the ring's state before. */
static void put_check(struct model *m, const union xenkbd_in_event *ev)
{
    static uint8_t copy[FB_PAGE];
    struct xenkbd_page *pg = m->in.page;
    uint32_t prod = m->in.prod, cons = pg->in_cons, seen;
    int r;

    if (m->broken)
        return;
    memcpy(copy, pg, FB_PAGE);
    r = kbd_in_put(&m->in, ev, &seen);
    FUZZ_CHECK(seen == cons, "in_cons misreported");
    if (prod - cons > XENKBD_IN_RING_LEN)
        FUZZ_CHECK(r == KBD_PUT_CORRUPT, "a corrupt in_cons taken");
    else if (prod - cons == XENKBD_IN_RING_LEN || slot_pending(prod, cons))
        FUZZ_CHECK(r == KBD_PUT_FULL, "an event written over one not consumed yet");
    else
        FUZZ_CHECK(r == KBD_PUT_OK, "an event refused with room in the ring");
    if (r != KBD_PUT_OK) {
        FUZZ_CHECK(m->in.prod == prod && !memcmp(copy, pg, FB_PAGE),
                   "the ring written though the event was refused");
        m->broken = r == KBD_PUT_CORRUPT;
        return;
    }
    FUZZ_CHECK(m->in.prod == prod + 1 && pg->in_prod == prod + 1, "in_prod not moved by one");
    FUZZ_CHECK(!memcmp(&XENKBD_IN_RING_REF(pg, prod), ev, sizeof(*ev)),
               "the event not in its slot");
    memcpy(&XENKBD_IN_RING_REF((struct xenkbd_page *)copy, prod), ev, sizeof(*ev));
    ((struct xenkbd_page *)copy)->in_prod = prod + 1;
    FUZZ_CHECK(!memcmp(copy, pg, FB_PAGE), "the page written outside the event's slot and in_prod");
    FUZZ_CHECK(prod - m->first == m->nr_puts, "events put out of sequence");
    if (m->nr_puts < MAX_PUTS)
        m->puts[m->nr_puts] = *ev;
    m->nr_puts++;
}

static void pointer_check(struct model *m, int x, int y, int wheel)
{
    union xenkbd_in_event ev;
    bool send = kbd_pointer_event(&m->ptr, x, y, wheel, &ev);

    FUZZ_CHECK(m->ptr.last_x >= 0 && m->ptr.last_x < ABS_WIDTH && m->ptr.last_y >= 0 &&
                   m->ptr.last_y < ABS_HEIGHT,
               "a position outside the range told to the frontend");
    if (m->ptr.abs) {
        FUZZ_CHECK(send && ev.type == XENKBD_TYPE_POS && ev.pos.abs_x == m->ptr.last_x &&
                       ev.pos.abs_y == m->ptr.last_y && ev.pos.rel_z == -wheel,
                   "an absolute event not at the position");
    } else {
        FUZZ_CHECK(ev.type == XENKBD_TYPE_MOTION && ev.motion.rel_z == -wheel,
                   "a bad motion event");
        FUZZ_CHECK(send == (ev.motion.rel_x || ev.motion.rel_y || wheel),
                   "a motion event for no motion, or none for one");
        m->sum_x += ev.motion.rel_x, m->sum_y += ev.motion.rel_y;
        FUZZ_CHECK(m->sum_x == m->ptr.last_x && m->sum_y == m->ptr.last_y,
                   "relative motions do not add up to the position");
    }
    if (send)
        put_check(m, &ev);
}

/* The guest reads up to @max events from in_cons, as xen-kbdfront does. */
static void consume(struct model *m, unsigned max)
{
    struct xenkbd_page *pg = m->in.page;
    uint32_t cons = pg->in_cons, prod = pg->in_prod;

    for (; cons != prod && max; cons++, max--) {
        uint32_t k = cons - m->first;

        if (m->honest && k < m->nr_puts && k < MAX_PUTS)
            FUZZ_CHECK(!memcmp(&XENKBD_IN_RING_REF(pg, cons), &m->puts[k], sizeof(m->puts[k])),
                       "an unconsumed event was overwritten");
    }
    pg->in_cons = cons;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    struct xenkbd_page *pg = aligned_alloc(FB_PAGE, FB_PAGE);
    static struct model m;
    uint8_t flags, op;
    uint32_t arg;

    FUZZ_CHECK(pg, "out of memory");
    memset(pg, 0x5a, FB_PAGE);
    fuzz_take(&in, pg, sizeof(*pg));
    fuzz_take(&in, &flags, 1);
    m = (struct model){.in = {.page = pg, .prod = pg->in_prod},
                       .honest = true,
                       .first = pg->in_prod,
                       .ptr = {.abs = flags & 1, .width = ABS_WIDTH, .height = ABS_HEIGHT}};
    while (in.left) {
        fuzz_take(&in, &op, 1);
        fuzz_take(&in, &arg, 4);
        switch (op % 4) {
        case 0: {
            union xenkbd_in_event ev = {0};

            ev.key.type = XENKBD_TYPE_KEY;
            ev.key.pressed = op >> 2 & 1;
            ev.key.keycode = arg;
            put_check(&m, &ev);
            break;
        }
        case 1:
            pointer_check(&m, (arg & 0xffff) % (DISPLAY_ABS_MAX + 1),
                          (arg >> 16) % (DISPLAY_ABS_MAX + 1), (op >> 2) % 5 - 2);
            break;
        case 2: consume(&m, arg % 64); break;
        default: pg->in_cons = arg; m.honest = false;
        }
    }
    free(pg);
    return 0;
}
