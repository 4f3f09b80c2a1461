/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small PV domain for the PV core's unit tests (pv-fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pv-fixture.h"

static int fmt(char *b, size_t n, const char *f, va_list ap)
{
    return vsnprintf(b, n, f, ap);
}

static void quiet(void *h, int level, const char *msg)
{
}

uint64_t *fix_pt(struct fix *f, unsigned pfn)
{
    return (uint64_t *)(f->d.ram + pfn * PAGE);
}

static void build_tables(struct fix *f)
{
    fix_pt(f, L4)[0] = L3 * PAGE | PTE_P | PTE_RW;
    fix_pt(f, L3)[0] = L2 * PAGE | PTE_P | PTE_RW;
    fix_pt(f, L2)[0] = L1 * PAGE | PTE_P | PTE_RW;
    for (unsigned i = 0; i < NR_PAGES; i++)
        fix_pt(f, L1)[i] = (uint64_t)i * PAGE | PTE_P | (i >= L4 && i <= L1 ? 0 : PTE_RW);
}

static void count_pt_changed(void *h, struct pv_vcpu *v, uint64_t gpa)
{
    ((struct fix *)h)->pt_changed++;
}

struct fix *fix_new(void)
{
    struct fix *f = calloc(1, sizeof(*f));
    struct pv_domain *d = &f->d;

    d->nr_pages = NR_PAGES;
    d->ram = calloc(NR_PAGES, PAGE);
    d->xen_pfn = NR_PAGES;
    d->xen_pages = aligned_alloc(PAGE, PV_NR_XEN_PAGES * PAGE);
    d->max_pfn = NR_PAGES + PV_NR_XEN_PAGES;
    d->hv_pfn = 128;
    d->hv_pages = 4;
    d->hv = aligned_alloc(PAGE, 4 * PAGE);
    /* Xen's pages (shared_info, grant table) start zeroed, as on Xen. */
    memset(d->xen_pages, 0, PV_NR_XEN_PAGES * PAGE);
    memset(d->hv, 0, 4 * PAGE);
    d->frames = calloc(d->max_pfn, sizeof(*d->frames));
    d->m2p = calloc(d->max_pfn, sizeof(uint64_t));
    d->host.vformat = fmt;
    d->host.log = quiet;
    d->host.pt_changed = count_pt_changed;
    d->host.opaque = f;
    d->hv_l3_m2p_gpa = 128 * PAGE;
    d->hv_l3_tramp_gpa = 129 * PAGE;
    d->hv_l3_direct_gpa = 130 * PAGE;
    f->v.d = d;
    f->v.kernel_mode = true;
    build_tables(f);
    assert_int_equal(pv_get_type(&f->v, L4, PGT_L4), 0);
    f->v.cr3_kernel = L4;
    return f;
}

void fix_free(struct fix *f)
{
    free(f->d.ram);
    free(f->d.xen_pages);
    free(f->d.hv);
    free(f->d.frames);
    free(f->d.m2p);
    free(f);
}
