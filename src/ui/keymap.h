/* SPDX-License-Identifier: GPL-2.0-or-later */
/* X keysyms (what VNC clients send) to Linux key codes, for the en-us layout. */
#ifndef XENNER_KEYMAP_H
#define XENNER_KEYMAP_H

/* The Linux KEY_* code of the key that gives @sym on an en-us keyboard
 * (without its modifiers), or 0 if there is none. */
unsigned keymap_from_keysym(unsigned sym);

/* QMP: the Linux code of QEMU's QKeyCode @name ("ctrl", "a", "ret"), or 0. */
unsigned keymap_from_qcode(const char *name);
/* QMP: the Linux code of QEMU's key number @qnum (an XT scancode, 0x80|code
 * after 0xe0), or 0. */
unsigned keymap_from_qnum(unsigned qnum);

#endif
