/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transactions: a copy-on-write snapshot per transaction, EAGAIN at commit if the store moved on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

static void txn_free(struct xs_txn *t)
{
    xs_tree_free(t->tree);
    xs_evq_clear(&t->events);
    free(t);
}

void xs_txns_free(struct xs_txn *list)
{
    while (list) {
        struct xs_txn *next = list->next;

        txn_free(list);
        list = next;
    }
}

struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id)
{
    for (struct xs_txn *t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

/* A fresh non-zero id not in use on @c. */
static uint32_t txn_id(struct xs_conn *c)
{
    do
        c->s->next_txid++;
    while (!c->s->next_txid || xs_txn_find(c, c->s->next_txid));
    return c->s->next_txid;
}

int xs_op_tx_start(struct xs_conn *c, struct xs_req *r)
{
    struct xs_txn *t;
    char id[16];

    if (r->h.tx_id)
        return EBUSY;
    if (!c->who.priv && c->ntxns >= c->s->q.max_transactions)
        return ENOSPC;
    t = calloc(1, sizeof(*t));
    if (!t || !(t->tree = xs_tree_clone(c->s->tree))) {
        free(t);
        return ENOMEM;
    }
    t->id = txn_id(c);
    t->base_gen = c->s->tree->gen;
    xs_evq_init(&t->events);
    t->next = c->txns;
    c->txns = t;
    c->ntxns++;
    snprintf(id, sizeof(id), "%u", t->id);
    return xs_reply_str(c, id);
}

static void txn_unlink(struct xs_conn *c, struct xs_txn *t)
{
    struct xs_txn **p = &c->txns;

    while (*p != t)
        p = &(*p)->next;
    *p = t->next;
    c->ntxns--;
}

/* "T|" commits, "F|" aborts; either way the transaction is over, unless the
 * argument is malformed. A commit fails with EAGAIN if anything changed the
 * store since the start: the client retries. */
int xs_op_tx_end(struct xs_conn *c, struct xs_req *r)
{
    struct xs_txn *t = r->tx;
    const char *arg;
    int err = 0;

    if (!t)
        return ENOENT;
    if (xs_split(r->data, r->len, &arg, 1) != 1 || (strcmp(arg, "T") && strcmp(arg, "F")))
        return EINVAL;
    txn_unlink(c, t);
    if (arg[0] == 'T' && c->s->tree->gen != t->base_gen) {
        err = EAGAIN;
    } else if (arg[0] == 'T') {
        struct xs_tree *old = c->s->tree;

        c->s->tree = t->tree;
        t->tree = old;
        xs_evq_splice(&c->s->pending, &t->events);
    }
    txn_free(t);
    return err ? err : xs_reply_str(c, "OK");
}
