/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Constants shared by the guest's C, assembly and linker script. */
#ifndef XT_LAYOUT_H
#define XT_LAYOUT_H

/*
 * The guest is linked at XT_VIRT_BASE + XT_LOAD_OFFSET with PADDR_OFFSET 0,
 * so its pseudo-physical address is its virtual address minus XT_VIRT_BASE.
 * The 1 MiB below the image belongs to the bootstrap region too (pfns 0..255),
 * which lets the start_info test check the region really starts at VIRT_BASE.
 */
#define XT_VIRT_BASE 0xffffffff80000000
#define XT_LOAD_OFFSET 0x100000
#define XT_PAGE_SIZE 4096
#define XT_PAGE_SHIFT 12

/* Stacks: the boot stack and the one registered with stack_switch. */
#define XT_STACK_SIZE 0x4000

/* Pseudo-vectors the entry stubs use for non-exception entries. */
#define XT_VEC_EVENT 0x100
#define XT_VEC_SYSCALL 0x101
#define XT_VEC_FAILSAFE 0x102

/* Vectors below 32 for which the CPU (and Xen's bounce) pushes an error code. */
#define XT_EC_MASK ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | \
                    (1 << 14) | (1 << 17) | (1 << 21) | (1 << 29) | (1 << 30))

/* Offsets into struct xt_regs (see traps.h), for the entry stubs. */
#define XT_REGS_RAX 80
#define XT_REGS_VECTOR 120
#define XT_REGS_ERROR_CODE 128
#define XT_REGS_RIP 136
#define XT_REGS_SIZE 176

/* Stride of the per-vector entry stubs in entry.S. */
#define XT_STUB_SIZE 16

/* rax value a user-mode function's trampoline uses to get back to the kernel. */
#define XT_SYSCALL_USER_EXIT 0x7e57e417

#endif
