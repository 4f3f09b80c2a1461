/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The store object and the host's direct access to the tree (acting as domain 0). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

static const struct xs_who host = {.domid = 0, .priv = true, .max_nodes = UINT_MAX};

void xs_quota_default(struct xs_quota *q)
{
    q->max_nodes = 1000;
    q->max_watches = 128;
    q->max_transactions = 10;
    q->max_payload = XENSTORE_PAYLOAD_MAX;
    q->max_outq = 1024 * 1024;
}

struct xs_store *xs_store_new(const struct xs_quota *q)
{
    struct xs_store *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    if (q)
        s->q = *q;
    else
        xs_quota_default(&s->q);
    if (s->q.max_payload > XENSTORE_PAYLOAD_MAX)
        s->q.max_payload = XENSTORE_PAYLOAD_MAX;
    if (s->q.max_outq < 2 * (XS_HDR + XENSTORE_PAYLOAD_MAX))
        s->q.max_outq = 2 * (XS_HDR + XENSTORE_PAYLOAD_MAX); /* room for any one reply */
    xs_evq_init(&s->pending);
    s->tree = xs_tree_new();
    if (!s->tree) {
        free(s);
        return NULL;
    }
    return s;
}

void xs_store_free(struct xs_store *s)
{
    if (!s)
        return;
    while (s->conns)
        xs_conn_free(s->conns);
    xs_watches_free(s->host_watches);
    xs_evq_clear(&s->pending);
    xs_tree_free(s->tree);
    free(s->doms);
    free(s);
}

int xs_host_write(struct xs_store *s, const char *path, const void *val, size_t len)
{
    int err;

    if (!xs_path_valid(path))
        return -EINVAL;
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    err = xs_do_write(s->tree, &s->pending, &host, path, val, len, false);
    xs_events_flush(s);
    return -err;
}

int xs_host_mkdir(struct xs_store *s, const char *path)
{
    int err;

    if (!xs_path_valid(path))
        return -EINVAL;
    err = xs_do_write(s->tree, &s->pending, &host, path, NULL, 0, true);
    xs_events_flush(s);
    return -err;
}

int xs_host_rm(struct xs_store *s, const char *path)
{
    int err;

    if (!xs_path_valid(path))
        return -EINVAL;
    err = xs_do_rm(s->tree, &s->pending, &host, path);
    xs_events_flush(s);
    return -err;
}

int xs_host_set_perms(struct xs_store *s, const char *path, const struct xs_perm *p, unsigned n)
{
    int err;

    if (!xs_path_valid(path) || n == 0 || n > XENSTORE_PAYLOAD_MAX / 3)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++)
        if (p[i].perm > XSP_BOTH)
            return -EINVAL;
    err = xs_do_set_perms(s->tree, &s->pending, &host, path, p, n);
    xs_events_flush(s);
    return -err;
}

int xs_host_read(struct xs_store *s, const char *path, char **val, size_t *len)
{
    const struct xs_node *n = xs_path_valid(path) ? xs_tree_get(s->tree, path) : NULL;

    if (!n)
        return xs_path_valid(path) ? -ENOENT : -EINVAL;
    if (len)
        *len = n->vlen;
    if (!val)
        return 0;
    *val = malloc(n->vlen + 1);
    if (!*val)
        return -ENOMEM;
    if (n->vlen)
        memcpy(*val, n->value, n->vlen);
    (*val)[n->vlen] = '\0';
    return 0;
}

int xs_host_directory(struct xs_store *s, const char *path, char ***names, unsigned *count)
{
    const struct xs_node *n = xs_path_valid(path) ? xs_tree_get(s->tree, path) : NULL;
    size_t bytes = 0;
    char **v, *str;

    if (!n)
        return xs_path_valid(path) ? -ENOENT : -EINVAL;
    for (unsigned i = 0; i < n->nkids; i++)
        bytes += strlen(n->kids[i]->name) + 1;
    v = malloc((n->nkids + 1) * sizeof(*v) + bytes);
    if (!v)
        return -ENOMEM;
    str = (char *)(v + n->nkids + 1);
    for (unsigned i = 0; i < n->nkids; i++) {
        v[i] = strcpy(str, n->kids[i]->name);
        str += strlen(str) + 1;
    }
    v[n->nkids] = NULL;
    *names = v;
    if (count)
        *count = n->nkids;
    return 0;
}
