/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest entry point, Xen ELF notes, the hypercall page and the stacks. */
#define __ASSEMBLY__
#include <xen/elfnote.h>
#include "layout.h"

/* One Xen ELF note: name "Xen", the given type, the payload as descriptor. */
.macro XT_NOTE type:req, payload:vararg
        .pushsection .note.Xen, "a", @note
        .balign 4
        .long 2f - 1f
        .long 4f - 3f
        .long \type
1:      .asciz "Xen"
2:      .balign 4
3:      \payload
4:      .balign 4
        .popsection
.endm

/*
 * A minimal 64-bit PV kernel: no hypervisor feature is required, so the
 * FEATURES note only lists pae_pgdir_above_4gb as supported (our page
 * tables may live anywhere), the same harmless claim Linux makes.
 */
XT_NOTE XEN_ELFNOTE_GUEST_OS,       .asciz "xenner-test"
XT_NOTE XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0"
XT_NOTE XEN_ELFNOTE_LOADER,         .asciz "generic"
XT_NOTE XEN_ELFNOTE_VIRT_BASE,      .quad XT_VIRT_BASE
XT_NOTE XEN_ELFNOTE_PADDR_OFFSET,   .quad 0
XT_NOTE XEN_ELFNOTE_ENTRY,          .quad xt_start_entry
XT_NOTE XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page
XT_NOTE XEN_ELFNOTE_FEATURES,       .asciz "pae_pgdir_above_4gb"

/*
 * Entry from the domain builder: %rsi = start_info, %rsp = top of the
 * bootstrap stack, events masked or not (we mask them first thing in C).
 */
        .section .text.entry, "ax", @progbits
        .code64
        .globl xt_start_entry
xt_start_entry:
        mov     %rsi, %rdi              /* arg 1: start_info */
        mov     %rsp, %rsi              /* arg 2: the builder's stack pointer */
        lea     xt_boot_stack_top(%rip), %rsp
        call    xt_setup
        ud2

/* Filled by the domain builder; int3 bytes make an unfilled page obvious. */
        .section .text.hypercall_page, "ax", @progbits
        .balign XT_PAGE_SIZE
        .globl hypercall_page
hypercall_page:
        .fill XT_PAGE_SIZE, 1, 0xcc

        .section .bss.stacks, "aw", @nobits
        .balign XT_PAGE_SIZE
        .globl xt_boot_stack, xt_boot_stack_top
xt_boot_stack:
        .skip XT_STACK_SIZE
xt_boot_stack_top:
        .globl xt_kernel_stack, xt_kernel_stack_top
xt_kernel_stack:
        .skip XT_STACK_SIZE
xt_kernel_stack_top:

        .section .note.GNU-stack, "", @progbits
