/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The software CPU's ring-0 relay: the stub page under QEMU's TCG. Each
 * entry stores the guest's state in its vCPU's relay page, lets xenner handle
 * the event and returns to ring 3 with what xenner wrote (hv-abi.h, "relay").
 * In ring 3, GS_BASE holds the guest's GS base and KERNEL_GS_BASE the relay
 * page; every entry from ring 3 starts with swapgs. Interrupts stay off in
 * ring 0 except in the hlt of the wait.
 */
#include "xenner/hv-abi.h"

#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_PAT 0x277

        .section .rodata.ring0, "a"
        .globl ring0_relay_start, ring0_relay_end, ring0_relay_init
        .code64
        .balign 4096
ring0_relay_start:

/* Stub i at i * HV_STUB_SIZE: push the stub index, go to the common entry. */
.macro stub idx, target
        .org ring0_relay_start + \idx * HV_STUB_SIZE
        pushq $\idx
        jmp \target
.endm
        stub 0, entry_noerr
        stub 1, entry_noerr
        stub 2, entry_noerr
        stub 3, entry_noerr
        stub 4, entry_noerr
        stub 5, entry_noerr
        stub 6, entry_noerr
        stub 7, entry_noerr
        stub 8, entry_err
        stub 9, entry_noerr
        stub 10, entry_err
        stub 11, entry_err
        stub 12, entry_err
        stub 13, entry_err
        stub 14, entry_err
        stub 15, entry_noerr
        stub 16, entry_noerr
        stub 17, entry_err
        stub 18, entry_noerr
        stub 19, entry_noerr
        stub 20, entry_noerr
        stub 21, entry_err
        stub 22, entry_noerr
        stub 23, entry_noerr
        stub 24, entry_noerr
        stub 25, entry_noerr
        stub 26, entry_noerr
        stub 27, entry_noerr
        stub 28, entry_noerr
        stub 29, entry_err
        stub 30, entry_err
        stub 31, entry_noerr
        stub HV_EV_INT80, entry_noerr
        stub HV_EV_INT82, entry_noerr
        stub HV_EV_KICK, entry_noerr
        .org ring0_relay_start + HV_STUB_SPURIOUS
        iretq

/* SYSCALL (LSTAR): rcx = rip, r11 = rflags, rsp still the guest's. */
        .org ring0_relay_start + HV_STUB_SYSCALL
        swapgs
        mov %rsp, %gs:HR_RSP
        jmp syscall_stack

        .org ring0_relay_start + HV_STUB_TOUCH
/* Frame: index, (no error code), rip, cs, rflags, rsp, ss. */
entry_noerr:
        pushq (%rsp)
        movq $0, 8(%rsp)
/* Frame: index, error code, rip, cs, rflags, rsp, ss. */
entry_err:
        testb $3, 24(%rsp)
        jz from_ring0
        swapgs
        call save_gprs
        popq %gs:HR_EVENT
        popq %gs:HR_ERR
        popq %gs:HR_RIP
        popq %gs:HR_CS
        popq %gs:HR_RFLAGS
        popq %gs:HR_RSP
        popq %gs:HR_SS
        mov %cr2, %rax
        mov %rax, %gs:HR_CR2
        cmpq $1, %gs:HR_EVENT
        jne 1f
        mov %dr6, %rax
        mov %rax, %gs:HR_DR6
        mov $0xffff0ff0, %eax
        mov %rax, %dr6
1:      cmpq $HV_EV_KICK, %gs:HR_EVENT
        jne save_bases
        call ack_kick
        movq $0, %gs:HR_KICKED         /* this event is the kick */
        jmp save_bases

/* The ring-0 stack is at a fixed place from the relay page, whose address is
 * GS_BASE (an MSR the guest cannot write; the page itself it may). */
syscall_stack:
        mov %rax, %gs:HR_GPR + 0x00
        mov %rcx, %gs:HR_GPR + 0x10
        mov %rdx, %gs:HR_GPR + 0x18
        mov $MSR_GS_BASE, %ecx
        rdmsr
        shl $32, %rdx
        or %rdx, %rax
        lea HV_STACK_OFF + 4096 - HV_RELAY_OFF(%rax), %rsp
        mov %gs:HR_GPR + 0x00, %rax
        mov %gs:HR_GPR + 0x10, %rcx
        mov %gs:HR_GPR + 0x18, %rdx
syscall_entry:
        call save_gprs
        mov %rcx, %gs:HR_RIP
        mov %r11, %gs:HR_RFLAGS
        movq $HV_EV_SYSCALL, %gs:HR_EVENT
save_bases:
        mov $MSR_FS_BASE, %ecx
        rdmsr
        shl $32, %rdx
        or %rdx, %rax
        mov %rax, %gs:HR_FS_BASE
        mov $MSR_KERNEL_GS_BASE, %ecx /* the guest's, since swapgs */
        rdmsr
        shl $32, %rdx
        or %rdx, %rax
        mov %rax, %gs:HR_GS_BASE

/* Tell xenner (a byte on the note port if it sleeps), wait for its answer. */
post:
        lock incq %gs:HR_SEQ_IN
        cmpq $0, %gs:HR_HOST_WAIT
        je 1f
        out %al, $HV_NOTE_PORT
1:      rdtsc                          /* spin for HR_SPIN TSC ticks, then sleep */
        shl $32, %rdx
        or %rdx, %rax
        mov %rax, %rsi
        add %gs:HR_SPIN, %rsi
2:      mov %gs:HR_SEQ_IN, %rax
        cmp %gs:HR_SEQ_OUT, %rax
        je answered
        rdtsc
        shl $32, %rdx
        or %rdx, %rax
        cmp %rsi, %rax
        jb 2b
        movq $1, %gs:HR_GUEST_WAIT
        mfence
        movabs $(HV_TRAMP_VA + HV_LAPIC_OFF), %rdi
3:      mov %gs:HR_SEQ_IN, %rax
        cmp %gs:HR_SEQ_OUT, %rax
        je 4f
        /* The APIC timer, one-shot, as a safety net: a wake-up lost to the
         * memory order of an emulated CPU costs a few ms, not the guest. */
        movl $2000000, 0x380(%rdi)
        sti
        hlt
        cli
        jmp 3b
4:      movl $0, 0x380(%rdi)
        movq $0, %gs:HR_GUEST_WAIT

answered:
        mov %gs:HR_FLAGS, %rbx
        test $HV_RF_TSC, %ebx
        jz 1f
        rdtsc
        shl $32, %rdx
        or %rdx, %rax
        mov %rax, %gs:HR_TSC
        movq $HV_EV_TSC, %gs:HR_EVENT
        jmp post
1:      test $HV_RF_CR3, %ebx
        jz 1f
        mov %gs:HR_CR3, %rax
        mov %rax, %cr3
1:      test $HV_RF_CR0, %ebx
        jz 1f
        mov %cr0, %rax
        and $~8, %rax
        or %gs:HR_CR0_TS, %rax
        mov %rax, %cr0
1:      test $HV_RF_BASES, %ebx
        jz 1f
        mov $MSR_FS_BASE, %ecx
        mov %gs:HR_FS_BASE, %rax
        mov %rax, %rdx
        shr $32, %rdx
        wrmsr
        mov $MSR_KERNEL_GS_BASE, %ecx
        mov %gs:HR_GS_BASE, %rax
        mov %rax, %rdx
        shr $32, %rdx
        wrmsr
1:      test $HV_RF_GS_SEL, %ebx
        jz 1f
        /* Loading %gs sets its base from the descriptor: load the selector
         * with the guest's GS in place, then its base again. */
        mov %gs:HR_GS_SEL, %rsi
        mov %gs:HR_GS_BASE, %rax
        mov %rax, %rdx
        shr $32, %rdx
        mov $MSR_GS_BASE, %ecx
        swapgs
        mov %esi, %gs
        wrmsr
        swapgs
1:      test $HV_RF_DR, %ebx
        jz 1f
        mov %gs:HR_DR + 0, %rax
        mov %rax, %dr0
        mov %gs:HR_DR + 8, %rax
        mov %rax, %dr1
        mov %gs:HR_DR + 16, %rax
        mov %rax, %dr2
        mov %gs:HR_DR + 24, %rax
        mov %rax, %dr3
        mov %gs:HR_DR + 32, %rax
        mov %rax, %dr7
1:      /* A kick read while we waited: report it before the guest runs on,
         * with the state just loaded (the page still holds it). */
        cmpq $0, %gs:HR_KICKED
        je 1f
        movq $0, %gs:HR_KICKED
        movq $HV_EV_KICK, %gs:HR_EVENT
        jmp post
1:      /* The iret frame; the guest always runs with IF set and IOPL 0. */
        pushq %gs:HR_SS
        pushq %gs:HR_RSP
        mov %gs:HR_RFLAGS, %rax
        and $~0x3000, %rax
        or $0x200, %rax
        push %rax
        pushq %gs:HR_CS
        pushq %gs:HR_RIP
        mov %gs:HR_GPR + 0x00, %rax
        mov %gs:HR_GPR + 0x08, %rbx
        mov %gs:HR_GPR + 0x10, %rcx
        mov %gs:HR_GPR + 0x18, %rdx
        mov %gs:HR_GPR + 0x20, %rsi
        mov %gs:HR_GPR + 0x28, %rdi
        mov %gs:HR_GPR + 0x38, %rbp
        mov %gs:HR_GPR + 0x40, %r8
        mov %gs:HR_GPR + 0x48, %r9
        mov %gs:HR_GPR + 0x50, %r10
        mov %gs:HR_GPR + 0x58, %r11
        mov %gs:HR_GPR + 0x60, %r12
        mov %gs:HR_GPR + 0x68, %r13
        mov %gs:HR_GPR + 0x70, %r14
        mov %gs:HR_GPR + 0x78, %r15
        swapgs
        iretq

/* All general registers but rsp into the relay page; the return address on
 * the stack is not one of them. */
save_gprs:
        mov %rax, %gs:HR_GPR + 0x00
        mov %rbx, %gs:HR_GPR + 0x08
        mov %rcx, %gs:HR_GPR + 0x10
        mov %rdx, %gs:HR_GPR + 0x18
        mov %rsi, %gs:HR_GPR + 0x20
        mov %rdi, %gs:HR_GPR + 0x28
        mov %rbp, %gs:HR_GPR + 0x38
        mov %r8, %gs:HR_GPR + 0x40
        mov %r9, %gs:HR_GPR + 0x48
        mov %r10, %gs:HR_GPR + 0x50
        mov %r11, %gs:HR_GPR + 0x58
        mov %r12, %gs:HR_GPR + 0x60
        mov %r13, %gs:HR_GPR + 0x68
        mov %r14, %gs:HR_GPR + 0x70
        mov %r15, %gs:HR_GPR + 0x78
        ret

/* The wake-up interrupt: read the UART until it has nothing (else no new
 * interrupt edge comes), noting a kick among the bytes, then end it at the
 * local APIC. Runs with GS_BASE on the relay page. Uses rax, rdx. */
ack_kick:
        mov $HV_UART + 5, %dx
        in %dx, %al
        test $1, %al
        jz 1f
        mov $HV_UART, %dx
        in %dx, %al
        cmp $HV_WAKE_KICK, %al
        jne ack_kick
        movq $1, %gs:HR_KICKED
        jmp ack_kick
1:      movabs $(HV_TRAMP_VA + HV_LAPIC_OFF + 0xb0), %rax
        movl $0, (%rax)
        ret

/* An interrupt or fault while in ring 0: the wake-up ends a hlt; anything
 * else is a fault in the relay, reported to xenner for good. */
from_ring0:
        cmpq $HV_EV_KICK, (%rsp)
        jne ring0_fault
        push %rax
        push %rdx
        call ack_kick
        pop %rdx
        pop %rax
        add $16, %rsp
        iretq
ring0_fault:
        mov %rsp, %rax
        and $~(HV_VCPU_SIZE - 1), %rax
        add $HV_RELAY_OFF, %rax
        mov (%rsp), %rdx
        add $HV_EV_RING0, %rdx
        mov %rdx, HR_EVENT(%rax)
        mov 8(%rsp), %rdx
        mov %rdx, HR_ERR(%rax)
        mov 16(%rsp), %rdx
        mov %rdx, HR_RIP(%rax)
        mov 24(%rsp), %rdx
        mov %rdx, HR_CS(%rax)
        mov %cr2, %rdx
        mov %rdx, HR_CR2(%rax)
        lock incq HR_SEQ_IN(%rax)
        out %al, $HV_NOTE_PORT
1:      cli
        hlt
        jmp 1b

/*
 * Entered from the reset code (rom.S) in long mode with interrupts off, on
 * the boot page tables, which map the trampoline. Sets up this vCPU's
 * descriptor tables, MSRs and wake-up interrupt, fills the cpuid table
 * xenner asked for, and reports HV_EV_READY.
 */
ring0_relay_init:
        mov $1, %eax
        cpuid
        shr $24, %ebx                  /* the APIC id: our vCPU's number */
        mov %ebx, %ebp
        imul $HV_VCPU_SIZE, %rbx
        movabs $(HV_TRAMP_VA + HV_VCPU_OFF), %rax
        add %rax, %rbx                 /* rbx: this vCPU's block */
        lea HV_STACK_OFF + 4096(%rbx), %rsp
        sub $16, %rsp
        movw $0xffff, 6(%rsp)
        lea HV_GDT_OFF(%rbx), %rax
        mov %rax, 8(%rsp)
        lgdt 6(%rsp)
        movw $(256 * 16 - 1), 6(%rsp)
        movabs $(HV_TRAMP_VA + HV_IDT_OFF), %rax
        mov %rax, 8(%rsp)
        lidt 6(%rsp)
        add $16, %rsp
        pushq $HV_SEL_CS0
        lea 1f(%rip), %rax
        push %rax
        lretq
1:      mov $HV_SEL_DS0, %eax
        mov %eax, %ss
        xor %eax, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %fs
        mov %eax, %gs
        andb $~2, HV_GDT_OFF + HV_SEL_TSS + 5(%rbx) /* ltr wants it not busy */
        mov $HV_SEL_TSS, %eax
        ltr %ax
        /* GS_BASE: the relay page while in ring 0; KERNEL_GS_BASE: the guest's. */
        lea HV_RELAY_OFF(%rbx), %rax
        mov %rax, %rdx
        shr $32, %rdx
        mov $MSR_GS_BASE, %ecx
        wrmsr
        xor %eax, %eax
        xor %edx, %edx
        mov $MSR_KERNEL_GS_BASE, %ecx
        wrmsr
        /* syscall: 64-bit entry at the stub, ring-0 CS from STAR[47:32];
         * sysret's selectors (STAR[63:48]) are never used. IF, TF, DF, AC,
         * NT and IOPL are cleared on entry. */
        mov $MSR_STAR, %ecx
        xor %eax, %eax
        mov $(0xe020 << 16 | HV_SEL_CS0), %edx   /* FLAT_RING3_CS32 & ~3 */
        wrmsr
        movabs $(HV_TRAMP_VA + HV_STUBS_OFF + HV_STUB_SYSCALL), %rax
        mov %rax, %rdx
        shr $32, %rdx
        mov $MSR_LSTAR, %ecx
        wrmsr
        mov $MSR_CSTAR, %ecx
        wrmsr
        mov $MSR_SFMASK, %ecx
        mov $0x47700, %eax
        xor %edx, %edx
        wrmsr
        mov $MSR_PAT, %ecx
        mov $0x00070406, %eax          /* PV_MSR_PAT */
        mov $0x00000501, %edx
        wrmsr
        /* Local APIC on, all priorities; the UART's IRQ 4 to HV_VEC_KICK. */
        movabs $(HV_TRAMP_VA + HV_LAPIC_OFF), %rdi
        movl $0x1ff, 0xf0(%rdi)
        movl $0, 0x80(%rdi)
        movl $0xb, 0x3e0(%rdi)         /* APIC timer: divide by 1, */
        movl $HV_VEC_KICK, 0x320(%rdi) /* one-shot to the wake-up vector */
        movabs $(HV_TRAMP_VA + HV_IOAPIC_OFF), %rdi
        movl $0x18, (%rdi)
        movl $HV_VEC_KICK, 0x10(%rdi)
        movl $0x19, (%rdi)
        mov %ebp, %eax
        shl $24, %eax
        movl %eax, 0x10(%rdi)
        mov $HV_UART + 1, %dx          /* IER: received data */
        mov $1, %al
        out %al, %dx
        mov $HV_UART + 4, %dx          /* MCR: OUT2 */
        mov $8, %al
        out %al, %dx
        call ack_kick
        movq $0, %gs:HR_KICKED
        /* cpuid for each (leaf, subleaf) xenner listed; leaf ~0 ends. */
        lea HV_RELAY_OFF + HR_CPUID(%rbx), %rsi
        mov $HV_CPUID_MAX, %edi
2:      mov (%rsi), %eax
        cmp $0xffffffff, %eax
        je 3f
        mov 4(%rsi), %ecx
        cpuid
        mov %eax, 8(%rsi)
        mov %ebx, 12(%rsi)
        mov %ecx, 16(%rsi)
        mov %edx, 20(%rsi)
        add $24, %rsi
        dec %edi
        jnz 2b
3:      movq $HV_EV_READY, %gs:HR_EVENT
        jmp post

ring0_relay_end:
        .section .note.GNU-stack, "", @progbits
