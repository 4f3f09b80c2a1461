/* SPDX-License-Identifier: GPL-2.0-or-later */
/* X keysyms (what VNC clients send) to Linux key codes, for the en-us layout. */
#include <linux/input-event-codes.h>
#include <rfb/keysym.h>
#include <stddef.h>
#include <string.h>

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

/* QEMU's QKeyCode names (qapi/ui.json), the keys QMP's send-key and
 * input-send-event name. */
static const struct {
    const char *name;
    unsigned short code;
} qcodes[] = {
    { "shift", KEY_LEFTSHIFT }, { "shift_r", KEY_RIGHTSHIFT }, { "alt", KEY_LEFTALT },
    { "alt_r", KEY_RIGHTALT }, { "ctrl", KEY_LEFTCTRL }, { "ctrl_r", KEY_RIGHTCTRL },
    { "menu", KEY_COMPOSE }, { "esc", KEY_ESC }, { "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 },
    { "4", KEY_4 }, { "5", KEY_5 }, { "6", KEY_6 }, { "7", KEY_7 }, { "8", KEY_8 }, { "9", KEY_9 },
    { "0", KEY_0 }, { "minus", KEY_MINUS }, { "equal", KEY_EQUAL }, { "backspace", KEY_BACKSPACE },
    { "tab", KEY_TAB }, { "q", KEY_Q }, { "w", KEY_W }, { "e", KEY_E }, { "r", KEY_R },
    { "t", KEY_T }, { "y", KEY_Y }, { "u", KEY_U }, { "i", KEY_I }, { "o", KEY_O }, { "p", KEY_P },
    { "bracket_left", KEY_LEFTBRACE }, { "bracket_right", KEY_RIGHTBRACE }, { "ret", KEY_ENTER },
    { "a", KEY_A }, { "s", KEY_S }, { "d", KEY_D }, { "f", KEY_F }, { "g", KEY_G }, { "h", KEY_H },
    { "j", KEY_J }, { "k", KEY_K }, { "l", KEY_L }, { "semicolon", KEY_SEMICOLON },
    { "apostrophe", KEY_APOSTROPHE }, { "grave_accent", KEY_GRAVE }, { "backslash", KEY_BACKSLASH },
    { "z", KEY_Z }, { "x", KEY_X }, { "c", KEY_C }, { "v", KEY_V }, { "b", KEY_B }, { "n", KEY_N },
    { "m", KEY_M }, { "comma", KEY_COMMA }, { "dot", KEY_DOT }, { "slash", KEY_SLASH },
    { "asterisk", KEY_KPASTERISK }, { "spc", KEY_SPACE }, { "caps_lock", KEY_CAPSLOCK },
    { "f1", KEY_F1 }, { "f2", KEY_F2 }, { "f3", KEY_F3 }, { "f4", KEY_F4 }, { "f5", KEY_F5 },
    { "f6", KEY_F6 }, { "f7", KEY_F7 }, { "f8", KEY_F8 }, { "f9", KEY_F9 }, { "f10", KEY_F10 },
    { "f11", KEY_F11 }, { "f12", KEY_F12 }, { "num_lock", KEY_NUMLOCK },
    { "scroll_lock", KEY_SCROLLLOCK }, { "kp_divide", KEY_KPSLASH },
    { "kp_multiply", KEY_KPASTERISK }, { "kp_subtract", KEY_KPMINUS }, { "kp_add", KEY_KPPLUS },
    { "kp_enter", KEY_KPENTER }, { "kp_decimal", KEY_KPDOT }, { "sysrq", KEY_SYSRQ },
    { "print", KEY_SYSRQ }, { "kp_0", KEY_KP0 }, { "kp_1", KEY_KP1 }, { "kp_2", KEY_KP2 },
    { "kp_3", KEY_KP3 }, { "kp_4", KEY_KP4 }, { "kp_5", KEY_KP5 }, { "kp_6", KEY_KP6 },
    { "kp_7", KEY_KP7 }, { "kp_8", KEY_KP8 }, { "kp_9", KEY_KP9 }, { "less", KEY_102ND },
    { "home", KEY_HOME }, { "pgup", KEY_PAGEUP }, { "pgdn", KEY_PAGEDOWN }, { "end", KEY_END },
    { "left", KEY_LEFT }, { "up", KEY_UP }, { "down", KEY_DOWN }, { "right", KEY_RIGHT },
    { "insert", KEY_INSERT }, { "delete", KEY_DELETE }, { "meta_l", KEY_LEFTMETA },
    { "meta_r", KEY_RIGHTMETA }, { "pause", KEY_PAUSE },
};

unsigned keymap_from_qcode(const char *name)
{
    for (size_t i = 0; i < sizeof(qcodes) / sizeof(qcodes[0]); i++)
        if (!strcmp(qcodes[i].name, name))
            return qcodes[i].code;
    return 0;
}

/* QEMU's "number" keys: XT (set 1) scancodes, 0x80 | code for those
 * after an 0xe0 prefix. Linux's codes 1..88 are the plain scancodes. */
static const struct {
    unsigned char qnum;
    unsigned short code;
} extended[] = {
    { 0x9c, KEY_KPENTER }, { 0x9d, KEY_RIGHTCTRL }, { 0xb5, KEY_KPSLASH }, { 0xb7, KEY_SYSRQ },
    { 0xb8, KEY_RIGHTALT }, { 0xc6, KEY_PAUSE }, { 0xc7, KEY_HOME }, { 0xc8, KEY_UP },
    { 0xc9, KEY_PAGEUP }, { 0xcb, KEY_LEFT }, { 0xcd, KEY_RIGHT }, { 0xcf, KEY_END },
    { 0xd0, KEY_DOWN }, { 0xd1, KEY_PAGEDOWN }, { 0xd2, KEY_INSERT }, { 0xd3, KEY_DELETE },
    { 0xdb, KEY_LEFTMETA }, { 0xdc, KEY_RIGHTMETA }, { 0xdd, KEY_COMPOSE },
};

unsigned keymap_from_qnum(unsigned qnum)
{
    if (qnum >= 1 && qnum <= 88)
        return qnum;
    for (size_t i = 0; i < sizeof(extended) / sizeof(extended[0]); i++)
        if (extended[i].qnum == qnum)
            return extended[i].code;
    return 0;
}
