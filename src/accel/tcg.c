/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The software CPU: a QEMU process (qemu-system-x86_64, TCG) owned by xenner.
 * Guest memory is a memfd both map (guest-physical address = file offset);
 * QEMU runs only the guest's code and the ring-0 relay (src/ring0/relay.S),
 * which hands every guest event to xenner through the vCPU's relay page.
 * xenner is told through a byte on an isa-debugcon socket and wakes the relay
 * (or interrupts the guest) through a byte on the UART's socket. QEMU has no
 * monitor, no display and no other device; its stderr reaches xenner's,
 * prefixed. It dies with xenner (PR_SET_PDEATHSIG) and xenner with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "accel/accel.h"
#include "util/log.h"
#include "vmm/vmm.h"

extern const uint8_t ring0_relay_start[], ring0_relay_end[], ring0_relay_init[];
extern const uint8_t rom_start[], rom_end[], rom_cr3[], rom_entry[];

#define PAGE 4096ULL
#define MiB2 (2ULL << 20)
/* microvm keeps RAM below this contiguous at 0 (above, it splits at 2 GiB). */
#define TCG_MAX_LOW 0xb0000000ULL
#define SPIN_US 50        /* each side spins this long before it sleeps */
#define START_TIMEOUT_MS 30000

struct tcg_state {
    pid_t pid;
    int mem_fd, rom_fd;
    int note_fd, kick_fd; /* our ends: QEMU's debugcon and UART sockets */
    int err_fd;           /* QEMU's stderr */
    pthread_t err_thread;
    bool err_thread_ok;
    uint64_t mem_bytes;
    uint64_t spin_ticks;
    uint32_t cpuid[HV_CPUID_MAX][6]; /* leaf, subleaf, eax, ebx, ecx, edx */
    unsigned nr_cpuid;
    bool dead;
    uint64_t host_sleeps, guest_wakes, events; /* -d stats */
    uint64_t ticks_guest, ticks_xenner, last_tick;
};

/*
 * How the guest's top-level tables map onto the vCPU's CR3. A 64-bit PV
 * kernel runs in ring 3 with its own L4 and its processes with a user L4,
 * and Xen switches CR3 at every kernel entry and exit; TCG flushes its
 * whole TLB at each CR3 load, which made a system call cost ~9 us more.
 * So where the two tables agree on the user half (Linux keeps them so), the
 * vCPU runs on one combined L4 in both modes: the user half and Xen's slots
 * as they are, the kernel half without _PAGE_USER. The kernel then runs at
 * ring 1 (it reaches its half as supervisor), its processes at ring 3 (they
 * do not), and TCG keeps the two modes' TLB entries apart by privilege.
 */
enum l4_mode {
    L4_SAME,     /* one table serves both modes (no user L4, or an equal one) */
    L4_SPLIT,    /* kernel and user L4 differ in the user half: switch CR3 */
    L4_COMBINED, /* the combined table, kernel at ring 1 */
};

struct tcg_vcpu {
    volatile uint64_t *r; /* the relay page, by HR_* offset / 8 */
    uint64_t *comb, comb_gpa; /* the combined L4 */
    uint64_t cls_k, cls_u; /* the L4 pair classified (frames) */
    enum l4_mode mode;
    bool cls_stale;       /* one of them was written since */
    uint16_t guest_cs, guest_ss; /* the guest's kernel selectors while at ring 1 */
    uint64_t seq;         /* the last SEQ_IN handled */
    /* What the relay has loaded, to load only what changes. */
    uint64_t cr3, fs_base, gs_base, dr[5];
    uint16_t gs_sel;
    bool ts, flush;
    int running;          /* atomic: the guest owns the vCPU (no answer pending) */
    int kick_sent;        /* atomic: a kick byte is on its way */
    volatile uint8_t signalled; /* the vCPU thread's kick signal came (accel_kick_flag) */
};

static struct tcg_state *T(struct vm *vm)
{
    return vm->accel_state;
}

static struct tcg_vcpu *TV(struct vcpu_host *vh)
{
    return vh->accel;
}

#define R(t, off) ((t)->r[(off) / 8])

/*
 * The QEMU binary: $XENNER_QEMU, else qemu-system-x86_64 on $PATH as execvp
 * would find it, except xenner itself: a libvirtd whose qemu-system-x86_64
 * is xenner (README, "virt-manager") passes its PATH on to us. Fills @out
 * and returns 0, or returns -1 with why in @why.
 */
static int find_qemu(char *out, size_t len, char *why, size_t wlen)
{
    const char *q = getenv("XENNER_QEMU"), *path = getenv("PATH");
    struct stat self, st;

    if (q && *q) {
        snprintf(out, len, "%s", q);
        if (access(q, X_OK) == 0)
            return 0;
        snprintf(why, wlen, "XENNER_QEMU=%s: %s", q, strerror(errno));
        return -1;
    }
    q = "qemu-system-x86_64";
    if (stat("/proc/self/exe", &self))
        memset(&self, 0, sizeof(self));
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");

        snprintf(out, len, "%.*s/%s", (int)n, n ? p : ".", q);
        if (access(out, X_OK) == 0 && !stat(out, &st) &&
            !(st.st_dev == self.st_dev && st.st_ino == self.st_ino))
            return 0;
        p += n + (p[n] == ':');
    }
    snprintf(why, wlen, "%s not found (install Debian's qemu-system-x86, or set XENNER_QEMU)", q);
    return -1;
}

/* Whether the QEMU binary can be found: 0, or -1 and why. */
static int tcg_probe(char *why, size_t len)
{
    char path[4096];

    return find_qemu(path, sizeof(path), why, len);
}

static void *tcg_map_memory(struct vm *vm, uint64_t bytes)
{
    struct tcg_state *s = calloc(1, sizeof(*s));
    void *mem;

    vm->accel_state = s;
    s->pid = -1;
    s->note_fd = s->kick_fd = s->err_fd = s->rom_fd = -1;
    s->mem_bytes = (bytes + MiB2 - 1) & ~(MiB2 - 1);
    if (s->mem_bytes > TCG_MAX_LOW) {
        log_warnx("tcg", "-m %" PRIu64 "M: the software CPU runs guests of up to %" PRIu64
                  " MiB (KVM has no such limit)", vm->cfg.ram_bytes >> 20,
                  (uint64_t)((vm->cfg.ram_bytes - (s->mem_bytes - TCG_MAX_LOW)) >> 20));
        return NULL;
    }
    s->mem_fd = memfd_create("xenner-ram", MFD_CLOEXEC);
    if (s->mem_fd < 0 || ftruncate(s->mem_fd, s->mem_bytes)) {
        log_warn("tcg", "cannot create %" PRIu64 " MiB of shared guest memory",
                 (uint64_t)(s->mem_bytes >> 20));
        return NULL;
    }
    mem = mmap(NULL, s->mem_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
               s->mem_fd, 0);
    if (mem == MAP_FAILED) {
        log_warn("tcg", "cannot map the guest memory");
        return NULL;
    }
    return mem;
}

static const uint8_t *tcg_stub_code(size_t *len)
{
    *len = ring0_relay_end - ring0_relay_start;
    return ring0_relay_start;
}

/* The firmware image in a memfd, with the boot page tables and the relay's
 * entry patched in. */
static int make_rom(struct tcg_state *s, uint64_t cr3)
{
    size_t len = rom_end - rom_start;
    uint8_t *img = malloc(len);
    uint64_t entry = HV_TRAMP_VA + HV_STUBS_OFF + (ring0_relay_init - ring0_relay_start);
    int rc = -1;

    memcpy(img, rom_start, len);
    memcpy(img + (rom_cr3 - rom_start), &cr3, 8);
    memcpy(img + (rom_entry - rom_start), &entry, 8);
    s->rom_fd = memfd_create("xenner-rom", MFD_CLOEXEC);
    if (s->rom_fd >= 0 && write(s->rom_fd, img, len) == (ssize_t)len)
        rc = 0;
    free(img);
    return rc;
}

/* QEMU's stderr, a line at a time, as xenner's warnings. */
static void *err_reader(void *opaque)
{
    struct tcg_state *s = opaque;
    FILE *f = fdopen(s->err_fd, "r");
    char line[1024];

    while (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        log_warnx("tcg", "qemu: %s", line);
    }
    if (f)
        fclose(f);
    return NULL;
}

/* The leaves the relay reads for xenner's PV cpuid (and its own checks). */
static void request_cpuid(struct tcg_state *s, volatile uint64_t *r)
{
    static const uint32_t leaves[][2] = {
        { 0, 0 }, { 1, 0 }, { 2, 0 }, { 4, 0 }, { 4, 1 }, { 4, 2 }, { 4, 3 }, { 5, 0 },
        { 6, 0 }, { 7, 0 }, { 7, 1 }, { 0xa, 0 }, { 0xb, 0 }, { 0xb, 1 }, { 0xd, 0 },
        { 0xd, 1 }, { 0x80000000, 0 }, { 0x80000001, 0 }, { 0x80000002, 0 },
        { 0x80000003, 0 }, { 0x80000004, 0 }, { 0x80000005, 0 }, { 0x80000006, 0 },
        { 0x80000007, 0 }, { 0x80000008, 0 },
    };
    uint32_t *tab = (uint32_t *)((uintptr_t)r + HR_CPUID);

    s->nr_cpuid = sizeof(leaves) / sizeof(leaves[0]);
    for (unsigned i = 0; i < s->nr_cpuid; i++) {
        tab[i * 6] = leaves[i][0];
        tab[i * 6 + 1] = leaves[i][1];
    }
    tab[s->nr_cpuid * 6] = 0xffffffff;
}

static void put_fd(int fd, int want)
{
    if (fd != want && dup2(fd, want) < 0)
        _exit(127);
}

/*
 * QEMU as xenner's CPU. Everything it has comes as an inherited descriptor:
 * 3 the RAM, 4 the firmware, 5 the debugcon socket, 6 the UART socket.
 */
static int spawn_qemu(struct vm *vm, struct tcg_state *s)
{
    int note[2], kick[2], err[2];
    char mem[160], size[32], accel[64], smp[32], gdbdev[256], qemu[4096], why[256];
    const char *argv[40];
    unsigned n = 0;

    if (find_qemu(qemu, sizeof(qemu), why, sizeof(why))) {
        log_warnx("tcg", "%s", why);
        return -1;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, note) ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, kick) || pipe2(err, O_CLOEXEC)) {
        log_warn("tcg", "socketpair");
        return -1;
    }
    snprintf(mem, sizeof(mem), "memory-backend-file,id=ram,mem-path=/proc/self/fd/3,"
             "size=%" PRIu64 ",share=on", s->mem_bytes);
    snprintf(size, sizeof(size), "%" PRIu64 "M", s->mem_bytes >> 20);
    snprintf(accel, sizeof(accel), "tcg%s%s", vm->cfg.tcg_thread ? ",thread=" : "",
             vm->cfg.tcg_thread ? vm->cfg.tcg_thread : "");
    /*
     * maxcpus of at least 2: QEMU emits the guest's fences and locked
     * instructions as host ones only when it plans for several vCPUs, and
     * the relay and xenner tell each other they sleep through fences
     * (Dekker-style) that must hold across the two processes.
     */
    snprintf(smp, sizeof(smp), "%u,maxcpus=%u", vm->d.nr_vcpus,
             vm->d.nr_vcpus > 2 ? vm->d.nr_vcpus : 2);
    argv[n++] = qemu;
    argv[n++] = "-M";
    /* microvm: no PIC, PIT, RTC or ACPI; one 16550 (our wake-up); the
     * firmware is ours (-bios), so nothing but us writes guest memory. */
    argv[n++] = "microvm,x-option-roms=off,pit=off,pic=off,rtc=off,isa-serial=on,acpi=off,"
                "auto-kernel-cmdline=off,memory-backend=ram";
    argv[n++] = "-accel";
    argv[n++] = accel;
    /*
     * qemu64: a baseline x86-64 without XSAVE, so the vector state is
     * FXSAVE's that the guest kernel saves itself, and without SMEP/SMAP,
     * which the relay does not enable anyway (QEMU 7.2's -cpu max with SMAP
     * faulted a PV kernel's iretq).
     */
    argv[n++] = "-cpu";
    argv[n++] = "qemu64";
    argv[n++] = "-smp";
    argv[n++] = smp;
    argv[n++] = "-m";
    argv[n++] = size;
    argv[n++] = "-object";
    argv[n++] = mem;
    argv[n++] = "-bios";
    argv[n++] = "/proc/self/fd/4";
    argv[n++] = "-chardev";
    argv[n++] = "socket,id=note,fd=5";
    argv[n++] = "-device";
    argv[n++] = "isa-debugcon,iobase=0xe9,chardev=note";
    argv[n++] = "-chardev";
    argv[n++] = "socket,id=kick,fd=6";
    argv[n++] = "-serial";
    argv[n++] = "chardev:kick";
    argv[n++] = "-nodefaults";
    argv[n++] = "-no-user-config";
    argv[n++] = "-display";
    argv[n++] = "none";
    argv[n++] = "-monitor";
    argv[n++] = "none";
    argv[n++] = "-no-reboot";
    /* For debugging the relay or a stalled guest: QEMU's gdbstub on a
     * socket (README, "Debugging"). */
    const char *gdb = getenv("XENNER_TCG_GDB");
    if (gdb && *gdb) {
        snprintf(gdbdev, sizeof(gdbdev), "unix:%s,server=on,wait=off", gdb);
        argv[n++] = "-gdb";
        argv[n++] = gdbdev;
    }
    argv[n++] = NULL;

    s->pid = fork();
    if (s->pid < 0) {
        log_warn("tcg", "fork");
        return -1;
    }
    if (s->pid == 0) {
        int null = open("/dev/null", O_RDWR);
        sigset_t all;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(127);
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        /* Above every descriptor we place, so that no dup2 clobbers a source. */
        int m = fcntl(s->mem_fd, F_DUPFD, 10), r = fcntl(s->rom_fd, F_DUPFD, 10);
        int a = fcntl(note[1], F_DUPFD, 10), b = fcntl(kick[1], F_DUPFD, 10);

        put_fd(null, 0);
        put_fd(null, 1);
        put_fd(err[1], 2);
        put_fd(m, 3);
        put_fd(r, 4);
        put_fd(a, 5);
        put_fd(b, 6);
        for (int fd = 0; fd <= 6; fd++)
            fcntl(fd, F_SETFD, 0);
        execv(argv[0], (char **)argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(note[1]);
    close(kick[1]);
    close(err[1]);
    s->note_fd = note[0];
    s->kick_fd = kick[0];
    s->err_fd = err[0];
    fcntl(s->note_fd, F_SETFL, O_NONBLOCK);
    fcntl(s->kick_fd, F_SETFL, O_NONBLOCK);
    s->err_thread_ok = pthread_create(&s->err_thread, NULL, err_reader, s) == 0;
    return 0;
}

static uint64_t mono_ns(clockid_t c)
{
    struct timespec ts;

    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* QEMU exited: say how, once. */
static void report_death(struct tcg_state *s)
{
    int st;

    if (s->dead)
        return;
    s->dead = true;
    if (s->pid > 0 && waitpid(s->pid, &st, 0) == s->pid) {
        s->pid = -1;
        if (WIFSIGNALED(st))
            log_warnx("tcg", "QEMU (the software CPU) was killed by signal %d", WTERMSIG(st));
        else
            log_warnx("tcg", "QEMU (the software CPU) exited with status %d", WEXITSTATUS(st));
    } else {
        log_warnx("tcg", "QEMU (the software CPU) closed its connection");
    }
}

/* Wake the relay (HV_WAKE_ANSWER) or interrupt the guest (HV_WAKE_KICK):
 * a byte on the UART's socket. */
static void send_wake(struct tcg_state *s, char b)
{
    if (send(s->kick_fd, &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN)
        log_debug("tcg", "wake-up: %s", strerror(errno));
}

/* Have the running guest trap with HV_EV_KICK, once until it has. */
static void kick_guest(struct tcg_state *s, struct tcg_vcpu *t)
{
    if (!__atomic_exchange_n(&t->kick_sent, 1, __ATOMIC_SEQ_CST))
        send_wake(s, HV_WAKE_KICK);
}

/*
 * The vCPU thread's timer or another thread's kick signalled it while the
 * guest runs: have the guest trap, so that the vCPU loop sees why. The
 * signal may have come at any moment since the last look (while xenner
 * handled an event, or while it spun), so the flag, not EINTR, says so.
 */
static void take_signal(struct tcg_state *s, struct tcg_vcpu *t)
{
    if (t->signalled && __atomic_exchange_n(&t->signalled, 0, __ATOMIC_SEQ_CST))
        kick_guest(s, t);
}

/*
 * Wait until the relay posts an event past t->seq: spin a while, then sleep
 * on the note socket. timeout_ms < 0: for ever. 0, or -1 if QEMU is gone or
 * the time ran out.
 */
static int wait_event(struct vm *vm, struct tcg_vcpu *t, int timeout_ms)
{
    struct tcg_state *s = T(vm);
    uint64_t t0 = __rdtsc(), start = mono_ns(CLOCK_MONOTONIC);

    /* Spin, yielding the core after the first few microseconds: on a busy
     * host QEMU's vCPU thread may be waiting for this very core. */
    while (__atomic_load_n(&R(t, HR_SEQ_IN), __ATOMIC_ACQUIRE) == t->seq) {
        uint64_t spent = __rdtsc() - t0;

        take_signal(s, t);
        if (spent > s->spin_ticks)
            break;
        if (spent > s->spin_ticks / 8)
            sched_yield();
        else
            _mm_pause();
    }
    s->events++;
    if (__atomic_load_n(&R(t, HR_SEQ_IN), __ATOMIC_ACQUIRE) != t->seq)
        return 0;
    s->host_sleeps++;
    __atomic_store_n(&R(t, HR_HOST_WAIT), 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&R(t, HR_SEQ_IN), __ATOMIC_SEQ_CST) == t->seq) {
        struct pollfd p = { .fd = s->note_fd, .events = POLLIN };
        char buf[64];
        int rc;

        take_signal(s, t);
        /* A short timeout: a note lost to the emulated CPU's memory order
         * (see spawn_qemu), or a signal just before poll, costs
         * milliseconds, not the guest. */
        rc = poll(&p, 1, timeout_ms < 0 ? 5 : timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc > 0) {
            ssize_t got = read(s->note_fd, buf, sizeof(buf));

            if (got == 0 || (got < 0 && errno != EAGAIN)) {
                report_death(s);
                return -1;
            }
        }
        if (timeout_ms >= 0 && mono_ns(CLOCK_MONOTONIC) - start > timeout_ms * 1000000ULL &&
            __atomic_load_n(&R(t, HR_SEQ_IN), __ATOMIC_SEQ_CST) == t->seq)
            return -1;
    }
    __atomic_store_n(&R(t, HR_HOST_WAIT), 0, __ATOMIC_RELAXED);
    return 0;
}

/* Hand the relay its answer; from here the guest owns the vCPU. */
static void post_answer(struct vm *vm, struct tcg_vcpu *t)
{
    t->seq = __atomic_load_n(&R(t, HR_SEQ_IN), __ATOMIC_RELAXED);
    __atomic_store_n(&t->kick_sent, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&t->running, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&R(t, HR_SEQ_OUT), t->seq, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&R(t, HR_GUEST_WAIT), __ATOMIC_SEQ_CST)) {
        T(vm)->guest_wakes++;
        send_wake(T(vm), HV_WAKE_ANSWER);
    }
}

/*
 * The guest's TSC under TCG is the host's minus where QEMU's tick count
 * started: ask the relay for its TSC between two of ours, keep the
 * narrowest of several tries. The rate is the host's, timed here.
 */
static int measure_tsc(struct vm *vm, struct tcg_vcpu *t, uint64_t ns0, uint64_t tsc0)
{
    uint64_t best = UINT64_MAX;

    for (int i = 0; i < 16; i++) {
        uint64_t before = __rdtsc(), after;

        R(t, HR_FLAGS) = HV_RF_TSC;
        post_answer(vm, t);
        if (wait_event(vm, t, 5000))
            return -1;
        after = __rdtsc();
        __atomic_store_n(&t->running, 0, __ATOMIC_SEQ_CST);
        if (R(t, HR_EVENT) != HV_EV_TSC)
            return -1;
        if (after - before < best) {
            best = after - before;
            vm->tsc_offset = (int64_t)(R(t, HR_TSC) - before - (after - before) / 2);
        }
    }
    while (mono_ns(CLOCK_MONOTONIC_RAW) - ns0 < 50000000ULL)
        ;
    vm->d.tsc_khz = (__rdtsc() - tsc0) * 1000000ULL / (mono_ns(CLOCK_MONOTONIC_RAW) - ns0);
    log_debug("tcg", "guest TSC offset %" PRId64 " (within %" PRIu64 " ticks), %" PRIu64 " kHz",
              vm->tsc_offset, best, vm->d.tsc_khz);
    return 0;
}

/* How long each side spins before it sleeps: SPIN_US, or XENNER_TCG_SPIN_US
 * (for measurements; 0 sleeps at once). */
static uint64_t spin_us(void)
{
    const char *e = getenv("XENNER_TCG_SPIN_US");

    return e && *e ? strtoull(e, NULL, 10) : SPIN_US;
}

static int tcg_start(struct vm *vm)
{
    struct tcg_state *s = T(vm);
    struct vcpu_host *vh = &vm->vcpu[0];
    struct tcg_vcpu *t = calloc(1, sizeof(*t));
    uint64_t ns0 = mono_ns(CLOCK_MONOTONIC_RAW), tsc0 = __rdtsc();
    uint64_t relay = hv_tramp_gpa(vm, HV_VCPU_OFF + HV_RELAY_OFF);
    uint32_t *tab;

    vh->accel = t;
    t->r = pv_hv_gpa(&vm->d, relay, PAGE);
    t->comb_gpa = hv_tramp_gpa(vm, HV_VCPU_OFF + HV_COMB_OFF);
    t->comb = pv_hv_gpa(&vm->d, t->comb_gpa, PAGE);
    t->cls_stale = true;
    if (make_rom(s, hv_build_boot_tables(vm))) {
        log_warn("tcg", "cannot make the firmware image");
        return -1;
    }
    s->spin_ticks = 3000ULL * SPIN_US; /* until the rate is measured: 3 GHz */
    R(t, HR_SPIN) = s->spin_ticks;
    request_cpuid(s, t->r);
    if (spawn_qemu(vm, s))
        return -1;
    if (wait_event(vm, t, START_TIMEOUT_MS) || R(t, HR_EVENT) != HV_EV_READY) {
        if (!s->dead)
            log_warnx("tcg", "QEMU (the software CPU) did not start its vCPU within %d s",
                      START_TIMEOUT_MS / 1000);
        return -1;
    }
    hv_protect_tramp(vm);
    tab = (uint32_t *)((uintptr_t)t->r + HR_CPUID);
    memcpy(s->cpuid, tab, s->nr_cpuid * 24);
    if (measure_tsc(vm, t, ns0, tsc0)) {
        log_warnx("tcg", "cannot read the software CPU's TSC");
        return -1;
    }
    s->spin_ticks = vm->d.tsc_khz * spin_us() / 1000;
    R(t, HR_SPIN) = s->spin_ticks;
    vm->phys_bits = 40;
    for (unsigned i = 0; i < s->nr_cpuid; i++)
        if (s->cpuid[i][0] == 0x80000008)
            vm->phys_bits = s->cpuid[i][2] & 0xff;
    t->cr3 = R(t, HR_CR3) = 0; /* the boot tables: any guest root differs */
    t->flush = true;
    return 0;
}

static bool guest_slot(unsigned i)
{
    return i < HV_L4_FIRST || i > HV_L4_LAST;
}

/* Classify the vCPU's L4 pair, building the combined table if it serves. */
static void classify(struct pv_vcpu *v, struct tcg_vcpu *t)
{
    const uint64_t *k = pv_gpa(v->d, v->cr3_kernel << 12, PAGE);
    const uint64_t *u = v->cr3_user ? pv_gpa(v->d, v->cr3_user << 12, PAGE) : NULL;
    const uint64_t ign = PTE_A | PTE_D;
    bool upper_same = true;

    t->cls_k = v->cr3_kernel;
    t->cls_u = v->cr3_user;
    t->cls_stale = false;
    t->mode = L4_SAME;
    if (!k || !u || k == u)
        return;
    for (unsigned i = 0; i < 512; i++) {
        if (!guest_slot(i) || ((k[i] ^ u[i]) & ~ign) == 0)
            continue;
        if (i < 256) {
            t->mode = L4_SPLIT;
            return;
        }
        upper_same = false;
    }
    if (upper_same)
        return;
    t->mode = L4_COMBINED;
    /* Not the direct map of guest-physical memory either: a kernel at ring
     * 1 could write through it, and the relay does not use it. */
    for (unsigned i = 0; i < 512; i++)
        t->comb[i] = i < 256 ? u[i] : guest_slot(i) ? k[i] & ~PTE_US :
                     i == HV_L4_SLOT_DIRECT ? 0 : k[i];
    t->flush = true;
}

/* The root the vCPU runs on, and whether the kernel goes to ring 1. */
static uint64_t choose_cr3(struct pv_vcpu *v, struct tcg_vcpu *t, bool *ring1)
{
    *ring1 = false;
    if (t->cls_stale || t->cls_k != v->cr3_kernel || t->cls_u != v->cr3_user)
        classify(v, t);
    if (t->mode == L4_COMBINED) {
        *ring1 = v->kernel_mode;
        return t->comb_gpa;
    }
    if (t->mode == L4_SAME)
        return v->cr3_kernel << 12;
    return vcpu_active_cr3(v);
}

/* v's state, and whatever of the rest changed, into the relay page. */
static bool write_answer(struct vcpu_host *vh)
{
    struct pv_vcpu *v = &vh->pv;
    struct tcg_vcpu *t = TV(vh);
    bool ring1;
    uint64_t cs_desc, ss_desc, flags = 0, cr3;
    uint64_t gs = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user;
    const uint64_t dr[5] = { v->dr[0], v->dr[1], v->dr[2], v->dr[3], v->dr[7] ? v->dr[7] : 0x400 };
    volatile uint64_t *g = &R(t, HR_GPR);

    if (vcpu_user_seg(v, v->cs, true, &cs_desc) || vcpu_user_seg(v, v->ss, false, &ss_desc)) {
        pv_crash(v->d, PV_STOP_KILLED, "return to invalid selectors cs=%#x ss=%#x", v->cs, v->ss);
        return false;
    }
    cr3 = choose_cr3(v, t, &ring1);
    if (ring1 && !((cs_desc >> 53) & 1)) {
        ring1 = false; /* not 64-bit code: the guest's own tables, at ring 3 */
        cr3 = vcpu_active_cr3(v);
    }
    g[0] = v->r.rax; g[1] = v->r.rbx; g[2] = v->r.rcx; g[3] = v->r.rdx;
    g[4] = v->r.rsi; g[5] = v->r.rdi; g[7] = v->r.rbp;
    g[8] = v->r.r8; g[9] = v->r.r9; g[10] = v->r.r10; g[11] = v->r.r11;
    g[12] = v->r.r12; g[13] = v->r.r13; g[14] = v->r.r14; g[15] = v->r.r15;
    R(t, HR_RIP) = v->r.rip;
    R(t, HR_RSP) = v->r.rsp;
    R(t, HR_RFLAGS) = v->r.rflags;
    R(t, HR_CS) = v->cs;
    R(t, HR_SS) = v->ss;
    t->guest_cs = v->cs;
    t->guest_ss = v->ss;
    if (ring1) {
        R(t, HR_CS) = HV_SEL_CS1;
        R(t, HR_SS) = HV_SEL_DS1;
    }
    if (cr3 != t->cr3 || t->flush) {
        flags |= HV_RF_CR3;
        R(t, HR_CR3) = t->cr3 = cr3;
        t->flush = false;
    }
    if (v->hw_ts != t->ts) {
        flags |= HV_RF_CR0;
        R(t, HR_CR0_TS) = v->hw_ts ? 8 : 0;
        t->ts = v->hw_ts;
    }
    if (v->fs_base != t->fs_base || gs != t->gs_base) {
        flags |= HV_RF_BASES;
        R(t, HR_FS_BASE) = t->fs_base = v->fs_base;
        R(t, HR_GS_BASE) = t->gs_base = gs;
    }
    if (!v->kernel_mode && v->gs_sel_user && v->gs_sel_user != t->gs_sel) {
        flags |= HV_RF_GS_SEL;
        R(t, HR_GS_SEL) = t->gs_sel = v->gs_sel_user;
        R(t, HR_GS_BASE) = gs;
    }
    if (memcmp(dr, t->dr, sizeof(dr))) {
        flags |= HV_RF_DR;
        memcpy(t->dr, dr, sizeof(dr));
        for (unsigned i = 0; i < 5; i++)
            R(t, HR_DR + 8 * i) = dr[i];
    }
    R(t, HR_FLAGS) = flags;
    return true;
}

/*
 * QEMU 7.2 reports a 64-bit software interrupt through a gate the guest may
 * not use with error code vector * 16 + 2 (the 16-byte gate's offset), where
 * the CPU gives vector * 8 + 2. The vector is the int instruction's operand.
 */
static uint64_t fix_softint_error(struct pv_vcpu *v, uint64_t err)
{
    uint8_t insn[2];

    if ((err & 3) == 2 && pv_fetch_insn(v, insn, 2) == 2 && insn[0] == 0xcd)
        return (uint64_t)insn[1] << 3 | 2;
    return err;
}

/* The relay's event into v and ev. */
static void read_event(struct vcpu_host *vh, struct accel_event *ev)
{
    struct pv_vcpu *v = &vh->pv;
    struct tcg_vcpu *t = TV(vh);
    volatile uint64_t *g = &R(t, HR_GPR);
    uint64_t e = R(t, HR_EVENT);

    v->r.rax = g[0]; v->r.rbx = g[1]; v->r.rcx = g[2]; v->r.rdx = g[3];
    v->r.rsi = g[4]; v->r.rdi = g[5]; v->r.rbp = g[7];
    v->r.r8 = g[8]; v->r.r9 = g[9]; v->r.r10 = g[10]; v->r.r11 = g[11];
    v->r.r12 = g[12]; v->r.r13 = g[13]; v->r.r14 = g[14]; v->r.r15 = g[15];
    v->r.rip = R(t, HR_RIP);
    v->r.rsp = R(t, HR_RSP);
    v->r.rflags = R(t, HR_RFLAGS);
    t->fs_base = v->fs_base = R(t, HR_FS_BASE);
    t->gs_base = R(t, HR_GS_BASE);
    if (v->kernel_mode)
        v->gs_base_kernel = t->gs_base;
    else
        v->gs_base_user = t->gs_base;
    *ev = (struct accel_event){ .kind = ACCEL_EV_NONE };
    if (e == HV_EV_SYSCALL) {
        v->cs = v->kernel_mode ? FLAT_KERNEL_CS : FLAT_USER_CS64;
        v->ss = v->kernel_mode ? FLAT_KERNEL_SS : FLAT_USER_SS64;
        ev->kind = ACCEL_EV_SYSCALL;
        return;
    }
    v->cs = R(t, HR_CS);
    v->ss = R(t, HR_SS);
    if (v->cs == HV_SEL_CS1) { /* the kernel at ring 1: its own selectors */
        v->cs = t->guest_cs;
        v->ss = t->guest_ss;
        if (e == 14)
            R(t, HR_ERR) |= 4; /* a PV kernel's faults are user-mode ones, as on Xen */
    }
    if (e == HV_EV_KICK) {
        ev->kind = ACCEL_EV_KICK;
    } else if (e < 0x20 || e == HV_EV_INT80 || e == HV_EV_INT82) {
        ev->kind = ACCEL_EV_TRAP;
        ev->vec = e;
        ev->has_err = e < 0x20 && pv_vector_has_error_code(e);
        ev->err = ev->has_err ? R(t, HR_ERR) : 0;
        v->cr2 = R(t, HR_CR2);
        if (e == 13 || e == 11)
            ev->err = fix_softint_error(v, ev->err);
        if (e == 1) /* the guest reads why through get_debugreg(6), as on Xen */
            v->dr[6] = (v->dr[6] ? v->dr[6] : 0xffff0ff0) | (R(t, HR_DR6) & 0xe00f);
    } else if (e >= HV_EV_RING0 && e < HV_EV_RING0 + 256) {
        ev->kind = ACCEL_EV_TRAP;
        ev->vec = e - HV_EV_RING0;
        ev->in_ring0 = true;
        log_warnx("tcg", "relay fault %" PRIu64 " at %#" PRIx64 " error %#" PRIx64
                  " cr2 %#" PRIx64 " (xenner internal error)", e - HV_EV_RING0,
                  (uint64_t)R(t, HR_RIP), (uint64_t)R(t, HR_ERR), (uint64_t)R(t, HR_CR2));
    } else {
        pv_crash(v->d, PV_STOP_KILLED, "unknown relay event %#" PRIx64 " (xenner internal error)", e);
    }
}

static int tcg_run(struct vcpu_host *vh, struct accel_event *ev)
{
    struct vm *vm = vm_of(vh->pv.d);
    struct tcg_vcpu *t = TV(vh);

    uint64_t now;

    accel_kick_flag = &t->signalled;
    if (!write_answer(vh)) {
        ev->kind = ACCEL_EV_NONE;
        return 0;
    }
    now = __rdtsc();
    T(vm)->ticks_xenner += T(vm)->last_tick ? now - T(vm)->last_tick : 0;
    post_answer(vm, t);
    if (wait_event(vm, t, -1))
        return -1;
    T(vm)->last_tick = __rdtsc();
    T(vm)->ticks_guest += T(vm)->last_tick - now;
    __atomic_store_n(&t->running, 0, __ATOMIC_SEQ_CST);
    read_event(vh, ev);
    return 0;
}

static void tcg_kick(struct vcpu_host *vh)
{
    struct tcg_vcpu *t = TV(vh);

    if (t && __atomic_load_n(&t->running, __ATOMIC_SEQ_CST))
        kick_guest(T(vm_of(vh->pv.d)), t);
}

static void tcg_pt_changed(struct vcpu_host *vh, uint64_t gpa)
{
    struct tcg_vcpu *t = TV(vh);

    if (!t)
        return;
    t->flush = true;
    if ((gpa >> 12) == t->cls_k || (gpa >> 12) == t->cls_u)
        t->cls_stale = true;
}

static bool tcg_cpuid(struct vm *vm, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    struct tcg_state *s = T(vm);

    for (unsigned i = 0; i < s->nr_cpuid; i++)
        if (s->cpuid[i][0] == leaf && (s->cpuid[i][1] == sub || (leaf != 4 && leaf != 7 &&
                                                                leaf != 0xb && leaf != 0xd))) {
            memcpy(out, &s->cpuid[i][2], 16);
            return true;
        }
    return false;
}

/* MSRs read from the vCPU: none (the PV core answers those it knows). */
static int tcg_get_msr(struct vcpu_host *vh, uint32_t msr, uint64_t *val)
{
    return -1;
}

static uint64_t tcg_guest_xcr0(struct vm *vm)
{
    return 0; /* qemu64 has no XSAVE: the guest kernel saves with FXSAVE */
}

static void tcg_stop(struct vm *vm)
{
    struct tcg_state *s = T(vm);

    if (!s || s->pid <= 0)
        return;
    if (vm->cfg.stats)
        fprintf(stderr, "xenner: tcg: %" PRIu64 " events: xenner slept before %" PRIu64
                ", the relay slept before %" PRIu64 " answers; %" PRIu64 " ms in the guest, %"
                PRIu64 " ms in xenner\n", s->events, s->host_sleeps, s->guest_wakes,
                s->ticks_guest / vm->d.tsc_khz, s->ticks_xenner / vm->d.tsc_khz);
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = -1;
    if (s->err_thread_ok)
        pthread_join(s->err_thread, NULL);
    s->err_thread_ok = false;
}

const struct accel_ops accel_tcg = {
    .name = "tcg",
    .probe = tcg_probe,
    .map_memory = tcg_map_memory,
    .stub_code = tcg_stub_code,
    .start = tcg_start,
    .run = tcg_run,
    .kick = tcg_kick,
    .pt_changed = tcg_pt_changed,
    .cpuid = tcg_cpuid,
    .get_msr = tcg_get_msr,
    .guest_xcr0 = tcg_guest_xcr0,
    .stop = tcg_stop,
};
