/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run state (prelaunch, running, paused, shutdown), pause and resume, signals, the end. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util/chardev.h"
#include "util/log.h"
#include "vmm/runstate.h"
#include "vmm/vmm.h"
#include "xenstore/xenstore.h"

/*
 * The vCPU runs on the main thread. Pausing it means parking that thread in
 * run_park() (reached through vm_defer(WORK_PAUSE), which kicks it out of
 * KVM_RUN or out of a blocked hypercall). The guest's clock is not stopped
 * while it is paused: as on Xen, system time is the host's, so a resumed
 * guest sees the time that passed and its overdue timers fire at once.
 */

/* How long a guest may take to power off after SIGTERM before it is stopped. */
#define POWERDOWN_TIMEOUT_S 30

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    enum run_state state;
    bool parked;     /* the vCPU thread waits in run_park() */
    bool vcpu_alive; /* a guest was built and its vCPU has not stopped */
    bool quit;
    bool host_reset; /* system_reset, not the guest, asked for the reboot */
    bool restarting; /* the vCPU thread is on its way to the reboot's exec */
    int quit_code;
    const char *quit_reason;
    unsigned signals; /* termination signals seen */
    int tid;
    int timer_fd;
} rs = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .timer_fd = -1 };

const char *run_state_name(enum run_state s)
{
    static const char *const names[] = { "prelaunch", "running", "paused", "shutdown" };

    return names[s];
}

enum run_state run_state(struct vm *vm)
{
    return __atomic_load_n(&rs.state, __ATOMIC_ACQUIRE);
}

int run_vcpu_tid(struct vm *vm)
{
    return rs.vcpu_alive ? rs.tid : 0;
}

/* Who hears of state changes: the QMP monitor, if it registered. */
static void (*listener)(const char *name, struct json_object *data);

void run_on_event(void (*fn)(const char *name, struct json_object *data))
{
    listener = fn;
}

static void run_event(const char *name, struct json_object *data)
{
    if (listener)
        listener(name, data);
    else
        json_object_put(data);
}

static void event_simple(const char *name)
{
    run_event(name, NULL);
}

void run_stop(struct vm *vm)
{
    pthread_mutex_lock(&rs.lock);
    if (rs.state != RS_RUNNING && rs.state != RS_PRELAUNCH) {
        pthread_mutex_unlock(&rs.lock);
        return;
    }
    rs.state = RS_PAUSED;
    pthread_mutex_unlock(&rs.lock);
    if (rs.vcpu_alive)
        vm_defer(vm, WORK_PAUSE);
    pthread_mutex_lock(&rs.lock);
    while (rs.vcpu_alive && !rs.parked && !rs.restarting && rs.state == RS_PAUSED)
        pthread_cond_wait(&rs.cond, &rs.lock);
    pthread_mutex_unlock(&rs.lock);
    event_simple("STOP");
}

int run_cont(struct vm *vm)
{
    pthread_mutex_lock(&rs.lock);
    if (rs.state == RS_SHUTDOWN) {
        pthread_mutex_unlock(&rs.lock);
        return -1;
    }
    if (rs.state == RS_RUNNING) {
        pthread_mutex_unlock(&rs.lock);
        return 0;
    }
    rs.state = RS_RUNNING;
    pthread_cond_broadcast(&rs.cond);
    pthread_mutex_unlock(&rs.lock);
    event_simple("RESUME");
    return 0;
}

void run_park(struct vm *vm)
{
    pthread_mutex_lock(&rs.lock);
    while ((rs.state == RS_PAUSED || rs.state == RS_PRELAUNCH) && !rs.quit && !rs.host_reset) {
        rs.parked = true;
        pthread_cond_broadcast(&rs.cond);
        pthread_cond_wait(&rs.cond, &rs.lock);
    }
    rs.parked = false;
    pthread_mutex_unlock(&rs.lock);
}

void run_reset(struct vm *vm)
{
    pthread_mutex_lock(&rs.lock);
    rs.host_reset = true;
    pthread_cond_broadcast(&rs.cond); /* a paused vCPU resets too */
    pthread_mutex_unlock(&rs.lock);
    vm_defer(vm, WORK_RESET);
}

bool run_before_reboot(struct vm *vm)
{
    struct json_object *data;

    /* A stop waiting for the vCPU to park stops waiting: it will not park
     * (its state goes with the exec). Then no command runs any more, and
     * the state read below is the one the next process starts in. */
    pthread_mutex_lock(&rs.lock);
    rs.restarting = true;
    pthread_cond_broadcast(&rs.cond);
    pthread_mutex_unlock(&rs.lock);
    chardev_quiesce();
    data = json_object_new_object();

    json_object_object_add(data, "guest", json_object_new_boolean(!rs.host_reset));
    json_object_object_add(data, "reason", json_object_new_string(
                               rs.host_reset ? "host-qmp-system-reset" : "guest-reset"));
    run_event("RESET", data);
    return rs.state == RS_PAUSED || rs.state == RS_PRELAUNCH;
}

void run_quit(struct vm *vm, int code, const char *reason)
{
    bool kick;

    pthread_mutex_lock(&rs.lock);
    if (!rs.quit) {
        rs.quit = true;
        rs.quit_code = code;
        rs.quit_reason = reason;
    }
    kick = rs.vcpu_alive;
    pthread_cond_broadcast(&rs.cond);
    pthread_mutex_unlock(&rs.lock);
    if (kick)
        vm_defer(vm, WORK_QUIT);
}

bool run_quitting(struct vm *vm, int *code)
{
    bool q;

    pthread_mutex_lock(&rs.lock);
    q = rs.quit;
    if (q && code)
        *code = rs.quit_code;
    pthread_mutex_unlock(&rs.lock);
    return q;
}

void run_powerdown(struct vm *vm)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", vm->d.domid);
    store_lock(vm);
    /* Linux's xen manage driver watches this node and runs an orderly power-off. */
    if (xs_host_write(store_xs(vm), path, "poweroff", 8))
        log_warnx("run", "cannot write %s", path);
    store_unlock(vm);
    event_simple("POWERDOWN");
}

/* SIGTERM, SIGINT, SIGHUP (I/O thread). */
static int on_signal(struct vm *vm, int fd, void *opaque)
{
    struct signalfd_siginfo si;
    enum run_state st;
    unsigned n;

    if (read(fd, &si, sizeof(si)) != sizeof(si))
        return 0;
    pthread_mutex_lock(&rs.lock);
    n = ++rs.signals;
    st = rs.state;
    pthread_mutex_unlock(&rs.lock);
    if (!rs.vcpu_alive || st != RS_RUNNING) {
        /* Nothing runs that could act on a request: end now, as QEMU does. */
        run_quit(vm, EXIT_POWEROFF, "host-signal");
    } else if (n == 1) {
        struct itimerspec t = { .it_value.tv_sec = POWERDOWN_TIMEOUT_S };

        log_warnx("run", "%s: asking the guest to power off (a second signal, or %d s "
                  "without power-off, stops it at once)", strsignal(si.ssi_signo),
                  POWERDOWN_TIMEOUT_S);
        run_powerdown(vm);
        timerfd_settime(rs.timer_fd, 0, &t, NULL);
    } else {
        log_warnx("run", "%s again: guest stopped", strsignal(si.ssi_signo));
        run_quit(vm, EXIT_KILLED, "host-signal");
    }
    return 0;
}

static int on_timeout(struct vm *vm, int fd, void *opaque)
{
    uint64_t n;

    if (read(fd, &n, sizeof(n)) != sizeof(n))
        return 0;
    log_warnx("run", "the guest did not power off within %d s: stopped", POWERDOWN_TIMEOUT_S);
    run_quit(vm, EXIT_KILLED, "host-signal");
    return 0;
}

void run_init(struct vm *vm)
{
    sigset_t set;
    int fd;

    rs.state = !vm->cfg.start_paused ? RS_RUNNING :
               vm->cfg.restarted_paused ? RS_PAUSED : RS_PRELAUNCH;
    rs.tid = gettid();
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* Blocked here, before any thread starts, so every thread inherits it. */
    sigprocmask(SIG_BLOCK, &set, NULL);
    fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    rs.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (fd < 0 || rs.timer_fd < 0 || io_add_fd(fd, on_signal, NULL) ||
        io_add_fd(rs.timer_fd, on_timeout, NULL))
        log_fatal("run", "cannot watch for signals");
}

void run_guest_started(struct vm *vm)
{
    pthread_mutex_lock(&rs.lock);
    rs.vcpu_alive = true;
    pthread_mutex_unlock(&rs.lock);
}

static const char *stop_reason(struct vm *vm, int code, bool *guest)
{
    *guest = true;
    switch (vm->d.stop) {
    case PV_STOP_POWEROFF: return "guest-shutdown";
    case PV_STOP_REBOOT:
        *guest = !rs.host_reset;
        return rs.host_reset ? "host-qmp-system-reset" : "guest-reset";
    case PV_STOP_CRASH: return "guest-panic";
    default: *guest = false; return "host-error";
    }
}

int run_finish(struct vm *vm, int code)
{
    struct json_object *data;
    const char *reason;
    bool guest, had_guest = rs.vcpu_alive;

    pthread_mutex_lock(&rs.lock);
    rs.vcpu_alive = false;
    pthread_cond_broadcast(&rs.cond);
    pthread_mutex_unlock(&rs.lock);
    if (had_guest) {
        if (run_quitting(vm, &code)) {
            guest = false;
            reason = rs.quit_reason;
        } else if (__atomic_load_n(&rs.signals, __ATOMIC_ACQUIRE) &&
                   vm->d.stop == PV_STOP_POWEROFF) {
            guest = false; /* it powered off because a signal asked: QEMU's reason */
            reason = "host-signal";
        } else {
            reason = stop_reason(vm, code, &guest);
        }
        data = json_object_new_object();
        json_object_object_add(data, "guest", json_object_new_boolean(guest));
        json_object_object_add(data, "reason", json_object_new_string(reason));
        run_event("SHUTDOWN", data);
    }
    if (run_quitting(vm, &code))
        return code;
    /* As QEMU, a signal ends xenner whatever -no-shutdown says (libvirt's
     * destroy sends one SIGTERM, then SIGKILL). */
    if (had_guest && !(vm->cfg.no_shutdown && vm->d.stop == PV_STOP_POWEROFF &&
                       !__atomic_load_n(&rs.signals, __ATOMIC_ACQUIRE)))
        return code;
    /* -no-shutdown after a power-off, or no guest at all: wait to be told. */
    pthread_mutex_lock(&rs.lock);
    if (had_guest) {
        rs.state = RS_SHUTDOWN;
        pthread_mutex_unlock(&rs.lock);
        event_simple("STOP");
        pthread_mutex_lock(&rs.lock);
    }
    while (!rs.quit)
        pthread_cond_wait(&rs.cond, &rs.lock);
    code = rs.quit_code;
    pthread_mutex_unlock(&rs.lock);
    return code;
}
