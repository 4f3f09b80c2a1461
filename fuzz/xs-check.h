/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the xenstore fuzz targets: checks of the byte stream xenstore sends back. */
#ifndef XENNER_FUZZ_XS_CHECK_H
#define XENNER_FUZZ_XS_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include "fuzz.h"

/* The reader of one output stream, as a guest's xenbus driver reads it. */
struct xs_check {
    uint8_t hdr[sizeof(struct xsd_sockmsg)];
    size_t hdr_used;
    uint32_t left; /* payload bytes of the current message still to come */
    uint8_t last;  /* the payload byte seen last */
    uint32_t type;
};

/* Feeds @n bytes the peer read; aborts (a fuzzer finding) when they do not
 * form messages a guest can parse: an unknown type, a payload longer than
 * XENSTORE_PAYLOAD_MAX, an error or watch event not NUL-terminated. */
void xs_check_stream(struct xs_check *k, const void *p, size_t n);

/* Starts over: the connection was dropped and a new one made. */
void xs_check_reset(struct xs_check *k);

#endif
