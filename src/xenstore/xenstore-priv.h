/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the xenstore library's files: tree, events, connections. */
#ifndef XENNER_XENSTORE_PRIV_H
#define XENNER_XENSTORE_PRIV_H

#include <errno.h> /* before xs_wire.h: it builds its error table from errno names */
#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include "xenstore/xenstore.h"

#define XS_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)
#define XS_HDR      sizeof(struct xsd_sockmsg)

/* A node; shared between trees (transactions) and copied before a change. */
struct xs_node {
    unsigned refs;
    char *name; /* leaf name; "" for the root */
    uint8_t *value;
    uint32_t vlen;
    struct xs_perm *perms; /* nperms >= 1 */
    unsigned nperms;
    struct xs_node **kids;
    unsigned nkids;
    uint64_t gen; /* tree generation of the last change to the node or its child list */
};

struct xs_owner {
    unsigned domid;
    unsigned count;
};

struct xs_tree {
    struct xs_node *root;
    uint64_t gen;            /* bumped by every change */
    struct xs_owner *owners; /* nodes owned per domain, for the node quota */
    unsigned nowners;
};

/* Who performs an operation. */
struct xs_who {
    unsigned domid;
    bool priv;
    unsigned max_nodes;
};

/* A change to report to watches. */
struct xs_event {
    struct xs_event *next;
    uint64_t only; /* non-zero: the first event of that watch id alone */
    bool rm;       /* a removal: watches below the path fire too */
    char *path;
    unsigned nperms; /* who may see it; 0: privileged only */
    struct xs_perm perms[];
};

struct xs_evq {
    struct xs_event *head, **tail;
};

struct xs_watch {
    struct xs_watch *next;
    uint64_t id;
    char *path; /* absolute or @special */
    char *token;
    unsigned rel_off; /* bytes of the domain path to strip when reporting */
    xs_watch_cb *cb;  /* host watches */
    void *opaque;
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    uint64_t base_gen; /* the store's generation when it started */
    struct xs_tree *tree;
    struct xs_evq events; /* fired at commit */
};

struct xs_store {
    struct xs_quota q;
    struct xs_tree *tree;
    struct xs_conn *conns;
    struct xs_watch *host_watches;
    struct xs_evq pending;
    bool flushing;
    uint64_t next_watch_id;
    uint32_t next_txid;
    uint16_t *doms; /* introduced domains */
    unsigned ndoms;
};

struct xs_conn {
    struct xs_conn *next;
    struct xs_store *s;
    struct xs_who who;
    char home[32]; /* /local/domain/<domid> */
    void (*wake)(void *opaque);
    void *opaque;
    int broken; /* 0 or the negative errno xs_conn_input reports */
    struct xs_watch *watches;
    unsigned nwatches;
    struct xs_txn *txns;
    unsigned ntxns;
    uint8_t *out;
    size_t out_head, out_len, out_cap;
    uint32_t in_used;
    uint8_t in[XS_HDR + XENSTORE_PAYLOAD_MAX];
    uint32_t rep_len;
    uint8_t rep[XENSTORE_PAYLOAD_MAX];
};

/* One request being handled; the reply payload goes to c->rep. */
struct xs_req {
    struct xsd_sockmsg h;
    const char *data;
    uint32_t len;
    struct xs_txn *tx;    /* NULL outside a transaction */
    struct xs_tree *tree; /* the transaction's tree or the store's */
    struct xs_evq *evq;   /* where the request's events go */
};

typedef int xs_op_fn(struct xs_conn *c, struct xs_req *r);

/* tree.c: errors are positive errno values */
struct xs_tree *xs_tree_new(void);
struct xs_tree *xs_tree_clone(const struct xs_tree *t);
void xs_tree_free(struct xs_tree *t);
const struct xs_node *xs_tree_get(const struct xs_tree *t, const char *path);
unsigned xs_tree_owned(const struct xs_tree *t, unsigned domid);
bool xs_perms_allow(const struct xs_perm *p, unsigned n, const struct xs_who *w, unsigned want);
int xs_tree_write(struct xs_tree *t, const struct xs_who *w, const char *path, const void *val,
                  size_t len, bool mkdir, bool *changed);
int xs_tree_rm(struct xs_tree *t, const struct xs_who *w, const char *path, bool *removed);
int xs_tree_set_perms(struct xs_tree *t, const struct xs_who *w, const char *path,
                      const struct xs_perm *p, unsigned n);

/* path.c */
bool xs_path_valid(const char *p);
int xs_path_resolve(const char *home, const char *in, char out[XS_PATH_BUF], bool special,
                    unsigned *rel_off);
bool xs_path_is_child(const char *child, const char *parent);
int xs_parse_ulong(const char *s, unsigned long max, unsigned long *out);
int xs_perm_parse(const char *s, struct xs_perm *p);
unsigned xs_split(const char *data, uint32_t len, const char **argv, unsigned max);

/* event.c */
void xs_evq_init(struct xs_evq *q);
void xs_evq_splice(struct xs_evq *to, struct xs_evq *from);
void xs_evq_clear(struct xs_evq *q);
void xs_event_add(struct xs_evq *q, const char *path, const struct xs_node *n, bool rm);
void xs_event_only(struct xs_store *s, const char *path, uint64_t watch_id);
void xs_events_flush(struct xs_store *s);
int xs_do_write(struct xs_tree *t, struct xs_evq *q, const struct xs_who *w, const char *path,
                const void *val, size_t len, bool mkdir);
int xs_do_rm(struct xs_tree *t, struct xs_evq *q, const struct xs_who *w, const char *path);
int xs_do_set_perms(struct xs_tree *t, struct xs_evq *q, const struct xs_who *w, const char *path,
                    const struct xs_perm *p, unsigned n);

/* watch.c */
struct xs_watch *xs_watch_new(struct xs_store *s, const char *path, const char *token);
void xs_watches_free(struct xs_watch *list);
const char *xs_watch_match(const struct xs_watch *w, const struct xs_event *ev);

/* trans.c */
void xs_txns_free(struct xs_txn *list);
struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id);

/* conn.c */
int xs_reply(struct xs_conn *c, const void *data, size_t len);
int xs_reply_str(struct xs_conn *c, const char *s);
void xs_conn_send(struct xs_conn *c, const struct xsd_sockmsg *h, const void *p1, size_t l1,
                  const void *p2, size_t l2);

/* the wire operations, one per message type */
xs_op_fn xs_op_read, xs_op_write, xs_op_mkdir, xs_op_rm, xs_op_directory, xs_op_directory_part,
    xs_op_get_perms, xs_op_set_perms;
xs_op_fn xs_op_watch, xs_op_unwatch, xs_op_reset_watches;
xs_op_fn xs_op_tx_start, xs_op_tx_end;
xs_op_fn xs_op_introduce, xs_op_release, xs_op_is_introduced, xs_op_resume, xs_op_set_target,
    xs_op_get_domain_path, xs_op_control;

#endif
