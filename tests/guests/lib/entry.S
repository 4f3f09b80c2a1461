/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entry stubs for exceptions, events, syscalls and the return via iret. */
#define __ASSEMBLY__
#include <xen/xen.h>
#include "layout.h"

/*
 * Return through the iret hypercall. The stack holds the iret_context from
 * "flags" upwards (flags, rip, cs, rflags, rsp, ss); %rcx, %r11 and %rax hold
 * the values to push. Either the syscall instruction or the hypercall page.
 */
.macro XT_IRET
        cmpb    $0, xt_hcall_via_page(%rip)
        jne     91f
        push    %rcx
        push    %r11
        push    %rax
        mov     $__HYPERVISOR_iret, %eax
        syscall
        ud2
91:     jmp     hypercall_page + __HYPERVISOR_iret * 32
.endm

/*
 * Xen pushes { rcx, r11, [error code], rip, cs, rflags, rsp, ss } on the
 * guest kernel stack (xen/arch/x86/x86_64/entry.S, create_bounce_frame).
 * Each stub restores rcx/r11, makes the error code slot uniform and pushes
 * its vector; one stub per vector, XT_STUB_SIZE bytes apart.
 */
        .text
        .balign XT_STUB_SIZE
        .globl xt_stubs
xt_stubs:
        .set .Lvec, 0
        .rept 256
1:      pop     %rcx
        pop     %r11
        .if .Lvec >= 32
        push    $0
        .elseif ((XT_EC_MASK >> .Lvec) & 1) == 0
        push    $0
        .endif
        push    $.Lvec
        jmp     xt_exc_common
        .org    1b + XT_STUB_SIZE, 0xcc
        .set .Lvec, .Lvec + 1
        .endr

/* Event upcall: same frame as an exception without error code. */
        .globl xt_entry_event
xt_entry_event:
        pop     %rcx
        pop     %r11
        push    $0
        push    $XT_VEC_EVENT
        jmp     xt_exc_common

/* Syscall from guest user mode: rcx/r11 in the frame are the user's. */
        .globl xt_entry_syscall
xt_entry_syscall:
        pop     %rcx
        pop     %r11
        push    $0
        push    $XT_VEC_SYSCALL
        jmp     xt_exc_common

/* Failsafe: the frame also holds ds, es, fs, gs before rip; drop them. */
        .globl xt_entry_failsafe
xt_entry_failsafe:
        pop     %rcx
        pop     %r11
        add     $32, %rsp
        push    $0
        push    $XT_VEC_FAILSAFE
        jmp     xt_exc_common

/* Save the registers as struct xt_regs, call C, return with iret. */
xt_exc_common:
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, %rdi
        cld
        call    xt_do_exception
        /* The iret flags (upper half of the vector slot) replace the error code. */
        mov     XT_REGS_VECTOR(%rsp), %rax
        shr     $32, %rax
        mov     %rax, XT_REGS_ERROR_CODE(%rsp)
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        add     $8, %rsp
        XT_IRET

/*
 * void xt_exec_user_asm(void (*fn)(void), uint64_t user_rsp, uint64_t rflags)
 * Enter guest user mode (FLAT_USER_CS, RPL 3) at a trampoline that calls fn;
 * returns when the trampoline's exit syscall reaches xt_user_return.
 */
        .globl xt_exec_user_asm
xt_exec_user_asm:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, xt_user_saved_rsp(%rip)
        push    $FLAT_USER_SS
        push    %rsi
        push    %rdx
        push    $FLAT_USER_CS
        lea     xt_user_trampoline(%rip), %rax
        push    %rax
        push    $0                      /* flags: restore rcx and r11 */
        mov     %rdi, %rcx
        xor     %r11d, %r11d
        xor     %eax, %eax
        XT_IRET

        .globl xt_user_trampoline
xt_user_trampoline:
        call    *%rcx
        mov     $XT_SYSCALL_USER_EXIT, %eax
        syscall
        ud2

/* Called from the syscall dispatcher (guest kernel mode): back to the caller. */
        .globl xt_user_return
xt_user_return:
        mov     xt_user_saved_rsp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret

        .bss
        .balign 8
xt_user_saved_rsp:
        .skip 8

        .section .note.GNU-stack, "", @progbits
