/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PIT channel 2 and port 0x61, which Xen emulates for PV guests to time the TSC. */
#include "pv/pv.h"

/*
 * Xen gives every PV guest ports 0x42, 0x43 and 0x61 (xen/arch/x86/emul-i8254.c,
 * pv_pit_handler): channel 2 of an i8254 counting at 1.193182 MHz, gated
 * and observed through port 0x61, so that a kernel can calibrate its TSC
 * against it. Every other port of an unprivileged guest reads all ones.
 */

#define PIT_HZ 1193182ULL

enum { RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

static uint64_t ticks_since(struct pv_domain *d, uint64_t start_ns)
{
    uint64_t ns = d->host.now_ns(d->host.opaque) - start_ns;

    /* ns * PIT_HZ / 1e9 without overflow for centuries of uptime */
    return (ns / 1000000000ULL) * PIT_HZ + (ns % 1000000000ULL) * PIT_HZ / 1000000000ULL;
}

/* The counter's value now, and its OUT line. */
static uint16_t counter(struct pv_domain *d, bool *out)
{
    struct pv_pit *p = &d->pit;
    uint32_t reload = p->reload ? p->reload : 0x10000;
    uint64_t t;

    if (!p->counting) {
        *out = p->frozen_out;
        return p->frozen;
    }
    t = ticks_since(d, p->start_ns);
    switch (p->mode) {
    case 0: /* interrupt on terminal count: one pass, OUT high from 0 on */
    case 1:
        *out = t >= reload;
        return (uint16_t)(reload - t);
    case 3: /* square wave: OUT high for the first half of each period */
        *out = t % reload < reload / 2;
        return (uint16_t)(reload - t % reload);
    default: /* 2, 4, 5: rate generator and strobes: OUT low only at 1 */
        *out = t % reload != reload - 1;
        return (uint16_t)(reload - t % reload);
    }
}

static void freeze(struct pv_domain *d)
{
    bool out;

    d->pit.frozen = counter(d, &out);
    d->pit.frozen_out = out;
    d->pit.counting = false;
}

/* A count was written: it counts from now, or waits whole for the gate. */
static void start(struct pv_domain *d)
{
    d->pit.start_ns = d->host.now_ns(d->host.opaque);
    d->pit.counting = d->pit.gate && d->pit.loaded;
    if (!d->pit.counting) {
        d->pit.frozen = d->pit.reload;
        d->pit.frozen_out = d->pit.mode != 0;
    }
}

static uint8_t read_counter(struct pv_domain *d)
{
    struct pv_pit *p = &d->pit;
    uint16_t v;
    bool out;
    uint8_t b;

    if (p->latched) {
        v = p->latch;
    } else {
        v = counter(d, &out);
    }
    if (p->rw == RW_MSB || (p->rw == RW_WORD && p->read_msb))
        b = v >> 8;
    else
        b = v & 0xff;
    if (p->rw == RW_WORD)
        p->read_msb = !p->read_msb;
    if (p->latched && (p->rw != RW_WORD || !p->read_msb))
        p->latched = false; /* the latch is read out */
    return b;
}

static void write_counter(struct pv_domain *d, uint8_t val)
{
    struct pv_pit *p = &d->pit;

    switch (p->rw) {
    case RW_LSB: p->reload = val; break;
    case RW_MSB: p->reload = (uint16_t)(val << 8); break;
    default:
        if (!p->write_msb) {
            p->reload = (p->reload & 0xff00) | val;
            p->write_msb = true;
            return; /* counting starts once both bytes are in */
        }
        p->reload = (p->reload & 0x00ff) | (val << 8);
        p->write_msb = false;
    }
    p->loaded = true;
    start(d);
}

static void control(struct pv_domain *d, uint8_t val)
{
    struct pv_pit *p = &d->pit;
    bool out;

    if ((val >> 6) != 2)
        return; /* only channel 2 is there; read-back is not emulated */
    if (((val >> 4) & 3) == 0) { /* counter latch */
        if (!p->latched) {
            p->latch = counter(d, &out);
            p->latched = true;
        }
        return;
    }
    freeze(d);
    p->rw = (val >> 4) & 3;
    p->mode = (val >> 1) & 7;
    if (p->mode > 5)
        p->mode -= 4; /* 6 and 7 are aliases of 2 and 3 */
    p->frozen_out = p->mode != 0; /* a control word sets OUT low only in mode 0 */
    p->loaded = false;
    p->latched = false;
    p->read_msb = p->write_msb = false;
}

static uint8_t read_port61(struct pv_domain *d)
{
    bool out = false;

    if (d->pit.loaded)
        counter(d, &out);
    d->pit.refresh ^= 1; /* bit 4 toggles, as DRAM refresh made it */
    return (d->pit.gate ? 1 : 0) | (d->pit.speaker ? 2 : 0) | (d->pit.refresh << 4) |
           (out ? 0x20 : 0);
}

static void write_port61(struct pv_domain *d, uint8_t val)
{
    bool gate = val & 1;

    d->pit.speaker = val & 2;
    if (gate == d->pit.gate)
        return;
    d->pit.gate = gate;
    if (!gate) {
        freeze(d);
    } else if (d->pit.loaded) {
        /* A rising gate (re)starts modes 1, 2, 3 and 5; 0 and 4 resume. */
        if (d->pit.mode == 0 || d->pit.mode == 4) {
            uint16_t left = d->pit.frozen;

            start(d);
            d->pit.start_ns -= (uint64_t)((d->pit.reload ? d->pit.reload : 0x10000) - left) *
                               1000000000ULL / PIT_HZ;
        } else {
            start(d);
        }
    }
}

bool pv_pit_port(struct pv_domain *d, unsigned port, bool write, uint8_t *val)
{
    switch (port) {
    case 0x42:
        if (write)
            write_counter(d, *val);
        else
            *val = read_counter(d);
        return true;
    case 0x43:
        if (write)
            control(d, *val);
        else
            *val = 0xff; /* the control word cannot be read back */
        return true;
    case 0x61:
        if (write)
            write_port61(d, *val);
        else
            *val = read_port61(d);
        return true;
    }
    return false;
}
