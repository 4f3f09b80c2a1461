/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one checked path from guest addresses to host memory. */
#include <errno.h>

#include "pv/pv.h"

bool pv_pfn_is_ram(struct pv_domain *d, uint64_t pfn)
{
    return pfn < d->nr_pages;
}

bool pv_pfn_valid(struct pv_domain *d, uint64_t pfn)
{
    return pfn < d->nr_pages ||
           (pfn >= d->xen_pfn && pfn < d->xen_pfn + PV_NR_XEN_PAGES);
}

void *pv_gpa(struct pv_domain *d, uint64_t gpa, size_t len)
{
    uint64_t ram_end = d->nr_pages << PV_PAGE_SHIFT;
    uint64_t xen_start = d->xen_pfn << PV_PAGE_SHIFT;
    uint64_t xen_len = PV_NR_XEN_PAGES << PV_PAGE_SHIFT;

    if (len > ram_end && len > xen_len)
        return NULL;
    if (gpa < ram_end && len <= ram_end - gpa)
        return d->ram + gpa;
    if (gpa >= xen_start && gpa - xen_start < xen_len && len <= xen_len - (gpa - xen_start))
        return d->xen_pages + (gpa - xen_start);
    return NULL;
}

void *pv_hv_gpa(struct pv_domain *d, uint64_t gpa, size_t len)
{
    uint64_t start = d->hv_pfn << PV_PAGE_SHIFT;
    uint64_t size = d->hv_pages << PV_PAGE_SHIFT;

    if (gpa < start || gpa - start >= size || len > size - (gpa - start))
        return NULL;
    return d->hv + (gpa - start);
}

/* Read a page-table entry of the guest; false if the table frame is not
 * guest memory (cannot happen for validated tables, checked anyway). */
static bool read_entry(struct pv_domain *d, uint64_t table_pfn, unsigned idx, uint64_t *e)
{
    const uint64_t *t = pv_gpa(d, table_pfn << PV_PAGE_SHIFT, PV_PAGE_SIZE);

    if (!t)
        return false;
    *e = __atomic_load_n(&t[idx], __ATOMIC_RELAXED);
    return true;
}

bool pv_guest_range_ok(uint64_t gva, uint64_t len)
{
    uint64_t last = gva + len - 1;

    if (!len || last < gva || !pv_canonical(gva) || !pv_canonical(last))
        return false;
    if ((gva >> 47) != (last >> 47))
        return false; /* spans the non-canonical gap */
    return last < HYPERVISOR_VIRT_START || gva >= HYPERVISOR_VIRT_END;
}

int pv_gva_to_gpa(struct pv_vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
    uint64_t pfn = !v->kernel_mode && v->cr3_user ? v->cr3_user : v->cr3_kernel;
    uint64_t e = 0;

    /* Non-canonical addresses and the hypervisor hole are never guest memory. */
    if (!pv_canonical(gva))
        return -EFAULT;
    if (gva >= HYPERVISOR_VIRT_START && gva < HYPERVISOR_VIRT_END)
        return -EFAULT;
    for (int level = 3; level >= 0; level--) {
        unsigned idx = (gva >> (12 + 9 * level)) & 511;

        if (!read_entry(v->d, pfn, idx, &e) || !(e & PTE_P) || !(e & PTE_US))
            return -EFAULT;
        if (write && !(e & PTE_RW))
            return -EFAULT;
        if (level > 0 && (e & PTE_PSE))
            return -EFAULT; /* PV guests have no superpages */
        pfn = (e & PTE_ADDR) >> PV_PAGE_SHIFT;
    }
    if (!pv_pfn_valid(v->d, pfn))
        return -EFAULT;
    *gpa = (pfn << PV_PAGE_SHIFT) | (gva & 0xfff);
    return 0;
}

/* Copy one piece that does not cross a page. */
static int copy_piece(struct pv_vcpu *v, uint64_t gva, void *buf, size_t len, bool to_guest)
{
    uint64_t gpa;
    uint8_t *p;

    if (pv_gva_to_gpa(v, gva, to_guest, &gpa))
        return -EFAULT;
    p = pv_gpa(v->d, gpa, len);
    if (!p)
        return -EFAULT;
    if (to_guest)
        pv_memcpy(p, buf, len);
    else
        pv_memcpy(buf, p, len);
    return 0;
}

static int copy_guest(struct pv_vcpu *v, uint64_t gva, void *buf, size_t len, bool to_guest)
{
    uint8_t *b = buf;

    while (len) {
        size_t n = PV_PAGE_SIZE - (gva & 0xfff);

        if (n > len)
            n = len;
        if (copy_piece(v, gva, b, n, to_guest))
            return -EFAULT;
        gva += n;
        b += n;
        len -= n;
    }
    return 0;
}

int pv_copy_from_guest(struct pv_vcpu *v, void *dst, uint64_t gva, size_t len)
{
    return copy_guest(v, gva, dst, len, false);
}

int pv_copy_to_guest(struct pv_vcpu *v, uint64_t gva, const void *src, size_t len)
{
    return copy_guest(v, gva, (void *)src, len, true);
}

unsigned pv_fetch_insn(struct pv_vcpu *v, uint8_t *buf, unsigned max)
{
    uint64_t rip = v->r.rip;
    unsigned first = PV_PAGE_SIZE - (rip & (PV_PAGE_SIZE - 1));

    if (first >= max)
        return pv_copy_from_guest(v, buf, rip, max) ? 0 : max;
    if (pv_copy_from_guest(v, buf, rip, first))
        return 0;
    return pv_copy_from_guest(v, buf + first, rip + first, max - first) ? first : max;
}
