/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Watches: WATCH, UNWATCH, RESET_WATCHES for connections, and host watches with callbacks. */
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

/* A token longer than this could make an event exceed XENSTORE_PAYLOAD_MAX. */
#define XS_TOKEN_MAX (XENSTORE_PAYLOAD_MAX - XENSTORE_ABS_PATH_MAX - 2)

struct xs_watch *xs_watch_new(struct xs_store *s, const char *path, const char *token)
{
    struct xs_watch *w = calloc(1, sizeof(*w));

    if (!w)
        return NULL;
    w->path = strdup(path);
    w->token = strdup(token);
    if (!w->path || !w->token) {
        xs_watches_free(w);
        return NULL;
    }
    w->id = ++s->next_watch_id;
    return w;
}

static void watch_free(struct xs_watch *w)
{
    free(w->path);
    free(w->token);
    free(w);
}

void xs_watches_free(struct xs_watch *list)
{
    while (list) {
        struct xs_watch *next = list->next;

        watch_free(list);
        list = next;
    }
}

/* The path to report if @ev fires @w, or NULL. A removal above the watched
 * path reports the watched path itself (xenstore.txt, WATCH_EVENT). */
const char *xs_watch_match(const struct xs_watch *w, const struct xs_event *ev)
{
    if (ev->only)
        return ev->only == w->id ? w->path : NULL;
    if (xs_path_is_child(ev->path, w->path))
        return ev->path;
    if (ev->rm && xs_path_is_child(w->path, ev->path))
        return w->path;
    return NULL;
}

static struct xs_watch **watch_find(struct xs_watch **list, const char *path, const char *token)
{
    for (; *list; list = &(*list)->next)
        if (!strcmp((*list)->path, path) && !strcmp((*list)->token, token))
            return list;
    return NULL;
}

static void watch_append(struct xs_watch **list, struct xs_watch *w)
{
    while (*list)
        list = &(*list)->next;
    *list = w;
}

/* Parses "<wpath>|<token>|" into an absolute @path; @rel_off as for xs_path_resolve. */
static int watch_args(struct xs_conn *c, struct xs_req *r, char *path, const char **token,
                      unsigned *rel_off)
{
    const char *argv[2];

    if (xs_split(r->data, r->len, argv, 2) != 2)
        return EINVAL;
    *token = argv[1];
    return xs_path_resolve(c->home, argv[0], path, true, rel_off);
}

int xs_op_watch(struct xs_conn *c, struct xs_req *r)
{
    char path[XS_PATH_BUF];
    const char *token;
    unsigned rel_off;
    struct xs_watch *w;
    int err = watch_args(c, r, path, &token, &rel_off);

    if (err)
        return err;
    if (strlen(token) > XS_TOKEN_MAX)
        return EINVAL;
    if (watch_find(&c->watches, path, token))
        return EEXIST;
    if (!c->who.priv && c->nwatches >= c->s->q.max_watches)
        return E2BIG;
    w = xs_watch_new(c->s, path, token);
    if (!w)
        return ENOMEM;
    w->rel_off = rel_off;
    watch_append(&c->watches, w);
    c->nwatches++;
    xs_event_only(c->s, path, w->id); /* sent after the reply */
    return xs_reply_str(c, "OK");
}

int xs_op_unwatch(struct xs_conn *c, struct xs_req *r)
{
    char path[XS_PATH_BUF];
    const char *token;
    struct xs_watch **pw, *w;
    int err = watch_args(c, r, path, &token, NULL);

    if (err)
        return err;
    pw = watch_find(&c->watches, path, token);
    if (!pw)
        return ENOENT;
    w = *pw;
    *pw = w->next;
    watch_free(w);
    c->nwatches--;
    return xs_reply_str(c, "OK");
}

int xs_op_reset_watches(struct xs_conn *c, struct xs_req *r)
{
    xs_watches_free(c->watches);
    c->watches = NULL;
    c->nwatches = 0;
    xs_txns_free(c->txns);
    c->txns = NULL;
    c->ntxns = 0;
    return xs_reply_str(c, "OK");
}

int xs_host_watch(struct xs_store *s, const char *path, const char *token, xs_watch_cb *cb,
                  void *opaque)
{
    char abs[XS_PATH_BUF];
    struct xs_watch *w;

    if (path[0] != '/' && path[0] != '@')
        return -EINVAL;
    if (!cb || xs_path_resolve("", path, abs, true, NULL))
        return -EINVAL;
    if (watch_find(&s->host_watches, path, token))
        return -EEXIST;
    w = xs_watch_new(s, path, token);
    if (!w)
        return -ENOMEM;
    w->cb = cb;
    w->opaque = opaque;
    watch_append(&s->host_watches, w);
    xs_event_only(s, path, w->id);
    xs_events_flush(s);
    return 0;
}

int xs_host_unwatch(struct xs_store *s, const char *path, const char *token)
{
    struct xs_watch **pw = watch_find(&s->host_watches, path, token), *w;

    if (!pw)
        return -ENOENT;
    w = *pw;
    *pw = w->next;
    watch_free(w);
    return 0;
}
