/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VMM: one KVM VM running one PV domain, and what configures it. */
#ifndef XENNER_VMM_H
#define XENNER_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "accel/accel.h"
#include "pv/pv.h"
#include "util/iothread.h"
#include "util/opts.h"

/* xenner's exit codes (README, "Exit status"). */
enum {
    EXIT_POWEROFF = 0,
    EXIT_SETUP = 1,    /* bad option, bad kernel file, no KVM */
    EXIT_CRASH = 2,    /* the guest reported a crash */
    EXIT_REBOOT = 3,   /* the guest rebooted under -no-reboot */
    EXIT_KILLED = 4,   /* xenner stopped a guest that broke the ABI or faulted fatally */
    EXIT_INTERNAL = 5, /* the accelerator (KVM, QEMU) or xenner failed */
};

struct config {
    uint64_t ram_bytes;
    const char *accel;     /* -accel, -machine accel=: "kvm", "tcg", "kvm:tcg"; NULL: either */
    const char *tcg_thread; /* -accel tcg,thread=single|multi, or NULL */
    const char *kernel, *initrd, *append, *name;
    bool nographic;
    bool no_reboot; /* -no-reboot: a guest reboot ends xenner with EXIT_REBOOT */
    const char *xenstore_path; /* -xenstore PATH, or NULL */
    bool stats;  /* print exit counts at the end (-d stats) */
    /* Device options, consumed by devices_setup() (src/backend/devices.c). */
    struct opts_list drive, blockdev, netdev, net, device;
    const char *boot_disk; /* the disk PV GRUB tries first (lowest bootindex), or NULL */
    bool boot_menu;        /* -boot menu=on: PV GRUB shows the guest's menu... */
    unsigned boot_menu_ms; /* ...for this long (splash-time=) */
    /* QEMU's face (src/vmm/options.c, chardev.c, src/monitor/). */
    bool no_machine;      /* -machine none: no guest, only the monitor (libvirt's probe) */
    bool start_paused;    /* -S */
    bool restarted_paused; /* re-executed for a reboot while paused: "paused", not "prelaunch" */
    bool no_shutdown;     /* -no-shutdown: stay after the guest powers off, until quit */
    bool daemonize;       /* -daemonize */
    const char *pidfile;  /* -pidfile FILE */
    bool have_uuid;
    uint8_t uuid[16];     /* -uuid: the domain handle */
    const char *serial;   /* chardev id of the PV console (-serial, isa-serial) */
    const char *mem_backend; /* -machine memory-backend=ID */
    bool balloon;         /* -device virtio-balloon-pci: QMP balloon commands answer */
    bool nodefaults;      /* -nodefaults: no console on stdio unless asked */
    struct opts_list chardev, mon, qmp; /* -chardev, -mon, -qmp (and -monitor) */
};

struct vcpu_host {
    struct pv_vcpu pv;
    void *accel;       /* the accelerator's own per-vCPU state */
    pthread_t thread;
    int kick_fd;       /* eventfd: wakes a blocked vCPU */
    timer_t timer;
    bool timer_ok;
    uint64_t armed_ns; /* deadline the timer is armed for */
    uint64_t ring0_stack_top;  /* trampoline VA */
    uint8_t *ring0_stack_host; /* host pointer to the stack page */
    uint64_t exits;
};

struct console;
struct store;

struct vm {
    struct config cfg;
    const struct accel_ops *accel;
    void *accel_state;  /* the accelerator's own */
    struct pv_domain d;
    struct vcpu_host vcpu[PV_MAX_VCPUS];
    unsigned phys_bits; /* machine address width the guest is told */
    uint64_t boot_mono_ns; /* CLOCK_MONOTONIC at system time 0 */
    int64_t tsc_offset;     /* guest TSC - host TSC */
    struct console *console;
    struct store *store;
    unsigned deferred; /* WORK_* for the vCPU thread (vm_defer) */
    /* Called once the domain is built (its xenstore written): the backends
     * set it (devices_setup) to add their devices. */
    void (*on_built)(struct vm *vm);
    /* No -kernel: the PV GRUB image xenner made (pvgrub.c), and whether
     * its "nothing to boot" line went by on the console. */
    char *pvgrub_image;
    unsigned pvgrub_match;
    bool pvgrub_nothing;
};

/* Work the I/O thread hands to the vCPU thread. */
enum { WORK_CONSOLE_IN = 1, WORK_QUIT = 2, WORK_STORE = 4, WORK_DEVICES = 8, WORK_PAUSE = 16,
       WORK_RESET = 32 };

/* The guest's domain id: the first a Xen toolstack gives a domU. */
#define GUEST_DOMID 1

#define XENNER_VERSION "0.1.0"


static inline struct vm *vm_of(struct pv_domain *d)
{
    return (struct vm *)((char *)d - __builtin_offsetof(struct vm, d));
}

/* vcpu.c: the VM over the accelerator seam */
/* Choose the accelerator (-accel, else KVM where usable, else TCG), lay out
 * and map guest memory, build the hypervisor hole, start the vCPUs. 0 or -1. */
int vm_create(struct vm *vm);
int vm_run(struct vm *vm); /* runs vCPU 0 until the domain stops; returns exit code */
/* The accelerator the guest runs on, or (no guest yet, -machine none) the
 * one it would run on; NULL if none can. */
const struct accel_ops *vm_accel(struct vm *vm);
/* For an accelerator interrupted by a kick: run deferred work and expired
 * timers; true if an event must be delivered to the guest now. */
bool vcpu_event_due(struct vcpu_host *vh);
/* A ring-3 code (or stack) segment descriptor for selector sel: 0 and
 * *desc, or -1 if the guest's selector does not name one. */
int vcpu_user_seg(struct pv_vcpu *v, uint16_t sel, bool code, uint64_t *desc);
/* The page-table root the vCPU runs on (kernel or user mode), an address. */
uint64_t vcpu_active_cr3(const struct pv_vcpu *v);

/* pvgrub.c: booting from the disk (no -kernel) through PV GRUB */
/* Make the PV GRUB image and boot it as the kernel: 0, or -1 (said why). */
int pvgrub_prepare(struct vm *vm);
/* The image is loaded: remove its file. */
void pvgrub_loaded(struct vm *vm);
/* Console output while PV GRUB may run: notes its "nothing to boot" line. */
void pvgrub_scan(struct vm *vm, const char *buf, size_t len);

/* hv.c: the trampoline area: IDT, GDT, TSS, stubs, page tables of the hole */
/* Place the hole after RAM and Xen's pages: sets d.hv_pfn and d.hv_pages. */
void hv_layout(struct vm *vm);
/* Build it in d.hv (mapped): tables, IDT, GDTs, TSSs, the accelerator's stubs. */
void hv_build(struct vm *vm);
uint64_t hv_tramp_gpa(struct vm *vm, uint64_t tramp_off);
/* Software CPU: map the local APIC and IOAPIC into the trampoline, and build
 * the boot page tables (the trampoline and the firmware's last 2 MiB below
 * 4 GiB); returns their root's address. */
uint64_t hv_build_boot_tables(struct vm *vm);
/* Software CPU, once the relay runs: unmap what it does not need, make
 * read-only what it only reads (IDT, GDT, TSS). */
void hv_protect_tramp(struct vm *vm);

/* host.c: services the PV core uses */
void host_init(struct vm *vm);
uint64_t host_mono_ns(void);

/* defer.c: work for the vCPU thread */
/* Ask the vCPU thread to do `work` (WORK_*) soon; any thread. */
void vm_defer(struct vm *vm, unsigned work);
/* Who does WORK_DEVICES (the backends register it: no lower folder names
 * a higher one). */
void vm_on_work(unsigned work, void (*fn)(struct vm *vm));
/* Do deferred work; vCPU thread only. */
void vm_run_deferred(struct vm *vm);

/* console.c */
struct xencons_interface;
/* A console ring (the guest's indexes are untrusted): its output, copied to
 * @buf (room for the whole out ring) and consumed; and @len bytes of input
 * put in as far as they fit. The count, or -1 if the indexes are corrupt. */
long xencons_take_output(struct xencons_interface *r, char *buf);
long xencons_put_input(struct xencons_interface *r, const char *buf, size_t len);
struct chardev;
void console_connect(struct vm *vm, struct chardev *cd); /* NULL: output dropped */
void console_output(struct vm *vm, const char *buf, size_t len); /* any thread */
void console_deliver_input(struct vm *vm);
void console_stop_input(void); /* give the terminal back as it was */
int console_setup(struct vm *vm);
void console_flush(struct vm *vm);
void console_attach(struct vm *vm); /* once the builder placed the ring */

/* store.c: xenstore for the guest */
int store_setup(struct vm *vm);  /* before the domain is built: its event channel */
void store_attach(struct vm *vm); /* after: ring page and the toolstack's nodes */
void store_service(struct vm *vm); /* serve the ring (vCPU thread) */
/* The store is shared by the vCPU thread (the ring) and the I/O thread (the
 * socket): hold the lock around every use of store_xs(). */
void store_lock(struct vm *vm);
void store_unlock(struct vm *vm);
struct xs_store *store_xs(struct vm *vm);

/* xs-socket.c: a unix socket for the host's xenstore tools: -xenstore PATH,
 * or (NULL) the default in the runtime directory; before io_start */
int xs_socket_start(struct vm *vm, const char *path);

/* options.c: QEMU's options other than the kernel's and the devices' */
struct config;
/* Handles argv[*i] if it is one of them (consuming its argument); false if not. */
bool options_parse(struct config *c, int argc, char **argv, int *i);
void options_finish(struct vm *vm); /* after all options: cross-checks */
void options_usage(FILE *f);

/* boot.c */
int boot_guest(struct vm *vm);

#endif
