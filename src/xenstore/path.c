/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing of untrusted request text: paths, numbers, permission strings, argument lists. */
#include <stdio.h>
#include <string.h>

#include "xenstore/xenstore-priv.h"

static bool valid_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '/' || c == '_' || c == '@';
}

static bool valid_chars(const char *p)
{
    for (; *p; p++)
        if (!valid_char(*p))
            return false;
    return true;
}

bool xs_path_valid(const char *p)
{
    size_t len = strnlen(p, XS_PATH_BUF);

    if (len == 0 || len > XENSTORE_ABS_PATH_MAX || p[0] != '/')
        return false;
    if (len > 1 && p[len - 1] == '/')
        return false;
    return !strstr(p, "//") && valid_chars(p);
}

static bool special_valid(const char *p)
{
    size_t len = strnlen(p, XS_PATH_BUF);

    return len > 1 && len <= XENSTORE_ABS_PATH_MAX && valid_chars(p);
}

/* Turns @in into an absolute path in @out: relative paths are taken below
 * @home, "@..." watch names are kept when @special. *@rel_off (if not NULL)
 * gets the number of leading bytes of @out not given by the client. */
int xs_path_resolve(const char *home, const char *in, char out[XS_PATH_BUF], bool special,
                    unsigned *rel_off)
{
    unsigned off = 0;

    if (in[0] == '@') {
        if (!special || !special_valid(in))
            return EINVAL;
        strcpy(out, in);
    } else if (in[0] == '/') {
        if (!xs_path_valid(in))
            return EINVAL;
        strcpy(out, in);
    } else {
        int n;

        if (strnlen(in, XENSTORE_REL_PATH_MAX + 1) > XENSTORE_REL_PATH_MAX)
            return EINVAL;
        n = snprintf(out, XS_PATH_BUF, "%s/%s", home, in);
        if (n < 0 || n >= XS_PATH_BUF || !xs_path_valid(out))
            return EINVAL;
        off = strlen(home) + 1;
    }
    if (rel_off)
        *rel_off = off;
    return 0;
}

/* xenstore.txt's "child": equal, or @parent is "/" (for real paths), or
 * @parent followed by '/' starts @child. */
bool xs_path_is_child(const char *child, const char *parent)
{
    size_t n = strlen(parent);

    if (!strcmp(parent, "/"))
        return child[0] == '/';
    return !strncmp(child, parent, n) && (child[n] == '\0' || child[n] == '/');
}

int xs_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;

    if (!*s)
        return EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (max - (unsigned)(*s - '0')) / 10)
            return EINVAL;
        v = v * 10 + (unsigned)(*s - '0');
    }
    *out = v;
    return 0;
}

int xs_perm_parse(const char *s, struct xs_perm *p)
{
    static const char letters[] = "nrwb"; /* index == XSP_* bits */
    const char *l = s[0] ? strchr(letters, s[0]) : NULL;
    unsigned long id;

    if (!l || xs_parse_ulong(s + 1, UINT16_MAX, &id))
        return EINVAL;
    p->perm = (uint8_t)(l - letters);
    p->domid = (uint16_t)id;
    return 0;
}

/* Points @argv at up to @max NUL-terminated strings at the start of @data;
 * returns how many were found (bytes after the last NUL are not counted). */
unsigned xs_split(const char *data, uint32_t len, const char **argv, unsigned max)
{
    unsigned n = 0;
    const char *p = data, *end = data + len;

    while (n < max && p < end) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));

        if (!nul)
            break;
        argv[n++] = p;
        p = nul + 1;
    }
    return n;
}
