/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The wire operations on the tree: READ, WRITE, MKDIR, RM, DIRECTORY(_PART), GET/SET_PERMS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

/* The absolute path named by the request's first argument. */
static int req_path(struct xs_conn *c, struct xs_req *r, char *path)
{
    const char *arg;

    if (xs_split(r->data, r->len, &arg, 1) != 1)
        return EINVAL;
    return xs_path_resolve(c->home, arg, path, false, NULL);
}

/* The node named by the request's first argument, if @want access is granted. */
static int req_node(struct xs_conn *c, struct xs_req *r, unsigned want, const struct xs_node **n)
{
    char path[XS_PATH_BUF];
    int err = req_path(c, r, path);

    if (err)
        return err;
    *n = xs_tree_get(r->tree, path);
    if (!*n)
        return ENOENT;
    return xs_perms_allow((*n)->perms, (*n)->nperms, &c->who, want) ? 0 : EACCES;
}

int xs_op_read(struct xs_conn *c, struct xs_req *r)
{
    const struct xs_node *n;
    int err = req_node(c, r, XSP_READ, &n);

    return err ? err : xs_reply(c, n->value, n->vlen);
}

int xs_op_write(struct xs_conn *c, struct xs_req *r)
{
    char path[XS_PATH_BUF];
    int err = req_path(c, r, path);
    size_t skip;

    if (err)
        return err;
    skip = strlen(r->data) + 1; /* req_path found the NUL */
    err = xs_do_write(r->tree, r->evq, &c->who, path, r->data + skip, r->len - skip, false);
    return err ? err : xs_reply_str(c, "OK");
}

int xs_op_mkdir(struct xs_conn *c, struct xs_req *r)
{
    char path[XS_PATH_BUF];
    int err = req_path(c, r, path);

    if (!err)
        err = xs_do_write(r->tree, r->evq, &c->who, path, NULL, 0, true);
    return err ? err : xs_reply_str(c, "OK");
}

int xs_op_rm(struct xs_conn *c, struct xs_req *r)
{
    char path[XS_PATH_BUF];
    int err = req_path(c, r, path);

    if (!err)
        err = xs_do_rm(r->tree, r->evq, &c->who, path);
    return err ? err : xs_reply_str(c, "OK");
}

int xs_op_directory(struct xs_conn *c, struct xs_req *r)
{
    const struct xs_node *n;
    int err = req_node(c, r, XSP_READ, &n);

    for (unsigned i = 0; !err && i < n->nkids; i++)
        err = xs_reply_str(c, n->kids[i]->name);
    return err;
}

/* Appends the names of @n's children from byte @off of the full
 * "name|name|..." list, as many whole names as fit; true if the list ended. */
static bool dir_part(struct xs_conn *c, const struct xs_node *n, unsigned long off)
{
    unsigned long pos = 0;

    for (unsigned i = 0; i < n->nkids; i++) {
        const char *name = n->kids[i]->name;
        size_t len = strlen(name) + 1;

        if (pos + len > off) {
            size_t skip = pos < off ? off - pos : 0;

            /* keep room for the end-of-list marker */
            if (c->rep_len + len - skip + 1 > XENSTORE_PAYLOAD_MAX)
                return false;
            xs_reply(c, name + skip, len - skip);
        }
        pos += len;
    }
    return true;
}

/* "<path>|<offset>|" -> "<gen>|<names from offset>|*", plus an empty name
 * when the list is complete: clients loop until they see it. */
int xs_op_directory_part(struct xs_conn *c, struct xs_req *r)
{
    const char *argv[2];
    const struct xs_node *n;
    unsigned long off;
    char gen[24];
    int err = req_node(c, r, XSP_READ, &n);

    if (err)
        return err;
    if (xs_split(r->data, r->len, argv, 2) != 2 || xs_parse_ulong(argv[1], UINT32_MAX, &off))
        return EINVAL;
    snprintf(gen, sizeof(gen), "%llu", (unsigned long long)n->gen);
    xs_reply_str(c, gen);
    if (dir_part(c, n, off))
        xs_reply(c, "", 1);
    return 0;
}

int xs_op_get_perms(struct xs_conn *c, struct xs_req *r)
{
    static const char letters[] = "nrwb";
    const struct xs_node *n;
    int err = req_node(c, r, XSP_READ, &n);

    for (unsigned i = 0; !err && i < n->nperms; i++) {
        char s[16];

        snprintf(s, sizeof(s), "%c%u", letters[n->perms[i].perm & 3], n->perms[i].domid);
        err = xs_reply_str(c, s);
    }
    return err;
}

/* "<path>|<perm>|+" */
int xs_op_set_perms(struct xs_conn *c, struct xs_req *r)
{
    char path[XS_PATH_BUF];
    const char *p, *nul, *end = r->data + r->len;
    struct xs_perm *perms;
    unsigned n = 0;
    int err = req_path(c, r, path);

    if (err)
        return err;
    perms = calloc(r->len / 2 + 1, sizeof(*perms)); /* an entry takes >= 3 bytes */
    if (!perms)
        return ENOMEM;
    p = r->data + strlen(r->data) + 1;
    for (; !err && p < end && (nul = memchr(p, '\0', (size_t)(end - p))); p = nul + 1)
        err = xs_perm_parse(p, &perms[n++]);
    if (!err && !n)
        err = EINVAL;
    if (!err)
        err = xs_do_set_perms(r->tree, r->evq, &c->who, path, perms, n);
    free(perms);
    return err ? err : xs_reply_str(c, "OK");
}
