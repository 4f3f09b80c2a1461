/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Domain bookkeeping (INTRODUCE, RELEASE, ...), GET_DOMAIN_PATH and CONTROL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

static int dom_find(const struct xs_store *s, unsigned domid)
{
    for (unsigned i = 0; i < s->ndoms; i++)
        if (s->doms[i] == domid)
            return (int)i;
    return -1;
}

static bool domid_real(unsigned long domid)
{
    return domid > 0 && domid < DOMID_FIRST_RESERVED;
}

/* Positive errno, for both the wire and the host entry points. */
static int introduce(struct xs_store *s, unsigned domid)
{
    uint16_t *d;

    if (dom_find(s, domid) >= 0)
        return 0;
    d = realloc(s->doms, (s->ndoms + 1) * sizeof(*d));
    if (!d)
        return ENOMEM;
    s->doms = d;
    s->doms[s->ndoms++] = (uint16_t)domid;
    xs_event_add(&s->pending, "@introduceDomain", NULL, false);
    return 0;
}

static int release(struct xs_store *s, unsigned domid)
{
    int i = dom_find(s, domid);

    if (i < 0)
        return ENOENT;
    s->doms[i] = s->doms[--s->ndoms];
    xs_event_add(&s->pending, "@releaseDomain", NULL, false);
    return 0;
}

/* The request's first argument as a domain id (any, or a real one). */
static int req_domid(struct xs_req *r, bool real, unsigned *domid)
{
    const char *arg;
    unsigned long v;

    if (xs_split(r->data, r->len, &arg, 1) != 1 || xs_parse_ulong(arg, UINT16_MAX, &v))
        return EINVAL;
    if (real && !domid_real(v))
        return EINVAL;
    *domid = (unsigned)v;
    return 0;
}

/* "<domid>|<mfn>|<evtchn>|?": xenner maps no pages, it only records the domain. */
int xs_op_introduce(struct xs_conn *c, struct xs_req *r)
{
    const char *argv[3];
    unsigned domid;
    int err;

    if (!c->who.priv)
        return EACCES;
    if (xs_split(r->data, r->len, argv, 3) != 3)
        return EINVAL;
    err = req_domid(r, true, &domid);
    if (!err)
        err = introduce(c->s, domid);
    return err ? err : xs_reply_str(c, "OK");
}

int xs_op_release(struct xs_conn *c, struct xs_req *r)
{
    unsigned domid;
    int err = c->who.priv ? req_domid(r, true, &domid) : EACCES;

    if (!err)
        err = release(c->s, domid);
    return err ? err : xs_reply_str(c, "OK");
}

int xs_op_is_introduced(struct xs_conn *c, struct xs_req *r)
{
    unsigned domid;
    int err = c->who.priv ? req_domid(r, false, &domid) : EACCES;

    if (err)
        return err;
    return xs_reply_str(c, domid == 0 || dom_find(c->s, domid) >= 0 ? "T" : "F");
}

int xs_op_resume(struct xs_conn *c, struct xs_req *r)
{
    unsigned domid;
    int err = c->who.priv ? req_domid(r, true, &domid) : EACCES;

    if (!err && dom_find(c->s, domid) < 0)
        err = ENOENT;
    return err ? err : xs_reply_str(c, "OK");
}

int xs_op_set_target(struct xs_conn *c, struct xs_req *r)
{
    return c->who.priv ? ENOSYS : EACCES;
}

int xs_op_get_domain_path(struct xs_conn *c, struct xs_req *r)
{
    unsigned domid;
    char path[32];
    int err = req_domid(r, false, &domid);

    if (err)
        return err;
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    return xs_reply_str(c, path);
}

/* "print|<text>" is accepted and dropped (there is no log here); "help" lists. */
int xs_op_control(struct xs_conn *c, struct xs_req *r)
{
    const char *cmd;

    if (!c->who.priv)
        return EACCES;
    if (xs_split(r->data, r->len, &cmd, 1) != 1)
        return EINVAL;
    if (!strcmp(cmd, "print"))
        return xs_reply_str(c, "OK");
    if (!strcmp(cmd, "help"))
        return xs_reply_str(c, "help\nprint\n");
    return EINVAL;
}

int xs_host_introduce(struct xs_store *s, unsigned domid)
{
    int err = domid_real(domid) ? introduce(s, domid) : EINVAL;

    xs_events_flush(s);
    return -err;
}

int xs_host_release(struct xs_store *s, unsigned domid)
{
    int err = release(s, domid);

    xs_events_flush(s);
    return -err;
}
