/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The KVM VM: memory slots, the vCPU, and the exit loop into the PV core. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/vmm.h"

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

static void *alloc_guest(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

static int add_slot(struct vm *vm, unsigned slot, uint64_t gpa, void *host, uint64_t size)
{
    struct kvm_userspace_memory_region *r = &vm->slots[slot];

    *r = (struct kvm_userspace_memory_region){
        .slot = slot, .guest_phys_addr = gpa, .memory_size = size,
        .userspace_addr = (uintptr_t)host,
    };
    return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, r);
}

/*
 * Drop every shadow page KVM holds, by removing and re-adding the memory
 * slots. Only needed when more page-table words changed from outside than
 * the ring-0 touch queue holds.
 */
void vm_flush_shadows(struct vm *vm)
{
    for (unsigned i = 0; i < 3; i++) {
        struct kvm_userspace_memory_region r = vm->slots[i];

        r.memory_size = 0;
        if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ||
            ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &vm->slots[i]))
            log_fatal("kvm", "cannot reload memory slot %u", i);
    }
}

static int setup_memory(struct vm *vm)
{
    struct pv_domain *d = &vm->d;

    d->nr_pages = vm->cfg.ram_bytes / PAGE;
    d->ram = alloc_guest(vm->cfg.ram_bytes);
    d->xen_pfn = d->nr_pages;
    d->xen_pages = alloc_guest(PV_NR_XEN_PAGES * PAGE);
    d->max_pfn = d->xen_pfn + PV_NR_XEN_PAGES;
    d->frames = calloc(d->nr_pages + PV_NR_XEN_PAGES, sizeof(*d->frames));
    if (!d->ram || !d->xen_pages || !d->frames) {
        log_warnx("kvm", "cannot allocate %" PRIu64 " MiB of guest memory",
                  vm->cfg.ram_bytes >> 20);
        return -1;
    }
    if (hv_setup(vm)) {
        log_warn("kvm", "cannot allocate the trampoline area");
        return -1;
    }
    if (add_slot(vm, 0, 0, d->ram, vm->cfg.ram_bytes) ||
        add_slot(vm, 1, d->xen_pfn * PAGE, d->xen_pages, PV_NR_XEN_PAGES * PAGE) ||
        add_slot(vm, 2, d->hv_pfn * PAGE, d->hv, d->hv_pages * PAGE)) {
        log_warn("kvm", "KVM_SET_USER_MEMORY_REGION");
        return -1;
    }
    return 0;
}

static int setup_cpuid(struct vm *vm, int vcpu_fd)
{
    int n = 256;

    vm->cpuid = calloc(1, sizeof(*vm->cpuid) + n * sizeof(struct kvm_cpuid_entry2));
    vm->cpuid->nent = n;
    if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid) < 0) {
        log_warn("kvm", "KVM_GET_SUPPORTED_CPUID");
        return -1;
    }
    for (unsigned i = 0; i < vm->cpuid->nent; i++)
        if (vm->cpuid->entries[i].function == 0x80000008)
            vm->phys_bits = vm->cpuid->entries[i].eax & 0xff;
    if (ioctl(vcpu_fd, KVM_SET_CPUID2, vm->cpuid) < 0) {
        log_warn("kvm", "KVM_SET_CPUID2");
        return -1;
    }
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

    if ((sel & 3) != 3 || pv_read_gdt(v, sel, &desc))
        return -1;
    seg_from_desc(s, sel, desc);
    if (!s->present || !s->s || s->dpl != 3)
        return -1;
    if (code ? !(s->type & 8) : ((s->type & 0xa) != 2))
        return -1;
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

    if (ioctl(vh->fd, KVM_GET_SREGS, &sr) < 0)
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
    return ioctl(vh->fd, KVM_SET_SREGS, &sr);
}

static int create_vcpu(struct vm *vm, unsigned id)
{
    struct vcpu_host *vh = &vm->vcpu[id];
    int mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

    vh->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
    if (vh->fd < 0 || mmap_size < 0) {
        log_warn("kvm", "KVM_CREATE_VCPU");
        return -1;
    }
    vh->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vh->fd, 0);
    if (vh->run == MAP_FAILED) {
        log_warn("kvm", "mmap of kvm_run");
        return -1;
    }
    vh->pv.d = &vm->d;
    vh->pv.id = id;
    vm->d.vcpu[id] = &vh->pv;
    return setup_cpuid(vm, vh->fd) || setup_msrs(vm, vh->fd) ? -1 : 0;
}

int vm_create(struct vm *vm)
{
    int ver;

    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0) {
        log_warn("kvm", "cannot open /dev/kvm");
        return -1;
    }
    ver = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (ver != KVM_API_VERSION) {
        log_warnx("kvm", "KVM API version %d, need %d", ver, KVM_API_VERSION);
        return -1;
    }
    if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) <= 0) {
        log_warnx("kvm", "KVM lacks KVM_CAP_SYNC_REGS");
        return -1;
    }
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0) {
        log_warn("kvm", "KVM_CREATE_VM");
        return -1;
    }
    vm->d.lstar = HV_TRAMP_VA + HV_STUBS_OFF + HV_STUB_SYSCALL;
    vm->d.nr_vcpus = 1;
    if (setup_memory(vm))
        return -1;
    return create_vcpu(vm, 0);
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

static uint64_t active_cr3(const struct pv_vcpu *v)
{
    uint64_t pfn = v->kernel_mode || !v->cr3_user ? v->cr3_kernel : v->cr3_user;

    return pfn << 12;
}

/* Point the vCPU back at the guest, at v's state, through sync regs. */
static bool resume_guest(struct vcpu_host *vh)
{
    struct pv_vcpu *v = &vh->pv;
    struct kvm_sregs *sr = &vh->run->s.regs.sregs;

    if (guest_seg(v, v->cs, true, &sr->cs) || guest_seg(v, v->ss, false, &sr->ss)) {
        pv_crash(v->d, PV_STOP_KILLED, "return to invalid selectors cs=%#x ss=%#x", v->cs, v->ss);
        return false;
    }
    store_gprs(&vh->run->s.regs.regs, &v->r);
    sr->cr3 = active_cr3(v);
    sr->fs.base = v->fs_base;
    sr->gs.base = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user;
    if (v->gs_sel_user && !v->kernel_mode) {
        sr->gs.selector = v->gs_sel_user;
    }
    sr->cr0 = (sr->cr0 & ~CR0_TS) | (v->hw_ts ? CR0_TS : 0);
    vh->run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    return true;
}

/* Run the ring-0 touch loop: KVM sees the page-table words the VMM wrote. */
static void resume_touch(struct vm *vm, struct vcpu_host *vh)
{
    struct pv_vcpu *v = &vh->pv;
    struct kvm_regs *k = &vh->run->s.regs.regs;
    struct kvm_sregs *sr = &vh->run->s.regs.sregs;

    if (v->queue_overflow)
        vm_flush_shadows(vm);
    memset(k, 0, sizeof(*k));
    k->rip = HV_TRAMP_VA + HV_STUBS_OFF + HV_STUB_TOUCH;
    k->rsp = vh->ring0_stack_top;
    k->rsi = v->queue_va;
    k->rcx = v->queue_overflow ? 0 : v->queue_len;
    k->rflags = 0x2;
    ring0_segs(sr);
    sr->cr3 = active_cr3(v);
    vh->run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    v->queue_len = 0;
    v->queue_overflow = false;
    vh->touch_runs++;
}

static void dump_state(struct vcpu_host *vh, const char *why)
{
    struct pv_vcpu *v = &vh->pv;
    const struct pv_regs *r = &v->r;

    fprintf(stderr, "xenner: guest stopped: %s\n", why);
    fprintf(stderr, "  rip %016" PRIx64 "  rsp %016" PRIx64 "  rflags %08" PRIx64
            "  cs %04x ss %04x  %s mode\n", r->rip, r->rsp, r->rflags, v->cs, v->ss,
            v->kernel_mode ? "kernel" : "user");
    fprintf(stderr, "  rax %016" PRIx64 "  rbx %016" PRIx64 "  rcx %016" PRIx64 "  rdx %016" PRIx64 "\n",
            r->rax, r->rbx, r->rcx, r->rdx);
    fprintf(stderr, "  rsi %016" PRIx64 "  rdi %016" PRIx64 "  rbp %016" PRIx64 "  r8  %016" PRIx64 "\n",
            r->rsi, r->rdi, r->rbp, r->r8);
    fprintf(stderr, "  r9  %016" PRIx64 "  r10 %016" PRIx64 "  r11 %016" PRIx64 "  r12 %016" PRIx64 "\n",
            r->r9, r->r10, r->r11, r->r12);
    fprintf(stderr, "  r13 %016" PRIx64 "  r14 %016" PRIx64 "  r15 %016" PRIx64 "  cr2 %016" PRIx64 "\n",
            r->r13, r->r14, r->r15, v->cr2);
    fprintf(stderr, "  cr3 kernel %#" PRIx64 " user %#" PRIx64 "\n", v->cr3_kernel << 12,
            v->cr3_user << 12);
    /* The top of the guest stack: return addresses for a backtrace. */
    for (unsigned i = 0; i < 16; i += 4) {
        uint64_t w[4];

        if (pv_copy_from_guest(v, w, r->rsp + 8 * i, sizeof(w)))
            break;
        fprintf(stderr, "  stack+%02x %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n",
                8 * i, w[0], w[1], w[2], w[3]);
    }
}

/* An exception stub ran: the hardware frame is at the top of the ring-0 stack. */
static void on_exception(struct vcpu_host *vh, unsigned vec)
{
    struct pv_vcpu *v = &vh->pv;
    const uint64_t *top = (const uint64_t *)(vh->ring0_stack_host + PAGE);
    bool has_err = pv_vector_has_error_code(vec);
    uint64_t err = has_err ? top[-6] : 0;

    v->r.rip = top[-5];
    v->cs = top[-4];
    v->r.rflags = top[-3];
    v->r.rsp = top[-2];
    v->ss = top[-1];
    v->cr2 = vh->run->s.regs.sregs.cr2;
    if ((v->cs & 3) != 3) {
        pv_crash(v->d, PV_STOP_KILLED, "vector %u taken in ring 0 at %#" PRIx64
                 " (xenner internal error)", vec, v->r.rip);
        return;
    }
    if (vec == 14 && v->r.rip == v->d->lstar) {
        pv_syscall(v); /* the platform's ring-3 syscall quirk: it is a syscall */
        return;
    }
    if (vec == 1) { /* the guest reads why through get_debugreg(6), as on Xen */
        struct kvm_debugregs dr;

        if (ioctl(vh->fd, KVM_GET_DEBUGREGS, &dr) == 0) {
            v->dr[6] = (v->dr[6] ? v->dr[6] : 0xffff0ff0) | (dr.dr6 & 0xe00f);
            dr.dr6 = 0xffff0ff0;
            ioctl(vh->fd, KVM_SET_DEBUGREGS, &dr);
        }
    }
    pv_trap(v, vec, has_err, err);
}

static void on_io(struct vm *vm, struct vcpu_host *vh)
{
    struct kvm_run *run = vh->run;
    struct pv_vcpu *v = &vh->pv;
    unsigned port = run->io.port;

    if (port == HV_PORT_TOUCHED)
        return; /* v->r still holds the guest state */
    load_gprs(&v->r, &run->s.regs.regs);
    save_segs(v, &run->s.regs.sregs);
    if (port < 0x20) {
        on_exception(vh, port);
    } else if (port == HV_PORT_SYSCALL) {
        /* Real VMX/SVM: syscall reached ring 0 with the guest's rsp intact. */
        v->cs = v->kernel_mode ? FLAT_KERNEL_CS : FLAT_USER_CS64;
        v->ss = v->kernel_mode ? FLAT_KERNEL_SS : FLAT_USER_SS64;
        pv_syscall(v);
    } else if (port == HV_PORT_INT80 || port == HV_PORT_INT82) {
        on_exception(vh, 0x20); /* frame as for a trap; not offered yet */
    } else {
        pv_crash(&vm->d, PV_STOP_KILLED, "unexpected port I/O %#x from the guest", port);
    }
}

static void handle_exit(struct vm *vm, struct vcpu_host *vh)
{
    struct kvm_run *run = vh->run;
    struct pv_vcpu *v = &vh->pv;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        on_io(vm, vh);
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

static int exit_code(struct vm *vm, struct vcpu_host *vh)
{
    switch (vm->d.stop) {
    case PV_STOP_POWEROFF: return EXIT_POWEROFF;
    case PV_STOP_REBOOT: return EXIT_REBOOT;
    case PV_STOP_QUIT: return EXIT_POWEROFF;
    case PV_STOP_CRASH:
        fprintf(stderr, "xenner: %s\n", vm->d.stop_why);
        return EXIT_CRASH;
    case PV_STOP_KILLED:
        dump_state(vh, vm->d.stop_why);
        return EXIT_KILLED;
    default:
        fprintf(stderr, "xenner: %s\n", vm->d.stop_why);
        return EXIT_CRASH;
    }
}

/* Prepare the next entry: fire timers, deliver events, touch, resume. */
static void prepare_entry(struct vm *vm, struct vcpu_host *vh)
{
    struct pv_vcpu *v = &vh->pv;

    if (__atomic_load_n(&vm->deferred, __ATOMIC_RELAXED))
        vm_run_deferred(vm);
    pv_timer_tick(v);
    pv_deliver_events(v);
    if (vm->d.stop != PV_RUNNING)
        return;
    if (v->queue_len || v->queue_overflow)
        resume_touch(vm, vh);
    else
        resume_guest(vh);
}

static bool event_deliverable(struct pv_vcpu *v)
{
    struct vcpu_info *vi = pv_vcpu_info(v);

    return v->event_cb && !vi->evtchn_upcall_mask &&
           __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE);
}

/*
 * KVM_RUN came back early because of a kick. In ring 0 a stub is about to
 * exit anyway; in ring 3, take the guest's state only if an event must be
 * delivered now. Returns true if the state was taken.
 */
static bool on_kick(struct vcpu_host *vh)
{
    struct pv_vcpu *v = &vh->pv;
    const struct kvm_sregs *sr = &vh->run->s.regs.sregs;
    struct kvm_vcpu_events ev;

    vm_run_deferred(vm_of(v->d));
    if ((sr->cs.selector & 3) != 3)
        return false;
    pv_timer_tick(v);
    if (!event_deliverable(v))
        return false;
    /*
     * An exception KVM already queued (the syscall quirk's #PF at LSTAR, a
     * fault half delivered) would be raised at whatever state is written
     * back: leave the vCPU alone; its stub exits at once and the event
     * goes with that exit.
     */
    if (vh->run->s.regs.regs.rip == v->d->lstar)
        return false;
    if (ioctl(vh->fd, KVM_GET_VCPU_EVENTS, &ev) < 0 || ev.exception.injected ||
        ev.exception.pending || ev.interrupt.injected || ev.nmi.injected)
        return false;
    load_gprs(&v->r, &vh->run->s.regs.regs);
    save_segs(v, sr);
    /* Keep Xen's selectors where the platform reports their short aliases. */
    if ((sr->cs.selector | 0xe000) != v->cs)
        v->cs = sr->cs.selector;
    if ((sr->ss.selector | 0xe000) != v->ss)
        v->ss = sr->ss.selector;
    return true;
}

/* -d stats: where the exits went. */
static void print_stats(struct vcpu_host *vh)
{
    const struct pv_vcpu *v = &vh->pv;

    fprintf(stderr, "xenner: %" PRIu64 " exits, %" PRIu64 " touch-loop runs, %u user syscalls, "
            "%u page-table writes emulated, %u privileged instructions emulated\n", vh->exits,
            vh->touch_runs, v->stat_syscall, v->stat_ptwr, v->stat_privop);
    fprintf(stderr, "xenner: hypercalls:");
    for (unsigned i = 0; i < 64; i++)
        if (v->stat_hc[i])
            fprintf(stderr, " %u:%u", i, v->stat_hc[i]);
    fprintf(stderr, "\nxenner: exceptions:");
    for (unsigned i = 0; i < 32; i++)
        if (v->stat_trap[i])
            fprintf(stderr, " %u:%u", i, v->stat_trap[i]);
    fprintf(stderr, "\n");
}

int vm_run(struct vm *vm)
{
    struct vcpu_host *vh = &vm->vcpu[0];

    vh->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    if (setup_sregs(vm, vh) || ioctl(vh->fd, KVM_GET_SREGS, &vh->run->s.regs.sregs) < 0) {
        log_warn("kvm", "cannot set the vCPU's initial state");
        return EXIT_INTERNAL;
    }
    if (!resume_guest(vh))
        return exit_code(vm, vh);
    while (vm->d.stop == PV_RUNNING) {
        int rc = ioctl(vh->fd, KVM_RUN, 0);

        vh->exits++;
        if (rc < 0) {
            if (errno != EINTR && errno != EAGAIN) {
                log_warn("kvm", "KVM_RUN");
                return EXIT_INTERNAL;
            }
            vh->run->immediate_exit = 0;
            if (!on_kick(vh)) {
                vh->run->kvm_dirty_regs = 0;
                continue;
            }
        } else {
            handle_exit(vm, vh);
        }
        if (vm->d.stop == PV_RUNNING)
            prepare_entry(vm, vh);
    }
    console_flush(vm);
    if (vm->cfg.stats)
        print_stats(vh);
    return exit_code(vm, vh);
}
