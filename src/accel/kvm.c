/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The KVM accelerator: memory slots, the vCPU, its exits as guest events.
 * The only file that knows <linux/kvm.h>. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x86intrin.h>
#include <cpuid.h>
#include <linux/kvm.h>

#include "accel/accel.h"
#include "util/log.h"
#include "vmm/vmm.h"

extern const uint8_t ring0_stubs_start[], ring0_stubs_end[];

/* The VM's KVM state. */
struct kvm_state {
    int kvm_fd, vm_fd;
    struct kvm_cpuid2 *cpuid;
    struct kvm_userspace_memory_region slots[3];
};

/* A vCPU's: its fd, kvm_run, and the ring-0 touch queue: page-table words
 * the VMM changed, which the touch loop rewrites so that KVM's shadow MMU
 * sees them (HV_QUEUE_OFF of the vCPU block). */
struct kvm_vcpu {
    int fd;
    struct kvm_run *run;
    uint64_t *queue, queue_va;
    unsigned queue_len;
    bool queue_overflow; /* more writes than the queue holds: drop all shadows */
    bool started;        /* the initial state is loaded */
    bool state_taken;    /* v holds the state: write it back before KVM_RUN */
    uint64_t touch_runs;
    uint64_t kicks_taken, kicks_after_soft_int; /* -d stats */
};

#define MSR_IA32_TSC 0x10
#define MSR_IA32_SPEC_CTRL 0x48
#define MSR_IA32_PRED_CMD 0x49

#define PAGE 4096ULL
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_CR_PAT 0x277

#define CR0_PE 0x1ULL
#define CR0_MP 0x2ULL
#define CR0_TS 0x8ULL
#define CR0_ET 0x10ULL
#define CR0_NE 0x20ULL
#define CR0_WP 0x10000ULL
#define CR0_PG 0x80000000ULL
#define CR4_PAE 0x20ULL
#define CR4_OSFXSR 0x200ULL
#define CR4_OSXMMEXCPT 0x400ULL
#define EFER_SCE 0x1ULL
#define EFER_LME 0x100ULL
#define EFER_LMA 0x400ULL
#define EFER_NXE 0x800ULL

static struct kvm_state *K(struct vm *vm)
{
    return vm->accel_state;
}

static struct kvm_vcpu *KV(struct vcpu_host *vh)
{
    return vh->accel;
}

static int add_slot(struct vm *vm, unsigned slot, uint64_t gpa, void *host, uint64_t size)
{
    struct kvm_userspace_memory_region *r = &K(vm)->slots[slot];

    *r = (struct kvm_userspace_memory_region){
        .slot = slot, .guest_phys_addr = gpa, .memory_size = size,
        .userspace_addr = (uintptr_t)host,
    };
    return ioctl(K(vm)->vm_fd, KVM_SET_USER_MEMORY_REGION, r);
}

/*
 * Drop every shadow page KVM holds, by removing and re-adding the memory
 * slots. Only needed when more page-table words changed from outside than
 * the ring-0 touch queue holds.
 */
static void flush_shadows(struct vm *vm)
{
    for (unsigned i = 0; i < 3; i++) {
        struct kvm_userspace_memory_region r = K(vm)->slots[i];

        r.memory_size = 0;
        if (ioctl(K(vm)->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ||
            ioctl(K(vm)->vm_fd, KVM_SET_USER_MEMORY_REGION, &K(vm)->slots[i]))
            log_fatal("kvm", "cannot reload memory slot %u", i);
    }
}

static int kvm_probe(char *why, size_t len)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    int ver;

    if (fd < 0) {
        snprintf(why, len, "cannot open /dev/kvm: %s", strerror(errno));
        return -1;
    }
    ver = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    if (ver != KVM_API_VERSION) {
        snprintf(why, len, "/dev/kvm is not KVM (API version %d)", ver);
        return -1;
    }
    return 0;
}

/* Open KVM and make the VM; then one anonymous mapping, in three slots. */
static void *kvm_map_memory(struct vm *vm, uint64_t bytes)
{
    struct pv_domain *d = &vm->d;
    struct kvm_state *k = calloc(1, sizeof(*k));
    uint8_t *mem;
    int ver;

    vm->accel_state = k;
    k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->kvm_fd < 0) {
        log_warn("kvm", "cannot open /dev/kvm");
        return NULL;
    }
    ver = ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0);
    if (ver != KVM_API_VERSION) {
        log_warnx("kvm", "KVM API version %d, need %d", ver, KVM_API_VERSION);
        return NULL;
    }
    if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) <= 0) {
        log_warnx("kvm", "KVM lacks KVM_CAP_SYNC_REGS");
        return NULL;
    }
    k->vm_fd = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
    if (k->vm_fd < 0) {
        log_warn("kvm", "KVM_CREATE_VM");
        return NULL;
    }
    mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) {
        log_warnx("kvm", "cannot allocate %" PRIu64 " MiB of guest memory", bytes >> 20);
        return NULL;
    }
    if (add_slot(vm, 0, 0, mem, d->nr_pages * PAGE) ||
        add_slot(vm, 1, d->xen_pfn * PAGE, mem + d->xen_pfn * PAGE, PV_NR_XEN_PAGES * PAGE) ||
        add_slot(vm, 2, d->hv_pfn * PAGE, mem + d->hv_pfn * PAGE, d->hv_pages * PAGE)) {
        log_warn("kvm", "KVM_SET_USER_MEMORY_REGION");
        return NULL;
    }
    return mem;
}

static const uint8_t *kvm_stub_code(size_t *len)
{
    *len = ring0_stubs_end - ring0_stubs_start;
    return ring0_stubs_start;
}

static int set_msr_fd(int fd, uint32_t msr, uint64_t val)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e;
    } m = { .hdr.nmsrs = 1, .e = { .index = msr, .data = val } };

    return ioctl(fd, KVM_SET_MSRS, &m) == 1 ? 0 : -1;
}

/* Clear feature bit `bit` of register reg (0 eax .. 3 edx) of a leaf. */
static void cpuid_clear(struct kvm_cpuid2 *c, uint32_t leaf, unsigned reg, unsigned bit)
{
    for (unsigned i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        uint32_t *r[4] = { &e->eax, &e->ebx, &e->ecx, &e->edx };

        if (e->function == leaf && e->index == 0)
            *r[reg] &= ~(1u << bit);
    }
}

/*
 * The guest's speculation controls (pv/privop.c) are set on this vCPU with
 * KVM_SET_MSRS. Where KVM refuses (a host without them), the guest's cpuid
 * must not offer them: Linux writes PRED_CMD with a bare wrmsr.
 */
static void check_spec_msrs(struct kvm_cpuid2 *c, int fd)
{
    if (set_msr_fd(fd, MSR_IA32_PRED_CMD, 1)) {
        cpuid_clear(c, 7, 3, 26);          /* IBRSB */
        cpuid_clear(c, 0x80000008, 1, 12); /* IBPB */
        cpuid_clear(c, 0x80000021, 0, 27); /* SBPB */
    }
    if (set_msr_fd(fd, MSR_IA32_SPEC_CTRL, 0)) {
        cpuid_clear(c, 7, 3, 26); /* IBRSB */
        cpuid_clear(c, 7, 3, 27); /* STIBP */
        cpuid_clear(c, 7, 3, 31); /* SSBD */
    }
}

static int setup_cpuid(struct vm *vm, int vcpu_fd)
{
    struct kvm_state *k = K(vm);
    int n = 256;

    k->cpuid = calloc(1, sizeof(*k->cpuid) + n * sizeof(struct kvm_cpuid_entry2));
    k->cpuid->nent = n;
    if (ioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, k->cpuid) < 0) {
        log_warn("kvm", "KVM_GET_SUPPORTED_CPUID");
        return -1;
    }
    for (unsigned i = 0; i < k->cpuid->nent; i++)
        if (k->cpuid->entries[i].function == 0x80000008)
            vm->phys_bits = k->cpuid->entries[i].eax & 0xff;
    if (ioctl(vcpu_fd, KVM_SET_CPUID2, k->cpuid) < 0) {
        log_warn("kvm", "KVM_SET_CPUID2");
        return -1;
    }
    check_spec_msrs(k->cpuid, vcpu_fd);
    return 0;
}

static int setup_msrs(struct vm *vm, int fd)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[6];
    } m = { .hdr.nmsrs = 6 };
    uint64_t star = ((uint64_t)(FLAT_RING3_CS32 & ~3) << 48) | ((uint64_t)HV_SEL_CS0 << 32);

    m.e[0] = (struct kvm_msr_entry){ .index = MSR_STAR, .data = star };
    m.e[1] = (struct kvm_msr_entry){ .index = MSR_LSTAR, .data = vm->d.lstar };
    m.e[2] = (struct kvm_msr_entry){ .index = MSR_CSTAR, .data = vm->d.lstar };
    m.e[3] = (struct kvm_msr_entry){ .index = MSR_SFMASK, .data = 0x47700 };
    m.e[4] = (struct kvm_msr_entry){ .index = MSR_KERNEL_GS_BASE, .data = 0 };
    m.e[5] = (struct kvm_msr_entry){ .index = MSR_IA32_CR_PAT, .data = PV_MSR_PAT };
    if (ioctl(fd, KVM_SET_MSRS, &m) != 6) {
        log_warn("kvm", "KVM_SET_MSRS");
        return -1;
    }
    return 0;
}

/* Build a KVM segment from a GDT descriptor. */
static void seg_from_desc(struct kvm_segment *s, uint16_t sel, uint64_t d)
{
    s->selector = sel;
    s->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
    s->limit = (d & 0xffff) | (((d >> 48) & 0xf) << 16);
    s->type = (d >> 40) & 0xf;
    s->s = (d >> 44) & 1;
    s->dpl = (d >> 45) & 3;
    s->present = (d >> 47) & 1;
    s->avl = (d >> 52) & 1;
    s->l = (d >> 53) & 1;
    s->db = (d >> 54) & 1;
    s->g = (d >> 55) & 1;
    if (s->g)
        s->limit = (s->limit << 12) | 0xfff;
    s->unusable = !s->present;
}

/* A ring-3 code (or stack) segment for selector sel, or -1 if the guest's
 * selector does not name one (the resume would fault on real iret). */
static int guest_seg(struct pv_vcpu *v, uint16_t sel, bool code, struct kvm_segment *s)
{
    uint64_t desc;

    if (vcpu_user_seg(v, sel, code, &desc))
        return -1;
    seg_from_desc(s, sel, desc);
    return 0;
}

static void ring0_segs(struct kvm_sregs *sr)
{
    seg_from_desc(&sr->cs, HV_SEL_CS0, 0x00af9b000000ffffULL);
    seg_from_desc(&sr->ss, HV_SEL_DS0, 0x00cf93000000ffffULL);
}

static int setup_sregs(struct vm *vm, struct vcpu_host *vh)
{
    struct kvm_sregs sr;
    uint64_t blk = HV_TRAMP_VA + HV_VCPU_OFF + vh->pv.id * HV_VCPU_SIZE;

    if (ioctl(KV(vh)->fd, KVM_GET_SREGS, &sr) < 0)
        return -1;
    sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    sr.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    sr.cr3 = vh->pv.cr3_kernel << 12;
    sr.gdt.base = blk + HV_GDT_OFF;
    sr.gdt.limit = 0xffff;
    sr.idt.base = HV_TRAMP_VA + HV_IDT_OFF;
    sr.idt.limit = 256 * 16 - 1;
    seg_from_desc(&sr.tr, HV_SEL_TSS, 0x00008b0000000067ULL);
    sr.tr.base = blk + HV_TSS_OFF;
    memset(&sr.ldt, 0, sizeof(sr.ldt));
    sr.ldt.unusable = 1;
    struct kvm_segment null = { .unusable = 1 };
    sr.ds = sr.es = sr.fs = sr.gs = null;
    if (guest_seg(&vh->pv, FLAT_KERNEL_CS, true, &sr.cs) ||
        guest_seg(&vh->pv, FLAT_KERNEL_SS, false, &sr.ss))
        return -1;
    return ioctl(KV(vh)->fd, KVM_SET_SREGS, &sr);
}

static int create_vcpu(struct vm *vm, unsigned id)
{
    struct vcpu_host *vh = &vm->vcpu[id];
    struct kvm_vcpu *kv = calloc(1, sizeof(*kv));
    int mmap_size = ioctl(K(vm)->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    uint64_t blk = HV_VCPU_OFF + id * HV_VCPU_SIZE;

    vh->accel = kv;
    kv->fd = ioctl(K(vm)->vm_fd, KVM_CREATE_VCPU, id);
    if (kv->fd < 0 || mmap_size < 0) {
        log_warn("kvm", "KVM_CREATE_VCPU");
        return -1;
    }
    kv->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, kv->fd, 0);
    if (kv->run == MAP_FAILED) {
        log_warn("kvm", "mmap of kvm_run");
        return -1;
    }
    kv->queue = pv_hv_gpa(&vm->d, hv_tramp_gpa(vm, blk + HV_QUEUE_OFF), PAGE);
    kv->queue_va = HV_TRAMP_VA + blk + HV_QUEUE_OFF;
    return setup_cpuid(vm, kv->fd) || setup_msrs(vm, kv->fd) ? -1 : 0;
}

/*
 * The guest's TSC runs at the host's plus KVM's offset. The offset is read
 * as the guest TSC between two host TSC reads; the narrowest of several
 * tries wins, so that a preemption in the middle of one cannot skew it.
 */
static int measure_tsc(struct vm *vm, struct kvm_vcpu *kv)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e;
    } m = { .hdr.nmsrs = 1, .e.index = MSR_IA32_TSC };
    long khz = ioctl(kv->fd, KVM_GET_TSC_KHZ, 0);
    uint64_t best = UINT64_MAX;

    if (khz <= 0) {
        log_warn("kvm", "KVM_GET_TSC_KHZ");
        return -1;
    }
    vm->d.tsc_khz = khz;
    for (int i = 0; i < 16; i++) {
        uint64_t before = __rdtsc(), after;

        if (ioctl(kv->fd, KVM_GET_MSRS, &m) != 1) {
            log_warn("kvm", "cannot read the guest TSC");
            return -1;
        }
        after = __rdtsc();
        if (after - before < best) {
            best = after - before;
            vm->tsc_offset = (int64_t)(m.e.data - before - (after - before) / 2);
        }
    }
    return 0;
}

static int kvm_start(struct vm *vm)
{
    if (create_vcpu(vm, 0))
        return -1;
    return measure_tsc(vm, KV(&vm->vcpu[0]));
}

/* ---- the exit loop ---- */

static void load_gprs(struct pv_regs *r, const struct kvm_regs *k)
{
    r->rax = k->rax; r->rbx = k->rbx; r->rcx = k->rcx; r->rdx = k->rdx;
    r->rsi = k->rsi; r->rdi = k->rdi; r->rsp = k->rsp; r->rbp = k->rbp;
    r->r8 = k->r8; r->r9 = k->r9; r->r10 = k->r10; r->r11 = k->r11;
    r->r12 = k->r12; r->r13 = k->r13; r->r14 = k->r14; r->r15 = k->r15;
    r->rip = k->rip; r->rflags = k->rflags;
}

static void store_gprs(struct kvm_regs *k, const struct pv_regs *r)
{
    k->rax = r->rax; k->rbx = r->rbx; k->rcx = r->rcx; k->rdx = r->rdx;
    k->rsi = r->rsi; k->rdi = r->rdi; k->rsp = r->rsp; k->rbp = r->rbp;
    k->r8 = r->r8; k->r9 = r->r9; k->r10 = r->r10; k->r11 = r->r11;
    k->r12 = r->r12; k->r13 = r->r13; k->r14 = r->r14; k->r15 = r->r15;
    k->rip = r->rip; k->rflags = r->rflags;
}

/* Segment bases live in the PV core while the VMM handles an event. */
static void save_segs(struct pv_vcpu *v, const struct kvm_sregs *sr)
{
    v->fs_base = sr->fs.base;
    if (v->kernel_mode)
        v->gs_base_kernel = sr->gs.base;
    else
        v->gs_base_user = sr->gs.base;
}

/* Point the vCPU back at the guest, at v's state, through sync regs. */
static bool resume_guest(struct vcpu_host *vh)
{
    struct pv_vcpu *v = &vh->pv;
    struct kvm_run *run = KV(vh)->run;
    struct kvm_sregs *sr = &run->s.regs.sregs;

    if (guest_seg(v, v->cs, true, &sr->cs) || guest_seg(v, v->ss, false, &sr->ss)) {
        pv_crash(v->d, PV_STOP_KILLED, "return to invalid selectors cs=%#x ss=%#x", v->cs, v->ss);
        return false;
    }
    store_gprs(&run->s.regs.regs, &v->r);
    sr->cr3 = vcpu_active_cr3(v);
    sr->fs.base = v->fs_base;
    sr->gs.base = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user;
    if (v->gs_sel_user && !v->kernel_mode) {
        sr->gs.selector = v->gs_sel_user;
    }
    sr->cr0 = (sr->cr0 & ~CR0_TS) | (v->hw_ts ? CR0_TS : 0);
    run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    return true;
}

/* Run the ring-0 touch loop: KVM sees the page-table words the VMM wrote. */
static void resume_touch(struct vm *vm, struct vcpu_host *vh)
{
    struct pv_vcpu *v = &vh->pv;
    struct kvm_vcpu *kv = KV(vh);
    struct kvm_regs *k = &kv->run->s.regs.regs;
    struct kvm_sregs *sr = &kv->run->s.regs.sregs;

    if (kv->queue_overflow)
        flush_shadows(vm);
    memset(k, 0, sizeof(*k));
    k->rip = HV_TRAMP_VA + HV_STUBS_OFF + HV_STUB_TOUCH;
    k->rsp = vh->ring0_stack_top;
    k->rsi = kv->queue_va;
    k->rcx = kv->queue_overflow ? 0 : kv->queue_len;
    k->rflags = 0x2;
    ring0_segs(sr);
    sr->cr3 = vcpu_active_cr3(v);
    kv->run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    kv->queue_len = 0;
    kv->queue_overflow = false;
    kv->touch_runs++;
}

static void kvm_pt_changed(struct vcpu_host *vh, uint64_t gpa)
{
    struct kvm_vcpu *kv = KV(vh);

    if (!kv->started)
        return; /* nothing was shadowed yet */
    if (kv->queue_len < HV_QUEUE_MAX)
        kv->queue[kv->queue_len++] = HV_DIRECT_VA + gpa;
    else
        kv->queue_overflow = true;
}

/* An exception stub ran: the hardware frame is at the top of the ring-0 stack. */
static void on_exception(struct vcpu_host *vh, unsigned vec, struct accel_event *ev)
{
    struct pv_vcpu *v = &vh->pv;
    struct kvm_vcpu *kv = KV(vh);
    const uint64_t *top = (const uint64_t *)(vh->ring0_stack_host + PAGE);
    bool has_err = vec < 32 && pv_vector_has_error_code(vec);

    *ev = (struct accel_event){ .kind = ACCEL_EV_TRAP, .vec = vec, .has_err = has_err,
                                .err = has_err ? top[-6] : 0 };
    v->r.rip = top[-5];
    v->cs = top[-4];
    v->r.rflags = top[-3];
    v->r.rsp = top[-2];
    v->ss = top[-1];
    v->cr2 = kv->run->s.regs.sregs.cr2;
    if (vec == 1) { /* the guest reads why through get_debugreg(6), as on Xen */
        struct kvm_debugregs dr;

        if (ioctl(kv->fd, KVM_GET_DEBUGREGS, &dr) == 0) {
            v->dr[6] = (v->dr[6] ? v->dr[6] : 0xffff0ff0) | (dr.dr6 & 0xe00f);
            dr.dr6 = 0xffff0ff0;
            ioctl(kv->fd, KVM_SET_DEBUGREGS, &dr);
        }
    }
}

/* A stub's port: the guest's state into v, the event into ev. */
static void on_io(struct vm *vm, struct vcpu_host *vh, struct accel_event *ev)
{
    struct kvm_run *run = KV(vh)->run;
    struct pv_vcpu *v = &vh->pv;
    unsigned port = run->io.port;

    ev->kind = ACCEL_EV_NONE;
    if (port == HV_PORT_TOUCHED)
        return; /* v->r still holds the guest state */
    load_gprs(&v->r, &run->s.regs.regs);
    save_segs(v, &run->s.regs.sregs);
    KV(vh)->state_taken = true;
    if (port < 0x20) {
        on_exception(vh, port, ev);
    } else if (port == HV_PORT_SYSCALL) {
        /* Real VMX/SVM: syscall reached ring 0 with the guest's rsp intact. */
        v->cs = v->kernel_mode ? FLAT_KERNEL_CS : FLAT_USER_CS64;
        v->ss = v->kernel_mode ? FLAT_KERNEL_SS : FLAT_USER_SS64;
        ev->kind = ACCEL_EV_SYSCALL;
    } else if (port == HV_PORT_INT80 || port == HV_PORT_INT82) {
        on_exception(vh, port, ev); /* frame as for a trap; not offered yet */
    } else {
        pv_crash(&vm->d, PV_STOP_KILLED, "unexpected port I/O %#x from the guest", port);
    }
}

static void handle_exit(struct vm *vm, struct vcpu_host *vh, struct accel_event *ev)
{
    struct kvm_run *run = KV(vh)->run;
    struct pv_vcpu *v = &vh->pv;

    ev->kind = ACCEL_EV_NONE;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        on_io(vm, vh, ev);
        break;
    case KVM_EXIT_SHUTDOWN:
        load_gprs(&v->r, &run->s.regs.regs);
        pv_crash(&vm->d, PV_STOP_KILLED, "triple fault");
        break;
    case KVM_EXIT_HLT:
        pv_crash(&vm->d, PV_STOP_KILLED, "hlt in ring 0 (xenner internal error)");
        break;
    case KVM_EXIT_FAIL_ENTRY:
        pv_crash(&vm->d, PV_STOP_KILLED, "KVM entry failed, reason %#llx",
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        load_gprs(&v->r, &run->s.regs.regs);
        pv_crash(&vm->d, PV_STOP_KILLED, "KVM internal error, suberror %u",
                 run->internal.suberror);
        break;
    default:
        pv_crash(&vm->d, PV_STOP_KILLED, "unexpected KVM exit %u", run->exit_reason);
    }
}

/*
 * KVM does not report a pending software exception or interrupt (int3,
 * into, int n) through KVM_GET_VCPU_EVENTS (it has no instruction length
 * to give), and writing the registers drops it. Where the platform has
 * already moved rip past such an instruction (as the kvm_pvm hosts here
 * do), taking the state at a kick would lose the trap: seen as Linux's
 * int3 self-test failing at boot (alternative.c, "kernel BUG"). So a kick
 * whose rip follows what may be one leaves the vCPU alone; the trap's stub
 * exits at once, and the event goes with that exit. A false match (a byte
 * that only looks like one) costs that kick only.
 */
static bool after_soft_int(struct pv_vcpu *v, uint64_t rip)
{
    uint8_t b[2];

    if (pv_copy_from_guest(v, b, rip - 2, 2) == 0)
        return b[1] == 0xcc || b[1] == 0xce || b[0] == 0xcd;
    return pv_copy_from_guest(v, b + 1, rip - 1, 1) == 0 && (b[1] == 0xcc || b[1] == 0xce);
}

/*
 * KVM_RUN came back early because of a kick. In ring 0 a stub is about to
 * exit anyway; in ring 3, take the guest's state only if an event must be
 * delivered now. Returns true if the state was taken.
 */
static bool on_kick(struct vcpu_host *vh)
{
    struct pv_vcpu *v = &vh->pv;
    struct kvm_vcpu *kv = KV(vh);
    const struct kvm_sregs *sr = &kv->run->s.regs.sregs;
    struct kvm_vcpu_events ev;

    if ((sr->cs.selector & 3) != 3) {
        vm_run_deferred(vm_of(v->d));
        return false;
    }
    if (!vcpu_event_due(vh))
        return false;
    /*
     * An exception KVM already queued (the syscall quirk's #PF at LSTAR, a
     * fault half delivered) would be raised at whatever state is written
     * back: leave the vCPU alone; its stub exits at once and the event
     * goes with that exit.
     */
    if (kv->run->s.regs.regs.rip == v->d->lstar)
        return false;
    if (after_soft_int(v, kv->run->s.regs.regs.rip)) {
        kv->kicks_after_soft_int++;
        return false;
    }
    if (ioctl(kv->fd, KVM_GET_VCPU_EVENTS, &ev) < 0 || ev.exception.injected ||
        ev.exception.pending || ev.interrupt.injected || ev.nmi.injected)
        return false;
    kv->kicks_taken++;
    load_gprs(&v->r, &kv->run->s.regs.regs);
    save_segs(v, sr);
    /* Keep Xen's selectors where the platform reports their short aliases. */
    if ((sr->cs.selector | 0xe000) != v->cs)
        v->cs = sr->cs.selector;
    if ((sr->ss.selector | 0xe000) != v->ss)
        v->ss = sr->ss.selector;
    return true;
}

/* The first entry: the initial segment and control registers. */
static int first_entry(struct vm *vm, struct vcpu_host *vh)
{
    struct kvm_vcpu *kv = KV(vh);

    kv->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    if (setup_sregs(vm, vh) || ioctl(kv->fd, KVM_GET_SREGS, &kv->run->s.regs.sregs) < 0) {
        log_warn("kvm", "cannot set the vCPU's initial state");
        return -1;
    }
    kv->started = true;
    kv->queue_len = 0;
    kv->queue_overflow = false;
    kv->state_taken = true;
    return 0;
}

/* Write v's state back (through the touch loop first if the VMM changed
 * page-table words), unless the vCPU still holds it. */
static void prepare_entry(struct vm *vm, struct vcpu_host *vh)
{
    struct kvm_vcpu *kv = KV(vh);

    if (kv->queue_len || kv->queue_overflow) {
        resume_touch(vm, vh);
        return; /* v's state goes in once the touch loop is done */
    }
    if (kv->state_taken && resume_guest(vh))
        kv->state_taken = false;
}

static int kvm_run_vcpu(struct vcpu_host *vh, struct accel_event *ev)
{
    struct vm *vm = vm_of(vh->pv.d);
    struct kvm_vcpu *kv = KV(vh);

    if (!kv->started && first_entry(vm, vh))
        return -1;
    accel_kick_flag = &kv->run->immediate_exit;
    prepare_entry(vm, vh);
    for (;;) {
        int rc;

        if (vm->d.stop != PV_RUNNING) {
            ev->kind = ACCEL_EV_NONE;
            return 0;
        }
        rc = ioctl(kv->fd, KVM_RUN, 0);
        if (rc < 0) {
            if (errno != EINTR && errno != EAGAIN) {
                log_warn("kvm", "KVM_RUN");
                return -1;
            }
            kv->run->immediate_exit = 0;
            /* Not taken: the vCPU goes on as it was (the registers set for
             * this entry, the touch loop's perhaps, are still in place). */
            if (!on_kick(vh)) {
                kv->run->kvm_dirty_regs = 0;
                continue;
            }
            kv->state_taken = true;
            ev->kind = ACCEL_EV_KICK;
            return 0;
        }
        handle_exit(vm, vh, ev);
        if (ev->kind != ACCEL_EV_NONE || vm->d.stop != PV_RUNNING)
            return 0;
        /* The touch loop ended, or nothing for the PV core: enter again. */
        prepare_entry(vm, vh);
    }
}

static void kvm_kick(struct vcpu_host *vh)
{
    struct kvm_vcpu *kv = KV(vh);

    if (kv)
        __atomic_store_n(&kv->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

static bool kvm_cpuid(struct vm *vm, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    struct kvm_cpuid2 *c = K(vm)->cpuid;

    for (unsigned i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];

        if (e->function != leaf)
            continue;
        if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != sub)
            continue;
        out[0] = e->eax;
        out[1] = e->ebx;
        out[2] = e->ecx;
        out[3] = e->edx;
        return true;
    }
    return false;
}

static int kvm_get_msr(struct vcpu_host *vh, uint32_t msr, uint64_t *val)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e;
    } m = { .hdr.nmsrs = 1, .e.index = msr };

    if (ioctl(KV(vh)->fd, KVM_GET_MSRS, &m) != 1)
        return -1;
    *val = m.e.data;
    return 0;
}

static int kvm_set_msr(struct vcpu_host *vh, uint32_t msr, uint64_t val)
{
    return set_msr_fd(KV(vh)->fd, msr, val);
}

/*
 * The XCR0 the guest runs with, when it is the host's, or 0. KVM with
 * VMX or SVM offers XSAVE to its guests, switches XCR0 and traps user-mode
 * cpuid: there the guest's processes see no OSXSAVE while the guest kernel
 * uses FXSAVE, and the two agree (0). KVM on PVM offers no XSAVE: the guest
 * runs with the host's XCR0 and its processes read it with xgetbv and use
 * every vector register it enables, so the guest kernel is told to save all
 * of it, with XSAVE as Xen offers it (see xsetbv in pv/privop.c).
 */
static uint64_t kvm_guest_xcr0(struct vm *vm)
{
    struct kvm_cpuid2 *c = K(vm)->cpuid;
    unsigned a, b, cx, d;
    uint32_t lo, hi;

    for (unsigned i = 0; i < c->nent; i++)
        if (c->entries[i].function == 1 && (c->entries[i].ecx & (1u << 26)))
            return 0;
    __cpuid(1, a, b, cx, d);
    if (!(cx & (1u << 27)))
        return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void kvm_stop(struct vm *vm)
{
    struct kvm_vcpu *kv = vm->vcpu[0].accel ? KV(&vm->vcpu[0]) : NULL;

    if (vm->cfg.stats && kv)
        fprintf(stderr, "xenner: kvm: %" PRIu64 " touch-loop runs, %" PRIu64 " kicks took the "
                "state in ring 3, %" PRIu64 " left it (rip after a possible int3/into/int n)\n",
                kv->touch_runs, kv->kicks_taken, kv->kicks_after_soft_int);
}

const struct accel_ops accel_kvm = {
    .name = "kvm",
    .probe = kvm_probe,
    .map_memory = kvm_map_memory,
    .stub_code = kvm_stub_code,
    .start = kvm_start,
    .run = kvm_run_vcpu,
    .kick = kvm_kick,
    .pt_changed = kvm_pt_changed,
    .cpuid = kvm_cpuid,
    .get_msr = kvm_get_msr,
    .set_msr = kvm_set_msr,
    .guest_xcr0 = kvm_guest_xcr0,
    .stop = kvm_stop,
};
