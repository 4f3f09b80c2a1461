/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Work other threads hand to the vCPU thread, and who does it. */
#include "util/log.h"
#include "vmm/runstate.h"
#include "vmm/vmm.h"

static void (*handlers[32])(struct vm *vm);

void vm_on_work(unsigned work, void (*fn)(struct vm *vm))
{
    handlers[__builtin_ctz(work)] = fn;
}

void vm_defer(struct vm *vm, unsigned work)
{
    __atomic_fetch_or(&vm->deferred, work, __ATOMIC_SEQ_CST);
    vm->d.host.kick(vm->d.host.opaque, vm->d.vcpu[0]);
}

void vm_run_deferred(struct vm *vm)
{
    unsigned work = __atomic_exchange_n(&vm->deferred, 0, __ATOMIC_SEQ_CST);

    if (work & WORK_CONSOLE_IN)
        console_deliver_input(vm);
    if (work & WORK_STORE)
        store_service(vm);
    if ((work & WORK_DEVICES) && handlers[__builtin_ctz(WORK_DEVICES)])
        handlers[__builtin_ctz(WORK_DEVICES)](vm); /* devices a backend thread stopped */
    if (work & WORK_PAUSE)
        run_park(vm);
    if (run_quitting(vm, NULL))
        pv_crash(&vm->d, PV_STOP_QUIT, "xenner was told to quit");
    if (work & WORK_RESET)
        pv_crash(&vm->d, PV_STOP_REBOOT, "system_reset");
}
