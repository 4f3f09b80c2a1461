/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Trap and event bouncing, syscall and iret between guest user and kernel mode. */
#include <errno.h>

#include "pv/pv.h"

#define RFLAGS_TF 0x100ULL
#define RFLAGS_IF 0x200ULL
#define RFLAGS_IOPL 0x3000ULL
#define RFLAGS_NT 0x4000ULL
#define RFLAGS_RF 0x10000ULL
#define RFLAGS_VM 0x20000ULL
#define RFLAGS_AC 0x40000ULL

/* The bytes of Xen's forced-emulation prefix (ud2; .ascii "xen") + cpuid. */
static const uint8_t emulate_cpuid[] = { 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2 };

void pv_toggle_mode(struct pv_vcpu *v)
{
    v->kernel_mode = !v->kernel_mode; /* the resume loads the other CR3 and GS base */
}

/*
 * Build Xen's PV exception frame on the guest kernel stack and enter
 * `handler` in kernel mode (Xen: create_bounce_frame in x86_64/entry.S).
 * Frame, lowest address first: rcx, r11, [error code], rip, cs (saved
 * upcall mask in bits 32..39), rflags, rsp, ss.
 */
static bool bounce(struct pv_vcpu *v, uint64_t handler, bool mask_events, bool has_err,
                   uint64_t err)
{
    struct vcpu_info *vi = pv_vcpu_info(v);
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t cs = v->cs, rsp, frame[8];
    unsigned n = 0;

    if (!v->kernel_mode) {
        pv_toggle_mode(v);
        rsp = v->kernel_sp;
    } else {
        rsp = v->r.rsp;
        cs &= ~3ULL; /* tells the guest it was in kernel mode */
    }
    rsp &= ~0xfULL;
    frame[n++] = v->r.rcx;
    frame[n++] = v->r.r11;
    if (has_err)
        frame[n++] = err;
    frame[n++] = v->r.rip;
    frame[n++] = cs | ((uint64_t)saved_mask << 32);
    frame[n++] = (v->r.rflags & ~(RFLAGS_IF | RFLAGS_IOPL)) | ((uint64_t)v->iopl << 12) |
                 (saved_mask ? 0 : RFLAGS_IF);
    frame[n++] = v->r.rsp;
    frame[n++] = v->ss;
    rsp -= n * 8;
    if (pv_copy_to_guest(v, rsp, frame, n * 8)) {
        pv_crash(v->d, PV_STOP_KILLED, "bounce frame at %#llx is not writable guest memory",
                 (unsigned long long)rsp);
        return false;
    }
    if (mask_events)
        vi->evtchn_upcall_mask = 1;
    v->r.rsp = rsp;
    v->r.rip = handler;
    v->r.rflags &= ~(RFLAGS_AC | RFLAGS_VM | RFLAGS_RF | RFLAGS_NT | RFLAGS_TF);
    v->r.rflags |= RFLAGS_IF;
    v->cs = FLAT_KERNEL_CS;
    v->ss = FLAT_KERNEL_SS;
    return true;
}

bool pv_vector_has_error_code(unsigned vec)
{
    return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21;
}

static const char *const vector_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "vector 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE", "#CP control protection",
};

static const char *vector_name(unsigned vec)
{
    return vec < 32 && vector_names[vec] ? vector_names[vec] : "reserved vector";
}

/* Deliver vector `vec` through the guest's trap table. */
static bool guest_trap(struct pv_vcpu *v, unsigned vec, bool has_err, uint64_t err)
{
    struct trap_info *ti = &v->traps[vec];

    pv_log(v->d, 3, "%s at %#llx, error code %#llx, cr2 %#llx", vector_name(vec),
           (unsigned long long)v->r.rip, (unsigned long long)err, (unsigned long long)v->cr2);
    if (!ti->address) {
        pv_crash(v->d, PV_STOP_KILLED, "unhandled %s in guest %s mode, no trap handler (error code %#llx)",
                 vector_name(vec), v->kernel_mode ? "kernel" : "user", (unsigned long long)err);
        return false;
    }
    return bounce(v, ti->address, ti->flags & 4, has_err, err);
}

/* `int $n` from the guest: allowed through a gate whose DPL permits it. */
static bool soft_int(struct pv_vcpu *v, unsigned n, unsigned insn_len)
{
    struct trap_info *ti = &v->traps[n];
    unsigned cpl = v->kernel_mode ? 1 : 3; /* Xen's view: kernel is ring 1 */

    if (!ti->address || (ti->flags & 3) < cpl)
        return guest_trap(v, 13, true, (n << 3) | 2);
    v->r.rip += insn_len;
    return bounce(v, ti->address, ti->flags & 4, false, 0);
}

/* Emulate cpuid after Xen's forced-emulation prefix; true if it was one. */
static bool try_emulate_prefix(struct pv_vcpu *v)
{
    uint8_t insn[sizeof(emulate_cpuid)];
    struct pv_host *h = &v->d->host;
    uint32_t regs[4];

    if (pv_copy_from_guest(v, insn, v->r.rip, sizeof(insn)))
        return false;
    for (unsigned i = 0; i < sizeof(insn); i++)
        if (insn[i] != emulate_cpuid[i])
            return false;
    if (!h->cpuid)
        return false;
    h->cpuid(h->opaque, v, (uint32_t)v->r.rax, (uint32_t)v->r.rcx, regs);
    v->r.rax = regs[0];
    v->r.rbx = regs[1];
    v->r.rcx = regs[2];
    v->r.rdx = regs[3];
    v->r.rip += sizeof(emulate_cpuid);
    return true;
}

/* An `int $n` that the platform reported as #UD or #GP. */
static bool try_soft_int(struct pv_vcpu *v)
{
    uint8_t insn[2];

    if (pv_copy_from_guest(v, insn, v->r.rip, 2))
        return false;
    if (insn[0] == 0xcd)
        return soft_int(v, insn[1], 2), true;
    return false;
}

/*
 * Port I/O, cli and sti that the guest's virtual IOPL allows (physdev
 * set_iopl; the guest kernel counts as ring 1): PIT channel 2 and port 0x61
 * as Xen emulates them (pit.c); other ports read all ones and take writes
 * to nowhere, as an empty ISA bus. True if emulated.
 */
static bool try_emulate_io(struct pv_vcpu *v)
{
    unsigned cpl = v->kernel_mode ? 1 : 3, len = 0, size = 4, port, avail;
    uint8_t insn[3] = { 0 }, op;
    bool in;

    if (v->iopl < cpl)
        return false;
    avail = pv_fetch_insn(v, insn, sizeof(insn));
    if (!avail || (insn[0] == 0x66 && avail < 2))
        return false;
    if (insn[0] == 0x66) {
        size = 2;
        len = 1;
    }
    op = insn[len];
    switch (op) {
    case 0xe4: case 0xe6: size = 1; /* in/out al, imm8 */
        /* fall through */
    case 0xe5: case 0xe7:
        if (len + 2 > avail)
            return false;
        port = insn[len + 1];
        len += 2;
        break;
    case 0xec: case 0xee: size = 1; /* in/out al, dx */
        /* fall through */
    case 0xed: case 0xef: port = v->r.rdx & 0xffff; len += 1; break;
    case 0xfa: case 0xfb: /* cli/sti: no-ops, as Xen makes them under IOPL */
        v->r.rip += len + 1;
        return true;
    default: return false;
    }
    in = !(op & 0x2); /* in: e4, e5, ec, ed; out has bit 1 set */
    if (size == 1) {
        uint8_t b = v->r.rax;

        if (pv_pit_port(v->d, port, !in, &b)) {
            if (in)
                v->r.rax = (v->r.rax & ~0xffULL) | b;
            v->r.rip += len;
            return true;
        }
    }
    if (in) { /* nothing else is there: all ones, as from an empty bus */
        uint64_t ones = size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;

        v->r.rax = size == 4 ? ones : (v->r.rax & ~ones) | ones;
    }
    v->r.rip += len;
    return true;
}

bool pv_trap(struct pv_vcpu *v, unsigned vec, bool has_err, uint64_t err)
{
    v->stat_trap[vec & 31]++;
    switch (vec) {
    case 3: /* int3 arrives here as a trap: rip is already past it */
        return guest_trap(v, 3, false, 0);
    case 6:
        if (try_emulate_prefix(v))
            return true;
        if (try_soft_int(v))
            return v->d->stop == PV_RUNNING;
        break;
    case 7:
        if (v->fpu_ts) { /* the guest's lazy FPU switch */
            v->fpu_ts = false;
            v->hw_ts = false;
        }
        break;
    case 8:
        pv_crash(v->d, PV_STOP_KILLED, "double fault");
        return false;
    case 13:
        if ((err & 7) == 2 && try_soft_int(v))
            return v->d->stop == PV_RUNNING;
        if (err == 0 && (try_emulate_io(v) || pv_emulate_privop(v))) {
            v->stat_privop++;
            return true;
        }
        break;
    case 14: {
        struct vcpu_info *vi = pv_vcpu_info(v);

        if (pv_ptwr_fault(v, err)) {
            v->stat_ptwr++;
            return true;
        }
        vi->arch.cr2 = v->cr2;
        /* The CPU saw ring 3 either way; Xen reports the guest's own mode. */
        err = v->kernel_mode ? (err & ~4ULL) : (err | 4ULL);
        break;
    }
    }
    return guest_trap(v, vec, has_err, err);
}

void pv_syscall(struct pv_vcpu *v)
{
    /* The syscall instruction left the return address in rcx, rflags in r11. */
    v->r.rip = v->r.rcx;
    v->r.rflags = v->r.r11;
    if (v->kernel_mode) {
        pv_hypercall(v);
        return;
    }
    v->stat_syscall++;
    v->cs = FLAT_USER_CS64;
    v->ss = FLAT_USER_SS64;
    if (!v->syscall_cb) {
        guest_trap(v, 6, false, 0); /* Xen raises #UD without a callback */
        return;
    }
    bounce(v, v->syscall_cb, v->syscall_masks_events, false, 0);
}

void pv_deliver_events(struct pv_vcpu *v)
{
    struct vcpu_info *vi = pv_vcpu_info(v);

    if (v->d->stop != PV_RUNNING || !v->event_cb)
        return;
    if (!__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE) ||
        vi->evtchn_upcall_mask)
        return;
    bounce(v, v->event_cb, true, false, 0);
}

long pv_iret(struct pv_vcpu *v)
{
    struct iret_context f;

    if (pv_copy_from_guest(v, &f, v->r.rsp, sizeof(f))) {
        pv_crash(v->d, PV_STOP_KILLED, "iret frame at %#llx is not readable",
                 (unsigned long long)v->r.rsp);
        return -EFAULT;
    }
    if ((f.cs & 3) == 3) {
        if (!v->cr3_user) {
            pv_crash(v->d, PV_STOP_KILLED, "iret to user mode with no user page table");
            return -EFAULT;
        }
        pv_toggle_mode(v);
    }
    v->r.rip = f.rip;
    v->cs = f.cs | 3;
    v->r.rflags = (f.rflags & ~(RFLAGS_IOPL | RFLAGS_VM)) | RFLAGS_IF;
    v->r.rsp = f.rsp;
    v->ss = f.ss | 3;
    if (f.flags & VGCF_in_syscall) {
        v->r.rcx = f.rip; /* as sysret leaves them */
        v->r.r11 = v->r.rflags;
    } else {
        v->r.rcx = f.rcx;
        v->r.r11 = f.r11;
    }
    pv_vcpu_info(v)->evtchn_upcall_mask = !(f.rflags & RFLAGS_IF);
    return f.rax;
}
