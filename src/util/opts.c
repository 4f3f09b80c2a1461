/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU-style option values: key=value lists and JSON objects. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/log.h"
#include "util/opts.h"

static void add(struct opts *o, const char *key, size_t klen, const char *val)
{
    if (o->n == OPTS_MAX)
        log_fatalx("options", "%s: too many parameters", o->option);
    for (unsigned i = 0; i < o->n; i++)
        if (strlen(o->kv[i].key) == klen && !strncmp(o->kv[i].key, key, klen))
            log_fatalx("options", "%s: parameter '%.*s' given twice", o->option, (int)klen, key);
    o->kv[o->n].key = strndup(key, klen);
    o->kv[o->n].val = strdup(val);
    if (!o->kv[o->n].key || !o->kv[o->n].val)
        log_fatalx("options", "out of memory");
    o->n++;
}

/* JSON: nested objects flatten to dotted keys, as QEMU's keyval does. */
static void add_json(struct opts *o, const char *prefix, struct json_object *obj)
{
    json_object_object_foreach(obj, k, v) {
        char key[256];
        const char *val;

        snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k);
        switch (json_object_get_type(v)) {
        case json_type_object:
            add_json(o, key, v);
            continue;
        case json_type_boolean:
            val = json_object_get_boolean(v) ? "on" : "off";
            break;
        case json_type_string:
        case json_type_int:
        case json_type_double:
            val = json_object_get_string(v);
            break;
        default:
            log_fatalx("options", "%s: parameter '%s': arrays and null are not supported",
                       o->option, key);
        }
        add(o, key, strlen(key), val);
    }
}

/* Copies the value starting at @p into @val up to a single ',' (",," is a
 * literal comma); returns where it stopped: at that ',' or the end. */
static const char *scan_value(const char *p, char *val)
{
    size_t n = 0;

    for (; *p; p++) {
        if (*p == ',' && p[1] == ',')
            p++;
        else if (*p == ',')
            break;
        val[n++] = *p;
    }
    val[n] = 0;
    return p;
}

struct opts *opts_parse(const char *option, const char *text, const char *implied)
{
    static unsigned seq;
    struct opts *o = calloc(1, sizeof(*o));
    const char *p = text;
    char *val;
    bool first = true;

    if (!o)
        log_fatalx("options", "out of memory");
    o->option = option;
    o->seq = seq++;
    if (*text == '{') {
        struct json_tokener *tok = json_tokener_new();
        struct json_object *obj = json_tokener_parse_ex(tok, text, strlen(text));

        if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
            json_object_get_type(obj) != json_type_object)
            log_fatalx("options", "%s: invalid JSON object: %s", option, text);
        add_json(o, "", obj);
        json_object_put(obj);
        json_tokener_free(tok);
        return o;
    }
    val = malloc(strlen(text) + 1);
    if (!val)
        log_fatalx("options", "out of memory");
    while (*p) {
        const char *key = p, *eq = NULL;
        size_t klen;

        /* The key runs to '=' or ','; the value to a single ','. */
        while (*p && *p != ',' && *p != '=')
            p++;
        klen = p - key;
        if (*p == '=') {
            eq = p;
            p = scan_value(p + 1, val);
        }
        if (!klen && !eq && !*p)
            break;
        if (!klen)
            log_fatalx("options", "%s %s: empty parameter name", option, text);
        if (!eq && first && implied) {
            /* The implied key's value may contain ",," too. */
            p = scan_value(key, val);
            add(o, implied, strlen(implied), val);
        } else if (!eq) {
            /* QEMU's "flag" shorthand means flag=on. */
            add(o, key, klen, "on");
        } else {
            add(o, key, klen, val);
        }
        first = false;
        if (*p == ',')
            p++;
    }
    free(val);
    return o;
}

void opts_list_add(struct opts_list *l, struct opts *o)
{
    struct opts **v = realloc(l->v, (l->n + 1) * sizeof(*v));

    if (!v)
        log_fatalx("options", "out of memory");
    v[l->n++] = o;
    l->v = v;
}

const char *opts_get(struct opts *o, const char *key)
{
    for (unsigned i = 0; i < o->n; i++)
        if (!strcmp(o->kv[i].key, key)) {
            o->kv[i].used = true;
            return o->kv[i].val;
        }
    return NULL;
}

void opts_accept(struct opts *o, const char *key)
{
    opts_get(o, key);
}

bool opts_get_bool(struct opts *o, const char *key, bool def)
{
    const char *v = opts_get(o, key);

    if (!v)
        return def;
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
        return true;
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
        return false;
    log_fatalx("options", "%s: parameter '%s' expects on or off, not '%s'", o->option, key, v);
}

uint64_t opts_get_uint(struct opts *o, const char *key, uint64_t def)
{
    const char *v = opts_get(o, key);
    char *end;
    unsigned long long n;

    if (!v)
        return def;
    errno = 0;
    n = strtoull(v, &end, 0);
    if (errno || end == v || *end || *v == '-')
        log_fatalx("options", "%s: parameter '%s' expects a number, not '%s'", o->option, key,
                   v);
    return n;
}

void opts_only(struct opts *o, const char *key, const char *const *allowed)
{
    const char *v = opts_get(o, key);

    if (!v)
        return;
    for (unsigned i = 0; allowed[i]; i++)
        if (!strcmp(v, allowed[i]))
            return;
    log_fatalx("options", "%s: %s=%s is not supported by xenner", o->option, key, v);
}

void opts_finish(struct opts *o)
{
    for (unsigned i = 0; i < o->n; i++)
        if (!o->kv[i].used)
            log_fatalx("options", "%s: parameter '%s' is not supported by xenner", o->option,
                       o->kv[i].key);
}

int opts_parse_size(const char *s, unsigned default_shift, uint64_t *out)
{
    char *end;
    uint64_t v, shift = default_shift;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return -1;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    case 'b': case 'B': shift = 0; end++; break;
    }
    if (*end || v > (UINT64_MAX >> shift))
        return -1;
    *out = v << shift;
    return 0;
}
