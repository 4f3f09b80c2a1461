/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Watch events: queued per request or transaction, delivered to connections and host watches. */
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

void xs_evq_init(struct xs_evq *q)
{
    q->head = NULL;
    q->tail = &q->head;
}

static void evq_push(struct xs_evq *q, struct xs_event *ev)
{
    ev->next = NULL;
    *q->tail = ev;
    q->tail = &ev->next;
}

static struct xs_event *evq_pop(struct xs_evq *q)
{
    struct xs_event *ev = q->head;

    if (ev && !(q->head = ev->next))
        q->tail = &q->head;
    return ev;
}

static void event_free(struct xs_event *ev)
{
    free(ev->path);
    free(ev);
}

/* Moves every event of @from to the end of @to. */
void xs_evq_splice(struct xs_evq *to, struct xs_evq *from)
{
    if (!from->head)
        return;
    *to->tail = from->head;
    to->tail = from->tail;
    xs_evq_init(from);
}

void xs_evq_clear(struct xs_evq *q)
{
    struct xs_event *ev;

    while ((ev = evq_pop(q)))
        event_free(ev);
}

static struct xs_event *event_new(const char *path, const struct xs_node *n, bool rm)
{
    unsigned np = n ? n->nperms : 0;
    struct xs_event *ev = calloc(1, sizeof(*ev) + np * sizeof(ev->perms[0]));

    if (!ev)
        return NULL;
    ev->path = strdup(path);
    if (!ev->path) {
        free(ev);
        return NULL;
    }
    if (np)
        memcpy(ev->perms, n->perms, np * sizeof(ev->perms[0]));
    ev->nperms = np;
    ev->rm = rm;
    return ev;
}

/* Queues a change of @path, visible to whoever may read @n (NULL: privileged
 * only). Out of memory, the event is lost: watches may miss changes then. */
void xs_event_add(struct xs_evq *q, const char *path, const struct xs_node *n, bool rm)
{
    struct xs_event *ev = event_new(path, n, rm);

    if (ev)
        evq_push(q, ev);
}

/* Queues the first event of watch @watch_id, which fires regardless of perms. */
void xs_event_only(struct xs_store *s, const char *path, uint64_t watch_id)
{
    struct xs_event *ev = event_new(path, NULL, false);

    if (!ev)
        return;
    ev->only = watch_id;
    evq_push(&s->pending, ev);
}

static void send_event(struct xs_conn *c, const char *path, const char *token)
{
    size_t lp = strlen(path) + 1, lt = strlen(token) + 1;
    struct xsd_sockmsg h = {.type = XS_WATCH_EVENT, .len = (uint32_t)(lp + lt)};

    if (lp + lt <= XENSTORE_PAYLOAD_MAX)
        xs_conn_send(c, &h, path, lp, token, lt);
}

static void deliver_conn(struct xs_conn *c, const struct xs_event *ev)
{
    for (struct xs_watch *w = c->watches; w; w = w->next) {
        const char *epath = xs_watch_match(w, ev);

        if (!epath)
            continue;
        if (!ev->only && !xs_perms_allow(ev->perms, ev->nperms, &c->who, XSP_READ))
            continue;
        send_event(c, epath + w->rel_off, w->token);
    }
}

/* The first host watch with an id in (@after, @max]: callbacks may add and
 * remove watches, so the list is walked by id rather than by pointer. */
static struct xs_watch *next_host_watch(struct xs_store *s, uint64_t after, uint64_t max)
{
    for (struct xs_watch *w = s->host_watches; w; w = w->next)
        if (w->id > after && w->id <= max)
            return w;
    return NULL;
}

static void deliver_host(struct xs_store *s, const struct xs_event *ev)
{
    uint64_t max = s->next_watch_id;
    struct xs_watch *w;

    for (uint64_t id = 0; (w = next_host_watch(s, id, max));) {
        const char *epath = xs_watch_match(w, ev);

        id = w->id; /* w may be gone once its callback returns */
        if (epath)
            w->cb(w->opaque, epath, w->token);
    }
}

/* Delivers every pending event; nested calls (from host callbacks) return at
 * once and leave their events to the outer loop. */
void xs_events_flush(struct xs_store *s)
{
    struct xs_event *ev;

    if (s->flushing)
        return;
    s->flushing = true;
    while ((ev = evq_pop(&s->pending))) {
        for (struct xs_conn *c = s->conns; c; c = c->next)
            deliver_conn(c, ev);
        deliver_host(s, ev);
        event_free(ev);
    }
    s->flushing = false;
}

int xs_do_write(struct xs_tree *t, struct xs_evq *q, const struct xs_who *w, const char *path,
                const void *val, size_t len, bool mkdir)
{
    bool changed;
    int err = xs_tree_write(t, w, path, val, len, mkdir, &changed);

    if (!err && changed)
        xs_event_add(q, path, xs_tree_get(t, path), false);
    return err;
}

int xs_do_rm(struct xs_tree *t, struct xs_evq *q, const struct xs_who *w, const char *path)
{
    const struct xs_node *n = xs_tree_get(t, path);
    struct xs_event *ev = n ? event_new(path, n, true) : NULL;
    bool removed;
    int err = xs_tree_rm(t, w, path, &removed);

    if (ev && removed)
        evq_push(q, ev);
    else if (ev)
        event_free(ev);
    return err;
}

int xs_do_set_perms(struct xs_tree *t, struct xs_evq *q, const struct xs_who *w, const char *path,
                    const struct xs_perm *p, unsigned n)
{
    int err = xs_tree_set_perms(t, w, path, p, n);

    if (!err)
        xs_event_add(q, path, xs_tree_get(t, path), false);
    return err;
}
