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

/* Xen's reserved GDT entries start in page 14 (FIRST_RESERVED_GDT_PAGE). */
#define HV_GDT_GUEST_PAGES 14
#define HV_SEL_CS0 0xe008  /* ring-0 64-bit code, the trampoline's own */
#define HV_SEL_DS0 0xe010  /* ring-0 data */
#define HV_SEL_TSS 0xe040  /* 16-byte TSS descriptor */

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

#endif
