/* SPDX-License-Identifier: GPL-2.0-or-later */
/* X keysyms (what VNC clients send) to Linux key codes, for the en-us layout. */
#include <linux/input-event-codes.h>
#include <rfb/keysym.h>
#include <stddef.h>

#include "ui/keymap.h"

/*
 * A VNC client sends the symbol a key produced ('A', '!') with the
 * modifiers it pressed as keys of their own (Shift_L down first), so a
 * shifted symbol maps to the unshifted key: the guest applies the shift.
 * The layout is the guest's; xenner assumes en-us, QEMU's default (-k).
 */
static const unsigned short ascii[128] = {
    [' '] = KEY_SPACE, ['!'] = KEY_1, ['"'] = KEY_APOSTROPHE, ['#'] = KEY_3, ['$'] = KEY_4,
    ['%'] = KEY_5, ['&'] = KEY_7, ['\''] = KEY_APOSTROPHE, ['('] = KEY_9, [')'] = KEY_0,
    ['*'] = KEY_8, ['+'] = KEY_EQUAL, [','] = KEY_COMMA, ['-'] = KEY_MINUS, ['.'] = KEY_DOT,
    ['/'] = KEY_SLASH, ['0'] = KEY_0, ['1'] = KEY_1, ['2'] = KEY_2, ['3'] = KEY_3,
    ['4'] = KEY_4, ['5'] = KEY_5, ['6'] = KEY_6, ['7'] = KEY_7, ['8'] = KEY_8, ['9'] = KEY_9,
    [':'] = KEY_SEMICOLON, [';'] = KEY_SEMICOLON, ['<'] = KEY_COMMA, ['='] = KEY_EQUAL,
    ['>'] = KEY_DOT, ['?'] = KEY_SLASH, ['@'] = KEY_2, ['['] = KEY_LEFTBRACE,
    ['\\'] = KEY_BACKSLASH, [']'] = KEY_RIGHTBRACE, ['^'] = KEY_6, ['_'] = KEY_MINUS,
    ['`'] = KEY_GRAVE, ['{'] = KEY_LEFTBRACE, ['|'] = KEY_BACKSLASH, ['}'] = KEY_RIGHTBRACE,
    ['~'] = KEY_GRAVE,
    ['a'] = KEY_A, ['b'] = KEY_B, ['c'] = KEY_C, ['d'] = KEY_D, ['e'] = KEY_E, ['f'] = KEY_F,
    ['g'] = KEY_G, ['h'] = KEY_H, ['i'] = KEY_I, ['j'] = KEY_J, ['k'] = KEY_K, ['l'] = KEY_L,
    ['m'] = KEY_M, ['n'] = KEY_N, ['o'] = KEY_O, ['p'] = KEY_P, ['q'] = KEY_Q, ['r'] = KEY_R,
    ['s'] = KEY_S, ['t'] = KEY_T, ['u'] = KEY_U, ['v'] = KEY_V, ['w'] = KEY_W, ['x'] = KEY_X,
    ['y'] = KEY_Y, ['z'] = KEY_Z,
};

static const struct {
    unsigned sym;
    unsigned short code;
} special[] = {
    { XK_BackSpace, KEY_BACKSPACE }, { XK_Tab, KEY_TAB }, { XK_ISO_Left_Tab, KEY_TAB },
    { XK_Return, KEY_ENTER }, { XK_KP_Enter, KEY_KPENTER }, { XK_Escape, KEY_ESC },
    { XK_Delete, KEY_DELETE }, { XK_Insert, KEY_INSERT }, { XK_Home, KEY_HOME },
    { XK_End, KEY_END }, { XK_Page_Up, KEY_PAGEUP }, { XK_Page_Down, KEY_PAGEDOWN },
    { XK_Left, KEY_LEFT }, { XK_Right, KEY_RIGHT }, { XK_Up, KEY_UP }, { XK_Down, KEY_DOWN },
    { XK_Shift_L, KEY_LEFTSHIFT }, { XK_Shift_R, KEY_RIGHTSHIFT },
    { XK_Control_L, KEY_LEFTCTRL }, { XK_Control_R, KEY_RIGHTCTRL },
    { XK_Alt_L, KEY_LEFTALT }, { XK_Alt_R, KEY_RIGHTALT }, { XK_Meta_L, KEY_LEFTMETA },
    { XK_Meta_R, KEY_RIGHTMETA }, { XK_Super_L, KEY_LEFTMETA }, { XK_Super_R, KEY_RIGHTMETA },
    { XK_ISO_Level3_Shift, KEY_RIGHTALT }, { XK_Caps_Lock, KEY_CAPSLOCK },
    { XK_Num_Lock, KEY_NUMLOCK }, { XK_Scroll_Lock, KEY_SCROLLLOCK }, { XK_Menu, KEY_COMPOSE },
    { XK_Print, KEY_SYSRQ }, { XK_Sys_Req, KEY_SYSRQ }, { XK_Pause, KEY_PAUSE },
    { XK_Break, KEY_PAUSE },
    { XK_F1, KEY_F1 }, { XK_F2, KEY_F2 }, { XK_F3, KEY_F3 }, { XK_F4, KEY_F4 },
    { XK_F5, KEY_F5 }, { XK_F6, KEY_F6 }, { XK_F7, KEY_F7 }, { XK_F8, KEY_F8 },
    { XK_F9, KEY_F9 }, { XK_F10, KEY_F10 }, { XK_F11, KEY_F11 }, { XK_F12, KEY_F12 },
    { XK_KP_0, KEY_KP0 }, { XK_KP_1, KEY_KP1 }, { XK_KP_2, KEY_KP2 }, { XK_KP_3, KEY_KP3 },
    { XK_KP_4, KEY_KP4 }, { XK_KP_5, KEY_KP5 }, { XK_KP_6, KEY_KP6 }, { XK_KP_7, KEY_KP7 },
    { XK_KP_8, KEY_KP8 }, { XK_KP_9, KEY_KP9 }, { XK_KP_Insert, KEY_KP0 },
    { XK_KP_End, KEY_KP1 }, { XK_KP_Down, KEY_KP2 }, { XK_KP_Page_Down, KEY_KP3 },
    { XK_KP_Left, KEY_KP4 }, { XK_KP_Begin, KEY_KP5 }, { XK_KP_Right, KEY_KP6 },
    { XK_KP_Home, KEY_KP7 }, { XK_KP_Up, KEY_KP8 }, { XK_KP_Page_Up, KEY_KP9 },
    { XK_KP_Decimal, KEY_KPDOT }, { XK_KP_Delete, KEY_KPDOT }, { XK_KP_Add, KEY_KPPLUS },
    { XK_KP_Subtract, KEY_KPMINUS }, { XK_KP_Multiply, KEY_KPASTERISK },
    { XK_KP_Divide, KEY_KPSLASH },
};

unsigned keymap_from_keysym(unsigned sym)
{
    if (sym < 128) {
        if (sym >= 'A' && sym <= 'Z')
            sym += 'a' - 'A';
        return ascii[sym];
    }
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (special[i].sym == sym)
            return special[i].code;
    return 0;
}
