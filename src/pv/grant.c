/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Grant tables, version 1: the guest's table frames for its backends. */
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
        d->grant_frames = s.nr_frames;
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
