/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV ABI core: domain and vCPU state, and the host services it uses. */
#ifndef XENNER_PV_H
#define XENNER_PV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>

#include "xenner/hv-abi.h"

#define PV_MAX_VCPUS 1
/* The Xen version xenner reports (xen_version, cpuid leaf 0x40000001). */
#define XENNER_XEN_MAJOR 4
#define XENNER_XEN_MINOR 17
#define PV_PAGE_SIZE 4096ULL
/* The PAT a PV guest finds (Xen's XEN_MSR_PAT): WB, WT, UC-, UC, WC, WP, UC, UC. */
#define PV_MSR_PAT 0x0000050100070406ULL
/* CR4 as a PV guest reads it at start: PAE, OSFXSR, OSXMMEXCPT. */
#define PV_INITIAL_CR4 0x620ULL
#define PV_PAGE_SHIFT 12
#define PV_NR_EVTCHN 1024     /* 2-level ABI limit for one vCPU word set */
#define PV_NR_GRANT_FRAMES 32 /* max grant table frames (v1) */
#define PV_NR_XEN_PAGES (1 + PV_NR_GRANT_FRAMES) /* shared_info + grant frames */

/* Why the domain stopped; the VMM maps these to exit codes. */
enum pv_stop {
    PV_RUNNING = 0,
    PV_STOP_POWEROFF,
    PV_STOP_REBOOT,
    PV_STOP_CRASH,   /* the guest said it crashed (SHUTDOWN_crash) */
    PV_STOP_KILLED,  /* xenner killed it: unhandled fault, ABI violation */
    PV_STOP_SUSPEND,
    PV_STOP_WATCHDOG,
    PV_STOP_QUIT,    /* the user stopped it (C-a x, quit) */
};

/* Page types, as Xen tracks them for the PV MMU rules. */
enum pv_ptype { PGT_NONE = 0, PGT_L1, PGT_L2, PGT_L3, PGT_L4, PGT_SEG };

struct pv_frame {
    uint32_t type_count; /* references as a page of type `type` */
    uint32_t wr_count;   /* writable mappings of this frame */
    uint8_t type;
    uint8_t pinned;
    uint8_t was_pt; /* has been a page table: a TLB or KVM's shadow may hold it */
    uint32_t gnt_wr; /* writable uses by a backend (pv_grant_get), atomic */
};

/* General registers, in KVM's order. */
struct pv_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

struct pv_domain;

struct pv_vcpu {
    struct pv_domain *d;
    unsigned id;
    struct pv_regs r;  /* guest state; what the vCPU resumes with */
    uint16_t cs, ss;   /* guest selectors to resume with */
    bool kernel_mode;  /* guest kernel (true) or guest user mode */
    uint64_t cr3_kernel, cr3_user; /* frame numbers of the L4 tables, 0 = none */
    uint64_t cr2;
    /* Event counts by kind, for -d stats: hypercalls by number (last slot:
     * 63 and up), exceptions by vector, emulated page-table writes. */
    uint32_t stat_hc[64], stat_trap[32], stat_ptwr, stat_privop, stat_syscall;
    uint64_t dr[8];    /* debug registers as set_debugreg stored them */
    uint64_t cr4;      /* as the guest reads it; only TSD and DE are its own */
    uint64_t spec_ctrl; /* MSR_SPEC_CTRL as the guest last set it */
    uint64_t xcr0_set;  /* XCR0 as the guest last set it with xsetbv; 0 before */
    uint64_t kernel_ss, kernel_sp; /* stack_switch */
    uint64_t gs_base_kernel, gs_base_user, fs_base; /* live copies kept by the VMM */
    uint16_t gs_sel_user;
    struct trap_info traps[256];
    uint64_t event_cb, failsafe_cb, syscall_cb, syscall32_cb, sysenter_cb, nmi_cb;
    bool syscall_masks_events, failsafe_masks_events;
    uint64_t vcpu_info_gpa; /* where vcpu_info lives (default: in shared_info) */
    uint64_t runstate_gva;
    uint64_t time_area_gpa; /* VCPUOP_register_vcpu_time_memory_area, 0 = none */
    uint64_t runstate_entry_ns, runstate_time[4];
    int runstate;
    uint64_t gdt_frames[HV_GDT_GUEST_PAGES];
    unsigned gdt_nr_frames, gdt_ents;
    uint64_t ldt_base; unsigned ldt_ents;
    uint64_t timer_single_ns;   /* 0 = disarmed */
    uint64_t timer_period_ns, timer_period_next;
    bool fpu_ts;       /* virtual CR0.TS set by fpu_taskswitch */
    bool hw_ts;        /* hardware CR0.TS to load */
    unsigned iopl;     /* virtual IOPL (0..3) from physdev set_iopl */
    bool up;
};

struct pv_evtchn {
    uint8_t state; /* EVTCHNSTAT_* */
    uint8_t virq;
    uint16_t notify_vcpu;
    domid_t remote_dom;
    uint16_t remote_port;
    bool fixed; /* xenner's console or xenstore port: the guest cannot close it */
    /* An in-process backend at the other end: called on the vCPU thread
     * when the guest sends on the port. */
    void (*backend)(struct pv_domain *d, unsigned port, void *opaque);
    void *opaque;
};

/*
 * Services from the host. The core calls nothing else outside itself, so
 * it stays free of libc and can be tested, fuzzed or moved.
 */
struct pv_host {
    uint64_t (*now_ns)(void *h);           /* guest system time, ns since boot */
    uint64_t (*rdtsc)(void *h);            /* the guest's TSC now */
    void (*wallclock)(void *h, uint64_t *sec, uint32_t *nsec); /* at system time 0 */
    void (*timer_changed)(void *h, struct pv_vcpu *v); /* re-arm the vCPU timer */
    int (*block)(void *h, struct pv_vcpu *v, uint64_t deadline_ns); /* wait; 0 = woken */
    void (*kick)(void *h, struct pv_vcpu *v); /* make the vCPU look at its events */
    void (*console_write)(void *h, const char *buf, size_t len);
    int (*console_read)(void *h, char *buf, size_t len);
    void (*log)(void *h, int level, const char *msg); /* level: 0 err, 1 warn, 2 info, 3 debug */
    int (*vformat)(char *buf, size_t len, const char *fmt, va_list ap);
    /* cpuid as a PV guest sees it (Xen's forced-emulation path). */
    void (*cpuid)(void *h, struct pv_vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);
    /* An MSR as the host vCPU has it, for the few passed through; 0 or -1. */
    int (*host_msr)(void *h, struct pv_vcpu *v, uint32_t msr, uint64_t *val);
    /* Set an MSR of the host vCPU: the speculation controls the guest may
     * use (when its cpuid offers them). 0 or -1; NULL: none can be set. */
    int (*host_msr_write)(void *h, struct pv_vcpu *v, uint32_t msr, uint64_t val);
    /* A present entry of a page table the vCPU may have cached (in a TLB or
     * a shadow page table) changed at guest-physical gpa, or any entry of an
     * L4: the accelerator must not run the vCPU on the old entry. NULL:
     * nothing caches. */
    void (*pt_changed)(void *h, struct pv_vcpu *v, uint64_t gpa);
    void *opaque;
};

/* PIT channel 2 as Xen emulates it for PV guests (pit.c). */
struct pv_pit {
    uint64_t start_ns;  /* system time the count was (re)loaded */
    uint16_t reload, latch, frozen;
    uint8_t mode, rw;
    bool loaded, counting, latched, read_msb, write_msb, gate, speaker, frozen_out;
    uint8_t refresh;
};

struct pv_domain {
    uint8_t *ram;        /* guest RAM: frames [0, nr_pages) */
    uint64_t nr_pages;
    uint8_t *xen_pages;  /* shared_info, grant frames: frames [xen_pfn, +PV_NR_XEN_PAGES) */
    uint64_t xen_pfn;
    uint8_t *hv;         /* trampoline area, ring 0 only: frames [hv_pfn, +hv_pages) */
    uint64_t hv_pfn, hv_pages, hv_used;
    uint64_t max_pfn;    /* frames the M2P covers */
    struct pv_frame *frames; /* per guest frame (RAM and xen pages) */
    uint64_t *m2p;       /* host pointer to the M2P table */
    uint64_t hv_l3_direct_gpa, hv_l3_tramp_gpa, hv_l3_m2p_gpa, hv_l1_tramp_gpa;
    uint64_t zero_gpa;   /* an all-zero page in the hv area */
    uint64_t xcr0;       /* the host's XCR0 when the guest runs with it (PVM), else 0 */
    bool xcr0_warned;
    struct pv_vcpu *vcpu[PV_MAX_VCPUS];
    unsigned nr_vcpus;
    struct pv_evtchn evtchn[PV_NR_EVTCHN];
    unsigned grant_frames; /* frames set up by the guest */
    struct { uint32_t rd, wr; } gnt_use[PV_NR_GRANT_FRAMES * 512]; /* backend uses per ref */
    unsigned grant_version;
    uint32_t vm_assist;
    unsigned features[1];  /* XENFEAT_* submap 0 offered */
    uint64_t lstar;        /* syscall entry address (the quirk's #PF key) */
    uint64_t tsc_khz;
    enum pv_stop stop;
    char stop_why[160];
    uint64_t unknown_hc_logged;  /* unknown hypercall numbers 0..63 logged */
    bool unknown_hc_high_logged; /* one of 64 and up logged */
    unsigned msr_logged;         /* refused MSR accesses logged so far */
    struct pv_pit pit;
    struct pv_host host;
    domid_t domid;
    uint8_t handle[16];
    uint16_t console_port, store_port;
    uint64_t console_pfn, store_pfn;
};

/* ---- guest memory: the one checked path (mem.c) ---- */

/* Host pointer for guest-physical [gpa, gpa+len) if it lies entirely inside
 * guest RAM or the Xen pages given to the guest; NULL otherwise. */
void *pv_gpa(struct pv_domain *d, uint64_t gpa, size_t len);
/* Host pointer into the trampoline area; NULL if out of range. */
void *pv_hv_gpa(struct pv_domain *d, uint64_t gpa, size_t len);
/* True if pfn is a frame the guest owns or was given (RAM or Xen pages). */
bool pv_pfn_valid(struct pv_domain *d, uint64_t pfn);
bool pv_pfn_is_ram(struct pv_domain *d, uint64_t pfn);

static inline bool pv_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}
/* True if [gva, gva+len) is canonical and outside the hypervisor hole:
 * an address range a guest may hand to a hypercall. */
bool pv_guest_range_ok(uint64_t gva, uint64_t len);
/* Translate a guest virtual address through the vCPU's current page tables.
 * write: require a writable mapping. Returns 0 and *gpa, or -EFAULT. */
int pv_gva_to_gpa(struct pv_vcpu *v, uint64_t gva, bool write, uint64_t *gpa);
/* Copy to/from guest virtual memory; 0 or -EFAULT (nothing partial is undone). */
int pv_copy_from_guest(struct pv_vcpu *v, void *dst, uint64_t gva, size_t len);
int pv_copy_to_guest(struct pv_vcpu *v, uint64_t gva, const void *src, size_t len);
/* Read up to max instruction bytes at the vCPU's rip into buf; returns how
 * many could be read (an instruction may end where its mapping does). */
unsigned pv_fetch_insn(struct pv_vcpu *v, uint8_t *buf, unsigned max);

/* ---- the PV MMU (mm.c) ---- */
int pv_mm_init(struct pv_domain *d);
int pv_get_type(struct pv_vcpu *v, uint64_t pfn, int type);
/* True if pfn is in use as a page or descriptor table. */
bool pv_pfn_typed(struct pv_domain *d, uint64_t pfn);
void pv_put_type(struct pv_domain *d, uint64_t pfn);
/* Write a page-table entry from the VMM: stores it and tells the host
 * (pt_changed) where the vCPU may have cached the old one. */
void pv_write_pte(struct pv_vcpu *v, uint64_t gpa, uint64_t val);
/* True if pfn is in use as an L1 page table. */
bool pv_pfn_is_l1(struct pv_domain *d, uint64_t pfn);
/* The guest's own store of val to the L1 entry at gpa, checked as
 * MMU_NORMAL_PT_UPDATE checks it: 0 or -errno (nothing changed). */
int pv_pt_store(struct pv_vcpu *v, uint64_t gpa, uint64_t val);
/* A #PF that may be a kernel store to its own L1 table (writable page
 * tables): emulated and true, or false to deliver the fault. */
bool pv_ptwr_fault(struct pv_vcpu *v, uint64_t err);
/* A #GP(0) in guest kernel mode that may be rdmsr, wrmsr, wbinvd or a
 * control-register move: emulated and true, or false to deliver the #GP. */
bool pv_emulate_privop(struct pv_vcpu *v);
/* Install the hypervisor-hole slots into the L4 at frame pfn. */
void pv_install_hv_slots(struct pv_vcpu *v, uint64_t pfn);
long pv_mmu_update(struct pv_vcpu *v, uint64_t reqs, unsigned count, uint64_t done_ptr, unsigned dom);
long pv_mmuext_op(struct pv_vcpu *v, uint64_t ops, unsigned count, uint64_t done_ptr, unsigned dom);
long pv_update_va_mapping(struct pv_vcpu *v, uint64_t va, uint64_t val, uint64_t flags);
long pv_set_gdt(struct pv_vcpu *v, uint64_t frames_gva, unsigned entries);
long pv_update_descriptor(struct pv_vcpu *v, uint64_t maddr, uint64_t desc);
int pv_set_baseptr(struct pv_vcpu *v, uint64_t pfn, bool user);
/* Read a descriptor from the vCPU's GDT (guest frames or Xen's); 0 or -EINVAL. */
int pv_read_gdt(struct pv_vcpu *v, uint16_t sel, uint64_t *desc);

/* ---- traps, iret, syscall bouncing (traps.c) ---- */
/* Bounce exception `vec` to the guest's handler; false if the domain died. */
bool pv_trap(struct pv_vcpu *v, unsigned vec, bool has_err, uint64_t err);
/* True for the exception vectors whose frame carries an error code. */
bool pv_vector_has_error_code(unsigned vec);
/* A syscall from the guest: hypercall from kernel mode, bounce from user. */
void pv_syscall(struct pv_vcpu *v);
/* Deliver the event upcall if one is pending and unmasked. */
void pv_deliver_events(struct pv_vcpu *v);
long pv_iret(struct pv_vcpu *v);
void pv_toggle_mode(struct pv_vcpu *v);
/* Stop the domain; the first reason given wins. */
void pv_crash(struct pv_domain *d, enum pv_stop why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Port 0x42, 0x43 or 0x61 (one byte): true if it is one of them. */
bool pv_pit_port(struct pv_domain *d, unsigned port, bool write, uint8_t *val);

/* ---- hypercalls (hypercall.c) ---- */
/* Run hypercall regs->rax with the ABI's registers; result in regs->rax. */
void pv_hypercall(struct pv_vcpu *v);
long pv_do_hypercall(struct pv_vcpu *v, uint64_t nr, uint64_t a[6]);

/* ---- event channels (evtchn.c) ---- */
long pv_event_channel_op(struct pv_vcpu *v, unsigned cmd, uint64_t arg);
void pv_evtchn_set_pending(struct pv_domain *d, unsigned port);
void pv_send_virq(struct pv_vcpu *v, unsigned virq);
/* Bind a port to an in-process backend (console, xenstore, ...). */
int pv_evtchn_bind_backend(struct pv_domain *d,
                           void (*fn)(struct pv_domain *, unsigned, void *), void *opaque);
bool pv_evtchn_pending(struct pv_domain *d, unsigned port);
/* A backend (domain @dom, 0 in xenner) takes the other end of @port, which
 * the guest allocated unbound for @dom: @fn runs when the guest sends on it.
 * 0 or -EINVAL. pv_evtchn_set_pending(d, port) then notifies the guest. */
int pv_evtchn_connect(struct pv_domain *d, unsigned port, domid_t dom,
                      void (*fn)(struct pv_domain *, unsigned, void *), void *opaque);
/* The backend lets go of @port (if the guest has not closed it since). */
void pv_evtchn_disconnect(struct pv_domain *d, unsigned port, void *opaque);

/* ---- time and scheduling (time.c, sched.c) ---- */
void pv_update_time(struct pv_vcpu *v);
void pv_timer_tick(struct pv_vcpu *v); /* fire expired timers */
uint64_t pv_next_deadline(struct pv_vcpu *v); /* 0 = none */
long pv_sched_op(struct pv_vcpu *v, unsigned cmd, uint64_t arg);
long pv_set_timer_op(struct pv_vcpu *v, uint64_t deadline);
long pv_vcpu_op(struct pv_vcpu *v, unsigned cmd, unsigned id, uint64_t arg);
void pv_runstate_set(struct pv_vcpu *v, int state);
void pv_shutdown(struct pv_domain *d, unsigned reason);

/* ---- grant tables (grant.c), memory (memory.c) ---- */
long pv_grant_table_op(struct pv_vcpu *v, unsigned cmd, uint64_t arg, unsigned count);
/* A backend's access to the page the guest granted domain @dom with entry
 * @ref (checked as Xen maps a grant; any thread): a host pointer to the whole
 * page, and its frame in *@pfn, or NULL. Each successful get is ended by one
 * pv_grant_put() with the same arguments. */
void *pv_grant_get(struct pv_domain *d, uint32_t ref, domid_t dom, bool write, uint64_t *pfn);
void pv_grant_put(struct pv_domain *d, uint32_t ref, uint64_t pfn, bool write);
/* A backend's access to guest frame @pfn named by number, as domain 0 maps a
 * foreign frame (vfb, vkbd): NULL unless it is RAM and, for @write, not a
 * page or descriptor table (and then it cannot become one until
 * pv_frame_put() with the same arguments). */
void *pv_frame_get(struct pv_domain *d, uint64_t pfn, bool write);
void pv_frame_put(struct pv_domain *d, uint64_t pfn, bool write);
long pv_memory_op(struct pv_vcpu *v, unsigned cmd, uint64_t arg);

/* ---- small helpers shared by the core (util.c) ---- */
struct vcpu_info *pv_vcpu_info(struct pv_vcpu *v);
/* A general register by its x86 instruction-encoding number (0 rax .. 15 r15). */
uint64_t *pv_gpr(struct pv_regs *r, unsigned n);
struct shared_info *pv_shared_info(struct pv_domain *d);
void pv_log(struct pv_domain *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pv_memcpy(void *dst, const void *src, size_t n);
void pv_memset(void *dst, int c, size_t n);

/* A guest handle's address, as the guest gave it. */
#define PV_HANDLE(h) ((uint64_t)(uintptr_t)(h).p)

#define PV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Page-table entry bits (x86-64). */
#define PTE_P 0x001ULL
#define PTE_RW 0x002ULL
#define PTE_US 0x004ULL
#define PTE_PWT 0x008ULL
#define PTE_PCD 0x010ULL
#define PTE_A 0x020ULL
#define PTE_D 0x040ULL
#define PTE_PSE 0x080ULL
#define PTE_G 0x100ULL
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#endif
