/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small PV domain for the PV core's unit tests: 64 frames of RAM, page tables, no KVM. */
#ifndef XENNER_TEST_PV_FIXTURE_H
#define XENNER_TEST_PV_FIXTURE_H

#include "pv/pv.h"

#define NR_PAGES 64
#define PAGE 4096ULL
#define L4 1
#define L3 2
#define L2 3
#define L1 4

struct fix {
    struct pv_domain d;
    struct pv_vcpu v;
    unsigned pt_changed; /* pt_changed calls: cached entries to flush */
};

/* A domain whose VA [0, 256 KiB) maps frames 0..63 through L4..L1 at frames
 * 1..4: the page tables read-only, the rest writable, without _PAGE_USER so
 * that tests can see Xen's adjustment. The L4 is validated and loaded, the
 * vCPU is in kernel mode. Fails the running cmocka test on error. */
struct fix *fix_new(void);
void fix_free(struct fix *f);
/* The host pointer to frame pfn as a page table. */
uint64_t *fix_pt(struct fix *f, unsigned pfn);

#endif
