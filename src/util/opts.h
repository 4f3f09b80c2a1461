/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU-style option values: "type,key=value,key=value" or a JSON object. */
#ifndef XENNER_OPTS_H
#define XENNER_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#define OPTS_MAX 48

/*
 * One parsed option argument, e.g. -drive's "file=a.img,if=xen,readonly=on".
 * As in QEMU, ",," stands for a literal comma in a value, and the first item
 * may omit its key (the "implied" key: -netdev tap,... means type=tap). An
 * argument starting with '{' is a JSON object (libvirt's -blockdev): nested
 * objects become dotted keys ("file.filename"), booleans "on"/"off".
 *
 * Every key a consumer reads is marked used; opts_finish() then refuses
 * whatever is left, naming it, so that nothing is silently ignored.
 */
struct opts {
    const char *option; /* "-drive": for messages */
    unsigned seq;       /* parse order: the command-line order across options */
    unsigned n;
    struct {
        char *key, *val;
        bool used;
    } kv[OPTS_MAX];
};

/* A list of arguments given to one option, in command-line order. */
struct opts_list {
    struct opts **v;
    unsigned n;
};

/* Parses @text for option @option (exits with a message naming the option on
 * a syntax error). @implied (may be NULL) is the key of a first item given
 * without "key=". */
struct opts *opts_parse(const char *option, const char *text, const char *implied);
/* Appends a parsed argument to @l. */
void opts_list_add(struct opts_list *l, struct opts *o);

/* The value of @key, marking it used; NULL if absent. */
const char *opts_get(struct opts *o, const char *key);
/* Boolean: on/off, yes/no, true/false (QEMU's spellings); @def if absent.
 * Exits naming the option on another value. */
bool opts_get_bool(struct opts *o, const char *key, bool def);
/* Unsigned number (decimal or 0x hex); @def if absent; exits on garbage. */
uint64_t opts_get_uint(struct opts *o, const char *key, uint64_t def);
/* Marks @key used without reading it (a setting xenner honours by design). */
void opts_accept(struct opts *o, const char *key);
/* Refuses a present @key whose value is not one of the NULL-terminated
 * @allowed values, naming the option, key and value. */
void opts_only(struct opts *o, const char *key, const char *const *allowed);
/* Exits naming the first key nobody used: "-drive: parameter 'aio' is not
 * supported by xenner". */
void opts_finish(struct opts *o);

/* QEMU's size syntax: a number with an optional K/M/G/T/B suffix;
 * @default_shift applies without one (20 for -m). 0 or -1. */
int opts_parse_size(const char *s, unsigned default_shift, uint64_t *out);

#endif
