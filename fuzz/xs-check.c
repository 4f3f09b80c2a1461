/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checks of the byte stream xenstore sends back (xs-check.h). */
#include <string.h>

#include "xs-check.h"

void xs_check_reset(struct xs_check *k)
{
    memset(k, 0, sizeof(*k));
}

/* Types a server may send: replies echo the request's type (only known
 * ones are answered, the rest get XS_ERROR), plus events and errors. */
static int type_ok(uint32_t t)
{
    return t < XS_TYPE_COUNT && t != XS_RESET_WATCHES - 1;
}

static void header_done(struct xs_check *k)
{
    struct xsd_sockmsg h;

    memcpy(&h, k->hdr, sizeof(h));
    FUZZ_CHECK(type_ok(h.type), "reply of an unknown type");
    FUZZ_CHECK(h.len <= XENSTORE_PAYLOAD_MAX, "reply payload above XENSTORE_PAYLOAD_MAX");
    FUZZ_CHECK(h.type != XS_ERROR || h.len > 0, "empty error reply");
    FUZZ_CHECK(h.type != XS_WATCH_EVENT || h.len > 0, "empty watch event");
    k->type = h.type;
    k->left = h.len;
    k->hdr_used = 0;
}

static void payload_done(struct xs_check *k)
{
    if (k->type == XS_ERROR || k->type == XS_WATCH_EVENT)
        FUZZ_CHECK(k->last == 0, "error or watch event not NUL-terminated");
}

void xs_check_stream(struct xs_check *k, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n) {
        if (k->left) {
            size_t m = n < k->left ? n : k->left;

            k->last = b[m - 1];
            k->left -= (uint32_t)m;
            b += m;
            n -= m;
            if (!k->left)
                payload_done(k);
            continue;
        }
        k->hdr[k->hdr_used++] = *b++;
        n--;
        if (k->hdr_used == sizeof(k->hdr))
            header_done(k);
    }
}
