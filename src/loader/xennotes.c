/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Xen PV kernel metadata: "Xen" ELF notes, FEATURES strings and the legacy __xen_guest string. */
#include <errno.h>
#include <stdlib.h>

#include <xen/elfnote.h>
#include <xen/features.h>

#include "loader/loader-priv.h"

/* Deprecated, so features.h keeps it in a comment; FEATURES strings may still name it. */
#ifndef XENFEAT_grant_map_identity
#define XENFEAT_grant_map_identity 12
#endif

#define NOTE_HDR_SIZE   12u
#define MAX_TOTAL_NOTES 65536u /* bounds the work a hostile file can cause */
#define LEGACY_ITEM_MAX 512u

/* Feature names as they appear in FEATURES strings: XENFEAT_ names without the prefix. */
static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables] = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [XENFEAT_mmu_pt_update_preserve_ad] = "mmu_pt_update_preserve_ad",
    [XENFEAT_highmem_assist] = "highmem_assist",
    [XENFEAT_gnttab_map_avail_bits] = "gnttab_map_avail_bits",
    [XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [XENFEAT_hvm_safe_pvclock] = "hvm_safe_pvclock",
    [XENFEAT_hvm_pirqs] = "hvm_pirqs",
    [XENFEAT_dom0] = "dom0",
    [XENFEAT_grant_map_identity] = "grant_map_identity",
    [XENFEAT_memory_op_vnode_supported] = "memory_op_vnode_supported",
    [XENFEAT_ARM_SMCCC_supported] = "ARM_SMCCC_supported",
    [XENFEAT_linux_rsdp_unrestricted] = "linux_rsdp_unrestricted",
};

#define NR_FEATURE_NAMES (sizeof(feature_names) / sizeof(feature_names[0]))

/* The numeric note types we act on, named for error messages. */
static const char *const numeric_note_names[] = {
    [XEN_ELFNOTE_ENTRY] = "ENTRY",         [XEN_ELFNOTE_HYPERCALL_PAGE] = "HYPERCALL_PAGE",
    [XEN_ELFNOTE_VIRT_BASE] = "VIRT_BASE", [XEN_ELFNOTE_PADDR_OFFSET] = "PADDR_OFFSET",
    [XEN_ELFNOTE_INIT_P2M] = "INIT_P2M",   [XEN_ELFNOTE_MOD_START_PFN] = "MOD_START_PFN",
};

#define NR_NUMERIC_NOTE_NAMES (sizeof(numeric_note_names) / sizeof(numeric_note_names[0]))

/* Look up one feature name of `len` bytes; returns its XENFEAT_ bit or -1. */
static int feature_bit(const char *name, size_t len)
{
    for (unsigned i = 0; i < NR_FEATURE_NAMES; i++) {
        const char *f = feature_names[i];

        if (f && strlen(f) == len && memcmp(f, name, len) == 0)
            return (int)i;
    }
    return -1;
}

/* Apply one FEATURES item; an unknown feature is ignored unless it is required. */
static int apply_feature(const char *item, size_t len, struct kernel_info *info,
                         char err[KERNEL_ERR_LEN])
{
    bool required = len > 0 && item[0] == '!';
    int bit;

    if (required) {
        item++;
        len--;
    }
    if (len == 0)
        return 0;
    bit = feature_bit(item, len);
    if (bit < 0 && required)
        return loader_fail(err, "kernel requires unknown Xen feature '%.*s'", (int)len, item);
    if (bit < 0)
        return 0;
    info->features_supported[0] |= 1u << bit;
    if (required)
        info->features_required[0] |= 1u << bit;
    return 0;
}

int xen_parse_features(const char *s, size_t len, struct kernel_info *info,
                       char err[KERNEL_ERR_LEN])
{
    size_t pos = 0;

    while (pos < len && s[pos] != '\0') {
        size_t n = 0;

        while (pos + n < len && s[pos + n] != '|' && s[pos + n] != '\0')
            n++;
        if (apply_feature(s + pos, n, info, err))
            return -1;
        pos += n;
        if (pos < len && s[pos] == '|')
            pos++;
    }
    return 0;
}

/* Copy a possibly unterminated string of at most len bytes into a fixed field, truncating. */
static void copy_str(char *dst, size_t dst_size, const char *src, size_t len)
{
    size_t n = strnlen(src, len);

    if (n >= dst_size)
        n = dst_size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* String-valued notes. */
static int string_note(uint32_t type, const char *desc, size_t descsz, struct kernel_info *info,
                       char err[KERNEL_ERR_LEN])
{
    switch (type) {
    case XEN_ELFNOTE_GUEST_OS:
        copy_str(info->guest_os, sizeof(info->guest_os), desc, descsz);
        break;
    case XEN_ELFNOTE_XEN_VERSION:
        copy_str(info->xen_version, sizeof(info->xen_version), desc, descsz);
        break;
    case XEN_ELFNOTE_LOADER: copy_str(info->loader, sizeof(info->loader), desc, descsz); break;
    case XEN_ELFNOTE_PAE_MODE:
        copy_str(info->pae_mode, sizeof(info->pae_mode), desc, descsz);
        break;
    case XEN_ELFNOTE_FEATURES: return xen_parse_features(desc, descsz, info, err);
    }
    return 0;
}

/* Read a 1, 2, 4 or 8-byte little-endian note value; other sizes are refused. */
static int note_value(uint32_t type, const uint8_t *desc, size_t descsz, uint64_t *val,
                      char err[KERNEL_ERR_LEN])
{
    switch (descsz) {
    case 1: *val = desc[0]; return 0;
    case 2: *val = get_le16(desc); return 0;
    case 4: *val = get_le32(desc); return 0;
    case 8: *val = get_le64(desc); return 0;
    }
    return loader_fail(err, "Xen note %s has a %zu-byte value, expected 4 or 8 (or 1, 2)",
                       numeric_note_names[type], descsz);
}

/* Numeric notes; st records which addresses were given so defaults apply only to the rest. */
static int numeric_note(uint32_t type, const uint8_t *desc, size_t descsz, struct kernel_info *info,
                        struct xen_parse *st, char err[KERNEL_ERR_LEN])
{
    uint64_t v = 0;

    if (note_value(type, desc, descsz, &v, err))
        return -1;
    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        info->entry = v;
        st->entry_set = true;
        break;
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        info->hypercall_page = v;
        info->has_hypercall_page = true;
        break;
    case XEN_ELFNOTE_VIRT_BASE:
        info->virt_base = v;
        st->virt_base_set = true;
        break;
    case XEN_ELFNOTE_PADDR_OFFSET:
        info->paddr_offset = v;
        st->paddr_offset_set = true;
        break;
    case XEN_ELFNOTE_INIT_P2M:
        info->init_p2m = v;
        info->has_init_p2m = true;
        break;
    case XEN_ELFNOTE_MOD_START_PFN:
        /* A boolean: "the kernel takes mod_start as a PFN". */
        info->mod_start_pfn = (uint32_t)v;
        info->has_mod_start_pfn = v != 0;
        break;
    }
    return 0;
}

/* SUPPORTED_FEATURES is an array of 32-bit masks; only the first submap exists today. */
static int supported_features_note(const uint8_t *desc, size_t descsz, struct kernel_info *info,
                                   char err[KERNEL_ERR_LEN])
{
    if (descsz == 0 || descsz % 4)
        return loader_fail(err,
                           "Xen note SUPPORTED_FEATURES has %zu bytes, "
                           "expected a multiple of 4",
                           descsz);
    info->features_supported[0] |= get_le32(desc);
    return 0;
}

/* Dispatch one note owned by "Xen"; types we do not use are skipped, as Xen does. */
static int xen_note(uint32_t type, const uint8_t *desc, size_t descsz, struct kernel_info *info,
                    struct xen_parse *st, char err[KERNEL_ERR_LEN])
{
    switch (type) {
    case XEN_ELFNOTE_GUEST_OS:
    case XEN_ELFNOTE_XEN_VERSION:
    case XEN_ELFNOTE_LOADER:
    case XEN_ELFNOTE_PAE_MODE:
    case XEN_ELFNOTE_FEATURES: return string_note(type, (const char *)desc, descsz, info, err);
    case XEN_ELFNOTE_SUPPORTED_FEATURES: return supported_features_note(desc, descsz, info, err);
    }
    if (type < NR_NUMERIC_NOTE_NAMES && numeric_note_names[type])
        return numeric_note(type, desc, descsz, info, st, err);
    return 0;
}

/* Note names are NUL-terminated in the file; accept "Xen" with or without the NUL counted. */
static bool is_xen_name(const uint8_t *name, uint32_t namesz)
{
    if (namesz != 3 && namesz != 4)
        return false;
    return memcmp(name, "Xen", 3) == 0 && (namesz == 3 || name[3] == '\0');
}

static uint64_t align4(uint64_t v)
{
    return (v + 3) & ~(uint64_t)3;
}

int xen_parse_notes(const uint8_t *p, size_t len, struct kernel_info *info, struct xen_parse *st,
                    char err[KERNEL_ERR_LEN])
{
    uint64_t off = 0;

    while (off < len) {
        if (++st->total_notes > MAX_TOTAL_NOTES)
            return loader_fail(err, "too many ELF notes (over %u)", MAX_TOTAL_NOTES);
        if (len - off < NOTE_HDR_SIZE)
            return loader_fail(err,
                               "truncated ELF note header: %" PRIu64 " bytes left, "
                               "need %u",
                               len - off, NOTE_HDR_SIZE);
        uint32_t namesz = get_le32(p + off), descsz = get_le32(p + off + 4);
        uint32_t type = get_le32(p + off + 8);
        uint64_t name_off = off + NOTE_HDR_SIZE, desc_off = name_off + align4(namesz);

        if (!loader_range_ok(name_off, namesz, len) || !loader_range_ok(desc_off, descsz, len))
            return loader_fail(err,
                               "ELF note (type %u, name %u bytes, value %u bytes) "
                               "runs past the end of its section",
                               type, namesz, descsz);
        if (is_xen_name(p + name_off, namesz)) {
            if (xen_note(type, p + desc_off, descsz, info, st, err))
                return -1;
            st->nr_xen_notes++;
        }
        off = desc_off + align4(descsz);
    }
    return 0;
}

/* Parse an unsigned number as strtoull with base 0 does, but refuse trailing junk. */
static int legacy_number(const char *key, const char *val, uint64_t *out, char err[KERNEL_ERR_LEN])
{
    char *end;

    errno = 0;
    *out = strtoull(val, &end, 0);
    if (errno || end == val || *end != '\0' || val[0] == '-')
        return loader_fail(err, "__xen_guest: bad number in %s=%s", key, val);
    return 0;
}

/* The numeric keys of the legacy string. HYPERCALL_PAGE is a page number, made virtual later. */
static int legacy_numeric(const char *key, const char *val, struct kernel_info *info,
                          struct xen_parse *st, char err[KERNEL_ERR_LEN])
{
    uint64_t v = 0;

    if (legacy_number(key, val, &v, err))
        return -1;
    if (!strcmp(key, "VIRT_BASE")) {
        info->virt_base = v;
        st->virt_base_set = true;
    } else if (!strcmp(key, "VIRT_ENTRY")) {
        info->entry = v;
        st->entry_set = true;
    } else if (!strcmp(key, "ELF_PADDR_OFFSET")) {
        info->paddr_offset = v;
        st->paddr_offset_set = true;
    } else {
        if (v > (UINT64_MAX >> 12))
            return loader_fail(err, "__xen_guest: HYPERCALL_PAGE=%s is out of range", val);
        info->hypercall_page = v << 12;
        info->has_hypercall_page = true;
    }
    return 0;
}

/* One KEY or KEY=VALUE item of the legacy string; unknown keys are ignored, as Xen does. */
static int legacy_item(char *item, struct kernel_info *info, struct xen_parse *st,
                       char err[KERNEL_ERR_LEN])
{
    char *val = strchr(item, '=');

    if (val)
        *val++ = '\0';
    else
        val = item + strlen(item);
    if (!strcmp(item, "GUEST_OS"))
        copy_str(info->guest_os, sizeof(info->guest_os), val, strlen(val));
    else if (!strcmp(item, "XEN_VER"))
        copy_str(info->xen_version, sizeof(info->xen_version), val, strlen(val));
    else if (!strcmp(item, "LOADER"))
        copy_str(info->loader, sizeof(info->loader), val, strlen(val));
    else if (!strcmp(item, "PAE"))
        copy_str(info->pae_mode, sizeof(info->pae_mode), val, strlen(val));
    else if (!strcmp(item, "FEATURES"))
        return xen_parse_features(val, strlen(val), info, err);
    else if (!strcmp(item, "VIRT_BASE") || !strcmp(item, "VIRT_ENTRY") ||
             !strcmp(item, "ELF_PADDR_OFFSET") || !strcmp(item, "HYPERCALL_PAGE"))
        return legacy_numeric(item, val, info, st, err);
    return 0;
}

int xen_parse_guest_string(const char *s, size_t len, struct kernel_info *info,
                           struct xen_parse *st, char err[KERNEL_ERR_LEN])
{
    char item[LEGACY_ITEM_MAX];
    size_t pos = 0;

    len = strnlen(s, len);
    while (pos < len) {
        const char *comma = memchr(s + pos, ',', len - pos);
        size_t n = comma ? (size_t)(comma - (s + pos)) : len - pos;

        if (n >= sizeof(item))
            return loader_fail(err, "__xen_guest: item at offset %zu is longer than %zu bytes", pos,
                               sizeof(item) - 1);
        memcpy(item, s + pos, n);
        item[n] = '\0';
        if (legacy_item(item, info, st, err))
            return -1;
        pos += n + 1;
    }
    /* The legacy hypercall page number counts from the start of the kernel mapping. */
    if (info->has_hypercall_page)
        info->hypercall_page += info->virt_base;
    info->from_legacy_string = true;
    return 0;
}

int xen_apply_defaults(struct kernel_info *info, const struct xen_parse *st, uint64_t e_entry,
                       char err[KERNEL_ERR_LEN])
{
    if (st->paddr_offset_set && !st->virt_base_set)
        return loader_fail(err, "Xen notes set PADDR_OFFSET without VIRT_BASE");
    if (!st->virt_base_set)
        info->virt_base = 0;
    /* Legacy kernels put virtual addresses in p_paddr; note-era kernels put physical ones. */
    if (!st->paddr_offset_set)
        info->paddr_offset = info->from_legacy_string ? info->virt_base : 0;
    if (!st->entry_set)
        info->entry = e_entry;
    return 0;
}
