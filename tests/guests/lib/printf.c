/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small vsnprintf and printk on top of the console. */
#include "xt.h"

struct xt_out {
    char *buf;
    size_t size;
    size_t len;
};

struct xt_spec {
    unsigned int width;
    bool zero;
    bool left;
    bool alt;
    int lng;
};

static void out_char(struct xt_out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_padded(struct xt_out *o, const char *s, size_t n,
                       const struct xt_spec *sp)
{
    size_t pad = sp->width > n ? sp->width - n : 0;

    if (!sp->left)
        while (pad--)
            out_char(o, sp->zero ? '0' : ' ');
    while (n--)
        out_char(o, *s++);
    if (sp->left)
        while (pad--)
            out_char(o, ' ');
}

static void out_number(struct xt_out *o, uint64_t v, unsigned int base, bool neg,
                       bool upper, const struct xt_spec *sp)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    size_t n = sizeof(tmp);
    struct xt_spec s = *sp;

    do {
        tmp[--n] = digits[v % base];
        v /= base;
    } while (v);
    if (neg && s.zero && s.width) {
        out_char(o, '-');
        s.width = s.width ? s.width - 1 : 0;
    } else if (neg) {
        tmp[--n] = '-';
    }
    if (s.alt && base == 16) {
        tmp[--n] = 'x';
        tmp[--n] = '0';
    }
    out_padded(o, tmp + n, sizeof(tmp) - n, &s);
}

static const char *parse_spec(const char *f, struct xt_spec *sp)
{
    *sp = (struct xt_spec){ 0 };
    for (;; f++) {
        if (*f == '0')
            sp->zero = true;
        else if (*f == '-')
            sp->left = true;
        else if (*f == '#')
            sp->alt = true;
        else
            break;
    }
    while (*f >= '0' && *f <= '9')
        sp->width = sp->width * 10 + (unsigned int)(*f++ - '0');
    while (*f == 'l' || *f == 'z')
        sp->lng++, f++;
    return f;
}

static uint64_t get_unsigned(va_list *ap, int lng)
{
    return lng ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned int);
}

static int64_t get_signed(va_list *ap, int lng)
{
    return lng ? va_arg(*ap, long) : va_arg(*ap, int);
}

static void format_one(struct xt_out *o, char conv, struct xt_spec *sp, va_list *ap)
{
    const char *s;
    int64_t sv;
    char c;

    switch (conv) {
    case 'd':
    case 'i':
        sv = get_signed(ap, sp->lng);
        out_number(o, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10, sv < 0, false, sp);
        break;
    case 'u':
        out_number(o, get_unsigned(ap, sp->lng), 10, false, false, sp);
        break;
    case 'x':
    case 'X':
        out_number(o, get_unsigned(ap, sp->lng), 16, false, conv == 'X', sp);
        break;
    case 'p':
        out_char(o, '0');
        out_char(o, 'x');
        out_number(o, (uint64_t)va_arg(*ap, void *), 16, false, false, sp);
        break;
    case 's':
        s = va_arg(*ap, const char *);
        s = s ? s : "(null)";
        out_padded(o, s, strlen(s), sp);
        break;
    case 'c':
        c = (char)va_arg(*ap, int);
        out_padded(o, &c, 1, sp);
        break;
    default:
        out_char(o, '%');
        out_char(o, conv);
        break;
    }
}

int xt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct xt_out o = { buf, size, 0 };
    struct xt_spec sp;
    va_list aq;

    va_copy(aq, ap);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_char(&o, *fmt);
            continue;
        }
        fmt = parse_spec(fmt + 1, &sp);
        if (!*fmt)
            break;
        if (*fmt == '%')
            out_char(&o, '%');
        else
            format_one(&o, *fmt, &sp, &aq);
    }
    va_end(aq);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int xt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = xt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void xt_vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int n = xt_vsnprintf(buf, sizeof(buf), fmt, ap);

    xt_console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void xt_printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xt_vprintk(fmt, ap);
    va_end(ap);
}
