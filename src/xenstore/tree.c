/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The xenstore tree: copy-on-write nodes (a transaction's snapshot is O(1)), perms, node counts. */
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

static struct xs_node *node_new(const char *name, size_t nlen, const struct xs_perm *p, unsigned np)
{
    struct xs_node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->refs = 1;
    n->name = strndup(name, nlen);
    n->perms = malloc(np * sizeof(*p));
    if (!n->name || !n->perms) {
        free(n->name);
        free(n->perms);
        free(n);
        return NULL;
    }
    memcpy(n->perms, p, np * sizeof(*p));
    n->nperms = np;
    return n;
}

static void node_unref(struct xs_node *n)
{
    if (!n || --n->refs)
        return;
    for (unsigned i = 0; i < n->nkids; i++)
        node_unref(n->kids[i]);
    free(n->kids);
    free(n->value);
    free(n->perms);
    free(n->name);
    free(n);
}

/* A private copy of @n that shares @n's children. */
static struct xs_node *node_clone(const struct xs_node *n)
{
    struct xs_node *c = node_new(n->name, strlen(n->name), n->perms, n->nperms);

    if (!c)
        return NULL;
    c->value = n->vlen ? malloc(n->vlen) : NULL;
    c->kids = n->nkids ? malloc(n->nkids * sizeof(*c->kids)) : NULL;
    if ((n->vlen && !c->value) || (n->nkids && !c->kids)) {
        node_unref(c);
        return NULL;
    }
    if (n->vlen)
        memcpy(c->value, n->value, n->vlen);
    c->vlen = n->vlen;
    for (unsigned i = 0; i < n->nkids; i++) {
        c->kids[i] = n->kids[i];
        c->kids[i]->refs++;
    }
    c->nkids = n->nkids;
    c->gen = n->gen;
    return c;
}

/* Makes *@slot private to this tree before it is changed. */
static struct xs_node *unshare(struct xs_node **slot)
{
    struct xs_node *n = *slot, *c;

    if (n->refs == 1)
        return n;
    c = node_clone(n);
    if (!c)
        return NULL;
    n->refs--;
    *slot = c;
    return c;
}

static size_t comp_len(const char *p)
{
    return strcspn(p, "/");
}

static const char *next_comp(const char *p)
{
    p += comp_len(p);
    return *p == '/' ? p + 1 : p;
}

static int kid_index(const struct xs_node *n, const char *name, size_t len)
{
    for (unsigned i = 0; i < n->nkids; i++)
        if (!strncmp(n->kids[i]->name, name, len) && n->kids[i]->name[len] == '\0')
            return i;
    return -1;
}

static struct xs_owner *owner_find(const struct xs_tree *t, unsigned domid)
{
    for (unsigned i = 0; i < t->nowners; i++)
        if (t->owners[i].domid == domid)
            return &t->owners[i];
    return NULL;
}

/* The counter of @domid, created at 0 if needed; NULL when out of memory. */
static struct xs_owner *owner_get(struct xs_tree *t, unsigned domid)
{
    struct xs_owner *o = owner_find(t, domid);

    if (o)
        return o;
    o = realloc(t->owners, (t->nowners + 1) * sizeof(*o));
    if (!o)
        return NULL;
    t->owners = o;
    o += t->nowners++;
    o->domid = domid;
    o->count = 0;
    return o;
}

/* Only for owners reserved with owner_get() before the change started. */
static void owner_add(struct xs_tree *t, unsigned domid, int delta)
{
    struct xs_owner *o = owner_find(t, domid);

    if (o)
        o->count += delta;
}

static void owner_sub_tree(struct xs_tree *t, const struct xs_node *n)
{
    owner_add(t, n->perms[0].domid, -1);
    for (unsigned i = 0; i < n->nkids; i++)
        owner_sub_tree(t, n->kids[i]);
}

unsigned xs_tree_owned(const struct xs_tree *t, unsigned domid)
{
    const struct xs_owner *o = owner_find(t, domid);

    return o ? o->count : 0;
}

struct xs_tree *xs_tree_new(void)
{
    static const struct xs_perm root_perm = {0, XSP_NONE};
    struct xs_tree *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->root = node_new("", 0, &root_perm, 1);
    if (!t->root || !owner_get(t, 0)) {
        xs_tree_free(t);
        return NULL;
    }
    t->owners[0].count = 1;
    return t;
}

struct xs_tree *xs_tree_clone(const struct xs_tree *t)
{
    struct xs_tree *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->owners = malloc(t->nowners * sizeof(*c->owners));
    if (!c->owners) {
        free(c);
        return NULL;
    }
    memcpy(c->owners, t->owners, t->nowners * sizeof(*c->owners));
    c->nowners = t->nowners;
    c->root = t->root;
    c->root->refs++;
    c->gen = t->gen;
    return c;
}

void xs_tree_free(struct xs_tree *t)
{
    if (!t)
        return;
    node_unref(t->root);
    free(t->owners);
    free(t);
}

const struct xs_node *xs_tree_get(const struct xs_tree *t, const char *path)
{
    const struct xs_node *n = t->root;

    for (const char *p = path + 1; n && *p; p = next_comp(p)) {
        int i = kid_index(n, p, comp_len(p));

        n = i < 0 ? NULL : n->kids[i];
    }
    return n;
}

/* The deepest existing node on @path, with the number of components below it. */
static const struct xs_node *deepest(const struct xs_tree *t, const char *path, unsigned *missing)
{
    const struct xs_node *n = t->root;
    const char *p = path + 1;

    for (; *p; p = next_comp(p)) {
        int i = kid_index(n, p, comp_len(p));

        if (i < 0)
            break;
        n = n->kids[i];
    }
    for (*missing = 0; *p; p = next_comp(p))
        (*missing)++;
    return n;
}

bool xs_perms_allow(const struct xs_perm *p, unsigned n, const struct xs_who *w, unsigned want)
{
    if (w->priv)
        return true;
    if (n == 0)
        return false;
    if (p[0].domid == w->domid)
        return true;
    for (unsigned i = 1; i < n; i++)
        if (p[i].domid == w->domid)
            return (p[i].perm & want) == want;
    return (p[0].perm & want) == want;
}

static bool node_allow(const struct xs_node *n, const struct xs_who *w, unsigned want)
{
    return xs_perms_allow(n->perms, n->nperms, w, want);
}

/* A new child of @parent with @parent's perms, owned by an unprivileged
 * creator; returns its index or -1. The owner's counter must exist. */
static int add_kid(struct xs_tree *t, struct xs_node *parent, const char *name, size_t len,
                   const struct xs_who *w)
{
    struct xs_node *k = node_new(name, len, parent->perms, parent->nperms), **kids;

    if (!k)
        return -1;
    kids = realloc(parent->kids, (parent->nkids + 1) * sizeof(*kids));
    if (!kids) {
        node_unref(k);
        return -1;
    }
    if (!w->priv)
        k->perms[0].domid = w->domid;
    k->gen = t->gen;
    parent->kids = kids;
    parent->kids[parent->nkids] = k;
    parent->gen = t->gen;
    owner_add(t, k->perms[0].domid, 1);
    return parent->nkids++;
}

/* Makes every node on @path private (creating missing ones) and starts a new
 * generation; returns the node at @path or NULL when out of memory. */
static struct xs_node *walk_mut(struct xs_tree *t, const struct xs_who *w, const char *path)
{
    struct xs_node **slot = &t->root;

    t->gen++;
    if (!unshare(slot))
        return NULL;
    for (const char *p = path + 1; *p; p = next_comp(p)) {
        struct xs_node *parent = *slot;
        size_t len = comp_len(p);
        int i = kid_index(parent, p, len);

        if (i < 0 && (i = add_kid(t, parent, p, len, w)) < 0)
            return NULL;
        slot = &parent->kids[i];
        if (!unshare(slot))
            return NULL;
    }
    return *slot;
}

/* Checks a write or mkdir at @path and reserves the new nodes' owner. */
static int check_create(struct xs_tree *t, const struct xs_who *w, const char *path,
                        unsigned *missing)
{
    const struct xs_node *d = deepest(t, path, missing);
    unsigned owner = w->priv ? d->perms[0].domid : w->domid;

    if (!node_allow(d, w, XSP_WRITE))
        return EACCES;
    if (!*missing)
        return 0;
    if (!w->priv && xs_tree_owned(t, owner) + *missing > w->max_nodes)
        return ENOSPC;
    return owner_get(t, owner) ? 0 : ENOMEM;
}

int xs_tree_write(struct xs_tree *t, const struct xs_who *w, const char *path, const void *val,
                  size_t len, bool mkdir, bool *changed)
{
    unsigned missing;
    void *copy = NULL;
    struct xs_node *n;
    int err = check_create(t, w, path, &missing);

    *changed = false;
    if (err || (mkdir && !missing))
        return err;
    if (!mkdir && len && !(copy = malloc(len)))
        return ENOMEM;
    n = walk_mut(t, w, path);
    if (!n) {
        free(copy);
        return ENOMEM;
    }
    if (!mkdir) {
        if (len)
            memcpy(copy, val, len);
        free(n->value);
        n->value = copy;
        n->vlen = len;
    }
    n->gen = t->gen;
    *changed = true;
    return 0;
}

/* Removes the existing child @name of the existing node at @ppath. */
static int detach(struct xs_tree *t, const struct xs_who *w, const char *ppath, const char *name)
{
    struct xs_node *parent = walk_mut(t, w, ppath), *k;
    int i;

    if (!parent)
        return ENOMEM;
    i = kid_index(parent, name, strlen(name));
    if (i < 0)
        return ENOENT;
    k = parent->kids[i];
    memmove(&parent->kids[i], &parent->kids[i + 1], (parent->nkids - i - 1) * sizeof(k));
    parent->nkids--;
    parent->gen = t->gen;
    owner_sub_tree(t, k);
    node_unref(k);
    return 0;
}

int xs_tree_rm(struct xs_tree *t, const struct xs_who *w, const char *path, bool *removed)
{
    const struct xs_node *n;
    const char *slash = strrchr(path, '/');
    char *ppath;
    int err;

    *removed = false;
    if (!strcmp(path, "/"))
        return EINVAL;
    ppath = strndup(path, slash == path ? 1 : (size_t)(slash - path));
    if (!ppath)
        return ENOMEM;
    n = xs_tree_get(t, path);
    if (!n)
        err = xs_tree_get(t, ppath) ? 0 : ENOENT;
    else if (!node_allow(n, w, XSP_WRITE))
        err = EACCES;
    else if (!(err = detach(t, w, ppath, slash + 1)))
        *removed = true;
    free(ppath);
    return err;
}

int xs_tree_set_perms(struct xs_tree *t, const struct xs_who *w, const char *path,
                      const struct xs_perm *p, unsigned n)
{
    const struct xs_node *old = xs_tree_get(t, path);
    struct xs_perm *copy;
    struct xs_node *m;

    if (!old)
        return ENOENT;
    if (!w->priv && old->perms[0].domid != w->domid)
        return EACCES;
    if (!w->priv && p[0].domid != w->domid)
        return EPERM; /* only the host hands a node to another domain */
    if (!owner_get(t, p[0].domid) || !(copy = malloc(n * sizeof(*p))))
        return ENOMEM;
    memcpy(copy, p, n * sizeof(*p));
    m = walk_mut(t, w, path);
    if (!m) {
        free(copy);
        return ENOMEM;
    }
    owner_add(t, m->perms[0].domid, -1);
    owner_add(t, p[0].domid, 1);
    free(m->perms);
    m->perms = copy;
    m->nperms = n;
    m->gen = t->gen;
    return 0;
}
