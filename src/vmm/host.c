/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host services for the PV core: clocks, vCPU timers, blocking, kicks, logs. */
#include <cpuid.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "util/log.h"
#include "vmm/vmm.h"
#include <xen/arch-x86/cpuid.h>

#include "pv-cpuid.h"

#define SIG_KICK SIGUSR1

__thread volatile uint8_t *accel_kick_flag;

uint64_t host_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct vcpu_host *vh_of(struct pv_vcpu *v)
{
    return (struct vcpu_host *)((char *)v - __builtin_offsetof(struct vcpu_host, pv));
}

static uint64_t h_now_ns(void *h)
{
    struct vm *vm = h;

    return host_mono_ns() - vm->boot_mono_ns;
}

static uint64_t h_rdtsc(void *h)
{
    struct vm *vm = h;

    return __rdtsc() + vm->tsc_offset;
}

static void h_wallclock(void *h, uint64_t *sec, uint32_t *nsec)
{
    struct vm *vm = h;
    struct timespec rt;
    uint64_t boot_rt;

    clock_gettime(CLOCK_REALTIME, &rt);
    boot_rt = (uint64_t)rt.tv_sec * 1000000000ULL + rt.tv_nsec - h_now_ns(vm);
    *sec = boot_rt / 1000000000ULL;
    *nsec = boot_rt % 1000000000ULL;
}

/* Arm the vCPU's POSIX timer at its next deadline (absolute, monotonic). */
static void h_timer_changed(void *h, struct pv_vcpu *v)
{
    struct vm *vm = h;
    struct vcpu_host *vh = vh_of(v);
    uint64_t dl = pv_next_deadline(v);
    struct itimerspec its = { 0 };

    if (!vh->timer_ok || dl == vh->armed_ns)
        return;
    vh->armed_ns = dl;
    if (dl) {
        uint64_t t = vm->boot_mono_ns + dl;

        its.it_value.tv_sec = t / 1000000000ULL;
        its.it_value.tv_nsec = t % 1000000000ULL;
    }
    timer_settime(vh->timer, TIMER_ABSTIME, &its, NULL);
}

/* Sleep until kicked or until the deadline (guest system time, 0 = none). */
static int h_block(void *h, struct pv_vcpu *v, uint64_t deadline)
{
    struct vcpu_host *vh = vh_of(v);
    struct pollfd pfd = { .fd = vh->kick_fd, .events = POLLIN };
    struct timespec ts, *tsp = NULL;
    uint64_t now = h_now_ns(h), n;

    if (deadline) {
        uint64_t d = deadline > now ? deadline - now : 0;

        ts.tv_sec = d / 1000000000ULL;
        ts.tv_nsec = d % 1000000000ULL;
        tsp = &ts;
    }
    if (ppoll(&pfd, 1, tsp, NULL) > 0 && read(vh->kick_fd, &n, sizeof(n)) < 0)
        return -errno;
    vm_run_deferred(h);
    return 0;
}

static void h_kick(void *h, struct pv_vcpu *v)
{
    struct vcpu_host *vh = vh_of(v);
    uint64_t one = 1;

    if (pthread_equal(pthread_self(), vh->thread))
        return; /* the vCPU thread checks events before it resumes */
    vm_of(v->d)->accel->kick(vh);
    pthread_kill(vh->thread, SIG_KICK);
    if (write(vh->kick_fd, &one, sizeof(one)) < 0)
        log_warn("host", "kick");
}

static void h_console_write(void *h, const char *buf, size_t len)
{
    console_output(h, buf, len);
}

static int h_console_read(void *h, char *buf, size_t len)
{
    return 0; /* console input arrives through the PV console ring */
}

static void h_log(void *h, int level, const char *msg)
{
    if (level <= 1)
        log_warnx("pv", "%s", msg);
    else if (level == 2)
        log_info("pv", "%s", msg);
    else
        log_debug("pv", "%s", msg);
}

/* Xen's own leaves at 0x40000000 (xen/include/public/arch-x86/cpuid.h). */
static void xen_cpuid_leaf(struct vm *vm, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    switch (leaf - XEN_CPUID_FIRST_LEAF) {
    case 0:
        out[0] = XEN_CPUID_LEAF(XEN_CPUID_MAX_NUM_LEAVES);
        out[1] = XEN_CPUID_SIGNATURE_EBX;
        out[2] = XEN_CPUID_SIGNATURE_ECX;
        out[3] = XEN_CPUID_SIGNATURE_EDX;
        break;
    case 1: out[0] = (XENNER_XEN_MAJOR << 16) | XENNER_XEN_MINOR; break;
    case 2: /* hypercall pages, their MSR, features */
        out[0] = 1;
        out[1] = XEN_CPUID_FIRST_LEAF;
        out[2] = XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD;
        break;
    case 3: /* TSC: native mode, and its frequency in leaf 2 */
        if (sub == 0)
            out[1] = 1; /* tsc_mode: never emulated */
        else if (sub == 2)
            out[0] = vm->d.tsc_khz;
        break;
    case 5: out[0] = vm->phys_bits; break; /* machine address width */
    }
}

/* The size of XCR0's state in XSAVEC's compacted format (SDM 13.4.3). */
static uint32_t xsave_compacted_size(uint64_t xcr0)
{
    uint32_t size = 576; /* legacy area and header */

    for (unsigned i = 2; i < 63; i++) {
        unsigned a, b, c, d;

        if (!((xcr0 >> i) & 1))
            continue;
        __cpuid_count(0xd, i, a, b, c, d);
        if (c & 2)
            size = (size + 63) & ~63u;
        size += a;
    }
    return size;
}

/* The size of XCR0's state in XSAVE's standard format: the end of its
 * highest component. cpuid's own answer is for the XCR0 this thread runs
 * with, the host's, which the guest may have narrowed. */
static uint32_t xsave_standard_size(uint64_t xcr0)
{
    uint32_t size = 576; /* legacy area and header */

    for (unsigned i = 2; i < 63; i++) {
        unsigned a, b, c, d;

        if (!((xcr0 >> i) & 1))
            continue;
        __cpuid_count(0xd, i, a, b, c, d);
        if (a + b > size)
            size = a + b;
    }
    return size;
}

/*
 * What a kernel needs to save every state component of XCR0 with XSAVE:
 * XSAVE and OSXSAVE (Xen sets CR4.OSXSAVE for PV guests when it has XSAVE
 * on), and the feature flag it checks for each component (AVX for the
 * upper YMM halves, AVX512F for the opmask and ZMM state). KVM on PVM does
 * not offer these, yet the guest runs with the host's XCR0 and its
 * processes see them all (see guest_xcr0).
 */
static void xsave_features(uint64_t xcr0, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    unsigned a, b, c, d;

    if (leaf == 1) {
        __cpuid(1, a, b, c, d);
        out[2] |= (1u << 26) | (1u << 27) | ((xcr0 & 4) ? c & (1u << 28) : 0);
    } else if (leaf == 7 && sub == 0 && (xcr0 & 0xe0) == 0xe0) {
        __cpuid_count(7, 0, a, b, c, d);
        out[1] |= b & (1u << 16);
    }
}

/*
 * cpuid for Xen's forced-emulation prefix: what KVM offers this vCPU, with
 * Xen's leaves instead of KVM's, and the feature words masked to what Xen
 * gives PV guests (pv_cpuid_words, from Xen's featureset: no PSE, PGE,
 * MTRR, PCID, VMX, ...), plus the hypervisor bit.
 */
static void h_cpuid(void *h, struct pv_vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    struct vm *vm = h;

    memset(out, 0, 16);
    if ((leaf & 0xffff0000) == XEN_CPUID_FIRST_LEAF) {
        if (leaf <= XEN_CPUID_LEAF(XEN_CPUID_MAX_NUM_LEAVES))
            xen_cpuid_leaf(vm, leaf, sub, out);
        return;
    }
    vm->accel->cpuid(vm, leaf, sub, out);
    if (leaf == 0xd && vm->d.xcr0) {
        /* The XSAVE layout of the XCR0 the guest runs with, the host's; no
         * supervisor states, which need XSAVES (Xen's 'S', for HVM only).
         * The sizes are for the XCR0 the guest kernel set, as on hardware:
         * Linux checks them against its own sum of the components. */
        uint64_t cur = v->xcr0_set ? v->xcr0_set : vm->d.xcr0;

        __cpuid_count(0xd, sub, out[0], out[1], out[2], out[3]);
        if (sub == 0) {
            out[0] = (uint32_t)vm->d.xcr0;
            out[1] = xsave_standard_size(cur);
            out[3] = (uint32_t)(vm->d.xcr0 >> 32);
        } else if (sub == 1) {
            out[1] = xsave_compacted_size(cur);
            out[2] = out[3] = 0;
        } else if (sub >= 64 || !((vm->d.xcr0 >> sub) & 1)) {
            memset(out, 0, 16);
        }
    }
    for (unsigned i = 0; i < sizeof(pv_cpuid_words) / sizeof(pv_cpuid_words[0]); i++) {
        const struct pv_cpuid_word *w = &pv_cpuid_words[i];

        if (w->leaf == leaf && w->subleaf == ((leaf == 7 || leaf == 0xd) ? sub : 0))
            out[w->reg] &= w->mask;
    }
    if (leaf == 1)
        out[2] |= 1u << 31;
    if (vm->d.xcr0)
        xsave_features(vm->d.xcr0, leaf, sub, out);
}

static int h_host_msr(void *h, struct pv_vcpu *v, uint32_t msr, uint64_t *val)
{
    struct vm *vm = h;

    return vm->accel->get_msr(&vm->vcpu[v->id], msr, val);
}

static int h_host_msr_write(void *h, struct pv_vcpu *v, uint32_t msr, uint64_t val)
{
    struct vm *vm = h;

    return vm->accel->set_msr ? vm->accel->set_msr(&vm->vcpu[v->id], msr, val) : -1;
}

static void h_pt_changed(void *h, struct pv_vcpu *v, uint64_t gpa)
{
    struct vm *vm = h;

    vm->accel->pt_changed(&vm->vcpu[v->id], gpa);
}

static void on_kick_signal(int sig)
{
    if (accel_kick_flag)
        __atomic_store_n(accel_kick_flag, 1, __ATOMIC_SEQ_CST);
}

/* Per vCPU, on its own thread: the kick eventfd and a timer that signals it. */
static void vcpu_host_init(struct vcpu_host *vh)
{
    struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIG_KICK };

    vh->thread = pthread_self();
    vh->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    sev._sigev_un._tid = gettid();
    vh->timer_ok = timer_create(CLOCK_MONOTONIC, &sev, &vh->timer) == 0;
    if (vh->kick_fd < 0 || !vh->timer_ok)
        log_fatal("host", "cannot create the vCPU timer");
}

void host_init(struct vm *vm)
{
    struct sigaction sa = { .sa_handler = on_kick_signal };
    struct pv_host *h = &vm->d.host;

    sigaction(SIG_KICK, &sa, NULL);
    *h = (struct pv_host){
        .now_ns = h_now_ns, .rdtsc = h_rdtsc, .wallclock = h_wallclock,
        .timer_changed = h_timer_changed, .block = h_block, .kick = h_kick,
        .console_write = h_console_write, .console_read = h_console_read,
        .log = h_log, .vformat = vsnprintf, .cpuid = h_cpuid, .host_msr = h_host_msr,
        .host_msr_write = h_host_msr_write,
        .pt_changed = h_pt_changed, .opaque = vm,
    };
    vm->boot_mono_ns = host_mono_ns();
    vm->d.xcr0 = vm->accel->guest_xcr0(vm);
    for (unsigned i = 0; i < vm->d.nr_vcpus; i++)
        vcpu_host_init(&vm->vcpu[i]);
}
