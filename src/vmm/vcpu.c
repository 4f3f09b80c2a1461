/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VM over the accelerator seam: memory, the vCPU loop into the PV core. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "vmm/vmm.h"

#define PAGE 4096ULL

/* -accel / accel=: a list such as "kvm:tcg", tried in order. Without one,
 * KVM where it is usable, else the software CPU, as QEMU's default would be
 * if it knew to fall back. */
static const struct accel_ops *choose_accel(const char *list, bool quiet)
{
    char why[256] = "", tried[512] = "";
    char *dup = strdup(list ? list : "kvm:tcg"), *save = NULL;
    const struct accel_ops *found = NULL;

    for (char *n = strtok_r(dup, ":", &save); n && !found; n = strtok_r(NULL, ":", &save)) {
        const struct accel_ops *a = accel_find(n);

        if (a && a->probe(why, sizeof(why)) == 0)
            found = a;
        else if (a)
            snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s: %s",
                     tried[0] ? "; " : "", n, why);
    }
    free(dup);
    if (quiet)
        return found;
    if (!found) {
        log_warnx("accel", "no accelerator can run the guest: %s", tried);
        log_warnx("accel", "use -accel tcg with Debian's qemu-system-x86 installed (QEMU's "
                  "software CPU), or load kvm_intel or kvm_amd and give this user /dev/kvm");
        return NULL;
    }
    log_info("accel", "running the guest on %s", found == &accel_kvm ? "KVM" :
             "QEMU's software CPU (TCG)");
    return found;
}

static const char *accel_list(const struct vm *vm)
{
    /* XENNER_ACCEL: the default for a host (the test suites' one setting). */
    return vm->cfg.accel ? vm->cfg.accel : getenv("XENNER_ACCEL");
}

const struct accel_ops *vm_accel(struct vm *vm)
{
    return vm->accel ? vm->accel : choose_accel(accel_list(vm), true);
}

int vm_create(struct vm *vm)
{
    struct pv_domain *d = &vm->d;
    uint8_t *mem;

    vm->accel = choose_accel(accel_list(vm), false);
    if (!vm->accel)
        return -1;
    d->nr_pages = vm->cfg.ram_bytes / PAGE;
    d->xen_pfn = d->nr_pages;
    d->max_pfn = d->xen_pfn + PV_NR_XEN_PAGES;
    d->frames = calloc(d->nr_pages + PV_NR_XEN_PAGES, sizeof(*d->frames));
    hv_layout(vm);
    mem = vm->accel->map_memory(vm, (d->hv_pfn + d->hv_pages) * PAGE);
    if (!mem || !d->frames)
        return -1;
    d->ram = mem;
    d->xen_pages = mem + d->xen_pfn * PAGE;
    d->hv = mem + d->hv_pfn * PAGE;
    d->lstar = HV_TRAMP_VA + HV_STUBS_OFF + HV_STUB_SYSCALL;
    d->nr_vcpus = 1;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        vm->vcpu[i].pv.d = d;
        vm->vcpu[i].pv.id = i;
        d->vcpu[i] = &vm->vcpu[i].pv;
    }
    hv_build(vm);
    return vm->accel->start(vm);
}

int vcpu_user_seg(struct pv_vcpu *v, uint16_t sel, bool code, uint64_t *desc)
{
    uint64_t d;
    unsigned type;

    if ((sel & 3) != 3 || pv_read_gdt(v, sel, &d))
        return -1;
    type = (d >> 40) & 0xf;
    if (!((d >> 47) & 1) || !((d >> 44) & 1) || ((d >> 45) & 3) != 3)
        return -1; /* not present, a system descriptor, or not DPL 3 */
    if (code ? !(type & 8) : ((type & 0xa) != 2))
        return -1;
    *desc = d;
    return 0;
}

uint64_t vcpu_active_cr3(const struct pv_vcpu *v)
{
    uint64_t pfn = v->kernel_mode || !v->cr3_user ? v->cr3_kernel : v->cr3_user;

    return pfn << 12;
}

static bool event_deliverable(struct pv_vcpu *v)
{
    struct vcpu_info *vi = pv_vcpu_info(v);

    return v->event_cb && !vi->evtchn_upcall_mask &&
           __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE);
}

bool vcpu_event_due(struct vcpu_host *vh)
{
    vm_run_deferred(vm_of(vh->pv.d));
    pv_timer_tick(&vh->pv);
    return event_deliverable(&vh->pv) || vm_of(vh->pv.d)->d.stop != PV_RUNNING;
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

/* An exception or software interrupt the accelerator saw in ring 3. */
static void on_trap(struct vcpu_host *vh, const struct accel_event *ev)
{
    struct pv_vcpu *v = &vh->pv;

    if (ev->in_ring0 || (v->cs & 3) != 3) {
        pv_crash(v->d, PV_STOP_KILLED, "vector %u taken in ring 0 at %#" PRIx64
                 " (xenner internal error)", ev->vec, v->r.rip);
        return;
    }
    if (ev->vec == 14 && v->r.rip == v->d->lstar) {
        pv_syscall(v); /* the nested PVM host's ring-3 syscall quirk: it is a syscall */
        return;
    }
    pv_trap(v, ev->vec, ev->has_err, ev->err);
}

/* -d stats: where the exits went. */
static void print_stats(struct vcpu_host *vh)
{
    const struct pv_vcpu *v = &vh->pv;

    fprintf(stderr, "xenner: %" PRIu64 " exits, %u user syscalls, "
            "%u page-table writes emulated, %u privileged instructions emulated\n", vh->exits,
            v->stat_syscall, v->stat_ptwr, v->stat_privop);
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
    struct pv_vcpu *v = &vh->pv;

    while (vm->d.stop == PV_RUNNING) {
        struct accel_event ev;

        if (vm->accel->run(vh, &ev))
            return EXIT_INTERNAL;
        vh->exits++;
        if (ev.kind == ACCEL_EV_TRAP)
            on_trap(vh, &ev);
        else if (ev.kind == ACCEL_EV_SYSCALL)
            pv_syscall(v);
        if (vm->d.stop != PV_RUNNING)
            break;
        /* Before the next entry: deferred work, timers, then events. */
        if (__atomic_load_n(&vm->deferred, __ATOMIC_RELAXED))
            vm_run_deferred(vm);
        pv_timer_tick(v);
        pv_deliver_events(v);
    }
    console_flush(vm);
    if (vm->cfg.stats)
        print_stats(vh);
    return exit_code(vm, vh);
}
