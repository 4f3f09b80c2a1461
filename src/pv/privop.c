/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Privileged instructions a PV kernel may run: MSR and control-register access. */
#include <errno.h>

#include "pv/pv.h"

/*
 * A PV kernel runs outside ring 0, so rdmsr, wrmsr and `mov` to or from a
 * control register fault; Xen emulates the ones its PV ABI allows
 * (xen/arch/x86/pv/emul-priv-op.c) and raises #GP for the rest, which
 * Linux's *_safe accessors expect for an MSR that does not exist.
 */

#define MSR_IA32_TSC 0x10
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_UCODE_REV 0x8b
#define MSR_INTEL_PLATFORM_INFO 0xce
#define MSR_INTEL_MISC_FEATURES 0x140
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_CR_PAT 0x277
#define MSR_IA32_MCG_CAP 0x179
#define MSR_IA32_MCG_STATUS 0x17a
#define MSR_IA32_MC0_CTL 0x400
/* Xen's virtual machine-check architecture (vMCE): two banks that never
 * report an error, threshold-status capable, as Xen gives every guest. */
#define VMCE_BANKS 2
#define MCG_TES_P (1ULL << 11)
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define MSR_IA32_SPEC_CTRL 0x48
#define MSR_IA32_PRED_CMD 0x49
#define SPEC_CTRL_IBRS (1ULL << 0)
#define SPEC_CTRL_STIBP (1ULL << 1)
#define SPEC_CTRL_SSBD (1ULL << 2)
#define PRED_CMD_IBPB (1ULL << 0)
#define PRED_CMD_SBPB (1ULL << 7)
#define MSR_EFER 0xc0000080
#define MSR_K8_HWCR 0xc0010015
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102

#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NX (1ULL << 11)
/* MISC_ENABLE as Xen shows it: fast strings, no BTS, no PEBS. */
#define MISC_ENABLE_PV ((1ULL << 0) | (1ULL << 11) | (1ULL << 12))

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_TS (1ULL << 3)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_AM (1ULL << 18)
#define CR0_PG (1ULL << 31)
/* CR4 bits a PV guest may set for itself; the rest are Xen's. */
#define CR4_GUEST_BITS ((1ULL << 2) | (1ULL << 3)) /* TSD, DE */
#define CR4_OSXSAVE (1ULL << 18)
#define XCR0_X87 1ULL
#define XCR0_SSE 2ULL
#define XCR0_AVX 4ULL
#define XCR0_AVX512 0xe0ULL /* opmask, ZMM_Hi256, Hi16_ZMM: all or none, with AVX */

/* Whether the guest's cpuid offers feature bit `bit` of (leaf, sub).reg. */
static bool has_feature(struct pv_vcpu *v, uint32_t leaf, uint32_t sub, unsigned reg, unsigned bit)
{
    struct pv_host *h = &v->d->host;
    uint32_t out[4] = { 0 };

    if (!h->cpuid)
        return false;
    h->cpuid(h->opaque, v, leaf, sub, out);
    return (out[reg] >> bit) & 1;
}

/*
 * The speculation-control MSRs, as Xen's guest_rdmsr/guest_wrmsr allow
 * them (xen/arch/x86/msr.c): present when the guest's cpuid offers them
 * (IBRSB, STIBP and SSBD in leaf 7; IBPB and SBPB in AMD's leaves), with
 * #GP for a reserved bit. SPEC_CTRL is the vCPU's own; a PRED_CMD barrier
 * is issued on the host vCPU. The accelerator offers these bits only when
 * it can set the MSRs (kvm.c tries at start), so a refusal here means a
 * bad value.
 */
static uint64_t spec_ctrl_bits(struct pv_vcpu *v)
{
    if (!has_feature(v, 7, 0, 3, 26)) /* IBRSB: the MSR exists */
        return 0;
    return SPEC_CTRL_IBRS | (has_feature(v, 7, 0, 3, 27) ? SPEC_CTRL_STIBP : 0) |
           (has_feature(v, 7, 0, 3, 31) ? SPEC_CTRL_SSBD : 0);
}

static uint64_t pred_cmd_bits(struct pv_vcpu *v)
{
    if (!has_feature(v, 7, 0, 3, 26) && !has_feature(v, 0x80000008, 0, 1, 12))
        return 0;
    return PRED_CMD_IBPB | (has_feature(v, 0x80000021, 0, 0, 27) ? PRED_CMD_SBPB : 0);
}

static int write_spec_msr(struct pv_vcpu *v, uint32_t msr, uint64_t val)
{
    struct pv_host *h = &v->d->host;
    uint64_t ok = msr == MSR_IA32_SPEC_CTRL ? spec_ctrl_bits(v) : pred_cmd_bits(v);

    if (!ok || (val & ~ok))
        return -EINVAL;
    if (msr == MSR_IA32_PRED_CMD && !val)
        return 0; /* no barrier asked for */
    if (!h->host_msr_write || h->host_msr_write(h->opaque, v, msr, val))
        return -EINVAL;
    if (msr == MSR_IA32_SPEC_CTRL)
        v->spec_ctrl = val;
    return 0;
}

/* 0 and *val, or -EINVAL for an MSR a PV guest cannot read. */
static int read_msr(struct pv_vcpu *v, uint32_t msr, uint64_t *val)
{
    struct pv_host *h = &v->d->host;

    switch (msr) {
    case MSR_FS_BASE: *val = v->fs_base; return 0;
    case MSR_GS_BASE: *val = v->gs_base_kernel; return 0;
    case MSR_SHADOW_GS_BASE: *val = v->gs_base_user; return 0;
    case MSR_EFER: *val = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX; return 0;
    case MSR_IA32_TSC: *val = h->rdtsc(h->opaque); return 0;
    case MSR_IA32_CR_PAT: *val = PV_MSR_PAT; return 0;
    case MSR_IA32_MISC_ENABLE: *val = MISC_ENABLE_PV; return 0;
    case MSR_IA32_PLATFORM_ID:
    case MSR_IA32_UCODE_REV:
    case MSR_INTEL_PLATFORM_INFO:
    case MSR_INTEL_MISC_FEATURES: *val = 0; return 0;
    case MSR_IA32_MCG_CAP: *val = MCG_TES_P | VMCE_BANKS; return 0;
    case MSR_IA32_MCG_STATUS: *val = 0; return 0;
    case MSR_K8_HWCR: /* TscFreqSel: the TSC runs at the P0 frequency */
        if (!h->host_msr || h->host_msr(h->opaque, v, msr, val))
            return -EINVAL;
        *val = 1ULL << 24;
        return 0;
    case MSR_IA32_ARCH_CAPABILITIES: /* the CPU's, when cpuid offers it */
        return h->host_msr && !h->host_msr(h->opaque, v, msr, val) ? 0 : -EINVAL;
    case MSR_IA32_SPEC_CTRL:
        *val = v->spec_ctrl;
        return spec_ctrl_bits(v) ? 0 : -EINVAL;
    }
    if (msr >= MSR_IA32_MC0_CTL && msr < MSR_IA32_MC0_CTL + 4 * VMCE_BANKS) {
        /* MCi_CTL reads all ones (every error type enabled); STATUS, ADDR
         * and MISC read 0: no error was ever logged. */
        *val = (msr & 3) == 0 ? ~0ULL : 0;
        return 0;
    }
    return -EINVAL;
}

/* 0, or -EINVAL for a write a PV guest may not make. */
static int write_msr(struct pv_vcpu *v, uint32_t msr, uint64_t val)
{
    uint64_t cur;

    switch (msr) {
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_SHADOW_GS_BASE:
        if (!pv_canonical(val))
            return -EINVAL;
        *(msr == MSR_FS_BASE ? &v->fs_base
          : msr == MSR_GS_BASE ? &v->gs_base_kernel : &v->gs_base_user) = val;
        return 0;
    case MSR_IA32_UCODE_REV:
        return 0; /* the microcode-revision probe writes 0 first */
    case MSR_IA32_MCG_STATUS:
        return 0; /* nothing is in progress to clear */
    case MSR_IA32_SPEC_CTRL:
    case MSR_IA32_PRED_CMD:
        return write_spec_msr(v, msr, val);
    }
    if (msr >= MSR_IA32_MC0_CTL && msr < MSR_IA32_MC0_CTL + 4 * VMCE_BANKS)
        return (msr & 3) == 1 && val ? -EINVAL : 0; /* STATUS may only be cleared */
    /* Rewriting the value already there is harmless; anything else is not. */
    if (read_msr(v, msr, &cur) || cur != val)
        return -EINVAL;
    return 0;
}

static void log_msr_once(struct pv_vcpu *v, const char *what, uint32_t msr, uint64_t val)
{
    if (v->d->msr_logged >= 16)
        return;
    v->d->msr_logged++;
    pv_log(v->d, 3, "%s of MSR %#x (%#llx) refused with #GP, as Xen does", what, msr,
           (unsigned long long)val);
}

static uint64_t read_cr(struct pv_vcpu *v, unsigned cr)
{
    switch (cr) {
    case 0:
        return CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG |
               (v->fpu_ts ? CR0_TS : 0);
    case 2: return v->cr2;
    case 3: return (v->kernel_mode || !v->cr3_user ? v->cr3_kernel : v->cr3_user) << PV_PAGE_SHIFT;
    default: return v->cr4 | (v->d->xcr0 ? CR4_OSXSAVE : 0); /* set by Xen, as XSAVE is on */
    }
}

/* `mov %crN, reg` or `mov reg, %crN`; false if not allowed. */
static bool mov_cr(struct pv_vcpu *v, bool to_cr, unsigned cr, unsigned reg)
{
    uint64_t *r = pv_gpr(&v->r, reg);

    if (cr != 0 && cr != 2 && cr != 3 && cr != 4)
        return false;
    if (!to_cr) {
        *r = read_cr(v, cr);
        return true;
    }
    switch (cr) {
    case 0: /* only TS is the guest's; the rest is ignored as Xen does */
        v->fpu_ts = *r & CR0_TS;
        v->hw_ts = v->fpu_ts;
        return true;
    case 2: v->cr2 = *r; return true;
    case 4: v->cr4 = (v->cr4 & ~CR4_GUEST_BITS) | (*r & CR4_GUEST_BITS); return true;
    }
    return false; /* CR3 goes through MMUEXT_NEW_BASEPTR */
}

/*
 * xsetbv, as Xen emulates it for PV guests. The hardware XCR0 stays the
 * host's: under PVM the guest runs with it, and its processes read it with
 * xgetbv. So the kernel must save and restore all of it on a context
 * switch; a smaller XCR0 is taken, with a warning, since refusing it would
 * stop the guest at boot, but state outside it then leaks between processes.
 */
static bool xsetbv(struct pv_vcpu *v, unsigned len)
{
    struct pv_domain *d = v->d;
    uint64_t val = (v->r.rdx << 32) | (uint32_t)v->r.rax;

    if ((uint32_t)v->r.rcx != 0 || !d->xcr0 || (val & ~d->xcr0) || !(val & XCR0_X87) ||
        ((val & XCR0_AVX) && !(val & XCR0_SSE)) ||
        ((val & XCR0_AVX512) && ((val & XCR0_AVX512) != XCR0_AVX512 || !(val & XCR0_AVX))))
        return false; /* #GP, as on hardware */
    if (val != d->xcr0 && !d->xcr0_warned) {
        d->xcr0_warned = true;
        pv_log(d, 1, "guest set XCR0 to %#llx, less than the host's %#llx: its processes "
               "can use vector state its kernel does not save", (unsigned long long)val,
               (unsigned long long)d->xcr0);
    }
    v->xcr0_set = val;
    v->r.rip += len;
    return true;
}

bool pv_emulate_privop(struct pv_vcpu *v)
{
    uint8_t insn[4];
    const uint8_t *b = insn;
    unsigned rex = 0, i = 0, n;
    uint32_t msr = v->r.rcx;
    uint64_t val;

    if (!v->kernel_mode)
        return false;
    n = pv_fetch_insn(v, insn, sizeof(insn));
    if (n && (insn[0] & 0xf0) == 0x40) {
        rex = insn[0];
        i = 1;
        b = insn + 1; /* b[0..] is the instruction after its REX prefix */
    }
    if (n < i + 2 || b[0] != 0x0f)
        return false;
    if (n >= i + 3 && b[1] == 0x01 && b[2] == 0xd1)
        return xsetbv(v, i + 3);
    if ((b[1] == 0x20 || b[1] == 0x22) && n < i + 3)
        return false; /* mov to/from CR has a ModRM byte */
    switch (b[1]) {
    case 0x30: /* wrmsr */
        val = (v->r.rdx << 32) | (uint32_t)v->r.rax;
        if (write_msr(v, msr, val)) {
            log_msr_once(v, "write", msr, val);
            return false;
        }
        v->r.rip += i + 2;
        return true;
    case 0x32: /* rdmsr */
        if (read_msr(v, msr, &val)) {
            log_msr_once(v, "read", msr, 0);
            return false;
        }
        v->r.rax = (uint32_t)val;
        v->r.rdx = val >> 32;
        v->r.rip += i + 2;
        return true;
    case 0x09: /* wbinvd: the guest's memory is ordinary host memory */
        v->r.rip += i + 2;
        return true;
    case 0x20: /* mov %crN, reg */
    case 0x22: /* mov reg, %crN */
        if ((b[2] >> 6) != 3 ||
            !mov_cr(v, b[1] == 0x22, ((b[2] >> 3) & 7) | ((rex & 4) << 1),
                    (b[2] & 7) | ((rex & 1) << 3)))
            return false;
        v->r.rip += i + 3;
        return true;
    }
    return false;
}
