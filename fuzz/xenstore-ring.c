/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: xs_ring_service on a ring page a hostile guest controls. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore.h"
#include "xs-check.h"

/*
 * The input starts with the ring page (struct xenstore_domain_interface;
 * a short input is zero-padded), indexes and all, then is a script of steps,
 * each one opcode byte (% 5) and its operands:
 *   0  xenner services the ring (the guest's event channel fired);
 *   1  the guest writes a length byte's worth of request bytes and moves
 *      req_prod past them, as a well-behaved guest would;
 *   2  the guest reads all responses, as it should;
 *   3  the guest reads a byte's worth of responses;
 *   4  the guest stores 4 bytes into one index (byte % 4 picks which).
 * The page is allocated alone, exactly its size, so ASan reports any access
 * outside it; the guest-owned indexes must never be written by xenner.
 */

static void wake(void *opaque)
{
}

struct guest {
    struct xenstore_domain_interface *intf;
    struct xs_check k;
    bool tampered; /* the guest moved an index itself: its reads prove nothing */
};

/* The guest reads up to @max response bytes, checking they parse. */
static void guest_read(struct guest *g, uint32_t max)
{
    struct xenstore_domain_interface *r = g->intf;
    uint32_t avail = r->rsp_prod - r->rsp_cons;

    if (avail > XENSTORE_RING_SIZE) /* the guest broke its own index */
        return;
    if (avail > max)
        avail = max;
    for (uint32_t i = 0; i < avail && !g->tampered; i++)
        xs_check_stream(&g->k, &r->rsp[MASK_XENSTORE_IDX(r->rsp_cons + i)], 1);
    r->rsp_cons += avail;
}

static void guest_write(struct guest *g, const uint8_t *p, uint32_t n)
{
    struct xenstore_domain_interface *r = g->intf;

    for (uint32_t i = 0; i < n; i++)
        r->req[MASK_XENSTORE_IDX(r->req_prod + i)] = (char)p[i];
    r->req_prod += n;
}

/* xenner's service call: indexes move only within what the ring allows. */
static bool service(struct guest *g, struct xs_conn *c)
{
    struct xenstore_domain_interface *r = g->intf;
    XENSTORE_RING_IDX req_prod = r->req_prod, req_cons = r->req_cons;
    XENSTORE_RING_IDX rsp_prod = r->rsp_prod, rsp_cons = r->rsp_cons;
    int ret = xs_ring_service(r, c);

    FUZZ_CHECK(r->req_prod == req_prod && r->rsp_cons == rsp_cons, "xenner wrote a guest index");
    if (ret < 0) {
        FUZZ_CHECK(r->error != XENSTORE_ERROR_NONE, "a broken ring without an error code");
        return false;
    }
    FUZZ_CHECK(ret <= 1, "xs_ring_service returned neither 0, 1 nor an error");
    FUZZ_CHECK(r->req_cons - req_cons <= req_prod - req_cons, "consumed past req_prod");
    FUZZ_CHECK(r->rsp_prod - rsp_cons <= XENSTORE_RING_SIZE, "responses overran rsp_cons");
    FUZZ_CHECK(r->rsp_prod - rsp_prod <= XENSTORE_RING_SIZE, "rsp_prod moved too far");
    FUZZ_CHECK(ret || (r->req_cons == req_cons && r->rsp_prod == rsp_prod),
               "the ring moved but the guest is not notified");
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t page = sizeof(struct xenstore_domain_interface), n = size < page ? size : page;
    struct xs_store *st = xs_store_new(NULL);
    struct guest g = {.intf = calloc(1, page)};
    struct xs_conn *c;
    bool up = true;

    FUZZ_CHECK(st && g.intf, "out of memory");
    xs_host_mkdir(st, "/local/domain/1");
    c = xs_conn_new(st, 1, false, wake, NULL);
    FUZZ_CHECK(c, "out of memory");
    memcpy(g.intf, data, n);
    g.tampered = g.intf->rsp_prod != g.intf->rsp_cons;
    data += n;
    size -= n;
    while (size && up) {
        unsigned op = *data++ % 5, arg = size > 1 ? *data++ : 0;

        size -= size > 1 ? 2 : 1;
        switch (op) {
        case 0:
            up = service(&g, c);
            break;
        case 1:
            arg = arg < size ? arg : (unsigned)size;
            guest_write(&g, data, arg);
            data += arg;
            size -= arg;
            break;
        case 2:
            guest_read(&g, UINT32_MAX);
            break;
        case 3:
            guest_read(&g, arg);
            break;
        default: {
            XENSTORE_RING_IDX *idx[4] = {&g.intf->req_cons, &g.intf->req_prod,
                                         &g.intf->rsp_cons, &g.intf->rsp_prod};
            XENSTORE_RING_IDX v = 0;

            memcpy(&v, data, size < 4 ? size : 4);
            data += size < 4 ? size : 4;
            size -= size < 4 ? size : 4;
            *idx[arg % 4] = v;
            g.tampered = true;
            break;
        }
        }
    }
    if (up)
        service(&g, c);
    xs_store_free(st); /* frees c */
    free(g.intf);
    return 0;
}
