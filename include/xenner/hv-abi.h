/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seam between the ring-0 trampoline and the VMM: addresses and ports. */
#ifndef XENNER_HV_ABI_H
#define XENNER_HV_ABI_H

/*
 * Virtual layout of the hypervisor hole (0xffff800000000000 up to
 * 0xffff880000000000), which every PV guest leaves to Xen. xenner installs
 * the same L4 slots in every top-level page table the guest uses:
 *  slot 257  read-only machine-to-phys table (guest readable). Xen puts it
 *            in slot 256, but nested KVM hosts (PVM) keep that slot for
 *            themselves; guests find the table with XENMEM_machphys_mapping.
 *  slot 261  the trampoline: stubs, IDT, per-vCPU GDT/TSS/stacks (ring 0 only)
 *  slot 262  all of guest-physical memory, ring 0 only (the direct map)
 */
#define HV_L4_SLOT_M2P 257
#define HV_L4_SLOT_TRAMP 261
#define HV_L4_SLOT_DIRECT 262
#define HV_L4_FIRST 256
#define HV_L4_LAST 271

#define HV_M2P_VA 0xffff808000000000ULL
#define HV_TRAMP_VA 0xffff828000000000ULL
#define HV_DIRECT_VA 0xffff830000000000ULL

/* Offsets inside the trampoline area. */
#define HV_STUBS_OFF 0x0000ULL  /* stub page, code */
#define HV_IDT_OFF 0x1000ULL    /* 256 gates */
#define HV_VCPU_OFF 0x100000ULL /* first per-vCPU block */
#define HV_VCPU_SIZE 0x20000ULL /* per-vCPU block: 32 pages */

/* Inside a per-vCPU block. */
#define HV_GDT_OFF 0x00000ULL   /* 16 pages: 14 guest frames + 2 of ours */
#define HV_TSS_OFF 0x10000ULL   /* one page */
#define HV_STACK_OFF 0x11000ULL /* ring-0 stack, one page; TSS.RSP0 = its end */
#define HV_DFSTK_OFF 0x12000ULL /* double-fault stack (IST1) */
#define HV_QUEUE_OFF 0x13000ULL /* touch queue: addresses the ring-0 loop rewrites */
#define HV_QUEUE_MAX 500        /* entries of 8 bytes; the rest of the page is spare */
#define HV_RELAY_OFF 0x14000ULL /* software CPU: the relay page (below) */
#define HV_COMB_OFF 0x15000ULL  /* software CPU: the combined L4 (src/accel/tcg.c) */

/* Software CPU only: the local APIC and the IOAPIC, mapped uncached into the
 * trampoline (ring 0), so the relay can take and end its wake-up interrupt. */
#define HV_LAPIC_OFF 0x2000ULL
#define HV_IOAPIC_OFF 0x3000ULL
#define HV_LAPIC_GPA 0xfee00000ULL
#define HV_IOAPIC_GPA 0xfec00000ULL

/* Xen's reserved GDT entries start in page 14 (FIRST_RESERVED_GDT_PAGE). */
#define HV_GDT_GUEST_PAGES 14
#define HV_SEL_CS0 0xe008  /* ring-0 64-bit code, the trampoline's own */
#define HV_SEL_DS0 0xe010  /* ring-0 data */
#define HV_SEL_TSS 0xe040  /* 16-byte TSS descriptor */
/* Software CPU: the guest kernel's code and stack at ring 1, where it runs
 * on a combined top-level table (src/accel/tcg.c). */
#define HV_SEL_CS1 0xe051
#define HV_SEL_DS1 0xe059

/*
 * Every stub is one `out %al, $port`. The port tells the VMM why ring 0 was
 * entered; the exception frame sits at the top of the ring-0 stack.
 */
#define HV_PORT_VECTOR_BASE 0x00 /* ports 0x00..0x1f: exception vector N */
#define HV_PORT_INT80 0x20       /* int $0x80 from guest user mode */
#define HV_PORT_INT82 0x21       /* int $0x82 (32-bit hypercall gate) */
#define HV_PORT_SYSCALL 0x30     /* syscall entry (LSTAR), real VMX/SVM hosts */
#define HV_PORT_TOUCHED 0x31     /* the touch loop has finished */

/* Stub offsets in the stub page: vector N at N * HV_STUB_SIZE. */
#define HV_STUB_SIZE 8
#define HV_STUB_INT80 (0x20 * HV_STUB_SIZE)
#define HV_STUB_INT82 (0x21 * HV_STUB_SIZE)
#define HV_STUB_SYSCALL (0x30 * HV_STUB_SIZE)
#define HV_STUB_TOUCH (0x40 * HV_STUB_SIZE)
/* Software CPU: the wake-up interrupt's and the spurious vector's stubs. */
#define HV_STUB_KICK (0x22 * HV_STUB_SIZE)
#define HV_STUB_SPURIOUS (0x23 * HV_STUB_SIZE)

/*
 * The software CPU's relay (src/ring0/relay.S, src/accel/tcg.c). Under QEMU's
 * TCG xenner cannot reach into the vCPU, so every stub enters one relay: it
 * stores the guest's state in its vCPU's relay page, bumps SEQ_IN, and waits
 * until xenner has written the state to resume with and set SEQ_OUT to
 * SEQ_IN; then it loads that state and returns to ring 3 with iretq. Both
 * sides spin for a while before they sleep: xenner on the note port's socket
 * (the relay writes a byte to HV_NOTE_PORT when HOST_WAIT is set), the relay
 * in hlt until the wake-up interrupt (xenner writes a byte to the serial
 * port's socket when GUEST_WAIT is set, or to interrupt the guest at ring 3).
 * The byte says which: HV_WAKE_ANSWER only ends the relay's wait;
 * HV_WAKE_KICK asks for an HV_EV_KICK event before the guest runs on, even
 * when the relay reads it while it waits in ring 0 (it notes it in KICKED).
 * Offsets into the relay page, 8 bytes each:
 */
#define HR_SEQ_IN 0x000
#define HR_SEQ_OUT 0x008
#define HR_HOST_WAIT 0x010
#define HR_GUEST_WAIT 0x018
#define HR_EVENT 0x020    /* HV_EV_* */
#define HR_ERR 0x028
#define HR_RIP 0x030
#define HR_CS 0x038
#define HR_RFLAGS 0x040
#define HR_RSP 0x048
#define HR_SS 0x050
#define HR_CR2 0x058
#define HR_FS_BASE 0x060
#define HR_GS_BASE 0x068  /* the guest's GS base (ours is the relay page) */
#define HR_DR6 0x070
#define HR_TSC 0x078
#define HR_GPR 0x080      /* rax rbx rcx rdx rsi rdi rsp rbp r8..r15 */
#define HR_FLAGS 0x100    /* HV_RF_*: what else to load on the way back */
#define HR_CR3 0x108
#define HR_CR0_TS 0x110   /* 0 or 8: CR0.TS to load */
#define HR_GS_SEL 0x118
#define HR_DR 0x120       /* dr0 dr1 dr2 dr3 dr7 */
#define HR_SPIN 0x150     /* TSC ticks the relay spins before it sleeps */
#define HR_KICKED 0x158   /* the relay read an HV_WAKE_KICK it has not yet reported */
#define HR_CPUID 0x200    /* HV_CPUID_MAX entries: leaf, subleaf, eax, ebx, ecx, edx (u32) */
#define HV_CPUID_MAX 40

/* HR_EVENT: stub index (exceptions 0..0x1f, HV_EV_INT80, HV_EV_INT82,
 * HV_EV_KICK), or one of these. */
#define HV_EV_INT80 0x20
#define HV_EV_INT82 0x21
#define HV_EV_KICK 0x22    /* the wake-up interrupt came while in ring 3 */
#define HV_EV_SYSCALL 0x30
#define HV_EV_READY 0x40   /* the relay has started; the cpuid table is filled */
#define HV_EV_TSC 0x41     /* HR_TSC holds the TSC, as asked with HV_RF_TSC */
#define HV_EV_RING0 0x100  /* + vector: a fault in the relay itself */

#define HV_RF_CR3 0x01     /* load HR_CR3 (this also flushes the TLB) */
#define HV_RF_CR0 0x02     /* load CR0.TS from HR_CR0_TS */
#define HV_RF_BASES 0x04   /* load the FS and GS bases */
#define HV_RF_GS_SEL 0x08  /* load the GS selector HR_GS_SEL, then the GS base */
#define HV_RF_DR 0x10      /* load the debug registers */
#define HV_RF_TSC 0x20     /* read the TSC and answer HV_EV_TSC, before all else */

#define HV_VEC_KICK 0xf0   /* the wake-up interrupt's vector */
#define HV_NOTE_PORT 0xe9  /* isa-debugcon: a byte to xenner */
#define HV_UART 0x3f8      /* the 16550 whose input is xenner's wake-up */
#define HV_WAKE_ANSWER 0x77 /* 'w': the bytes xenner sends there (above) */
#define HV_WAKE_KICK 0x6b   /* 'k' */

#endif
