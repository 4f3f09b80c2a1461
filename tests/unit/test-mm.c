/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the PV MMU rules: page types, pinning, updates, checked access. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pv-fixture.h"

#define REQ 10 /* a page for hypercall arguments */

static int setup(void **state)
{
    *state = fix_new();
    return 0;
}

static int teardown(void **state)
{
    fix_free(*state);
    return 0;
}

/* Run mmu_update with one request placed in the argument page. */
static long update(struct fix *f, uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { .ptr = ptr, .val = val };

    memcpy(f->d.ram + REQ * PAGE, &u, sizeof(u));
    return pv_mmu_update(&f->v, REQ * PAGE, 1, 0, DOMID_SELF);
}

static long mmuext(struct fix *f, unsigned cmd, uint64_t mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };

    memcpy(f->d.ram + REQ * PAGE, &op, sizeof(op));
    return pv_mmuext_op(&f->v, REQ * PAGE, 1, 0, DOMID_SELF);
}

static void test_validation_sets_types_and_user(void **state)
{
    struct fix *f = *state;

    assert_int_equal(f->d.frames[L4].type, PGT_L4);
    assert_int_equal(f->d.frames[L3].type, PGT_L3);
    assert_int_equal(f->d.frames[L2].type, PGT_L2);
    assert_int_equal(f->d.frames[L1].type, PGT_L1);
    assert_true(fix_pt(f, L1)[20] & PTE_US); /* Xen adds _PAGE_USER */
    assert_true(fix_pt(f, L2)[0] & PTE_US);
    assert_int_equal(f->d.frames[20].wr_count, 1);
    /* The hypervisor slots were installed. */
    assert_int_equal(fix_pt(f, L4)[HV_L4_SLOT_TRAMP], 129 * PAGE | PTE_P | PTE_RW);
    assert_int_equal(fix_pt(f, L4)[HV_L4_SLOT_M2P], 128 * PAGE | PTE_P | PTE_US);
}

static void test_map_page_table_writable_fails(void **state)
{
    struct fix *f = *state;
    uint64_t before = fix_pt(f, L1)[40];

    assert_int_equal(update(f, L1 * PAGE + 40 * 8, L1 * PAGE | PTE_P | PTE_RW), -EBUSY);
    assert_int_equal(fix_pt(f, L1)[40], before);
    /* Read-only is fine. */
    assert_int_equal(update(f, L1 * PAGE + 40 * 8, L1 * PAGE | PTE_P), 0);
}

static void test_map_outside_guest_fails(void **state)
{
    struct fix *f = *state;

    /* Nothing at all there: I/O space, which an unprivileged guest may not map. */
    assert_int_equal(update(f, L1 * PAGE + 40 * 8, (1ULL << 30) | PTE_P), -EPERM);
    /* xenner's own trampoline frames belong to someone else. */
    assert_int_equal(update(f, L1 * PAGE + 40 * 8, 129ULL * PAGE | PTE_P), -EINVAL);
    /* The shared_info frame was given to the guest. */
    assert_int_equal(update(f, L1 * PAGE + 40 * 8, (uint64_t)NR_PAGES * PAGE | PTE_P | PTE_RW), 0);
}

static void test_update_moves_references(void **state)
{
    struct fix *f = *state;

    assert_int_equal(f->d.frames[30].wr_count, 1);
    assert_int_equal(update(f, L1 * PAGE + 30 * 8, 31 * PAGE | PTE_P | PTE_RW), 0);
    assert_int_equal(f->d.frames[30].wr_count, 0);
    assert_int_equal(f->d.frames[31].wr_count, 2);
    assert_int_equal(update(f, L1 * PAGE + 30 * 8, 0), 0);
    assert_int_equal(f->d.frames[31].wr_count, 1);
}

static void test_pin_rules(void **state)
{
    struct fix *f = *state;

    /* Frame 50 is mapped writable: it cannot become a page table. */
    assert_int_equal(mmuext(f, MMUEXT_PIN_L1_TABLE, 50), -EINVAL);
    assert_int_equal(update(f, L1 * PAGE + 50 * 8, 50 * PAGE | PTE_P), 0);
    assert_int_equal(mmuext(f, MMUEXT_PIN_L1_TABLE, 50), 0);
    assert_int_equal(mmuext(f, MMUEXT_PIN_L1_TABLE, 50), -EINVAL); /* pinned already */
    /* While pinned, no writable mapping of it. */
    assert_int_equal(update(f, L1 * PAGE + 51 * 8, 50 * PAGE | PTE_P | PTE_RW), -EBUSY);
    /* A pinned L1 cannot be used as an L2. */
    assert_int_equal(mmuext(f, MMUEXT_PIN_L2_TABLE, 50), -EINVAL);
    assert_int_equal(mmuext(f, MMUEXT_UNPIN_TABLE, 50), 0);
    assert_int_equal(mmuext(f, MMUEXT_UNPIN_TABLE, 50), -EINVAL);
    assert_int_equal(f->d.frames[50].type_count, 0);
}

/* Frames xenner writes into (vcpu_info, the time area) never become tables. */
static void test_pin_of_xenner_written_frame_fails(void **state)
{
    struct fix *f = *state;

    assert_int_equal(update(f, L1 * PAGE + 50 * 8, 50 * PAGE | PTE_P), 0); /* read-only now */
    f->d.vcpu[0] = &f->v;
    f->d.nr_vcpus = 1;
    f->v.vcpu_info_gpa = 50 * PAGE + 64;
    assert_int_equal(mmuext(f, MMUEXT_PIN_L1_TABLE, 50), -EINVAL);
    f->v.vcpu_info_gpa = 0;
    f->v.time_area_gpa = 50 * PAGE + 128;
    assert_int_equal(mmuext(f, MMUEXT_PIN_L1_TABLE, 50), -EINVAL);
    f->v.time_area_gpa = 0;
    assert_int_equal(mmuext(f, MMUEXT_PIN_L1_TABLE, 50), 0);
}

static void test_pin_bad_entry_fails_cleanly(void **state)
{
    struct fix *f = *state;
    uint64_t *t = fix_pt(f, 52);

    /* Frame 52 (mapped read-only first) holds one good and one bad entry. */
    assert_int_equal(update(f, L1 * PAGE + 52 * 8, 52 * PAGE | PTE_P), 0);
    t[0] = 33 * PAGE | PTE_P | PTE_RW;
    t[1] = (1ULL << 40) | PTE_P;
    assert_int_equal(mmuext(f, MMUEXT_PIN_L1_TABLE, 52), -EPERM);
    /* The reference taken for entry 0 was given back. */
    assert_int_equal(f->d.frames[33].wr_count, 1);
    assert_int_equal(f->d.frames[52].type_count, 0);
}

static void test_xen_slots_are_reserved(void **state)
{
    struct fix *f = *state;

    assert_int_equal(update(f, L4 * PAGE + HV_L4_SLOT_TRAMP * 8, 0), -EINVAL);
    assert_int_equal(fix_pt(f, L4)[HV_L4_SLOT_TRAMP], 129 * PAGE | PTE_P | PTE_RW);
}

static void test_no_superpages(void **state)
{
    struct fix *f = *state;

    assert_int_equal(update(f, L2 * PAGE + 1 * 8, 0x200000 | PTE_P | PTE_PSE), -EINVAL);
}

static void test_update_of_non_guest_ptr(void **state)
{
    struct fix *f = *state;

    assert_int_equal(update(f, 129ULL * PAGE, 0), -EINVAL);
    assert_int_equal(update(f, (1ULL << 45), 0), -EINVAL);
}

static void test_update_va_mapping(void **state)
{
    struct fix *f = *state;

    assert_int_equal(pv_update_va_mapping(&f->v, 45 * PAGE, 46 * PAGE | PTE_P, UVMF_INVLPG), 0);
    assert_int_equal(fix_pt(f, L1)[45] & PTE_ADDR, 46 * PAGE);
    assert_true(f->pt_changed > 0); /* the accelerator is told to flush it */
    /* No L1 maps this address: an error, not a crash. */
    assert_int_equal(pv_update_va_mapping(&f->v, 1ULL << 39, 0, 0), -EINVAL);
}

static void test_new_baseptr_needs_l4(void **state)
{
    struct fix *f = *state;

    assert_int_equal(mmuext(f, MMUEXT_NEW_BASEPTR, L1), -EINVAL); /* an L1 is not an L4 */
    assert_int_equal(f->v.cr3_kernel, L4);
}

static void test_checked_access(void **state)
{
    struct fix *f = *state;
    uint64_t gpa;
    uint8_t b[16];

    assert_null(pv_gpa(&f->d, UINT64_MAX - 4, 8));
    assert_null(pv_gpa(&f->d, NR_PAGES * PAGE - 4, 8)); /* straddles RAM's end */
    assert_non_null(pv_gpa(&f->d, NR_PAGES * PAGE - 8, 8));
    assert_null(pv_gpa(&f->d, 129 * PAGE, 8));            /* trampoline: not guest */
    assert_int_equal(pv_gva_to_gpa(&f->v, 0x8000000000000000ULL, false, &gpa), -EFAULT);
    assert_int_equal(pv_gva_to_gpa(&f->v, HV_TRAMP_VA, false, &gpa), -EFAULT);
    assert_int_equal(pv_gva_to_gpa(&f->v, 20 * PAGE + 5, true, &gpa), 0);
    assert_int_equal(gpa, 20 * PAGE + 5);
    /* Page tables are mapped read-only: no writes through them. */
    assert_int_equal(pv_copy_to_guest(&f->v, L1 * PAGE, b, 8), -EFAULT);
    assert_int_equal(pv_copy_from_guest(&f->v, b, L1 * PAGE, 8), 0);
    /* A copy running off the mapped range fails. */
    assert_int_equal(pv_copy_from_guest(&f->v, b, NR_PAGES * PAGE - 8, 16), -EFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validation_sets_types_and_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_page_table_writable_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_outside_guest_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_moves_references, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_of_xenner_written_frame_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_bad_entry_fails_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xen_slots_are_reserved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_superpages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_of_non_guest_ptr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_va_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_baseptr_needs_l4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checked_access, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
