/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hypercall dispatch: one table indexed by number, one named handler each. */
#include <errno.h>

#include "pv/pv.h"
#include <xen/callback.h>
#include <xen/features.h>
#include <xen/physdev.h>
#include <xen/version.h>

typedef long (*hypercall_fn)(struct pv_vcpu *v, uint64_t a[6]);


static long hc_console_io(struct pv_vcpu *v, uint64_t a[6])
{
    char buf[512];
    uint64_t count = a[1], gva = a[2];

    switch (a[0]) {
    case CONSOLEIO_write:
        while (count) {
            size_t n = count > sizeof(buf) ? sizeof(buf) : count;

            if (pv_copy_from_guest(v, buf, gva, n))
                return -EFAULT;
            v->d->host.console_write(v->d->host.opaque, buf, n);
            gva += n;
            count -= n;
        }
        return 0;
    case CONSOLEIO_read: {
        int n = v->d->host.console_read(v->d->host.opaque, buf,
                                        count > sizeof(buf) ? sizeof(buf) : count);

        if (n > 0 && pv_copy_to_guest(v, gva, buf, n))
            return -EFAULT;
        return n;
    }
    default:
        return -EINVAL;
    }
}

static long copy_string(struct pv_vcpu *v, uint64_t gva, const char *s, size_t size)
{
    char buf[1024] = { 0 };

    for (size_t i = 0; s[i] && i + 1 < size; i++)
        buf[i] = s[i];
    return pv_copy_to_guest(v, gva, buf, size) ? -EFAULT : 0;
}

static long hc_xen_version(struct pv_vcpu *v, uint64_t a[6])
{
    uint64_t arg = a[1];

    switch (a[0]) {
    case XENVER_version:
        return (XENNER_XEN_MAJOR << 16) | XENNER_XEN_MINOR;
    case XENVER_extraversion:
        return copy_string(v, arg, ".0-xenner", sizeof(xen_extraversion_t));
    case XENVER_capabilities:
        return copy_string(v, arg, "xen-3.0-x86_64", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string(v, arg, "xenner", sizeof(xen_changeset_info_t));
    case XENVER_compile_info: {
        xen_compile_info_t ci = { .compiler = "gcc", .compile_by = "xenner",
                                  .compile_domain = "xenner", .compile_date = "" };

        return pv_copy_to_guest(v, arg, &ci, sizeof(ci)) ? -EFAULT : 0;
    }
    case XENVER_platform_parameters: {
        xen_platform_parameters_t pp = { .virt_start = HYPERVISOR_VIRT_START };

        return pv_copy_to_guest(v, arg, &pp, sizeof(pp)) ? -EFAULT : 0;
    }
    case XENVER_get_features: {
        xen_feature_info_t fi;

        if (pv_copy_from_guest(v, &fi, arg, sizeof(fi)))
            return -EFAULT;
        if (fi.submap_idx >= PV_ARRAY_SIZE(v->d->features))
            return -EINVAL;
        fi.submap = v->d->features[fi.submap_idx];
        return pv_copy_to_guest(v, arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }
    case XENVER_pagesize:
        return PV_PAGE_SIZE;
    case XENVER_guest_handle:
        return pv_copy_to_guest(v, arg, v->d->handle, sizeof(xen_domain_handle_t)) ? -EFAULT : 0;
    case XENVER_commandline:
    case XENVER_build_id:
        return -EPERM; /* the host's, not the guest's business */
    default:
        return -ENOSYS;
    }
}

static long hc_set_trap_table(struct pv_vcpu *v, uint64_t a[6])
{
    uint64_t gva = a[0];
    struct trap_info t;

    if (!gva) {
        pv_memset(v->traps, 0, sizeof(v->traps));
        return 0;
    }
    for (;; gva += sizeof(t)) {
        if (pv_copy_from_guest(v, &t, gva, sizeof(t)))
            return -EFAULT;
        if (!t.address)
            return 0;
        if ((uint64_t)((int64_t)(t.address << 16) >> 16) != t.address)
            return -EINVAL; /* non-canonical */
        v->traps[t.vector] = t;
    }
}

static long set_callback(struct pv_vcpu *v, unsigned type, uint64_t addr, unsigned flags)
{
    bool mask = flags & CALLBACKF_mask_events;

    if (!pv_canonical(addr))
        return -EINVAL;
    switch (type) {
    case CALLBACKTYPE_event: v->event_cb = addr; return 0;
    case CALLBACKTYPE_failsafe:
        v->failsafe_cb = addr;
        v->failsafe_masks_events = mask;
        return 0;
    case CALLBACKTYPE_syscall:
        v->syscall_cb = addr;
        v->syscall_masks_events = mask;
        return 0;
    case CALLBACKTYPE_syscall32: v->syscall32_cb = addr; return 0;
    case CALLBACKTYPE_sysenter: v->sysenter_cb = addr; return 0;
    case CALLBACKTYPE_nmi: v->nmi_cb = addr; return 0;
    default: return -ENOSYS;
    }
}

static long hc_callback_op(struct pv_vcpu *v, uint64_t a[6])
{
    switch (a[0]) {
    case CALLBACKOP_register: {
        struct callback_register r;

        if (pv_copy_from_guest(v, &r, a[1], sizeof(r)))
            return -EFAULT;
        return set_callback(v, r.type, r.address, r.flags);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister u;

        if (pv_copy_from_guest(v, &u, a[1], sizeof(u)))
            return -EFAULT;
        if (u.type != CALLBACKTYPE_nmi)
            return u.type <= CALLBACKTYPE_nmi ? -EINVAL : -ENOSYS;
        v->nmi_cb = 0;
        return 0;
    }
    default:
        return -ENOSYS;
    }
}

static long hc_set_callbacks(struct pv_vcpu *v, uint64_t a[6])
{
    long rc = set_callback(v, CALLBACKTYPE_event, a[0], 0);

    if (!rc)
        rc = set_callback(v, CALLBACKTYPE_failsafe, a[1], 0);
    if (!rc)
        rc = set_callback(v, CALLBACKTYPE_syscall, a[2], 0);
    return rc;
}

static long hc_stack_switch(struct pv_vcpu *v, uint64_t a[6])
{
    v->kernel_ss = a[0];
    v->kernel_sp = a[1];
    return 0;
}

static long hc_iret(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_iret(v);
}

static long hc_mmu_update(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_mmu_update(v, a[0], a[1], a[2], a[3]);
}

static long hc_mmuext_op(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_mmuext_op(v, a[0], a[1], a[2], a[3]);
}

static long hc_update_va_mapping(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_update_va_mapping(v, a[0], a[1], a[2]);
}

static long hc_set_gdt(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_set_gdt(v, a[0], a[1]);
}

static long hc_update_descriptor(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_update_descriptor(v, a[0], a[1]);
}

static long hc_set_segment_base(struct pv_vcpu *v, uint64_t a[6])
{
    uint64_t base = a[1];

    if (a[0] != SEGBASE_GS_USER_SEL && !pv_canonical(base))
        return -EINVAL;
    switch (a[0]) {
    case SEGBASE_FS: v->fs_base = base; break;
    case SEGBASE_GS_USER: v->gs_base_user = base; break;
    case SEGBASE_GS_KERNEL: v->gs_base_kernel = base; break;
    case SEGBASE_GS_USER_SEL: {
        uint64_t desc = 0;
        uint16_t sel = base;

        if ((sel & ~3) && pv_read_gdt(v, sel, &desc))
            return -EINVAL;
        v->gs_sel_user = sel;
        v->gs_base_user = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24);
        break;
    }
    default:
        return -EINVAL;
    }
    return 0;
}

static long hc_fpu_taskswitch(struct pv_vcpu *v, uint64_t a[6])
{
    v->fpu_ts = a[0] != 0;
    v->hw_ts = v->fpu_ts;
    return 0;
}

/* VM assists a 64-bit PV guest may use (Xen's VM_ASSIST_VALID for PV64). */
#define VM_ASSIST_VALID ((1u << VMASST_TYPE_4gb_segments) | \
                         (1u << VMASST_TYPE_4gb_segments_notify) | \
                         (1u << VMASST_TYPE_writable_pagetables) | \
                         (1u << VMASST_TYPE_pae_extended_cr3) | \
                         (1u << VMASST_TYPE_architectural_iopl) | \
                         (1u << VMASST_TYPE_runstate_update_flag))

static long hc_vm_assist(struct pv_vcpu *v, uint64_t a[6])
{
    unsigned type = a[1];
    uint32_t bit;

    if (a[0] != VMASST_CMD_enable && a[0] != VMASST_CMD_disable)
        return -ENOSYS;
    if (type == VMASST_TYPE_m2p_strict)
        return 0; /* identity M2P: nothing to be strict about */
    if (type >= 32 || !(VM_ASSIST_VALID & (1u << type)))
        return -EINVAL;
    bit = 1u << type;
    if (a[0] == VMASST_CMD_enable)
        v->d->vm_assist |= bit;
    else
        v->d->vm_assist &= ~bit;
    return 0;
}

/*
 * Debug registers: stored per vCPU and read back as Xen does. xenner cannot
 * arm hardware breakpoints for the guest, so a DR7 that enables one is
 * refused with -EPERM rather than accepted and silently ignored.
 */
static long hc_set_debugreg(struct pv_vcpu *v, uint64_t a[6])
{
    unsigned reg = a[0];
    uint64_t val = a[1];

    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!pv_guest_range_ok(val, 1))
            return -EPERM;
        break;
    case 6: val = (val & 0xe00f) | 0xffff0ff0; break; /* the fixed-1 bits */
    case 7:
        if (val & 0xff) /* L0-3/G0-3: a breakpoint being enabled */
            return -EPERM;
        val = (val & ~0xffffULL) | 0x400;
        break;
    default: return -EINVAL;
    }
    v->dr[reg] = val;
    return 0;
}

static long hc_get_debugreg(struct pv_vcpu *v, uint64_t a[6])
{
    unsigned reg = a[0];

    if (reg > 7 || reg == 4 || reg == 5)
        return -EINVAL;
    if (reg == 6 && !v->dr[6])
        return 0xffff0ff0;
    if (reg == 7 && !v->dr[7])
        return 0x400;
    return v->dr[reg];
}

/* No virtual PMU: what Xen answers when vpmu is off. */
static long hc_xenpmu_op(struct pv_vcpu *v, uint64_t a[6])
{
    return -EOPNOTSUPP;
}

static long hc_multicall(struct pv_vcpu *v, uint64_t a[6])
{
    uint64_t gva = a[0];

    for (unsigned i = 0; i < a[1]; i++, gva += sizeof(struct multicall_entry)) {
        struct multicall_entry e;

        if (pv_copy_from_guest(v, &e, gva, sizeof(e)))
            return -EFAULT;
        if (e.op == __HYPERVISOR_multicall || e.op == __HYPERVISOR_iret)
            e.result = -EINVAL;
        else
            e.result = pv_do_hypercall(v, e.op, e.args);
        if (v->d->stop != PV_RUNNING)
            return 0;
        if (pv_copy_to_guest(v, gva + __builtin_offsetof(struct multicall_entry, result),
                             &e.result, sizeof(e.result)))
            return -EFAULT;
    }
    return 0;
}

static long hc_memory_op(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_memory_op(v, a[0], a[1]);
}

static long hc_sched_op(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_sched_op(v, a[0], a[1]);
}

static long hc_set_timer_op(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_set_timer_op(v, a[0]);
}

static long hc_vcpu_op(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_vcpu_op(v, a[0], a[1], a[2]);
}

static long hc_event_channel_op(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_event_channel_op(v, a[0], a[1]);
}

static long hc_grant_table_op(struct pv_vcpu *v, uint64_t a[6])
{
    return pv_grant_table_op(v, a[0], a[1], a[2]);
}

static long hc_physdev_op(struct pv_vcpu *v, uint64_t a[6])
{
    switch (a[0]) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl s;

        if (pv_copy_from_guest(v, &s, a[1], sizeof(s)))
            return -EFAULT;
        if (s.iopl > 3)
            return -EINVAL;
        v->iopl = s.iopl;
        return 0;
    }
    case PHYSDEVOP_set_iobitmap: {
        struct physdev_set_iobitmap s;

        if (pv_copy_from_guest(v, &s, a[1], sizeof(s)))
            return -EFAULT;
        return s.nr_ports > 65536 ? -EINVAL : 0; /* no I/O ports exist to grant */
    }
    default:
        return -ENOSYS;
    }
}

static const hypercall_fn table[64] = {
    [__HYPERVISOR_set_trap_table] = hc_set_trap_table,
    [__HYPERVISOR_mmu_update] = hc_mmu_update,
    [__HYPERVISOR_set_gdt] = hc_set_gdt,
    [__HYPERVISOR_stack_switch] = hc_stack_switch,
    [__HYPERVISOR_set_callbacks] = hc_set_callbacks,
    [__HYPERVISOR_fpu_taskswitch] = hc_fpu_taskswitch,
    [__HYPERVISOR_set_debugreg] = hc_set_debugreg,
    [__HYPERVISOR_get_debugreg] = hc_get_debugreg,
    [__HYPERVISOR_xenpmu_op] = hc_xenpmu_op,
    [__HYPERVISOR_set_timer_op] = hc_set_timer_op,
    [__HYPERVISOR_update_descriptor] = hc_update_descriptor,
    [__HYPERVISOR_memory_op] = hc_memory_op,
    [__HYPERVISOR_multicall] = hc_multicall,
    [__HYPERVISOR_update_va_mapping] = hc_update_va_mapping,
    [__HYPERVISOR_xen_version] = hc_xen_version,
    [__HYPERVISOR_console_io] = hc_console_io,
    [__HYPERVISOR_grant_table_op] = hc_grant_table_op,
    [__HYPERVISOR_vm_assist] = hc_vm_assist,
    [__HYPERVISOR_iret] = hc_iret,
    [__HYPERVISOR_vcpu_op] = hc_vcpu_op,
    [__HYPERVISOR_set_segment_base] = hc_set_segment_base,
    [__HYPERVISOR_mmuext_op] = hc_mmuext_op,
    [__HYPERVISOR_callback_op] = hc_callback_op,
    [__HYPERVISOR_event_channel_op] = hc_event_channel_op,
    [__HYPERVISOR_physdev_op] = hc_physdev_op,
    [__HYPERVISOR_sched_op] = hc_sched_op,
};

long pv_do_hypercall(struct pv_vcpu *v, uint64_t nr, uint64_t a[6])
{
    if (nr >= PV_ARRAY_SIZE(table) || !table[nr]) {
        if (nr < 64 && !(v->d->unknown_hc_logged & (1ULL << nr))) {
            v->d->unknown_hc_logged |= 1ULL << nr;
            pv_log(v->d, 1, "unknown hypercall %llu: -ENOSYS", (unsigned long long)nr);
        } else if (nr >= 64 && !v->d->unknown_hc_high_logged) {
            v->d->unknown_hc_high_logged = true;
            pv_log(v->d, 1, "unknown hypercall %#llx: -ENOSYS (numbers from 64 up are logged once)",
                   (unsigned long long)nr);
        }
        return -ENOSYS;
    }
    return table[nr](v, a);
}

void pv_hypercall(struct pv_vcpu *v)
{
    uint64_t a[6] = { v->r.rdi, v->r.rsi, v->r.rdx, v->r.r10, v->r.r8, v->r.r9 };

    v->stat_hc[v->r.rax < 63 ? v->r.rax : 63]++;
    v->r.rax = pv_do_hypercall(v, v->r.rax, a);
}
