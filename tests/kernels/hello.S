/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The smallest useful Xen PV kernel: the demo guest, and the seed of the
 * malformed-kernel tests. Prints through console_io (both the syscall way
 * and the hypercall page), then powers off. FEATURES/32-bit variants are
 * selected with -D. */
#include <xen/elfnote.h>

        .macro note type, data:vararg
        .balign 4
        .long 2f - 1f
        .long 4f - 3f
        .long \type
1:      .asciz "Xen"
2:      .balign 4
3:      \data
4:      .balign 4
        .endm

        .section .note.Xen, "a"
        note XEN_ELFNOTE_GUEST_OS, .asciz "xenner-hello"
        note XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0"
        note XEN_ELFNOTE_LOADER, .asciz "generic"
#ifdef HELLO_FEATURES
        note XEN_ELFNOTE_FEATURES, .asciz HELLO_FEATURES
#endif
#ifdef __x86_64__
        note XEN_ELFNOTE_VIRT_BASE, .quad 0xffffffff80000000
        note XEN_ELFNOTE_PADDR_OFFSET, .quad 0xffffffff80000000
        note XEN_ELFNOTE_ENTRY, .quad _start
        note XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page

        .text
        .globl _start
_start:
        mov $18, %eax                   /* console_io, by syscall */
        xor %edi, %edi                  /* CONSOLEIO_write */
        mov $(msg_end - msg), %esi
        lea msg(%rip), %rdx
        syscall
        xor %edi, %edi                  /* again, through the hypercall page */
        mov $(msg2_end - msg2), %esi
        lea msg2(%rip), %rdx
        call hypercall_page + 18 * 32
        mov $2, %edi                    /* SCHEDOP_shutdown */
        lea reason(%rip), %rsi
        call hypercall_page + 29 * 32
        ud2
#else
        note XEN_ELFNOTE_VIRT_BASE, .long 0xc0000000
        note XEN_ELFNOTE_PADDR_OFFSET, .long 0xc0000000
        note XEN_ELFNOTE_ENTRY, .long _start
        note XEN_ELFNOTE_PAE_MODE, .asciz "yes"
        .text
        .globl _start
_start: ud2
#endif

        .data
reason: .long 0                         /* SHUTDOWN_poweroff */
msg:    .ascii "Hello from a Xen PV guest, running on KVM under xenner.\n"
msg_end:
msg2:   .ascii "This line came through the hypercall page. Powering off.\n"
msg2_end:
        .balign 4096
        .globl hypercall_page
hypercall_page:
        .fill 4096, 1, 0
