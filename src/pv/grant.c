/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Grant tables, version 1: the guest's table frames, and xenner's backends'
 * access to the pages the guest grants them. */
#include <errno.h>

#include "pv/pv.h"

static bool self(struct pv_domain *d, domid_t dom)
{
    return dom == DOMID_SELF || dom == d->domid;
}

static long query_size(struct pv_vcpu *v, uint64_t arg)
{
    struct gnttab_query_size q;

    if (pv_copy_from_guest(v, &q, arg, sizeof(q)))
        return -EFAULT;
    q.status = GNTST_okay;
    if (!self(v->d, q.dom))
        q.status = GNTST_bad_domain;
    q.nr_frames = v->d->grant_frames;
    q.max_nr_frames = PV_NR_GRANT_FRAMES;
    return pv_copy_to_guest(v, arg, &q, sizeof(q)) ? -EFAULT : 0;
}

static long setup_table(struct pv_vcpu *v, uint64_t arg)
{
    struct gnttab_setup_table s;
    struct pv_domain *d = v->d;

    if (pv_copy_from_guest(v, &s, arg, sizeof(s)))
        return -EFAULT;
    s.status = GNTST_okay;
    if (!self(d, s.dom))
        s.status = GNTST_bad_domain;
    else if (s.nr_frames > PV_NR_GRANT_FRAMES)
        s.status = GNTST_general_error;
    for (unsigned i = 0; s.status == GNTST_okay && i < s.nr_frames; i++) {
        xen_pfn_t f = d->xen_pfn + 1 + i;

        if (pv_copy_to_guest(v, PV_HANDLE(s.frame_list) + i * sizeof(f), &f, sizeof(f)))
            return -EFAULT;
    }
    if (s.status == GNTST_okay && s.nr_frames > d->grant_frames)
        __atomic_store_n(&d->grant_frames, s.nr_frames, __ATOMIC_RELEASE);
    return pv_copy_to_guest(v, arg, &s, sizeof(s)) ? -EFAULT : 0;
}

static long get_version(struct pv_vcpu *v, uint64_t arg)
{
    struct gnttab_get_version g;

    if (pv_copy_from_guest(v, &g, arg, sizeof(g)))
        return -EFAULT;
    if (!self(v->d, g.dom))
        return -ESRCH;
    g.version = 1;
    return pv_copy_to_guest(v, arg, &g, sizeof(g)) ? -EFAULT : 0;
}

static long set_version(struct pv_vcpu *v, uint64_t arg)
{
    struct gnttab_set_version s;

    if (pv_copy_from_guest(v, &s, arg, sizeof(s)))
        return -EFAULT;
    if (s.version != 1 && s.version != 2)
        return -EINVAL;
    if (s.version == 2)
        return -EACCES; /* like Xen with gnttab max version 1 */
    return 0;
}

/* The guest's entry @ref, or NULL past the frames it set up. The table is
 * guest-writable at any moment: callers read it once, atomically. */
static grant_entry_v1_t *entry(struct pv_domain *d, uint32_t ref)
{
    unsigned frames = __atomic_load_n(&d->grant_frames, __ATOMIC_ACQUIRE);

    if (ref >= frames * (PV_PAGE_SIZE / sizeof(grant_entry_v1_t)))
        return NULL;
    return (grant_entry_v1_t *)(d->xen_pages + PV_PAGE_SIZE) + ref;
}

/*
 * As Xen's grant mapping does: the entry must permit access to domain @dom,
 * writable if asked; GTF_reading/GTF_writing are set while xenner uses the
 * page, so the guest's gnttab_end_foreign_access sees it busy. A page the
 * guest uses as a page or descriptor table is never handed out writable,
 * and cannot become one while it is (pv_get_type checks gnt_wr).
 */
void *pv_grant_get(struct pv_domain *d, uint32_t ref, domid_t dom, bool write, uint64_t *pfn_out)
{
    grant_entry_v1_t *e = entry(d, ref);
    uint16_t busy = write ? GTF_writing | GTF_reading : GTF_reading;
    uint32_t *word, old, want;
    uint64_t pfn;
    struct pv_frame *f;
    void *p;

    if (!e)
        return NULL;
    /* flags and domid are one 32-bit word: check and mark it in one step. */
    word = (uint32_t *)e;
    old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    do {
        uint16_t flags = old & 0xffff;

        if ((flags & GTF_type_mask) != GTF_permit_access || (old >> 16) != dom)
            return NULL;
        if (write && (flags & GTF_readonly))
            return NULL;
        want = old | busy;
    } while (!__atomic_compare_exchange_n(word, &old, want, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_ACQUIRE));
    pfn = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
    *pfn_out = pfn;
    p = pv_pfn_is_ram(d, pfn) ? pv_gpa(d, pfn << PV_PAGE_SHIFT, PV_PAGE_SIZE) : NULL;
    f = p ? &d->frames[pfn] : NULL;
    if (f && write) {
        __atomic_fetch_add(&f->gnt_wr, 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&f->type_count, __ATOMIC_SEQ_CST))
            p = NULL; /* a page table is not the guest's to hand out writable */
    }
    __atomic_fetch_add(&d->gnt_use[ref].rd, 1, __ATOMIC_SEQ_CST);
    if (write)
        __atomic_fetch_add(&d->gnt_use[ref].wr, 1, __ATOMIC_SEQ_CST);
    if (!p) {
        pv_grant_put(d, ref, pfn, write); /* undoes all of the above */
        return NULL;
    }
    return p;
}

/* One use of entry @ref's page ends; the last clears the busy flag. Uses are
 * counted, the flag is not: clear it, then set it again if a use began meanwhile. */
static void unbusy(grant_entry_v1_t *e, uint32_t *cnt, uint16_t flag)
{
    if (__atomic_sub_fetch(cnt, 1, __ATOMIC_SEQ_CST))
        return;
    __atomic_fetch_and(&e->flags, (uint16_t)~flag, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(cnt, __ATOMIC_SEQ_CST))
        __atomic_fetch_or(&e->flags, flag, __ATOMIC_SEQ_CST);
}

void pv_grant_put(struct pv_domain *d, uint32_t ref, uint64_t pfn, bool write)
{
    grant_entry_v1_t *e = (grant_entry_v1_t *)(d->xen_pages + PV_PAGE_SIZE) + ref;

    if (write && pv_pfn_is_ram(d, pfn) && pv_gpa(d, pfn << PV_PAGE_SHIFT, PV_PAGE_SIZE))
        __atomic_fetch_sub(&d->frames[pfn].gnt_wr, 1, __ATOMIC_SEQ_CST);
    if (write)
        unbusy(e, &d->gnt_use[ref].wr, GTF_writing);
    unbusy(e, &d->gnt_use[ref].rd, GTF_reading);
}

/*
 * A frame the guest names by number to a backend (the vfb and vkbd "page-ref"
 * keys), as domain 0 maps a foreign frame: any of the guest's RAM frames, and,
 * for writing, only one that is not a page or descriptor table (counted in
 * gnt_wr as a grant is, so it cannot become one while mapped).
 */
void *pv_frame_get(struct pv_domain *d, uint64_t pfn, bool write)
{
    struct pv_frame *f;

    if (!pv_pfn_is_ram(d, pfn) || !pv_gpa(d, pfn << PV_PAGE_SHIFT, PV_PAGE_SIZE))
        return NULL;
    if (!write)
        return pv_gpa(d, pfn << PV_PAGE_SHIFT, PV_PAGE_SIZE);
    f = &d->frames[pfn];
    __atomic_fetch_add(&f->gnt_wr, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&f->type_count, __ATOMIC_SEQ_CST)) {
        __atomic_fetch_sub(&f->gnt_wr, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    return pv_gpa(d, pfn << PV_PAGE_SHIFT, PV_PAGE_SIZE);
}

void pv_frame_put(struct pv_domain *d, uint64_t pfn, bool write)
{
    if (write && pv_pfn_is_ram(d, pfn))
        __atomic_fetch_sub(&d->frames[pfn].gnt_wr, 1, __ATOMIC_SEQ_CST);
}

long pv_grant_table_op(struct pv_vcpu *v, unsigned cmd, uint64_t arg, unsigned count)
{
    if (count != 1 && (cmd == GNTTABOP_query_size || cmd == GNTTABOP_setup_table ||
                       cmd == GNTTABOP_get_version || cmd == GNTTABOP_set_version))
        return -EINVAL;
    switch (cmd) {
    case GNTTABOP_query_size: return query_size(v, arg);
    case GNTTABOP_setup_table: return setup_table(v, arg);
    case GNTTABOP_get_version: return get_version(v, arg);
    case GNTTABOP_set_version: return set_version(v, arg);
    default: return -ENOSYS; /* no other domains to map or copy from */
    }
}
