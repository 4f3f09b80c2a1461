/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the xenstore library: wire ops, perms, watches, transactions, quotas, ring. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include "xenstore/xenstore.h"

#define HDR  sizeof(struct xsd_sockmsg)
#define DOM  1
#define HOME "/local/domain/1"

struct msg {
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

struct fx {
    struct xs_store *s;
    struct xs_conn *g; /* the guest, domain 1 */
    struct xs_conn *h; /* a privileged socket client */
    struct msg m;
};

static uint32_t req_id;

static struct fx *fx_new(const struct xs_quota *q)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct xs_perm own = {DOM, XSP_NONE};

    f->s = xs_store_new(q);
    assert_non_null(f->s);
    assert_int_equal(xs_host_mkdir(f->s, HOME), 0);
    assert_int_equal(xs_host_set_perms(f->s, HOME, &own, 1), 0);
    f->g = xs_conn_new(f->s, DOM, false, NULL, NULL);
    f->h = xs_conn_new(f->s, 0, true, NULL, NULL);
    return f;
}

static int setup(void **state)
{
    *state = fx_new(NULL);
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    xs_store_free(f->s);
    free(f);
    return 0;
}

static void send_msg(struct xs_conn *c, uint32_t type, uint32_t tx, const void *p, size_t len)
{
    struct xsd_sockmsg h = {type, ++req_id, tx, (uint32_t)len};

    assert_int_equal(xs_conn_input(c, &h, HDR), HDR);
    if (len)
        assert_int_equal(xs_conn_input(c, p, len), len);
}

/* Takes the next queued message of @c into @m; false if there is none. */
static bool pop(struct xs_conn *c, struct msg *m)
{
    size_t len;
    const uint8_t *o = xs_conn_peek(c, &len);

    if (len < HDR)
        return false;
    memcpy(&m->h, o, HDR);
    assert_true(m->h.len <= XENSTORE_PAYLOAD_MAX && len >= HDR + m->h.len);
    memcpy(m->body, o + HDR, m->h.len);
    m->body[m->h.len] = '\0';
    xs_conn_consume(c, HDR + m->h.len);
    return true;
}

/* One request; returns its reply (which must come first). */
static struct msg *rq(struct fx *f, struct xs_conn *c, uint32_t type, uint32_t tx, const void *p,
                      size_t len)
{
    send_msg(c, type, tx, p, len);
    assert_true(pop(c, &f->m));
    assert_int_equal(f->m.h.req_id, req_id);
    assert_int_equal(f->m.h.tx_id, tx);
    return &f->m;
}

/* Payloads are string literals with explicit NULs: "path\0value". */
#define RQ(f, c, type, tx, lit) rq(f, c, type, tx, lit, sizeof(lit) - 1)

static void is_err(const struct msg *m, const char *e)
{
    assert_int_equal(m->h.type, XS_ERROR);
    assert_string_equal(m->body, e);
}

static void is_ok(const struct msg *m, uint32_t type)
{
    assert_int_equal(m->h.type, type);
    assert_string_equal(m->body, "OK");
}

/* @m is a @type reply with exactly the bytes of literal @lit. */
#define IS_BODY(m, type, lit) is_body(m, type, lit, sizeof(lit) - 1)

static void is_body(const struct msg *m, uint32_t type, const void *body, size_t len)
{
    assert_int_equal(m->h.type, type);
    assert_int_equal(m->h.len, len);
    assert_memory_equal(m->body, body, len);
}

static void is_event(struct xs_conn *c, const char *path, const char *token)
{
    struct msg m;

    assert_true(pop(c, &m));
    assert_int_equal(m.h.type, XS_WATCH_EVENT);
    assert_int_equal(m.h.req_id, 0);
    assert_string_equal(m.body, path);
    assert_string_equal(m.body + strlen(path) + 1, token);
    assert_int_equal(m.h.len, strlen(path) + strlen(token) + 2);
}

static void no_output(struct xs_conn *c)
{
    size_t len;

    xs_conn_peek(c, &len);
    assert_int_equal(len, 0);
}

static void test_read_write(void **state)
{
    struct fx *f = *state;
    char *v;
    size_t len;

    is_ok(RQ(f, f->g, XS_WRITE, 0, "data/x\0hello"), XS_WRITE);
    assert_int_equal(xs_host_read(f->s, HOME "/data/x", &v, &len), 0);
    assert_string_equal(v, "hello");
    free(v);
    IS_BODY(RQ(f, f->g, XS_READ, 0, HOME "/data/x\0"), XS_READ, "hello");
    is_ok(RQ(f, f->g, XS_WRITE, 0, "bin\0a\0b"), XS_WRITE);
    IS_BODY(RQ(f, f->g, XS_READ, 0, "bin\0"), XS_READ, "a\0b");
    is_ok(RQ(f, f->g, XS_WRITE, 0, "empty\0"), XS_WRITE);
    assert_int_equal(RQ(f, f->g, XS_READ, 0, "empty\0")->h.len, 0);
    is_err(RQ(f, f->g, XS_READ, 0, "nope\0"), "ENOENT");
    is_ok(RQ(f, f->g, XS_WRITE, 0, "data\0dir-value"), XS_WRITE); /* keeps children */
    assert_int_equal(RQ(f, f->g, XS_DIRECTORY, 0, "data\0")->h.len, 2);
}

static void test_mkdir_rm(void **state)
{
    struct fx *f = *state;

    is_ok(RQ(f, f->g, XS_MKDIR, 0, "a/b/c\0"), XS_MKDIR);
    is_ok(RQ(f, f->g, XS_WRITE, 0, "a/b\0v"), XS_WRITE);
    is_ok(RQ(f, f->g, XS_MKDIR, 0, "a/b\0"), XS_MKDIR);
    assert_string_equal(RQ(f, f->g, XS_READ, 0, "a/b\0")->body, "v");
    is_ok(RQ(f, f->g, XS_RM, 0, "a\0"), XS_RM);
    is_err(RQ(f, f->g, XS_READ, 0, "a/b/c\0"), "ENOENT");
    is_ok(RQ(f, f->g, XS_RM, 0, "a\0"), XS_RM);       /* gone, parent exists */
    is_err(RQ(f, f->g, XS_RM, 0, "a/b\0"), "ENOENT"); /* parent gone too */
    is_err(RQ(f, f->h, XS_RM, 0, "/\0"), "EINVAL");
    assert_int_equal(xs_host_rm(f->s, "/"), -EINVAL);
}

static void test_directory(void **state)
{
    struct fx *f = *state;
    char **names;
    unsigned n;

    is_ok(RQ(f, f->g, XS_WRITE, 0, "d/one\0"), XS_WRITE);
    is_ok(RQ(f, f->g, XS_WRITE, 0, "d/two/deep\0"), XS_WRITE);
    IS_BODY(RQ(f, f->g, XS_DIRECTORY, 0, "d\0"), XS_DIRECTORY, "one\0two\0");
    assert_int_equal(RQ(f, f->g, XS_DIRECTORY, 0, "d/one\0")->h.len, 0);
    is_err(RQ(f, f->g, XS_DIRECTORY, 0, "x\0"), "ENOENT");
    assert_int_equal(xs_host_directory(f->s, HOME "/d", &names, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(names[1], "two");
    assert_null(names[2]);
    free(names);
}

/* Reads all children of "big" with DIRECTORY_PART; returns the count. */
static unsigned read_parts(struct fx *f, char *gen0)
{
    unsigned off = 0, count = 0;

    for (;;) {
        char req[64];
        int n = snprintf(req, sizeof(req), "big%c%u", 0, off) + 1;
        struct msg *m = rq(f, f->g, XS_DIRECTORY_PART, 0, req, (size_t)n);
        const char *p = m->body + strlen(m->body) + 1, *end = m->body + m->h.len;

        assert_int_equal(m->h.type, XS_DIRECTORY_PART);
        if (!off)
            strcpy(gen0, m->body);
        assert_string_equal(m->body, gen0);
        for (; p < end && *p; p += strlen(p) + 1, count++)
            off += strlen(p) + 1;
        if (p < end)
            return count; /* the empty name: end of list */
    }
}

static void test_directory_part(void **state)
{
    struct fx *f = *state;
    char gen[32], gen2[32], path[64];

    for (unsigned i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), HOME "/big/child-with-a-long-name-%04u", i);
        assert_int_equal(xs_host_write(f->s, path, "", 0), 0);
    }
    is_err(RQ(f, f->g, XS_DIRECTORY, 0, "big\0"), "E2BIG");
    assert_int_equal(read_parts(f, gen), 300);
    assert_int_equal(read_parts(f, gen2), 300);
    assert_string_equal(gen, gen2);
    assert_int_equal(xs_host_write(f->s, HOME "/big/another", "", 0), 0);
    assert_int_equal(read_parts(f, gen2), 301);
    assert_string_not_equal(gen, gen2);
    assert_int_equal(RQ(f, f->g, XS_DIRECTORY_PART, 0, "big\0999999\0")->h.len,
                     strlen(f->m.body) + 2);
    is_err(RQ(f, f->g, XS_DIRECTORY_PART, 0, "big\0x1\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_DIRECTORY_PART, 0, "big\0"), "EINVAL");
}

static void test_perms(void **state)
{
    struct fx *f = *state;
    struct xs_perm be[] = {{0, XSP_NONE}, {DOM, XSP_READ}};

    assert_int_equal(xs_host_write(f->s, "/secret", "s", 1), 0);
    is_err(RQ(f, f->g, XS_READ, 0, "/secret\0"), "EACCES");
    is_err(RQ(f, f->g, XS_WRITE, 0, "/secret\0x"), "EACCES");
    is_err(RQ(f, f->g, XS_WRITE, 0, "/local/new\0x"), "EACCES");
    is_err(RQ(f, f->g, XS_RM, 0, "/secret\0"), "EACCES");
    is_err(RQ(f, f->g, XS_DIRECTORY, 0, "/\0"), "EACCES");
    assert_string_equal(RQ(f, f->h, XS_READ, 0, "/secret\0")->body, "s");
    /* a backend directory the guest may read but not write */
    assert_int_equal(xs_host_mkdir(f->s, "/be/state"), 0);
    assert_int_equal(xs_host_set_perms(f->s, "/be", be, 2), 0);
    assert_int_equal(xs_host_write(f->s, "/be/new", "4", 1), 0); /* inherits /be's perms */
    assert_string_equal(RQ(f, f->g, XS_READ, 0, "/be/new\0")->body, "4");
    is_err(RQ(f, f->g, XS_WRITE, 0, "/be/new\0x"), "EACCES");
    IS_BODY(RQ(f, f->h, XS_GET_PERMS, 0, "/be/new\0"), XS_GET_PERMS, "n0\0r1\0");
    /* guest-created nodes belong to the guest */
    is_ok(RQ(f, f->g, XS_WRITE, 0, "mine\0x"), XS_WRITE);
    IS_BODY(RQ(f, f->g, XS_GET_PERMS, 0, "mine\0"), XS_GET_PERMS, "n1\0");
    is_ok(RQ(f, f->g, XS_SET_PERMS, 0, "mine\0n1\0r0\0b2\0"), XS_SET_PERMS);
    IS_BODY(RQ(f, f->g, XS_GET_PERMS, 0, "mine\0"), XS_GET_PERMS, "n1\0r0\0b2\0");
    is_err(RQ(f, f->g, XS_SET_PERMS, 0, "mine\0b2\0"), "EPERM");
    is_err(RQ(f, f->g, XS_SET_PERMS, 0, "/be/new\0n1\0"), "EACCES");
    is_err(RQ(f, f->g, XS_SET_PERMS, 0, "mine\0x1\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_SET_PERMS, 0, "mine\0r99999\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_SET_PERMS, 0, "mine\0"), "EINVAL");
    is_ok(RQ(f, f->h, XS_SET_PERMS, 0, HOME "/mine\0n2\0"), XS_SET_PERMS);
    is_err(RQ(f, f->g, XS_READ, 0, "mine\0"), "EACCES");
}

static void test_paths(void **state)
{
    struct fx *f = *state;
    char big[XENSTORE_ABS_PATH_MAX + 8];

    is_err(RQ(f, f->g, XS_READ, 0, "a//b\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_READ, 0, "a/\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_READ, 0, "\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_READ, 0, "a b\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_READ, 0, "a\xff\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_WRITE, 0, "@x\0v"), "EINVAL");
    is_err(RQ(f, f->g, XS_READ, 0, "nonul"), "EINVAL");
    memset(big, 'a', sizeof(big));
    big[0] = '/';
    big[XENSTORE_ABS_PATH_MAX + 1] = '\0';
    is_err(rq(f, f->h, XS_WRITE, 0, big, XENSTORE_ABS_PATH_MAX + 2), "EINVAL");
    big[XENSTORE_ABS_PATH_MAX] = '\0';
    is_ok(rq(f, f->h, XS_WRITE, 0, big, XENSTORE_ABS_PATH_MAX + 1), XS_WRITE);
    big[XENSTORE_REL_PATH_MAX + 1] = '\0';
    is_ok(rq(f, f->g, XS_WRITE, 0, big + 1, XENSTORE_REL_PATH_MAX + 1), XS_WRITE);
    big[XENSTORE_REL_PATH_MAX + 1] = 'a';
    big[XENSTORE_REL_PATH_MAX + 2] = '\0';
    is_err(rq(f, f->g, XS_WRITE, 0, big + 1, XENSTORE_REL_PATH_MAX + 2), "EINVAL");
    assert_int_equal(xs_host_write(f->s, "relative", "", 0), -EINVAL);
    assert_int_equal(xs_host_read(f->s, "/x/", NULL, NULL), -EINVAL);
    assert_string_equal(RQ(f, f->g, XS_GET_DOMAIN_PATH, 0, "7\0")->body, "/local/domain/7");
    is_err(RQ(f, f->g, XS_GET_DOMAIN_PATH, 0, "-1\0"), "EINVAL");
}

static void test_watch(void **state)
{
    struct fx *f = *state;

    is_ok(RQ(f, f->g, XS_WATCH, 0, "data\0tok\0"), XS_WATCH);
    is_event(f->g, "data", "tok"); /* the first event, right after the reply */
    is_err(RQ(f, f->g, XS_WATCH, 0, "data\0tok\0"), "EEXIST");
    is_ok(RQ(f, f->g, XS_WATCH, 0, HOME "/data/x/y\0abs\0"), XS_WATCH);
    is_event(f->g, HOME "/data/x/y", "abs");
    assert_int_equal(xs_host_write(f->s, HOME "/data/x", "1", 1), 0);
    is_event(f->g, "data/x", "tok");
    no_output(f->g);
    assert_int_equal(xs_host_write(f->s, HOME "/other", "1", 1), 0);
    no_output(f->g);
    assert_int_equal(xs_host_write(f->s, HOME "/data/x/y/z", "1", 1), 0);
    is_event(f->g, "data/x/y/z", "tok");
    is_event(f->g, HOME "/data/x/y/z", "abs");
    assert_int_equal(xs_host_rm(f->s, HOME "/data/x"), 0); /* above the second watch */
    is_event(f->g, "data/x", "tok");
    is_event(f->g, HOME "/data/x/y", "abs");
    is_ok(RQ(f, f->g, XS_UNWATCH, 0, "data\0tok\0"), XS_UNWATCH);
    is_err(RQ(f, f->g, XS_UNWATCH, 0, "data\0tok\0"), "ENOENT");
    assert_int_equal(xs_host_write(f->s, HOME "/data/q", "1", 1), 0);
    no_output(f->g);
    /* changes to nodes the guest cannot read are not reported */
    assert_int_equal(xs_host_write(f->s, "/hidden", "1", 1), 0);
    is_ok(RQ(f, f->g, XS_WATCH, 0, "/hidden\0h\0"), XS_WATCH);
    is_event(f->g, "/hidden", "h");
    assert_int_equal(xs_host_write(f->s, "/hidden", "2", 1), 0);
    no_output(f->g);
    is_ok(RQ(f, f->g, XS_RESET_WATCHES, 0, "\0"), XS_RESET_WATCHES);
    assert_int_equal(xs_host_write(f->s, HOME "/data/x/y", "1", 1), 0);
    no_output(f->g);
}

static void test_domains(void **state)
{
    struct fx *f = *state;

    is_ok(RQ(f, f->h, XS_WATCH, 0, "@introduceDomain\0i\0"), XS_WATCH);
    is_event(f->h, "@introduceDomain", "i");
    is_ok(RQ(f, f->h, XS_WATCH, 0, "@releaseDomain\0r\0"), XS_WATCH);
    is_event(f->h, "@releaseDomain", "r");
    is_ok(RQ(f, f->g, XS_WATCH, 0, "@introduceDomain\0g\0"), XS_WATCH);
    is_event(f->g, "@introduceDomain", "g");
    is_ok(RQ(f, f->h, XS_WATCH, 0, "/\0all\0"), XS_WATCH);
    is_event(f->h, "/", "all");
    is_ok(RQ(f, f->h, XS_INTRODUCE, 0,
             "5\0"
             "1234\0"
             "3\0"),
          XS_INTRODUCE);
    is_event(f->h, "@introduceDomain", "i");
    no_output(f->h); /* "/" does not match special events */
    no_output(f->g); /* special events go to privileged connections */
    assert_string_equal(RQ(f, f->h, XS_IS_DOMAIN_INTRODUCED, 0, "5\0")->body, "T");
    assert_string_equal(RQ(f, f->h, XS_IS_DOMAIN_INTRODUCED, 0, "6\0")->body, "F");
    assert_string_equal(RQ(f, f->h, XS_IS_DOMAIN_INTRODUCED, 0, "0\0")->body, "T");
    is_ok(RQ(f, f->h, XS_RESUME, 0, "5\0"), XS_RESUME);
    is_ok(RQ(f, f->h, XS_RELEASE, 0, "5\0"), XS_RELEASE);
    is_event(f->h, "@releaseDomain", "r");
    is_err(RQ(f, f->h, XS_RELEASE, 0, "5\0"), "ENOENT");
    is_err(RQ(f, f->h, XS_INTRODUCE, 0,
              "0\0"
              "1\0"
              "1\0"),
           "EINVAL");
    is_err(RQ(f, f->h, XS_INTRODUCE, 0, "5\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_INTRODUCE, 0,
              "5\0"
              "1\0"
              "1\0"),
           "EACCES");
    is_err(RQ(f, f->g, XS_RELEASE, 0, "5\0"), "EACCES");
    is_err(RQ(f, f->g, XS_IS_DOMAIN_INTRODUCED, 0, "5\0"), "EACCES");
    assert_int_equal(xs_host_introduce(f->s, 9), 0);
    is_event(f->h, "@introduceDomain", "i");
    assert_int_equal(xs_host_release(f->s, 9), 0);
    is_event(f->h, "@releaseDomain", "r");
    assert_int_equal(xs_host_introduce(f->s, DOMID_FIRST_RESERVED), -EINVAL);
    is_ok(RQ(f, f->h, XS_CONTROL, 0, "print\0hello\0"), XS_CONTROL);
    is_err(RQ(f, f->h, XS_CONTROL, 0, "frobnicate\0"), "EINVAL");
    assert_string_equal(RQ(f, f->h, XS_CONTROL, 0, "help\0")->body, "help\nprint\n");
    is_err(RQ(f, f->g, XS_DEBUG, 0, "print\0x\0"), "EACCES");
    is_err(RQ(f, f->h, XS_SET_TARGET, 0,
              "5\0"
              "6\0"),
           "ENOSYS");
}

struct rec {
    struct xs_store *s;
    unsigned n;
    char last[128];
};

static void record(void *opaque, const char *path, const char *token)
{
    struct rec *r = opaque;

    r->n++;
    snprintf(r->last, sizeof(r->last), "%s %s", path, token);
}

/* Reacts to a write by writing again and by removing its own watch. */
static void reentrant(void *opaque, const char *path, const char *token)
{
    struct rec *r = opaque;

    if (++r->n == 2) {
        assert_int_equal(xs_host_write(r->s, "/react/done", "1", 1), 0);
        assert_int_equal(xs_host_unwatch(r->s, "/react", "me"), 0);
    }
}

static void test_host_watch(void **state)
{
    struct fx *f = *state;
    struct rec a = {.s = f->s}, b = {.s = f->s};

    assert_int_equal(xs_host_watch(f->s, HOME, "a", record, &a), 0);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.last, HOME " a");
    assert_int_equal(xs_host_watch(f->s, HOME, "a", record, &a), -EEXIST);
    is_ok(RQ(f, f->g, XS_WRITE, 0, "k\0v"), XS_WRITE);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.last, HOME "/k a");
    assert_int_equal(xs_host_watch(f->s, "/react", "me", reentrant, &b), 0);
    assert_int_equal(xs_host_write(f->s, "/react/go", "1", 1), 0);
    assert_int_equal(b.n, 2); /* the nested write found the watch gone */
    assert_int_equal(xs_host_read(f->s, "/react/done", NULL, NULL), 0);
    assert_int_equal(xs_host_unwatch(f->s, "/react", "me"), -ENOENT);
    assert_int_equal(xs_host_unwatch(f->s, HOME, "a"), 0);
    assert_int_equal(xs_host_watch(f->s, "rel", "a", record, &a), -EINVAL);
}

static uint32_t tx_start(struct fx *f, struct xs_conn *c)
{
    struct msg *m = RQ(f, c, XS_TRANSACTION_START, 0, "\0");

    assert_int_equal(m->h.type, XS_TRANSACTION_START);
    return (uint32_t)strtoul(m->body, NULL, 10);
}

static void test_transaction(void **state)
{
    struct fx *f = *state;
    uint32_t t;

    is_ok(RQ(f, f->g, XS_WATCH, 0, "t\0w\0"), XS_WATCH);
    is_event(f->g, "t", "w");
    t = tx_start(f, f->g);
    assert_int_not_equal(t, 0);
    is_ok(RQ(f, f->g, XS_WRITE, t,
             "t/a\0"
             "1"),
          XS_WRITE);
    assert_string_equal(RQ(f, f->g, XS_READ, t, "t/a\0")->body, "1");
    is_err(RQ(f, f->g, XS_READ, 0, "t/a\0"), "ENOENT");
    no_output(f->g); /* no event before the commit */
    is_err(RQ(f, f->g, XS_TRANSACTION_END, t, "X\0"), "EINVAL");
    is_ok(RQ(f, f->g, XS_TRANSACTION_END, t, "T\0"), XS_TRANSACTION_END);
    is_event(f->g, "t/a", "w");
    assert_string_equal(RQ(f, f->g, XS_READ, 0, "t/a\0")->body, "1");
    is_err(RQ(f, f->g, XS_TRANSACTION_END, t, "T\0"), "ENOENT");
    /* a write elsewhere in between: the commit fails and changes nothing */
    t = tx_start(f, f->g);
    is_ok(RQ(f, f->g, XS_WRITE, t,
             "t/b\0"
             "2"),
          XS_WRITE);
    assert_int_equal(xs_host_write(f->s, "/elsewhere", "x", 1), 0);
    is_err(RQ(f, f->g, XS_TRANSACTION_END, t, "T\0"), "EAGAIN");
    is_err(RQ(f, f->g, XS_READ, 0, "t/b\0"), "ENOENT");
    no_output(f->g);
    /* abort */
    t = tx_start(f, f->g);
    is_ok(RQ(f, f->g, XS_RM, t, "t\0"), XS_RM);
    is_ok(RQ(f, f->g, XS_TRANSACTION_END, t, "F\0"), XS_TRANSACTION_END);
    assert_string_equal(RQ(f, f->g, XS_READ, 0, "t/a\0")->body, "1");
    no_output(f->g);
    is_err(RQ(f, f->g, XS_READ, 77, "t/a\0"), "ENOENT");
    t = tx_start(f, f->g);
    is_err(RQ(f, f->g, XS_TRANSACTION_START, t, "\0"), "EBUSY");
    is_err(RQ(f, f->h, XS_READ, t, "/\0"), "ENOENT"); /* another connection's id */
}

static void test_quotas(void **state)
{
    struct xs_quota q;
    struct fx *f;
    struct msg *m;
    char big[256] = "x";

    xs_quota_default(&q);
    q.max_nodes = 4; /* the home node counts */
    q.max_watches = 2;
    q.max_transactions = 1;
    q.max_payload = 128;
    f = fx_new(&q);
    *state = f;
    is_ok(RQ(f, f->g, XS_WRITE, 0, "a/b\0"), XS_WRITE);
    is_err(RQ(f, f->g, XS_WRITE, 0, "c/d\0"), "ENOSPC");
    is_ok(RQ(f, f->g, XS_WRITE, 0, "c\0"), XS_WRITE);
    is_err(RQ(f, f->g, XS_MKDIR, 0, "e\0"), "ENOSPC");
    is_ok(RQ(f, f->g, XS_RM, 0, "a\0"), XS_RM);
    is_ok(RQ(f, f->g, XS_MKDIR, 0, "e/f\0"), XS_MKDIR);
    assert_int_equal(xs_host_mkdir(f->s, HOME "/host/made"), 0); /* the host is not limited */
    is_ok(RQ(f, f->g, XS_WATCH, 0,
             "a\0"
             "1\0"),
          XS_WATCH);
    is_event(f->g, "a", "1");
    is_ok(RQ(f, f->g, XS_WATCH, 0,
             "a\0"
             "2\0"),
          XS_WATCH);
    is_event(f->g, "a", "2");
    is_err(RQ(f, f->g, XS_WATCH, 0,
              "a\0"
              "3\0"),
           "E2BIG");
    is_ok(RQ(f, f->h, XS_WATCH, 0,
             "a\0"
             "3\0"),
          XS_WATCH);
    is_event(f->h, "a", "3");
    tx_start(f, f->g);
    is_err(RQ(f, f->g, XS_TRANSACTION_START, 0, "\0"), "ENOSPC");
    memset(big + 1, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    m = rq(f, f->g, XS_WRITE, 0, big, sizeof(big));
    is_err(m, "E2BIG");
}

static void test_fragments(void **state)
{
    struct fx *f = *state;
    static const char body[] = "frag\0value";
    uint8_t buf[2 * (HDR + sizeof(body))];
    struct xsd_sockmsg h = {XS_WRITE, 42, 0, sizeof(body) - 1};
    struct msg m;
    size_t len = 0;

    memcpy(buf, &h, HDR);
    memcpy(buf + HDR, body, h.len);
    len = HDR + h.len;
    h.type = XS_READ;
    h.req_id = 43;
    h.len = 5;
    memcpy(buf + len, &h, HDR);
    memcpy(buf + len + HDR, body, 5);
    len += HDR + 5;
    for (size_t i = 0; i + 1 < HDR + sizeof(body) - 1; i++) {
        assert_int_equal(xs_conn_input(f->g, buf + i, 1), 1);
        no_output(f->g);
    }
    assert_int_equal(
        xs_conn_input(f->g, buf + HDR + sizeof(body) - 2, len - HDR - sizeof(body) + 2),
        len - HDR - sizeof(body) + 2);
    assert_true(pop(f->g, &m));
    assert_int_equal(m.h.req_id, 42);
    assert_true(pop(f->g, &m));
    assert_int_equal(m.h.req_id, 43);
    assert_string_equal(m.body, "value");
}

static void test_garbage(void **state)
{
    struct fx *f = *state;
    struct xsd_sockmsg h = {XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1};

    is_err(RQ(f, f->g, 999, 0, "x\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_INVALID, 0, ""), "EINVAL");
    is_err(RQ(f, f->g, XS_ERROR, 0, "x\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_WATCH_EVENT, 0, "x\0y\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_WATCH, 0, "x\0"), "EINVAL");
    is_err(RQ(f, f->g, XS_TRANSACTION_END, 0, "T\0"), "ENOENT");
    is_err(RQ(f, f->g, 20, 0, ""), "EINVAL"); /* the removed XS_RESTRICT */
    assert_int_equal(xs_conn_input(f->g, &h, HDR), -EPROTO);
    assert_true(xs_conn_broken(f->g));
    assert_int_equal(xs_conn_input(f->g, "x", 1), -EPROTO);
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* Drains some whole messages of @c, remembering transaction ids it was given. */
static void fuzz_drain(struct xs_conn *c, uint32_t *tx)
{
    struct msg m;
    bool all = rnd() % 2;

    while ((all || rnd() % 2) && pop(c, &m))
        if (m.h.type == XS_TRANSACTION_START)
            *tx = (uint32_t)strtoul(m.body, NULL, 10);
}

/* Random but mostly well-framed messages, then raw noise: nothing may crash or leak. */
static void test_fuzz(void **state)
{
    struct fx *f = *state;
    static const char alphabet[] = "ab/\0@-_1TF";
    uint8_t buf[HDR + 600];
    uint32_t tx = 0;

    for (unsigned i = 0; i < 30000; i++) {
        struct xsd_sockmsg h = {rnd() % (XS_TYPE_COUNT + 2), i, rnd() % 3 ? 0 : tx, rnd() % 600};
        size_t len = HDR + h.len;
        struct xs_conn *c = rnd() % 3 ? f->g : f->h;

        if (i % 5 == 0)
            h.type = (uint32_t[]){XS_WRITE, XS_TRANSACTION_START, XS_WATCH, XS_RM}[rnd() % 4];
        if (i % 5 == 1)
            h.len = rnd() % 12;
        len = HDR + h.len;
        memcpy(buf, &h, HDR);
        for (size_t j = HDR; j < len; j++)
            buf[j] = i > 25000 ? (uint8_t)rnd() : (uint8_t)alphabet[rnd() % 11];
        if (i > 28000)
            memcpy(buf, buf + HDR, HDR); /* garbage headers too */
        if (xs_conn_input(c, buf, len) < 0) {
            bool guest = c == f->g;

            xs_conn_free(c);
            c = xs_conn_new(f->s, guest ? DOM : 0, !guest, NULL, NULL);
            *(guest ? &f->g : &f->h) = c;
        }
        fuzz_drain(c, &tx);
    }
}

static void wake(void *opaque)
{
    (*(unsigned *)opaque)++;
}

/* A guest that never drains its output loses the connection, without unbounded memory. */
static void test_outq(void **state)
{
    struct xs_quota q;
    struct fx *f;
    unsigned wakes = 0;
    struct xs_conn *c;
    char val[3000];
    unsigned i;

    xs_quota_default(&q);
    q.max_outq = 16384;
    f = fx_new(&q);
    *state = f;
    c = xs_conn_new(f->s, DOM, false, wake, &wakes);
    memset(val, 'v', sizeof(val));
    assert_int_equal(xs_host_write(f->s, HOME "/v", val, sizeof(val)), 0);
    send_msg(c, XS_WATCH, 0, "v\0t\0", 4);
    assert_int_equal(wakes, 1);
    for (i = 0; i < 5000 && !xs_conn_broken(c); i++)
        assert_int_equal(xs_host_write(f->s, HOME "/v", val, sizeof(val)), 0);
    assert_true(xs_conn_broken(c));
    assert_true(i > 100);
    assert_int_equal(wakes, 2);
    assert_int_equal(xs_conn_input(c, "x", 1), -ENOBUFS);
    /* requests are not read while much output waits: the peer must drain first */
    for (i = 0; i < 100; i++) {
        struct xsd_sockmsg h = {XS_READ, i, 0, 2};
        uint8_t m[HDR + 2];

        memcpy(m, &h, HDR);
        memcpy(m + HDR, "v", 2);
        if (xs_conn_input(f->g, m, sizeof(m)) == 0)
            break;
    }
    assert_true(i > 1 && i < 10);
    assert_false(xs_conn_broken(f->g));
    /* output consumed from the front, then more queued: the queue compacts */
    for (const char *step = "PPSSPSPPP"; *step; step++) {
        struct msg m;

        if (*step == 'S')
            send_msg(f->g, XS_READ, 0, "v", 2);
        else
            assert_true(pop(f->g, &m) && m.h.type == XS_READ && m.h.len == sizeof(val));
    }
    no_output(f->g);
}

static void test_conn_free(void **state)
{
    struct fx *f = *state;
    struct xs_conn *c = xs_conn_new(f->s, DOM, false, NULL, NULL);

    send_msg(c, XS_WATCH, 0, "x\0t\0", 4);
    send_msg(c, XS_TRANSACTION_START, 0, "", 1);
    send_msg(c, XS_WRITE, 1, "y\0z", 3);
    xs_conn_free(c);
    assert_int_equal(xs_host_write(f->s, HOME "/x", "1", 1), 0);
    send_msg(f->g, XS_WATCH, 0, "x\0t\0", 4); /* left open for xs_store_free */
    send_msg(f->g, XS_TRANSACTION_START, 0, "", 1);
}

/* The guest side of the ring. */
static void ring_put(struct xenstore_domain_interface *r, uint32_t type, const void *p, uint32_t n)
{
    struct xsd_sockmsg h = {type, ++req_id, 0, n};
    uint8_t m[HDR + 64];

    memcpy(m, &h, HDR);
    memcpy(m + HDR, p, n);
    for (uint32_t i = 0; i < HDR + n; i++)
        r->req[MASK_XENSTORE_IDX(r->req_prod + i)] = (char)m[i];
    r->req_prod += HDR + n;
}

static bool ring_get(struct xenstore_domain_interface *r, struct msg *m)
{
    uint8_t *b = (uint8_t *)m;

    if (r->rsp_prod - r->rsp_cons < HDR)
        return false;
    for (uint32_t i = 0; i < HDR; i++)
        b[i] = (uint8_t)r->rsp[MASK_XENSTORE_IDX(r->rsp_cons + i)];
    if (r->rsp_prod - r->rsp_cons < HDR + m->h.len)
        return false; /* the rest is still queued in xenstore */
    for (uint32_t i = 0; i < m->h.len; i++)
        m->body[i] = r->rsp[MASK_XENSTORE_IDX(r->rsp_cons + HDR + i)];
    m->body[m->h.len] = '\0';
    r->rsp_cons += HDR + m->h.len;
    return true;
}

static void test_ring(void **state)
{
    struct fx *f = *state;
    struct xenstore_domain_interface *r = calloc(1, sizeof(*r));
    char val[500];
    struct msg m;
    unsigned got = 0;

    xs_ring_init(r);
    assert_int_equal(r->server_features, XENSTORE_SERVER_FEATURE_ERROR);
    r->req_cons = r->req_prod = r->rsp_cons = r->rsp_prod = 0xfffffff0u; /* indexes wrap */
    memset(val, 'v', sizeof(val));
    assert_int_equal(xs_host_write(f->s, HOME "/big", val, sizeof(val)), 0);
    assert_int_equal(xs_ring_service(r, f->g), 0);
    for (unsigned i = 0; i < 6; i++)
        ring_put(r, XS_READ, "big", 4);
    assert_int_equal(xs_ring_service(r, f->g), 1);
    assert_int_equal(r->req_cons, r->req_prod);
    assert_int_equal(r->rsp_prod - r->rsp_cons, XENSTORE_RING_SIZE); /* full; rest waits */
    while (got < 6) {
        while (ring_get(r, &m)) {
            assert_int_equal(m.h.type, XS_READ);
            assert_int_equal(m.h.len, sizeof(val));
            got++;
        }
        assert_true(xs_ring_service(r, f->g) == 1 || got == 6);
    }
    ring_put(r, XS_WRITE, "w\0x", 3);
    assert_int_equal(xs_ring_service(r, f->g), 1);
    assert_true(ring_get(r, &m));
    assert_string_equal(m.body, "OK");
    assert_false(ring_get(r, &m));
    assert_int_equal(r->error, XENSTORE_ERROR_NONE);
    r->req_prod = r->req_cons + XENSTORE_RING_SIZE + 1;
    assert_true(xs_ring_service(r, f->g) < 0);
    assert_int_equal(r->error, XENSTORE_ERROR_RINGIDX);
    xs_ring_init(r);
    r->rsp_cons = 5000;
    assert_true(xs_ring_service(r, f->g) < 0);
    xs_ring_init(r);
    ring_put(r, XS_READ, "big", 4);
    ((struct xsd_sockmsg *)r->req)->len = XENSTORE_PAYLOAD_MAX + 1;
    assert_int_equal(xs_ring_service(r, f->g), -EPROTO);
    assert_int_equal(r->error, XENSTORE_ERROR_PROTO);
    assert_true(xs_ring_service(r, f->g) < 0);
    free(r);
}

static void test_host_api(void **state)
{
    struct fx *f = *state;
    struct xs_perm bad = {0, 7};
    char *v, **names;

    assert_int_equal(xs_host_read(f->s, "/none", &v, NULL), -ENOENT);
    assert_int_equal(xs_host_rm(f->s, "/none/deeper"), -ENOENT);
    assert_int_equal(xs_host_rm(f->s, "/none"), 0);
    assert_int_equal(xs_host_set_perms(f->s, "/none", &bad, 1), -EINVAL);
    assert_int_equal(xs_host_set_perms(f->s, HOME, &bad, 0), -EINVAL);
    assert_int_equal(xs_host_directory(f->s, "/none", &names, NULL), -ENOENT);
    assert_int_equal(xs_host_write(f->s, "/w", "x", XENSTORE_PAYLOAD_MAX + 1), -E2BIG);
    assert_int_equal(xs_host_mkdir(f->s, "/m/n"), 0);
    assert_int_equal(xs_host_read(f->s, "/m/n", &v, NULL), 0);
    assert_string_equal(v, "");
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdir_rm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
        cmocka_unit_test_setup_teardown(test_perms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_domains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_watch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction, setup, teardown),
        cmocka_unit_test_teardown(test_quotas, teardown),
        cmocka_unit_test_setup_teardown(test_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
        cmocka_unit_test_teardown(test_outq, teardown),
        cmocka_unit_test_setup_teardown(test_conn_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_api, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
