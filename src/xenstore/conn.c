/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Connections: request framing, dispatch by message type, the bounded output queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

struct op {
    xs_op_fn *fn;
    bool tx; /* runs inside the transaction named by tx_id */
};

static const struct op ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {xs_op_control, false},
    [XS_DIRECTORY] = {xs_op_directory, true},
    [XS_READ] = {xs_op_read, true},
    [XS_GET_PERMS] = {xs_op_get_perms, true},
    [XS_WATCH] = {xs_op_watch, false},
    [XS_UNWATCH] = {xs_op_unwatch, false},
    [XS_TRANSACTION_START] = {xs_op_tx_start, false},
    [XS_TRANSACTION_END] = {xs_op_tx_end, true},
    [XS_INTRODUCE] = {xs_op_introduce, false},
    [XS_RELEASE] = {xs_op_release, false},
    [XS_GET_DOMAIN_PATH] = {xs_op_get_domain_path, false},
    [XS_WRITE] = {xs_op_write, true},
    [XS_MKDIR] = {xs_op_mkdir, true},
    [XS_RM] = {xs_op_rm, true},
    [XS_SET_PERMS] = {xs_op_set_perms, true},
    [XS_IS_DOMAIN_INTRODUCED] = {xs_op_is_introduced, false},
    [XS_RESUME] = {xs_op_resume, false},
    [XS_SET_TARGET] = {xs_op_set_target, false},
    [XS_RESET_WATCHES] = {xs_op_reset_watches, false},
    [XS_DIRECTORY_PART] = {xs_op_directory_part, true},
};

struct xs_conn *xs_conn_new(struct xs_store *s, unsigned domid, bool privileged,
                            void (*wake)(void *opaque), void *opaque)
{
    struct xs_conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->s = s;
    c->who.domid = domid;
    c->who.priv = privileged;
    c->who.max_nodes = s->q.max_nodes;
    snprintf(c->home, sizeof(c->home), "/local/domain/%u", domid);
    c->wake = wake;
    c->opaque = opaque;
    c->next = s->conns;
    s->conns = c;
    return c;
}

void xs_conn_free(struct xs_conn *c)
{
    struct xs_conn **p;

    if (!c)
        return;
    for (p = &c->s->conns; *p != c; p = &(*p)->next)
        ;
    *p = c->next;
    xs_watches_free(c->watches);
    xs_txns_free(c->txns);
    free(c->out);
    free(c);
}

static void conn_break(struct xs_conn *c, int err)
{
    if (c->broken)
        return;
    c->broken = err;
    free(c->out);
    c->out = NULL;
    c->out_head = c->out_len = c->out_cap = 0;
    if (c->wake)
        c->wake(c->opaque);
}

bool xs_conn_broken(const struct xs_conn *c)
{
    return c->broken != 0;
}

/* Room for @n more bytes after the queued ones, within max_outq. */
static bool out_reserve(struct xs_conn *c, size_t n)
{
    size_t need = c->out_len + n, cap;
    uint8_t *b;

    if (need > c->s->q.max_outq)
        return false;
    if (c->out_head + need <= c->out_cap)
        return true;
    if (c->out_head) {
        memmove(c->out, c->out + c->out_head, c->out_len);
        c->out_head = 0;
    }
    if (need <= c->out_cap)
        return true;
    cap = c->out_cap ? c->out_cap : 4096;
    while (cap < need)
        cap *= 2;
    if (cap > c->s->q.max_outq)
        cap = c->s->q.max_outq;
    b = realloc(c->out, cap);
    if (!b)
        return false;
    c->out = b;
    c->out_cap = cap;
    return true;
}

static void out_put(struct xs_conn *c, const void *p, size_t n)
{
    if (n)
        memcpy(c->out + c->out_head + c->out_len, p, n);
    c->out_len += n;
}

/* Queues one message: header @h, then @p1 and @p2 as its payload. A peer
 * that lets output pile up past max_outq loses its connection. */
void xs_conn_send(struct xs_conn *c, const struct xsd_sockmsg *h, const void *p1, size_t l1,
                  const void *p2, size_t l2)
{
    bool was_empty = c->out_len == 0;

    if (c->broken)
        return;
    if (!out_reserve(c, XS_HDR + l1 + l2)) {
        conn_break(c, -ENOBUFS);
        return;
    }
    out_put(c, h, XS_HDR);
    out_put(c, p1, l1);
    out_put(c, p2, l2);
    if (was_empty && c->wake)
        c->wake(c->opaque);
}

const void *xs_conn_peek(struct xs_conn *c, size_t *len)
{
    *len = c->out_len;
    return c->out_len ? c->out + c->out_head : NULL;
}

void xs_conn_consume(struct xs_conn *c, size_t n)
{
    if (n > c->out_len)
        n = c->out_len;
    c->out_head += n;
    c->out_len -= n;
    if (!c->out_len)
        c->out_head = 0;
}

int xs_reply(struct xs_conn *c, const void *data, size_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX - c->rep_len)
        return E2BIG;
    if (len)
        memcpy(c->rep + c->rep_len, data, len);
    c->rep_len += (uint32_t)len;
    return 0;
}

int xs_reply_str(struct xs_conn *c, const char *s)
{
    return xs_reply(c, s, strlen(s) + 1);
}

static const char *err_name(int err)
{
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    return "EINVAL";
}

static int run_op(struct xs_conn *c, struct xs_req *r)
{
    const struct op *op = r->h.type < XS_TYPE_COUNT ? &ops[r->h.type] : NULL;

    if (r->h.len > c->s->q.max_payload)
        return E2BIG;
    if (!op || !op->fn)
        return EINVAL;
    if (op->tx && r->h.tx_id) {
        r->tx = xs_txn_find(c, r->h.tx_id);
        if (!r->tx)
            return ENOENT;
        r->tree = r->tx->tree;
        r->evq = &r->tx->events;
    }
    return op->fn(c, r);
}

/* Answers the complete message in c->in, then delivers the events it caused. */
static void dispatch(struct xs_conn *c)
{
    struct xs_req r = {.data = (const char *)c->in + XS_HDR, .tree = c->s->tree};
    struct xsd_sockmsg h;
    int err;

    memcpy(&r.h, c->in, XS_HDR);
    r.len = r.h.len;
    r.evq = &c->s->pending;
    c->rep_len = 0;
    err = run_op(c, &r);
    h = r.h;
    if (err) {
        const char *name = err_name(err);

        h.type = XS_ERROR;
        h.len = (uint32_t)strlen(name) + 1;
        xs_conn_send(c, &h, name, h.len, NULL, 0);
    } else {
        h.len = c->rep_len;
        xs_conn_send(c, &h, c->rep, c->rep_len, NULL, 0);
    }
    xs_events_flush(c->s);
}

static uint32_t in_len(const struct xs_conn *c)
{
    struct xsd_sockmsg h;

    memcpy(&h, c->in, XS_HDR);
    return h.len;
}

/* Bytes still missing from the message being assembled. */
static uint32_t in_need(const struct xs_conn *c)
{
    if (c->in_used < XS_HDR)
        return (uint32_t)(XS_HDR - c->in_used);
    return (uint32_t)(XS_HDR + in_len(c) - c->in_used);
}

long xs_conn_input(struct xs_conn *c, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0;

    while (!c->broken && done < len && c->out_len <= c->s->q.max_outq / 2) {
        size_t n = in_need(c);

        if (n > len - done)
            n = len - done;
        memcpy(c->in + c->in_used, p + done, n);
        c->in_used += (uint32_t)n;
        done += n;
        if (c->in_used == XS_HDR && in_len(c) > XENSTORE_PAYLOAD_MAX)
            conn_break(c, -EPROTO);
        else if (in_need(c) == 0) {
            dispatch(c);
            c->in_used = 0;
        }
    }
    return c->broken ? c->broken : (long)done;
}
