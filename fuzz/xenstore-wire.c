/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the xenstore wire protocol from hostile guests and a privileged client. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/xenstore.h"
#include "xs-check.h"

/*
 * The input is a script of steps, each one opcode byte and its operands:
 * opcode % 3 picks the connection (guest domain 1, guest domain 2, the
 * privileged domain 0), opcode / 3 % 6 the step:
 *   0, 1  feed bytes: a length (one byte, or two when the first has bit 7
 *         set) and that many bytes of the script as the connection's input;
 *   2     the peer reads (byte * 8) bytes of output;
 *   3     the peer reads all of its output;
 *   4     the peer hangs up and connects again;
 *   5     the host acts (byte % 6 picks what): introduce or release a domain,
 *         write, remove or change permissions of nodes the guests use.
 * Quotas are small so that every limit is reached.
 */

#define NPEERS 3

/* max_outq is the least the store accepts (xs_store_new raises a smaller
 * one): room for two replies of the largest size. */
static const struct xs_quota quota = {
    .max_nodes = 16, .max_watches = 3, .max_transactions = 2,
    .max_payload = 2048, .max_outq = 2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX),
};

struct peer {
    struct xs_conn *c;
    struct xs_check k;
    unsigned domid;
    bool priv;
    bool woken;       /* wake ran since the output queue was last seen empty */
    bool empty_before;
};

struct script {
    const uint8_t *p;
    size_t left;
};

static unsigned take(struct script *s)
{
    if (!s->left)
        return 0;
    s->left--;
    return *s->p++;
}

static void wake(void *opaque)
{
    ((struct peer *)opaque)->woken = true;
}

static void connect_peer(struct xs_store *st, struct peer *p)
{
    p->c = xs_conn_new(st, p->domid, p->priv, wake, p);
    FUZZ_CHECK(p->c, "out of memory");
    xs_check_reset(&p->k);
}

static size_t out_len(struct peer *p)
{
    size_t n;

    xs_conn_peek(p->c, &n);
    return n;
}

/* The peer reads up to @n bytes of output. */
static void peer_read(struct peer *p, size_t n)
{
    size_t len;
    const void *o = xs_conn_peek(p->c, &len);

    if (n > len)
        n = len;
    xs_check_stream(&p->k, o, n);
    xs_conn_consume(p->c, n);
}

static void feed(struct xs_store *st, struct peer *p, struct script *s)
{
    size_t n = take(s);
    long r;

    if (n & 0x80)
        n = (n & 0x7f) << 8 | take(s);
    if (n > s->left)
        n = s->left;
    r = xs_conn_input(p->c, s->p, n);
    s->p += n;
    s->left -= n;
    FUZZ_CHECK(r <= (long)n, "consumed more input than given");
    FUZZ_CHECK(r >= 0 || xs_conn_broken(p->c), "an error without a broken connection");
    /* Input is only left over while the output queue is more than half full. */
    if (r >= 0 && (size_t)r < n)
        FUZZ_CHECK(out_len(p) > quota.max_outq / 2, "input refused with room in the queue");
}

static void host_act(struct xs_store *st, unsigned what)
{
    static const struct xs_perm share[2] = {{2, XSP_NONE}, {1, XSP_READ}};

    switch (what % 6) {
    case 0:
        xs_host_introduce(st, 2);
        break;
    case 1:
        xs_host_release(st, 2);
        break;
    case 2:
        xs_host_write(st, "/local/domain/1/device/vbd/0/state", "4", 1);
        break;
    case 3:
        xs_host_rm(st, "/local/domain/2");
        break;
    case 4:
        xs_host_mkdir(st, "/local/domain/2/shared");
        xs_host_set_perms(st, "/local/domain/2/shared", share, 2);
        break;
    default:
        xs_host_write(st, "/vm/uuid", "00000000-0000-0000-0000-000000000001", 36);
        break;
    }
}

static void step(struct xs_store *st, struct peer *peers, struct script *s)
{
    unsigned op = take(s);
    struct peer *p = &peers[op % NPEERS];

    switch (op / NPEERS % 6) {
    case 0:
    case 1:
        feed(st, p, s);
        break;
    case 2:
        peer_read(p, take(s) * 8u);
        break;
    case 3:
        peer_read(p, SIZE_MAX);
        break;
    case 4:
        xs_conn_free(p->c);
        connect_peer(st, p);
        break;
    default:
        host_act(st, take(s));
        break;
    }
}

/* A listed child must be readable and listable: the tree stays consistent. */
static void walk(struct xs_store *st, const char *path, unsigned depth)
{
    char **names, child[4096];
    unsigned n;

    FUZZ_CHECK(xs_host_read(st, path, NULL, NULL) == 0, "a listed node cannot be read");
    FUZZ_CHECK(xs_host_directory(st, path, &names, &n) == 0, "a listed node cannot be listed");
    for (unsigned i = 0; i < n && depth < 64; i++) {
        FUZZ_CHECK(names[i][0] && !strchr(names[i], '/'), "a bad child name");
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", names[i]);
        walk(st, child, depth + 1);
    }
    free(names);
}

static void init_tree(struct xs_store *st)
{
    static const struct xs_perm own1 = {1, XSP_NONE}, own2 = {2, XSP_NONE};
    static const struct xs_perm dev[2] = {{0, XSP_NONE}, {1, XSP_READ}};

    xs_host_mkdir(st, "/local/domain/1");
    xs_host_set_perms(st, "/local/domain/1", &own1, 1);
    xs_host_mkdir(st, "/local/domain/2");
    xs_host_set_perms(st, "/local/domain/2", &own2, 1);
    xs_host_write(st, "/local/domain/1/device/vbd/0/state", "1", 1);
    xs_host_set_perms(st, "/local/domain/1/device/vbd/0", dev, 2);
    xs_host_introduce(st, 1);
    xs_host_introduce(st, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xs_store *st = xs_store_new(&quota);
    struct peer peers[NPEERS] = {{.domid = 1}, {.domid = 2}, {.domid = 0, .priv = true}};
    struct script s = {data, size};

    FUZZ_CHECK(st, "out of memory");
    init_tree(st);
    for (unsigned i = 0; i < NPEERS; i++)
        connect_peer(st, &peers[i]);
    while (s.left) {
        for (unsigned i = 0; i < NPEERS; i++) {
            peers[i].empty_before = out_len(&peers[i]) == 0;
            peers[i].woken = false;
        }
        step(st, peers, &s);
        /* A peer whose queue filled, or which broke, was told: no lost wakeup. */
        for (unsigned i = 0; i < NPEERS; i++) {
            struct peer *p = &peers[i];
            bool broken = xs_conn_broken(p->c);

            if (p->empty_before && (out_len(p) || broken))
                FUZZ_CHECK(p->woken, "output or a break without a wake");
            FUZZ_CHECK(out_len(p) <= quota.max_outq, "output queue above max_outq");
            if (broken) { /* as the transports do: drop it, the peer connects again */
                xs_conn_free(p->c);
                connect_peer(st, p);
            }
        }
    }
    walk(st, "/", 0);
    xs_store_free(st);
    return 0;
}
