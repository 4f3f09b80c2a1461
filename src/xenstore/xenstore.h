/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xenner's in-process xenstore: tree, wire protocol, watches, transactions; no I/O. */
#ifndef XENNER_XENSTORE_H
#define XENNER_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One xs_store holds one tree. Connections (a guest's shared ring, a unix
 * socket client) speak the wire protocol of Xen's docs/misc/xenstore.txt as
 * byte streams through xs_conn_input()/xs_conn_peek(); code inside xenner
 * uses the xs_host_*() calls, which act as the privileged domain 0.
 *
 * Nothing here is thread-safe: the caller serialises every call on a store
 * and its connections. Callbacks (wake, host watches) run synchronously;
 * they may call the xs_host_*() functions but must not free the store or the
 * connection whose input is being processed, and wake must not call back
 * into the library at all (it only tells the transport to flush).
 */

struct xenstore_domain_interface;
struct xs_store;
struct xs_conn;

/* Limits; privileged connections are exempt from the node, watch and
 * transaction limits. */
struct xs_quota {
    unsigned max_nodes;        /* nodes a guest domain may own: ENOSPC beyond */
    unsigned max_watches;      /* watches per connection: E2BIG beyond */
    unsigned max_transactions; /* open transactions per connection: ENOSPC beyond */
    unsigned max_payload;      /* request payload bytes (<= XENSTORE_PAYLOAD_MAX): E2BIG */
    size_t max_outq;           /* queued reply/event bytes before the connection breaks;
                                * raised to at least two largest messages (8224) */
};

/* Access bits of a permission entry (xenstore.txt's n, r, w, b). */
#define XSP_NONE  0
#define XSP_READ  1
#define XSP_WRITE 2
#define XSP_BOTH  (XSP_READ | XSP_WRITE)

/* One permission entry. A node's first entry names its owner (who may do
 * anything) and the access of every domain not listed in later entries. */
struct xs_perm {
    uint16_t domid;
    uint8_t perm; /* XSP_* */
};

/* Called with the absolute path that changed (or the watched path) and the
 * token the watch was registered with; both stay valid until the callback
 * returns or removes that watch. */
typedef void xs_watch_cb(void *opaque, const char *path, const char *token);

/* Fills @q with the defaults: 1000 nodes, 128 watches, 10 transactions,
 * XENSTORE_PAYLOAD_MAX payload, 1 MiB of queued output. */
void xs_quota_default(struct xs_quota *q);

/* A new store holding only "/" (owner 0, no access for others), using @q
 * (copied; NULL means the defaults). Returns NULL when out of memory. */
struct xs_store *xs_store_new(const struct xs_quota *q);

/* Frees the store, its host watches and every connection still open on it
 * (their pointers become invalid). NULL is ignored. */
void xs_store_free(struct xs_store *s);

/* A connection for domain @domid (< 65536); @privileged (the host side, domain 0)
 * bypasses permissions and quotas and may use INTRODUCE/RELEASE/CONTROL.
 * Relative paths resolve against /local/domain/<domid>. @wake (may be NULL)
 * runs with @opaque whenever output becomes available on an empty queue or
 * the connection breaks. Returns NULL when out of memory. */
struct xs_conn *xs_conn_new(struct xs_store *s, unsigned domid, bool privileged,
                            void (*wake)(void *opaque), void *opaque);

/* Removes the connection's watches, aborts its transactions, drops queued
 * output and frees it. NULL is ignored. */
void xs_conn_free(struct xs_conn *c);

/* Feeds @len bytes of the request stream; partial messages are buffered until
 * a full header and payload arrived, then answered into the output queue.
 * Stops early while more than half of max_outq is queued (the caller offers
 * the rest again once it drained output). Returns the number of bytes consumed, or a negative
 * errno once the connection is broken (-EPROTO: payload length above
 * XENSTORE_PAYLOAD_MAX; -ENOBUFS: output queue overflowed; -ENOMEM); the
 * caller must then drop the connection. */
long xs_conn_input(struct xs_conn *c, const void *buf, size_t len);

/* The queued output bytes (replies and watch events, whole messages back to
 * back): a pointer to them, with their count in *@len (0 when empty). The
 * pointer is valid until the next call on @c or its store. */
const void *xs_conn_peek(struct xs_conn *c, size_t *len);

/* Marks the first @n queued output bytes as sent (@n <= the peeked length). */
void xs_conn_consume(struct xs_conn *c, size_t n);

/* Whether the connection is broken: it accepts no input and must be dropped. */
bool xs_conn_broken(const struct xs_conn *c);

/*
 * Host access: absolute paths only, no permission or quota checks, watches
 * fire as for a connection of domain 0. All return 0 or a negative errno:
 * -EINVAL (bad path), -ENOENT, -E2BIG, -ENOMEM.
 */

/* Stores @len bytes (at most XENSTORE_PAYLOAD_MAX) at @path, creating
 * missing parents with empty values and their parent's permissions. */
int xs_host_write(struct xs_store *s, const char *path, const void *val, size_t len);

/* Reads @path into a new NUL-terminated buffer *@val (free() it; @val NULL:
 * only test that it exists), its length without the NUL in *@len (if @len is
 * not NULL). */
int xs_host_read(struct xs_store *s, const char *path, char **val, size_t *len);

/* Creates @path and missing parents; an existing node is left alone. */
int xs_host_mkdir(struct xs_store *s, const char *path);

/* Removes @path and everything below it; 0 if it did not exist but its parent
 * does, -ENOENT if neither exists, -EINVAL for "/". */
int xs_host_rm(struct xs_store *s, const char *path);

/* Replaces the permissions of @path with @n >= 1 entries (@p[0]: owner and
 * default access). */
int xs_host_set_perms(struct xs_store *s, const char *path, const struct xs_perm *p, unsigned n);

/* The child names of @path: *@names gets a NULL-terminated array in one
 * allocation (free() it), *@n (if not NULL) the count. */
int xs_host_directory(struct xs_store *s, const char *path, char ***names, unsigned *n);

/* Calls @cb(@opaque, path, @token) for changes at or below @path (absolute,
 * or "@introduceDomain"/"@releaseDomain"), and once right away with @path
 * itself. -EEXIST if @path and @token are already watched by the host. */
int xs_host_watch(struct xs_store *s, const char *path, const char *token, xs_watch_cb *cb,
                  void *opaque);

/* Removes the host watch on @path with @token; -ENOENT if there is none. */
int xs_host_unwatch(struct xs_store *s, const char *path, const char *token);

/* Marks domain @domid (1..DOMID_FIRST_RESERVED-1) introduced and fires
 * @introduceDomain; introducing it again is a no-op. */
int xs_host_introduce(struct xs_store *s, unsigned domid);

/* Forgets domain @domid and fires @releaseDomain; -ENOENT if not introduced. */
int xs_host_release(struct xs_store *s, unsigned domid);

/*
 * Shared-ring adapter: the page is mapped by the caller, which runs the
 * adapter when the guest's event channel fires or wake is called.
 */

/* Prepares a fresh ring page: indexes 0, connected, error field advertised. */
void xs_ring_init(struct xenstore_domain_interface *intf);

/* Moves queued output of @c into the rsp ring, consumes the requests in the
 * req ring (only as much as @c accepts) and flushes again. Returns 1 if the
 * guest should be notified, 0 if not, or a negative errno if the ring or the
 * connection is broken (indexes out of range, protocol violation): the
 * caller shuts the connection down. Never touches memory outside *@intf. */
int xs_ring_service(struct xenstore_domain_interface *intf, struct xs_conn *c);

#endif
