/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memory_op: the guest's memory map, reservation and the M2P mapping. */
#include <errno.h>

#include "pv/pv.h"
#include <xen/memory.h>

/* An e820 entry as XENMEM_memory_map returns it. */
struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

static long memory_map(struct pv_vcpu *v, uint64_t arg)
{
    struct xen_memory_map m;
    struct e820_entry e = { 0, v->d->nr_pages << PV_PAGE_SHIFT, 1 /* RAM */ };

    if (pv_copy_from_guest(v, &m, arg, sizeof(m)))
        return -EFAULT;
    if (m.nr_entries < 1)
        return -EINVAL;
    if (pv_copy_to_guest(v, PV_HANDLE(m.buffer), &e, sizeof(e)))
        return -EFAULT;
    m.nr_entries = 1;
    return pv_copy_to_guest(v, arg, &m, sizeof(m)) ? -EFAULT : 0;
}

static long machphys_mapping(struct pv_vcpu *v, uint64_t arg)
{
    struct xen_machphys_mapping m = {
        .v_start = HV_M2P_VA,
        .v_end = HV_M2P_VA + v->d->max_pfn * 8,
        .max_mfn = v->d->max_pfn - 1,
    };

    return pv_copy_to_guest(v, arg, &m, sizeof(m)) ? -EFAULT : 0;
}

static long reservation(struct pv_vcpu *v, uint64_t arg)
{
    domid_t dom;

    if (pv_copy_from_guest(v, &dom, arg, sizeof(dom)))
        return -EFAULT;
    if (dom != DOMID_SELF && dom != v->d->domid)
        return -ESRCH;
    return v->d->nr_pages;
}

long pv_memory_op(struct pv_vcpu *v, unsigned cmd, uint64_t arg)
{
    switch (cmd & 0x3f) /* low bits: the command; the rest: continuation state */ {
    case XENMEM_memory_map: return memory_map(v, arg);
    case XENMEM_machphys_mapping: return machphys_mapping(v, arg);
    case XENMEM_maximum_ram_page: return v->d->max_pfn - 1;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation: return reservation(v, arg);
    case XENMEM_maximum_gpfn: return reservation(v, arg) < 0 ? -ESRCH : (long)v->d->nr_pages - 1;
    case XENMEM_add_to_physmap: return -EACCES; /* PV guests are not translated */
    default: return -ENOSYS;
    }
}
