/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The software CPU's firmware: a 64 KiB image QEMU maps below 4 GiB (-bios).
 * From the reset vector it enters long mode on the boot page tables xenner
 * built and jumps to the relay's start (relay.S); xenner patches both
 * addresses into the image (rom_cr3, rom_entry) before QEMU starts.
 */
#define ROM_BASE 0xffff0000
#define ROM(x) (ROM_BASE + (x) - rom_start)

        .section .rodata.ring0, "a"
        .globl rom_start, rom_end, rom_cr3, rom_entry
        .balign 4096
rom_start:
        .code16
start16:
        cli
        cld
        lgdtl %cs:(rom_gdtr - rom_start)
        mov %cr0, %eax
        or $1, %eax
        mov %eax, %cr0
        ljmpl $0x08, $ROM(start32)

        .code32
start32:
        mov $0x10, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        mov $0x620, %eax               /* PAE, OSFXSR, OSXMMEXCPT */
        mov %eax, %cr4
        mov ROM(rom_cr3), %eax
        mov %eax, %cr3
        mov $0xc0000080, %ecx          /* EFER: SCE, LME, NXE */
        rdmsr
        or $0x901, %eax
        wrmsr
        mov $0x80010033, %eax          /* PG, WP, NE, ET, MP, PE */
        mov %eax, %cr0
        ljmp $0x18, $ROM(start64)

        .code64
start64:
        mov $ROM(rom_entry), %eax
        jmp *(%rax)

        .balign 8
rom_gdt:
        .quad 0
        .quad 0x00cf9b000000ffff       /* 0x08: 32-bit code */
        .quad 0x00cf93000000ffff       /* 0x10: data */
        .quad 0x00af9b000000ffff       /* 0x18: 64-bit code */
rom_gdtr:
        .word 4 * 8 - 1
        .long ROM(rom_gdt)
        .balign 8
rom_cr3:
        .quad 0
rom_entry:
        .quad 0

        .org rom_start + 0xfff0        /* the reset vector */
        .code16
        jmp start16
        .org rom_start + 0x10000
rom_end:
        .section .note.GNU-stack, "", @progbits
