/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV MMU: page types, validation of guest page tables and their updates. */
#include <errno.h>

#include "pv/pv.h"

/*
 * Rules kept as Xen keeps them (xen/arch/x86/mm.c is the reference):
 * a frame used as a page table of level N has type LN while referenced;
 * it can only become one when nothing maps it writable, and nothing can map
 * it writable while it is one. Entries of validated tables only reference
 * the guest's own frames; the hypervisor slots of an L4 belong to xenner.
 * With the identity P2M the hardware walks the guest's tables directly, so
 * the type rules are what keep the guest from writing its own page tables.
 */

static struct pv_frame *frame(struct pv_domain *d, uint64_t pfn)
{
    if (pfn < d->nr_pages)
        return &d->frames[pfn];
    if (pfn >= d->xen_pfn && pfn < d->xen_pfn + PV_NR_XEN_PAGES)
        return &d->frames[d->nr_pages + (pfn - d->xen_pfn)];
    return NULL;
}

static uint64_t *table(struct pv_domain *d, uint64_t pfn)
{
    return pv_gpa(d, pfn << PV_PAGE_SHIFT, PV_PAGE_SIZE);
}

static bool is_guest_l4_slot(unsigned i)
{
    return i < HV_L4_FIRST || i > HV_L4_LAST;
}

/* Why a frame number cannot be mapped: I/O space (nothing there) is
 * -EPERM for an unprivileged guest, another owner's page is -EINVAL. */
static int frame_error(struct pv_domain *d, uint64_t pfn)
{
    return pfn >= d->hv_pfn + d->hv_pages ? -EPERM : -EINVAL;
}

/* True if entry `val` allows everything `old` allowed, on the same frame. */
static bool only_gains(uint64_t old, uint64_t val)
{
    const uint64_t gained = PTE_RW | PTE_A | PTE_D;

    if ((old & ~(gained | PTE_NX)) != (val & ~(gained | PTE_NX)))
        return false; /* another frame, or caching or presence changed */
    return (old & gained & ~val) == 0 && (val & PTE_NX & ~old) == 0;
}

void pv_write_pte(struct pv_vcpu *v, uint64_t gpa, uint64_t val)
{
    struct pv_domain *d = v->d;
    uint64_t *p = pv_gpa(d, gpa & ~7ULL, 8);
    struct pv_frame *f = frame(d, gpa >> PV_PAGE_SHIFT);
    uint64_t old;

    if (!p)
        p = pv_hv_gpa(d, gpa & ~7ULL, 8);
    if (!p)
        return;
    old = __atomic_exchange_n(p, val, __ATOMIC_RELAXED);
    /*
     * A frame the hardware never walked has no cached copy to bring up to
     * date. Neither needs one an entry that only gains rights: one that was
     * not present, or the same frame with RW, A or D added or NX taken away.
     * A stale TLB or shadow entry then only faults where the new one would
     * not, and the fault walks the guest's tables again, finding the new
     * entry by itself. Every write to a top-level table is told, though:
     * an accelerator may keep copies of those (the software CPU's combined
     * table, src/accel/tcg.c).
     */
    bool l4 = f && f->type == PGT_L4;

    if (!l4 && ((f && !f->was_pt) || !(old & PTE_P) || only_gains(old, val)))
        return;
    if (d->host.pt_changed)
        d->host.pt_changed(d->host.opaque, v, gpa & ~7ULL);
}

static int get_l1e(struct pv_domain *d, uint64_t e)
{
    uint64_t pfn = (e & PTE_ADDR) >> PV_PAGE_SHIFT;
    struct pv_frame *f = frame(d, pfn);

    if (!f)
        return frame_error(d, pfn);
    if (e & PTE_RW) {
        if (f->type_count && f->type != PGT_NONE)
            return -EBUSY; /* a page table or descriptor page: read-only (Xen's mm.c) */
        f->wr_count++;
    }
    return 0;
}

static void put_l1e(struct pv_domain *d, uint64_t e)
{
    struct pv_frame *f = frame(d, (e & PTE_ADDR) >> PV_PAGE_SHIFT);

    if (f && (e & PTE_RW) && f->wr_count)
        f->wr_count--;
}

/* Take the reference entry e of a level-`level` table holds. */
static int get_entry(struct pv_vcpu *v, int level, uint64_t e)
{
    uint64_t pfn = (e & PTE_ADDR) >> PV_PAGE_SHIFT;

    if (!(e & PTE_P))
        return 0;
    if (level == 1)
        return get_l1e(v->d, e);
    if (e & PTE_PSE)
        return -EINVAL; /* no superpages for PV guests */
    if (!pv_pfn_is_ram(v->d, pfn))
        return frame_error(v->d, pfn);
    return pv_get_type(v, pfn, level - 1);
}

static void put_entry(struct pv_domain *d, int level, uint64_t e)
{
    if (!(e & PTE_P))
        return;
    if (level == 1)
        put_l1e(d, e);
    else
        pv_put_type(d, (e & PTE_ADDR) >> PV_PAGE_SHIFT);
}

/* Guest kernel mappings run at ring 3, so Xen sets _PAGE_USER on them. */
static uint64_t adjust_entry(uint64_t e)
{
    return (e & PTE_P) ? (e | PTE_US) : e;
}

static bool entry_slot(int level, unsigned i)
{
    return level != 4 || is_guest_l4_slot(i);
}

/* Bits 52..58 are ignored by the CPU and free for the guest; 59..62 are
 * protection keys, which PV guests do not get. */
static bool entry_flags_ok(uint64_t e)
{
    return !(e & PTE_P) || !(e & 0x7800000000000000ULL);
}

/* Drop the references entries [0, upto) of a table hold. */
static void devalidate(struct pv_domain *d, uint64_t pfn, int level, unsigned upto)
{
    uint64_t *t = table(d, pfn);

    for (unsigned i = 0; i < upto; i++)
        if (entry_slot(level, i))
            put_entry(d, level, t[i]);
}

/* Take every entry's reference and apply Xen's adjustments to the table. */
static int validate(struct pv_vcpu *v, uint64_t pfn, int level)
{
    uint64_t base = pfn << PV_PAGE_SHIFT;
    uint64_t *t = table(v->d, pfn);

    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = t[i];
        int rc;

        if (!entry_slot(level, i))
            continue;
        rc = entry_flags_ok(e) ? get_entry(v, level, e) : -EINVAL;
        if (rc) {
            devalidate(v->d, pfn, level, i);
            return rc;
        }
        if (adjust_entry(e) != e)
            pv_write_pte(v, base + i * 8, adjust_entry(e));
    }
    if (level == 4)
        pv_install_hv_slots(v, pfn);
    return 0;
}

/*
 * Frames xenner itself keeps writing into (a vCPU's registered vcpu_info
 * and time area) count as writable mappings, as the page references Xen
 * holds on them do: they can never become page or descriptor tables.
 */
static bool held_by_xenner(struct pv_domain *d, uint64_t pfn)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        const struct pv_vcpu *v = d->vcpu[i];

        if (v && ((v->vcpu_info_gpa >> PV_PAGE_SHIFT) == pfn ||
                  (v->time_area_gpa && (v->time_area_gpa >> PV_PAGE_SHIFT) == pfn)))
            return true;
    }
    return false;
}

bool pv_pfn_typed(struct pv_domain *d, uint64_t pfn)
{
    const struct pv_frame *f = frame(d, pfn);

    return f && f->type_count;
}

int pv_get_type(struct pv_vcpu *v, uint64_t pfn, int type)
{
    struct pv_domain *d = v->d;
    struct pv_frame *f = pv_pfn_is_ram(d, pfn) ? frame(d, pfn) : NULL;
    int rc = 0;

    if (!f)
        return -EINVAL;
    if (f->type_count) {
        if (f->type != type)
            return -EINVAL;
        f->type_count++;
        return 0;
    }
    if (f->wr_count || held_by_xenner(d, pfn))
        return -EINVAL; /* still writable somewhere */
    f->type = type;
    /* Taken first: a table referencing itself fails above. A backend
     * writing into the page through a grant (pv_grant_get) counts gnt_wr
     * first and then looks at type_count: one of the two sees the other. */
    __atomic_store_n(&f->type_count, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&f->gnt_wr, __ATOMIC_SEQ_CST)) {
        f->type_count = 0;
        f->type = PGT_NONE;
        return -EINVAL;
    }
    if (type >= PGT_L1 && type <= PGT_L4)
        rc = validate(v, pfn, type);
    if (rc) {
        f->type_count = 0;
        f->type = PGT_NONE;
    } else if (type != PGT_SEG) {
        f->was_pt = 1;
    }
    return rc;
}

void pv_put_type(struct pv_domain *d, uint64_t pfn)
{
    struct pv_frame *f = frame(d, pfn);

    if (!f || !f->type_count)
        return;
    if (--f->type_count)
        return;
    if (f->type >= PGT_L1 && f->type <= PGT_L4)
        devalidate(d, pfn, f->type, 512);
    f->type = PGT_NONE;
}

void pv_install_hv_slots(struct pv_vcpu *v, uint64_t pfn)
{
    struct pv_domain *d = v->d;
    uint64_t base = pfn << PV_PAGE_SHIFT;

    for (unsigned i = HV_L4_FIRST; i <= HV_L4_LAST; i++) {
        uint64_t e = 0;

        if (i == HV_L4_SLOT_M2P)
            e = d->hv_l3_m2p_gpa | PTE_P | PTE_US;
        else if (i == HV_L4_SLOT_TRAMP)
            e = d->hv_l3_tramp_gpa | PTE_P | PTE_RW;
        else if (i == HV_L4_SLOT_DIRECT)
            e = d->hv_l3_direct_gpa | PTE_P | PTE_RW;
        if (table(d, pfn)[i] != e)
            pv_write_pte(v, base + i * 8, e);
    }
}

int pv_mm_init(struct pv_domain *d)
{
    for (uint64_t i = 0; i < d->max_pfn; i++)
        d->m2p[i] = i; /* identity: machine frame == pseudo-physical frame */
    return 0;
}

/* ---- updates of single entries ---- */

static int level_of(struct pv_domain *d, uint64_t pfn)
{
    struct pv_frame *f = frame(d, pfn);

    if (!f || !f->type_count)
        return 0;
    return (f->type >= PGT_L1 && f->type <= PGT_L4) ? f->type : -1;
}

/* Replace entry `gpa` of a validated level-`level` table with `val`. */
static int mod_entry(struct pv_vcpu *v, uint64_t gpa, int level, uint64_t val)
{
    struct pv_domain *d = v->d;
    uint64_t *p = pv_gpa(d, gpa, 8);
    uint64_t old = *p, nv = adjust_entry(val);
    unsigned idx = (gpa & 0xfff) / 8;
    int rc;

    if (level == 4 && !is_guest_l4_slot(idx))
        return -EINVAL;
    if (!entry_flags_ok(nv))
        return -EINVAL;
    /* Same frame and same writability: no reference changes hands. */
    if ((old & PTE_P) && (nv & PTE_P) && (old & PTE_ADDR) == (nv & PTE_ADDR) &&
        (level > 1 || (old & PTE_RW) == (nv & PTE_RW)) && !(nv & PTE_PSE)) {
        pv_write_pte(v, gpa, nv);
        return 0;
    }
    rc = get_entry(v, level, nv);
    if (rc)
        return rc;
    pv_write_pte(v, gpa, nv);
    put_entry(d, level, old);
    return 0;
}

bool pv_pfn_is_l1(struct pv_domain *d, uint64_t pfn)
{
    return level_of(d, pfn) == PGT_L1;
}

int pv_pt_store(struct pv_vcpu *v, uint64_t gpa, uint64_t val)
{
    if (!pv_pfn_is_l1(v->d, gpa >> PV_PAGE_SHIFT))
        return -EINVAL;
    return mod_entry(v, gpa & ~7ULL, PGT_L1, val);
}

/* MMU_NORMAL_PT_UPDATE / MMU_PT_UPDATE_PRESERVE_AD for one request. */
static int normal_update(struct pv_vcpu *v, uint64_t ptr, uint64_t val, bool preserve_ad)
{
    struct pv_domain *d = v->d;
    uint64_t pfn = ptr >> PV_PAGE_SHIFT;
    uint64_t gpa = ptr & ~7ULL;
    int level;

    if (!pv_pfn_valid(d, pfn))
        return -EINVAL;
    level = level_of(d, pfn);
    if (level < 0)
        return -EINVAL; /* a descriptor page */
    if (preserve_ad && level > 0) {
        uint64_t old = *(uint64_t *)pv_gpa(d, gpa, 8);

        val |= old & (PTE_A | PTE_D);
    }
    if (level > 0)
        return mod_entry(v, gpa, level, val);
    /* Not a page table: an ordinary write, allowed on a writable frame. */
    *(uint64_t *)pv_gpa(d, gpa, 8) = val;
    return 0;
}

static int machphys_update(struct pv_vcpu *v, uint64_t ptr, uint64_t val)
{
    uint64_t mfn = ptr >> PV_PAGE_SHIFT;

    if (!pv_pfn_valid(v->d, mfn) || mfn >= v->d->max_pfn)
        return -EINVAL;
    v->d->m2p[mfn] = val;
    return 0;
}

long pv_mmu_update(struct pv_vcpu *v, uint64_t reqs, unsigned count, uint64_t done_ptr,
                   unsigned dom)
{
    unsigned i;
    long rc = 0;

    if (dom != DOMID_SELF && dom != v->d->domid)
        return -ESRCH;
    for (i = 0; i < count && !rc; i++) {
        struct mmu_update u;

        if (pv_copy_from_guest(v, &u, reqs + i * sizeof(u), sizeof(u))) {
            rc = -EFAULT;
            break;
        }
        switch (u.ptr & 7) {
        case MMU_NORMAL_PT_UPDATE:
        case MMU_PT_UPDATE_PRESERVE_AD:
            rc = normal_update(v, u.ptr, u.val, (u.ptr & 7) == MMU_PT_UPDATE_PRESERVE_AD);
            break;
        case MMU_MACHPHYS_UPDATE:
            rc = machphys_update(v, u.ptr, u.val);
            break;
        default:
            rc = -ENOSYS;
        }
        if (rc)
            break;
    }
    if (done_ptr && pv_copy_to_guest(v, done_ptr, &(uint32_t){i}, sizeof(uint32_t)))
        rc = rc ? rc : -EFAULT;
    return rc;
}

/* ---- mmuext_op ---- */

static int pin(struct pv_vcpu *v, uint64_t pfn, int level)
{
    struct pv_frame *f = pv_pfn_is_ram(v->d, pfn) ? frame(v->d, pfn) : NULL;
    int rc;

    if (!f)
        return -EINVAL;
    if (f->pinned)
        return -EINVAL; /* already pinned */
    rc = pv_get_type(v, pfn, level);
    if (!rc)
        f->pinned = 1;
    return rc;
}

static int unpin(struct pv_vcpu *v, uint64_t pfn)
{
    struct pv_frame *f = pv_pfn_is_ram(v->d, pfn) ? frame(v->d, pfn) : NULL;

    if (!f || !f->pinned)
        return -EINVAL;
    f->pinned = 0;
    pv_put_type(v->d, pfn);
    return 0;
}

int pv_set_baseptr(struct pv_vcpu *v, uint64_t pfn, bool user)
{
    uint64_t *slot = user ? &v->cr3_user : &v->cr3_kernel;
    int rc = 0;

    if (user && pfn == 0) {
        /* No user page table: user mode runs on the kernel's. */
    } else {
        rc = pv_get_type(v, pfn, PGT_L4);
        if (rc)
            return rc;
    }
    if (*slot)
        pv_put_type(v->d, *slot);
    *slot = pfn;
    return 0; /* the vCPU resumes with the new CR3, which KVM switches to */
}

static int clear_or_copy(struct pv_vcpu *v, uint64_t dst, uint64_t src, bool copy)
{
    struct pv_frame *f = frame(v->d, dst);
    uint8_t *dp = pv_gpa(v->d, dst << PV_PAGE_SHIFT, PV_PAGE_SIZE);
    uint8_t *sp = copy ? pv_gpa(v->d, src << PV_PAGE_SHIFT, PV_PAGE_SIZE) : NULL;

    if (!dp || !f || (f->type_count && f->type != PGT_NONE) || (copy && !sp))
        return -EINVAL;
    if (copy)
        pv_memcpy(dp, sp, PV_PAGE_SIZE);
    else
        pv_memset(dp, 0, PV_PAGE_SIZE);
    return 0;
}

static int one_mmuext(struct pv_vcpu *v, struct mmuext_op *op)
{
    uint64_t mfn = op->arg1.mfn;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE: return pin(v, mfn, PGT_L1);
    case MMUEXT_PIN_L2_TABLE: return pin(v, mfn, PGT_L2);
    case MMUEXT_PIN_L3_TABLE: return pin(v, mfn, PGT_L3);
    case MMUEXT_PIN_L4_TABLE: return pin(v, mfn, PGT_L4);
    case MMUEXT_UNPIN_TABLE: return unpin(v, mfn);
    case MMUEXT_NEW_BASEPTR: return pv_set_baseptr(v, mfn, false);
    case MMUEXT_NEW_USER_BASEPTR: return pv_set_baseptr(v, mfn, true);
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_INVLPG_ALL:
        /*
         * Nothing left to do: every change xenner makes to a present entry
         * reaches the accelerator (pt_changed), which flushes before the
         * guest runs again (CR4.PGE is off, so a CR3 reload flushes all),
         * and an entry that was not present cannot be in a TLB.
         */
        return 0;
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        return 0; /* guest RAM is ordinary cached host memory */
    case MMUEXT_SET_LDT:
        if (op->arg2.nr_ents > 8192 || (op->arg1.linear_addr & 0xfff))
            return -EINVAL;
        v->ldt_base = op->arg1.linear_addr;
        v->ldt_ents = op->arg2.nr_ents;
        return op->arg2.nr_ents ? -ENOSYS : 0; /* LDTs are not offered yet */
    case MMUEXT_CLEAR_PAGE: return clear_or_copy(v, mfn, 0, false);
    case MMUEXT_COPY_PAGE: return clear_or_copy(v, mfn, op->arg2.src_mfn, true);
    default:
        return -ENOSYS;
    }
}

long pv_mmuext_op(struct pv_vcpu *v, uint64_t ops, unsigned count, uint64_t done_ptr,
                  unsigned dom)
{
    unsigned i;
    long rc = 0;

    if (dom != DOMID_SELF && dom != v->d->domid)
        return -ESRCH;
    for (i = 0; i < count; i++) {
        struct mmuext_op op;

        if (pv_copy_from_guest(v, &op, ops + i * sizeof(op), sizeof(op))) {
            rc = -EFAULT;
            break;
        }
        rc = one_mmuext(v, &op);
        if (rc)
            break;
    }
    if (done_ptr && pv_copy_to_guest(v, done_ptr, &(uint32_t){i}, sizeof(uint32_t)))
        rc = rc ? rc : -EFAULT;
    return rc;
}

/* Address of the L1 entry mapping va in the current kernel tables, or 0. */
static uint64_t l1e_gpa(struct pv_vcpu *v, uint64_t va)
{
    uint64_t pfn = v->cr3_kernel;

    for (int level = 4; level > 1; level--) {
        unsigned idx = (va >> (12 + 9 * (level - 1))) & 511;
        uint64_t e;

        if (level == 4 && !is_guest_l4_slot(idx))
            return 0;
        e = table(v->d, pfn)[idx];
        if (!(e & PTE_P) || (e & PTE_PSE))
            return 0;
        pfn = (e & PTE_ADDR) >> PV_PAGE_SHIFT;
    }
    return (pfn << PV_PAGE_SHIFT) + ((va >> 12) & 511) * 8;
}

long pv_update_va_mapping(struct pv_vcpu *v, uint64_t va, uint64_t val, uint64_t flags)
{
    uint64_t gpa = l1e_gpa(v, va);

    if (!gpa || level_of(v->d, gpa >> PV_PAGE_SHIFT) != PGT_L1)
        return -EINVAL;
    /* UVMF_* flushes need nothing more (see MMUEXT_TLB_FLUSH_LOCAL). */
    return mod_entry(v, gpa, 1, val);
}

/* ---- descriptor tables ---- */

#define DESC_P (1ULL << 47)
#define DESC_S (1ULL << 44)
#define DESC_DPL (3ULL << 45)

/* Xen's check_descriptor, in short: a not-present descriptor always faults,
 * so it is safe; code and data segments are fine; system descriptors (TSS,
 * LDT) and gates are refused. */
static bool descriptor_ok(uint64_t desc)
{
    return !(desc & DESC_P) || (desc & DESC_S);
}

/* The guest kernel runs at ring 3: its segments get DPL 3, as Xen makes them. */
static uint64_t descriptor_fixup(uint64_t desc)
{
    return (desc & DESC_P) ? (desc | DESC_DPL) : desc;
}

static int check_frame_descs(struct pv_domain *d, uint64_t pfn, unsigned n)
{
    uint64_t *t = table(d, pfn);

    if (!t)
        return -EINVAL;
    for (unsigned i = 0; i < n && i < 512; i++)
        if (!descriptor_ok(t[i]))
            return -EINVAL;
    return 0;
}

static void fixup_frame_descs(struct pv_domain *d, uint64_t pfn, unsigned n)
{
    uint64_t *t = table(d, pfn);

    for (unsigned i = 0; i < n && i < 512; i++)
        t[i] = descriptor_fixup(t[i]);
}

static void map_gdt(struct pv_vcpu *v)
{
    uint64_t l1 = v->d->hv_l1_tramp_gpa;
    uint64_t first = ((HV_VCPU_OFF + v->id * HV_VCPU_SIZE + HV_GDT_OFF) >> 12);

    for (unsigned i = 0; i < HV_GDT_GUEST_PAGES; i++) {
        uint64_t e = v->d->zero_gpa | PTE_P | PTE_NX;

        if (i < v->gdt_nr_frames)
            e = (v->gdt_frames[i] << PV_PAGE_SHIFT) | PTE_P | PTE_RW | PTE_NX;
        pv_write_pte(v, l1 + (first + i) * 8, e);
    }
}

long pv_set_gdt(struct pv_vcpu *v, uint64_t frames_gva, unsigned entries)
{
    unsigned nr = (entries + 511) / 512;
    uint64_t frames[HV_GDT_GUEST_PAGES];
    unsigned i;
    int rc = 0;

    if (entries > HV_GDT_GUEST_PAGES * 512)
        return -EINVAL;
    if (pv_copy_from_guest(v, frames, frames_gva, nr * sizeof(frames[0])))
        return -EFAULT;
    for (i = 0; i < nr && !rc; i++) {
        rc = pv_pfn_is_ram(v->d, frames[i]) ? 0 : -EINVAL;
        if (!rc)
            rc = check_frame_descs(v->d, frames[i], 512); /* Xen checks whole frames */
        if (!rc)
            rc = pv_get_type(v, frames[i], PGT_SEG);
    }
    if (rc) {
        while (i-- > 1)
            pv_put_type(v->d, frames[i - 1]);
        return rc;
    }
    for (i = 0; i < nr; i++)
        fixup_frame_descs(v->d, frames[i], 512);
    for (i = 0; i < v->gdt_nr_frames; i++)
        pv_put_type(v->d, v->gdt_frames[i]);
    pv_memcpy(v->gdt_frames, frames, nr * sizeof(frames[0]));
    v->gdt_nr_frames = nr;
    v->gdt_ents = entries;
    map_gdt(v);
    return 0;
}

long pv_update_descriptor(struct pv_vcpu *v, uint64_t maddr, uint64_t desc)
{
    uint64_t pfn = maddr >> PV_PAGE_SHIFT;
    struct pv_frame *f = frame(v->d, pfn);
    uint64_t *p;

    if ((maddr & 7) || !pv_pfn_is_ram(v->d, pfn) || !descriptor_ok(desc))
        return -EINVAL;
    if (f->type_count && f->type != PGT_SEG)
        return -EINVAL;
    p = pv_gpa(v->d, maddr, 8);
    *p = descriptor_fixup(desc);
    return 0;
}

int pv_read_gdt(struct pv_vcpu *v, uint16_t sel, uint64_t *desc)
{
    unsigned idx = sel >> 3;
    uint64_t va = HV_TRAMP_VA + HV_VCPU_OFF + v->id * HV_VCPU_SIZE + HV_GDT_OFF + idx * 8;
    uint64_t gpa;
    const uint64_t *p;

    if (sel & 4)
        return -EINVAL; /* LDT selectors: no LDT */
    if (idx >= HV_GDT_GUEST_PAGES * 512) {
        gpa = (v->d->hv_pfn << PV_PAGE_SHIFT) + (va - HV_TRAMP_VA);
        p = pv_hv_gpa(v->d, gpa, 8);
    } else {
        if (idx >= v->gdt_ents)
            return -EINVAL;
        p = pv_gpa(v->d, (v->gdt_frames[idx / 512] << PV_PAGE_SHIFT) + (idx % 512) * 8, 8);
    }
    if (!p)
        return -EINVAL;
    *desc = *p;
    return 0;
}
