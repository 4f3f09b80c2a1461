/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of what backends rely on: grant access as Xen checks it, and
 * event channels a backend takes from the guest. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pv-fixture.h"

#define REQ 10   /* a page for hypercall arguments */
#define DATA 20  /* a frame the guest grants */
#define BACKEND 0

static unsigned kicks;

static void kick(void *h, struct pv_vcpu *v)
{
    kicks++;
}

static int setup(void **state)
{
    struct fix *f = fix_new();

    memset(f->d.xen_pages, 0, PV_NR_XEN_PAGES * PAGE);
    f->d.grant_frames = 1;
    f->d.domid = 1;
    f->d.vcpu[0] = &f->v;
    f->d.nr_vcpus = 1;
    f->d.host.kick = kick;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_free(*state);
    return 0;
}

static grant_entry_v1_t *gnt(struct fix *f, unsigned ref)
{
    return (grant_entry_v1_t *)(f->d.xen_pages + PAGE) + ref;
}

static void grant(struct fix *f, unsigned ref, uint16_t dom, uint64_t frame, bool ro)
{
    gnt(f, ref)->domid = dom;
    gnt(f, ref)->frame = frame;
    gnt(f, ref)->flags = GTF_permit_access | (ro ? GTF_readonly : 0);
}

static void test_valid_grant_is_busy_while_used(void **state)
{
    struct fix *f = *state;
    uint64_t pfn;
    void *p;

    grant(f, 5, BACKEND, DATA, false);
    p = pv_grant_get(&f->d, 5, BACKEND, true, &pfn);
    assert_ptr_equal(p, f->d.ram + DATA * PAGE);
    assert_int_equal(pfn, DATA);
    /* The guest's gnttab_end_foreign_access must see the page in use. */
    assert_int_equal(gnt(f, 5)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    pv_grant_put(&f->d, 5, pfn, true);
    assert_int_equal(gnt(f, 5)->flags, GTF_permit_access);
    assert_int_equal(f->d.frames[DATA].gnt_wr, 0);
}

static void test_nested_uses_clear_busy_on_the_last(void **state)
{
    struct fix *f = *state;
    uint64_t a, b;

    grant(f, 6, BACKEND, DATA, false);
    assert_non_null(pv_grant_get(&f->d, 6, BACKEND, false, &a));
    assert_non_null(pv_grant_get(&f->d, 6, BACKEND, true, &b));
    pv_grant_put(&f->d, 6, b, true);
    assert_int_equal(gnt(f, 6)->flags, GTF_permit_access | GTF_reading);
    pv_grant_put(&f->d, 6, a, false);
    assert_int_equal(gnt(f, 6)->flags, GTF_permit_access);
}

static void test_invalid_grants_are_refused_and_left_alone(void **state)
{
    struct fix *f = *state;
    uint64_t pfn;

    grant(f, 1, 7, DATA, false); /* for another domain */
    assert_null(pv_grant_get(&f->d, 1, BACKEND, false, &pfn));
    assert_int_equal(gnt(f, 1)->flags, GTF_permit_access);
    grant(f, 2, BACKEND, DATA, true); /* read-only */
    assert_null(pv_grant_get(&f->d, 2, BACKEND, true, &pfn));
    assert_int_equal(gnt(f, 2)->flags, GTF_permit_access | GTF_readonly);
    assert_non_null(pv_grant_get(&f->d, 2, BACKEND, false, &pfn));
    pv_grant_put(&f->d, 2, pfn, false);
    gnt(f, 3)->domid = BACKEND; /* not a permit_access entry */
    gnt(f, 3)->flags = GTF_accept_transfer;
    assert_null(pv_grant_get(&f->d, 3, BACKEND, false, &pfn));
    grant(f, 4, BACKEND, NR_PAGES, false); /* shared_info: not the guest's RAM */
    assert_null(pv_grant_get(&f->d, 4, BACKEND, false, &pfn));
    assert_int_equal(gnt(f, 4)->flags, GTF_permit_access);
    grant(f, 8, BACKEND, UINT32_MAX, false); /* far outside */
    assert_null(pv_grant_get(&f->d, 8, BACKEND, true, &pfn));
    assert_int_equal(gnt(f, 8)->flags, GTF_permit_access);
    /* Past the frames the guest set up. */
    assert_null(pv_grant_get(&f->d, PAGE / sizeof(grant_entry_v1_t), BACKEND, false, &pfn));
    assert_null(pv_grant_get(&f->d, UINT32_MAX, BACKEND, false, &pfn));
}

static void test_page_tables_are_never_writable_through_grants(void **state)
{
    struct fix *f = *state;
    uint64_t pfn;

    grant(f, 9, BACKEND, L1, false);
    assert_null(pv_grant_get(&f->d, 9, BACKEND, true, &pfn));
    assert_int_equal(gnt(f, 9)->flags, GTF_permit_access);
    assert_int_equal(f->d.frames[L1].gnt_wr, 0);
    assert_non_null(pv_grant_get(&f->d, 9, BACKEND, false, &pfn)); /* reading is fine */
    pv_grant_put(&f->d, 9, pfn, false);
}

static void test_granted_page_cannot_become_a_page_table(void **state)
{
    struct fix *f = *state;
    uint64_t pfn;

    /* Frame DATA mapped nowhere (as if the guest had unmapped it). */
    f->d.frames[DATA].wr_count = 0;
    memset(f->d.ram + DATA * PAGE, 0, PAGE);
    grant(f, 11, BACKEND, DATA, false);
    assert_non_null(pv_grant_get(&f->d, 11, BACKEND, true, &pfn));
    assert_int_equal(pv_get_type(&f->v, DATA, PGT_L1), -EINVAL);
    assert_int_equal(f->d.frames[DATA].type_count, 0);
    pv_grant_put(&f->d, 11, pfn, true);
    assert_int_equal(pv_get_type(&f->v, DATA, PGT_L1), 0);
    pv_put_type(&f->d, DATA);
}

static void send_fn(struct pv_domain *d, unsigned port, void *opaque)
{
    (*(unsigned *)opaque)++;
}

static long evtchn(struct fix *f, unsigned cmd, void *op, size_t len)
{
    long rc;

    memcpy(f->d.ram + REQ * PAGE, op, len);
    rc = pv_event_channel_op(&f->v, cmd, REQ * PAGE);
    memcpy(op, f->d.ram + REQ * PAGE, len);
    return rc;
}

static void test_backend_takes_the_guests_unbound_port(void **state)
{
    struct fix *f = *state;
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = BACKEND };
    struct evtchn_alloc_unbound other = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_send s;
    struct evtchn_close c;
    unsigned sends = 0, dummy = 0;

    assert_int_equal(evtchn(f, EVTCHNOP_alloc_unbound, &a, sizeof(a)), 0);
    assert_int_equal(evtchn(f, EVTCHNOP_alloc_unbound, &other, sizeof(other)), 0);
    /* Only a port left unbound for the backend's domain can be taken. */
    assert_int_equal(pv_evtchn_connect(&f->d, other.port, BACKEND, send_fn, &dummy), -EINVAL);
    assert_int_equal(pv_evtchn_connect(&f->d, 0, BACKEND, send_fn, &dummy), -EINVAL);
    assert_int_equal(pv_evtchn_connect(&f->d, PV_NR_EVTCHN, BACKEND, send_fn, &dummy), -EINVAL);
    assert_int_equal(pv_evtchn_connect(&f->d, a.port, BACKEND, send_fn, &sends), 0);
    assert_int_equal(pv_evtchn_connect(&f->d, a.port, BACKEND, send_fn, &dummy), -EINVAL);
    s.port = a.port;
    assert_int_equal(evtchn(f, EVTCHNOP_send, &s, sizeof(s)), 0);
    assert_int_equal(sends, 1);
    /* The backend notifies the guest. */
    pv_evtchn_set_pending(&f->d, a.port);
    assert_true(pv_evtchn_pending(&f->d, a.port));
    /* The guest may close it; the backend's later disconnect does nothing. */
    c.port = a.port;
    assert_int_equal(evtchn(f, EVTCHNOP_close, &c, sizeof(c)), 0);
    assert_int_equal(evtchn(f, EVTCHNOP_send, &s, sizeof(s)), -EINVAL);
    assert_int_equal(sends, 1);
    pv_evtchn_disconnect(&f->d, a.port, &sends);
    assert_int_equal(f->d.evtchn[a.port].state, EVTCHNSTAT_closed);
}

static void test_backend_disconnect_leaves_the_port_unbound(void **state)
{
    struct fix *f = *state;
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = BACKEND };
    unsigned sends = 0;

    assert_int_equal(evtchn(f, EVTCHNOP_alloc_unbound, &a, sizeof(a)), 0);
    assert_int_equal(pv_evtchn_connect(&f->d, a.port, BACKEND, send_fn, &sends), 0);
    pv_evtchn_disconnect(&f->d, a.port, &sends);
    assert_int_equal(f->d.evtchn[a.port].state, EVTCHNSTAT_unbound);
    assert_null(f->d.evtchn[a.port].backend);
    /* A new backend instance can take it again. */
    assert_int_equal(pv_evtchn_connect(&f->d, a.port, BACKEND, send_fn, &sends), 0);
}

static void test_fixed_backend_ports_cannot_be_closed(void **state)
{
    struct fix *f = *state;
    unsigned n = 0;
    int port = pv_evtchn_bind_backend(&f->d, send_fn, &n);
    struct evtchn_close c = { .port = port };

    assert_true(port > 0);
    assert_int_equal(evtchn(f, EVTCHNOP_close, &c, sizeof(c)), -EINVAL);
    assert_int_equal(f->d.evtchn[port].state, EVTCHNSTAT_interdomain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_grant_is_busy_while_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_uses_clear_busy_on_the_last, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_grants_are_refused_and_left_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_page_tables_are_never_writable_through_grants,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_granted_page_cannot_become_a_page_table, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backend_takes_the_guests_unbound_port, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backend_disconnect_leaves_the_port_unbound, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fixed_backend_ports_cannot_be_closed, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
