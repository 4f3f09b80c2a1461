/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A PV domain for the backend fuzz targets (pv-dom.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-dom.h"
#include "fuzz.h"

static int fmt(char *b, size_t n, const char *f, va_list ap)
{
    return vsnprintf(b, n, f, ap);
}

static void quiet(void *h, int level, const char *msg)
{
}

struct pv_domain *fuzz_dom_new(void)
{
    struct pv_domain *d = calloc(1, sizeof(*d));

    FUZZ_CHECK(d, "out of memory");
    d->domid = 1;
    d->nr_pages = FUZZ_RAM_PAGES;
    d->ram = calloc(FUZZ_RAM_PAGES, PV_PAGE_SIZE);
    d->xen_pfn = 64;
    d->xen_pages = calloc(PV_NR_XEN_PAGES, PV_PAGE_SIZE);
    d->max_pfn = d->xen_pfn + PV_NR_XEN_PAGES;
    d->frames = calloc(d->max_pfn, sizeof(*d->frames));
    d->grant_frames = 1;
    d->host.vformat = fmt;
    d->host.log = quiet;
    FUZZ_CHECK(d->ram && d->xen_pages && d->frames, "out of memory");
    return d;
}

void fuzz_dom_free(struct pv_domain *d)
{
    free(d->ram);
    free(d->xen_pages);
    free(d->frames);
    free(d);
}

grant_entry_v1_t *fuzz_dom_grants(struct pv_domain *d)
{
    return (grant_entry_v1_t *)(d->xen_pages + PV_PAGE_SIZE);
}

static size_t fill(void *dst, size_t len, const uint8_t **data, size_t *size)
{
    size_t n = *size < len ? *size : len;

    memcpy(dst, *data, n);
    *data += n;
    *size -= n;
    return n;
}

size_t fuzz_dom_fill(struct pv_domain *d, const uint8_t *data, size_t size)
{
    size_t used = fill(fuzz_dom_grants(d), FUZZ_GRANTS * sizeof(grant_entry_v1_t), &data, &size);

    return used + fill(d->ram, FUZZ_RAM_PAGES * PV_PAGE_SIZE, &data, &size);
}

void fuzz_dom_check_idle(struct pv_domain *d, const grant_entry_v1_t *before)
{
    const uint16_t busy = GTF_reading | GTF_writing;
    const grant_entry_v1_t *e = fuzz_dom_grants(d);

    for (unsigned i = 0; i < FUZZ_GRANTS; i++) {
        /* Busy bits the guest set itself may be cleared: xenner counts its uses. */
        bool left_busy = e[i].flags & ~before[i].flags & busy;
        bool changed = (e[i].flags | busy) != (before[i].flags | busy) ||
                       e[i].domid != before[i].domid || e[i].frame != before[i].frame;

        if (left_busy || changed)
            fprintf(stderr, "grant %u: flags %#x domid %u frame %#x, was %#x %u %#x\n", i, e[i].flags,
                    e[i].domid, e[i].frame, before[i].flags, before[i].domid, before[i].frame);
        FUZZ_CHECK(!left_busy, "a grant left busy by the backend");
        FUZZ_CHECK(!changed, "the backend changed a grant entry");
        FUZZ_CHECK(!d->gnt_use[i].rd && !d->gnt_use[i].wr, "a grant use not put back");
    }
    for (uint64_t pfn = 0; pfn < d->max_pfn; pfn++)
        FUZZ_CHECK(!d->frames[pfn].gnt_wr, "a frame still counted as granted writable");
}
