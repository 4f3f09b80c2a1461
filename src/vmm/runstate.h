/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The domain's run state as QMP shows it, pause and resume, and how xenner ends. */
#ifndef XENNER_RUNSTATE_H
#define XENNER_RUNSTATE_H

#include <stdbool.h>

struct vm;

enum run_state { RS_PRELAUNCH, RS_RUNNING, RS_PAUSED, RS_SHUTDOWN };

struct json_object;
/* The one listener of run-state events (QMP's STOP, RESUME, RESET, SHUTDOWN,
 * ...): it takes ownership of data (may be NULL). Without one, events are
 * dropped. */
void run_on_event(void (*fn)(const char *name, struct json_object *data));

/* Before any thread starts: the state (-S: prelaunch), and SIGTERM, SIGINT
 * and SIGHUP blocked and read on the I/O thread instead. */
void run_init(struct vm *vm);
enum run_state run_state(struct vm *vm);
const char *run_state_name(enum run_state s); /* QMP's RunState names */
int run_vcpu_tid(struct vm *vm); /* the vCPU thread's id, 0 if none */

/* QMP stop: the vCPU is out of the guest when this returns (STOP event). */
void run_stop(struct vm *vm);
/* QMP cont: from prelaunch or paused to running (RESUME event); -1 if the
 * guest has shut down. */
int run_cont(struct vm *vm);
/* vCPU thread: wait here while paused (or until xenner ends). */
void run_park(struct vm *vm);

/* Ask the guest to power off (system_powerdown, the first SIGTERM):
 * control/shutdown = "poweroff" in its xenstore; POWERDOWN event. */
void run_powerdown(struct vm *vm);
/* QMP system_reset: the guest restarts as after its own reboot (RESET event). */
void run_reset(struct vm *vm);
/* Main thread, before the exec of a reboot: the RESET event; whether the
 * guest was paused (it then starts paused again). */
bool run_before_reboot(struct vm *vm);
/* End xenner (any thread): the guest is stopped at once; exit @code.
 * @reason is SHUTDOWN's reason ("host-qmp-quit", "host-signal"). */
void run_quit(struct vm *vm, int code, const char *reason);
bool run_quitting(struct vm *vm, int *code);

/* The guest is built and its vCPU is about to run (main thread). */
void run_guest_started(struct vm *vm);
/* Main thread, after the vCPU stopped (or with no guest): the SHUTDOWN
 * event for how it stopped; with -no-shutdown (or -machine none) wait for
 * quit or a signal. Returns the exit code. */
int run_finish(struct vm *vm, int code);

#endif
