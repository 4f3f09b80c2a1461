/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ring-0 trampoline: one stub per entry, each leaving to the VMM at once. */
#include "xenner/hv-abi.h"

        .section .rodata.ring0, "a"
        .globl ring0_stubs_start, ring0_stubs_end
        .code64
        .balign 4096
ring0_stubs_start:

/* Exception vectors 0..31 and the int $0x80/$0x82 gates: one `out` each. */
        .set vec, 0
        .rept 0x22
        .balign HV_STUB_SIZE
        out %al, $(HV_PORT_VECTOR_BASE + vec)
        .set vec, vec + 1
        .endr

/* SYSCALL entry on hosts where syscall reaches ring 0. */
        .org ring0_stubs_start + HV_STUB_SYSCALL
        out %al, $HV_PORT_SYSCALL

/*
 * Touch loop: rewrite each queued page-table word with its own value, so
 * that KVM's shadow MMU learns of entries the VMM changed from outside.
 * In: %rsi = queue, %rcx = count. The CR3 reload then flushes the TLB.
 */
        .org ring0_stubs_start + HV_STUB_TOUCH
        jrcxz 2f
1:      mov (%rsi), %rdi
        mov (%rdi), %rax
        mov %rax, (%rdi)
        add $8, %rsi
        dec %rcx
        jnz 1b
2:      mov %cr3, %rax
        mov %rax, %cr3
        out %al, $HV_PORT_TOUCHED

ring0_stubs_end:
        .section .note.GNU-stack, "", @progbits
