/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accelerator seam: what runs the guest's vCPUs, KVM or QEMU's TCG. */
#ifndef XENNER_ACCEL_H
#define XENNER_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu_host;

/* Why accel_ops.run returned. The vCPU's state (pv_vcpu: registers, cs, ss,
 * the FS/GS bases, cr2, dr[6]) holds the guest's as of the event. */
enum accel_event_kind {
    ACCEL_EV_TRAP,    /* exception or software interrupt `vec` from ring 3 */
    ACCEL_EV_SYSCALL, /* the syscall instruction (cs/ss set for the mode) */
    ACCEL_EV_KICK,    /* interrupted because events or deferred work wait */
    ACCEL_EV_NONE,    /* nothing for the PV core (the domain may have stopped) */
};

struct accel_event {
    enum accel_event_kind kind;
    unsigned vec;  /* TRAP: 0..31, 0x20 int $0x80, 0x21 int $0x82 */
    bool has_err;
    uint64_t err;
    bool in_ring0; /* TRAP: taken in the trampoline itself (xenner's bug) */
};

struct accel_ops {
    const char *name; /* "kvm", "tcg": as QEMU's -accel spells it */
    /* Can it run here? 0, or -1 with the reason in why. */
    int (*probe)(char *why, size_t len);
    /* Guest-physical memory [0, bytes) as one host mapping (the VMM lays out
     * RAM, Xen's pages and the hypervisor hole inside it), or NULL. The
     * layout fields of vm->d (nr_pages, xen_pfn, hv_pfn, hv_pages) are set. */
    void *(*map_memory)(struct vm *vm, uint64_t bytes);
    /* The ring-0 code page copied to the trampoline's stub page. */
    const uint8_t *(*stub_code)(size_t *len);
    /* Once the trampoline is built: create the vCPUs and start them running
     * the ring-0 side; measure the TSC (vm->tsc_offset, d.tsc_khz). 0 or -1. */
    int (*start)(struct vm *vm);
    /* Resume vCPU vh with the state in vh->pv and run it to its next event.
     * 0, or -1 if the accelerator failed (the message is printed). */
    int (*run)(struct vcpu_host *vh, struct accel_event *ev);
    /* From any thread: make a running vCPU return from run (ACCEL_EV_KICK). */
    void (*kick)(struct vcpu_host *vh);
    /* The PV core changed a present page-table entry the vCPU may have
     * cached (in a TLB or a shadow page table) at guest-physical gpa. */
    void (*pt_changed)(struct vcpu_host *vh, uint64_t gpa);
    /* cpuid as the accelerator's vCPU offers it; false if it has no such leaf. */
    bool (*cpuid)(struct vm *vm, uint32_t leaf, uint32_t sub, uint32_t out[4]);
    /* An MSR of the vCPU; 0 or -1. */
    int (*get_msr)(struct vcpu_host *vh, uint32_t msr, uint64_t *val);
    /* Set an MSR of the vCPU (the speculation controls); 0 or -1. May be
     * NULL; cpuid then offers no feature that needs it. */
    int (*set_msr)(struct vcpu_host *vh, uint32_t msr, uint64_t val);
    /* The host's XCR0 when the guest runs with it (nested PVM KVM), or 0. */
    uint64_t (*guest_xcr0)(struct vm *vm);
    /* End it all (before exit or the exec of a reboot); idempotent. */
    void (*stop)(struct vm *vm);
};

extern const struct accel_ops accel_kvm, accel_tcg;

/* Find an accelerator by name; NULL if xenner has none of that name. */
const struct accel_ops *accel_find(const char *name);

/* The vCPU thread's kick flag: an accelerator may point it at a byte that
 * the kick signal sets (KVM's immediate_exit). */
extern __thread volatile uint8_t *accel_kick_flag;

#endif
