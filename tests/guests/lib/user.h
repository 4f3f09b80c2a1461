/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest user mode: a user page table, entering user mode and coming back. */
#ifndef XT_USER_H
#define XT_USER_H

#define XT_USER_STACK_SIZE 0x4000

extern uint64_t *xt_user_l4;
extern uint8_t xt_user_stack[XT_USER_STACK_SIZE];

/*
 * Build the user L4 (a copy of the kernel L4's guest slots, so the image is
 * reachable from user mode) and install it with MMUEXT_NEW_USER_BASEPTR.
 */
long xt_user_init(void);

/*
 * Run fn in guest user mode on xt_user_stack with the given rflags, via
 * HYPERVISOR_iret with a RPL-3 cs. fn returns by falling off its end (the
 * trampoline then issues the exit syscall). Restores the upcall mask.
 */
void xt_exec_user(void (*fn)(void), uint64_t rflags);

void xt_exec_user_asm(void (*fn)(void), uint64_t user_rsp, uint64_t rflags);
XT_NORETURN void xt_user_return(void);
extern const uint8_t xt_user_trampoline[];

#endif
