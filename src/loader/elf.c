/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ELF parsing and loading of Xen PV kernels: headers, segments, address checks. */
#include <elf.h>

#include "loader/loader-priv.h"

#define MAX_KERNEL_SPAN (1ull << 30) /* no PV kernel needs more; bounds guest allocations */

/* The header fields we use, the same for ELFCLASS32 and ELFCLASS64. */
struct ehdr {
    bool is64;
    uint16_t machine, phentsize, phnum, shentsize, shnum, shstrndx;
    uint64_t entry, phoff, shoff;
};

struct phdr {
    uint32_t type, flags;
    uint64_t offset, paddr, filesz, memsz;
};

struct shdr {
    uint32_t name, type;
    uint64_t offset, size;
};

/* Read a little-endian field of 2, 4 or 8 bytes. */
static uint64_t get_field(const uint8_t *p, size_t size)
{
    return size == 2 ? get_le16(p) : size == 4 ? get_le32(p) : get_le64(p);
}

/* Read field f of ELF structure type T at p, whatever its width. */
#define FIELD(p, T, f) get_field((p) + offsetof(T, f), sizeof(((T *)0)->f))

/* Read the ELF header field f from whichever class the file is. */
#define EHDR(eh, p, f) ((eh)->is64 ? FIELD(p, Elf64_Ehdr, f) : FIELD(p, Elf32_Ehdr, f))

/* Magic, class, byte order and header length; refuses anything we cannot read. */
static int check_ident(const uint8_t *b, size_t len, char err[KERNEL_ERR_LEN])
{
    size_t need;

    if (len == 0)
        return loader_fail(err, "file is empty");
    if (memcmp(b, ELFMAG, len < SELFMAG ? len : SELFMAG) != 0)
        return loader_fail(err, "not an ELF file (bad magic)");
    need = len > EI_CLASS && b[EI_CLASS] == ELFCLASS32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
    if (len < need)
        return loader_fail(err, "truncated: ELF header needs %zu bytes, file has %zu", need, len);
    if (b[EI_CLASS] != ELFCLASS64 && b[EI_CLASS] != ELFCLASS32)
        return loader_fail(err, "unknown ELF class %u", b[EI_CLASS]);
    if (b[EI_DATA] != ELFDATA2LSB)
        return loader_fail(err, "not a little-endian ELF file (EI_DATA %u)", b[EI_DATA]);
    return 0;
}

/* Decode the ELF header and check it describes an x86 executable. */
static int read_ehdr(const uint8_t *b, size_t len, struct ehdr *eh, char err[KERNEL_ERR_LEN])
{
    unsigned type;

    if (check_ident(b, len, err))
        return -1;
    eh->is64 = b[EI_CLASS] == ELFCLASS64;
    type = (unsigned)EHDR(eh, b, e_type);
    eh->machine = (uint16_t)EHDR(eh, b, e_machine);
    eh->entry = EHDR(eh, b, e_entry);
    eh->phoff = EHDR(eh, b, e_phoff);
    eh->shoff = EHDR(eh, b, e_shoff);
    eh->phentsize = (uint16_t)EHDR(eh, b, e_phentsize);
    eh->phnum = (uint16_t)EHDR(eh, b, e_phnum);
    eh->shentsize = (uint16_t)EHDR(eh, b, e_shentsize);
    eh->shnum = (uint16_t)EHDR(eh, b, e_shnum);
    eh->shstrndx = (uint16_t)EHDR(eh, b, e_shstrndx);
    if (type != ET_EXEC && type != ET_DYN)
        return loader_fail(err, "not an executable ELF file (e_type %u)", type);
    if (eh->machine != (eh->is64 ? EM_X86_64 : EM_386))
        return loader_fail(err, "not an x86 kernel (%d-bit ELF, e_machine %u)", eh->is64 ? 64 : 32,
                           eh->machine);
    return 0;
}

/* A header table of n entries of entsize bytes at off must fit in the file. */
static int check_table(const char *what, uint64_t off, unsigned n, unsigned entsize, unsigned want,
                       size_t len, char err[KERNEL_ERR_LEN])
{
    if (entsize != want)
        return loader_fail(err, "%s entries are %u bytes, expected %u", what, entsize, want);
    if (!loader_range_ok(off, (uint64_t)n * entsize, len))
        return loader_fail(err,
                           "truncated: %s (%u entries at offset %#" PRIx64
                           ") runs past the end of the file (%zu bytes)",
                           what, n, off, len);
    return 0;
}

static int check_tables(const struct ehdr *eh, size_t len, char err[KERNEL_ERR_LEN])
{
    if (eh->phnum == 0)
        return loader_fail(err, "no program headers");
    if (eh->phnum == PN_XNUM)
        return loader_fail(err, "extended program header numbering is not supported");
    if (check_table("program header table", eh->phoff, eh->phnum, eh->phentsize,
                    eh->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr), len, err))
        return -1;
    if (eh->shnum == 0 || eh->shoff == 0)
        return 0;
    return check_table("section header table", eh->shoff, eh->shnum, eh->shentsize,
                       eh->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr), len, err);
}

/* Program header i; check_tables() has made sure it is inside the file. */
static struct phdr get_phdr(const uint8_t *b, const struct ehdr *eh, unsigned i)
{
    const uint8_t *p = b + eh->phoff + (uint64_t)i * eh->phentsize;
    struct phdr ph;

#define PH(f) (eh->is64 ? FIELD(p, Elf64_Phdr, f) : FIELD(p, Elf32_Phdr, f))
    ph.type = (uint32_t)PH(p_type);
    ph.flags = (uint32_t)PH(p_flags);
    ph.offset = PH(p_offset);
    ph.paddr = PH(p_paddr);
    ph.filesz = PH(p_filesz);
    ph.memsz = PH(p_memsz);
#undef PH
    return ph;
}

/* Section header i, or a null section if the file has no section table. */
static struct shdr get_shdr(const uint8_t *b, const struct ehdr *eh, unsigned i)
{
    struct shdr sh = {0};
    const uint8_t *p;

    if (eh->shoff == 0 || i >= eh->shnum)
        return sh;
    p = b + eh->shoff + (uint64_t)i * eh->shentsize;
#define SH(f) (eh->is64 ? FIELD(p, Elf64_Shdr, f) : FIELD(p, Elf32_Shdr, f))
    sh.name = (uint32_t)SH(sh_name);
    sh.type = (uint32_t)SH(sh_type);
    sh.offset = SH(sh_offset);
    sh.size = SH(sh_size);
#undef SH
    return sh;
}

/* Parse the notes in one segment or section, after checking it lies in the file. */
static int parse_note_block(const uint8_t *b, size_t len, const char *kind, unsigned i,
                            uint64_t offset, uint64_t size, struct kernel_info *info,
                            struct xen_parse *st, char err[KERNEL_ERR_LEN])
{
    if (!loader_range_ok(offset, size, len))
        return loader_fail(err,
                           "truncated: note %s %u (offset %#" PRIx64 ", %" PRIu64
                           " bytes) runs past the end of the file (%zu bytes)",
                           kind, i, offset, size, len);
    return xen_parse_notes(b + offset, size, info, st, err) ? -1 : 0;
}

/* Xen's own loader reads notes from PT_NOTE segments first. */
static int notes_from_segments(const uint8_t *b, size_t len, const struct ehdr *eh,
                               struct kernel_info *info, struct xen_parse *st,
                               char err[KERNEL_ERR_LEN])
{
    for (unsigned i = 0; i < eh->phnum; i++) {
        struct phdr ph = get_phdr(b, eh, i);

        /* Some binutils leave p_offset 0 in note segments: skip those, as Xen does. */
        if (ph.type != PT_NOTE || ph.offset == 0)
            continue;
        if (parse_note_block(b, len, "segment", i, ph.offset, ph.filesz, info, st, err))
            return -1;
    }
    return 0;
}

/* ... and falls back to SHT_NOTE sections when the segments had no Xen notes. */
static int notes_from_sections(const uint8_t *b, size_t len, const struct ehdr *eh,
                               struct kernel_info *info, struct xen_parse *st,
                               char err[KERNEL_ERR_LEN])
{
    for (unsigned i = 1; i < eh->shnum; i++) {
        struct shdr sh = get_shdr(b, eh, i);

        if (sh.type != SHT_NOTE)
            continue;
        if (parse_note_block(b, len, "section", i, sh.offset, sh.size, info, st, err))
            return -1;
    }
    return 0;
}

/* Does section sh have the given name in the section name string table? */
static bool section_named(const uint8_t *b, size_t len, const struct ehdr *eh,
                          const struct shdr *sh, const char *name)
{
    struct shdr strtab = get_shdr(b, eh, eh->shstrndx);
    size_t n = strlen(name) + 1;

    if (eh->shstrndx == SHN_UNDEF || strtab.type != SHT_STRTAB ||
        !loader_range_ok(strtab.offset, strtab.size, len) ||
        !loader_range_ok(sh->name, n, strtab.size))
        return false;
    return memcmp(b + strtab.offset + sh->name, name, n) == 0;
}

/* The pre-notes interface: a "__xen_guest" section holding KEY=VALUE pairs. */
static int legacy_section(const uint8_t *b, size_t len, const struct ehdr *eh,
                          struct kernel_info *info, struct xen_parse *st, bool *found,
                          char err[KERNEL_ERR_LEN])
{
    for (unsigned i = 1; i < eh->shnum; i++) {
        struct shdr sh = get_shdr(b, eh, i);

        if (!section_named(b, len, eh, &sh, "__xen_guest"))
            continue;
        if (sh.type == SHT_NOBITS)
            return loader_fail(err, "__xen_guest section has no contents (SHT_NOBITS)");
        if (!loader_range_ok(sh.offset, sh.size, len))
            return loader_fail(err,
                               "truncated: __xen_guest section (offset %#" PRIx64 ", %" PRIu64
                               " bytes) runs past the end of the file (%zu bytes)",
                               sh.offset, sh.size, len);
        *found = true;
        return xen_parse_guest_string((const char *)b + sh.offset, sh.size, info, st, err);
    }
    return 0;
}

/* Find the kernel's Xen metadata the way libelf does: segments, then sections, then legacy. */
static int read_xen_metadata(const uint8_t *b, size_t len, const struct ehdr *eh,
                             struct kernel_info *info, struct xen_parse *st,
                             char err[KERNEL_ERR_LEN])
{
    bool legacy = false;

    if (notes_from_segments(b, len, eh, info, st, err))
        return -1;
    if (st->nr_xen_notes == 0 && notes_from_sections(b, len, eh, info, st, err))
        return -1;
    if (st->nr_xen_notes == 0 && legacy_section(b, len, eh, info, st, &legacy, err))
        return -1;
    if (st->nr_xen_notes == 0 && !legacy)
        return loader_fail(err, "no Xen ELF notes: not a Xen PV kernel");
    return 0;
}

/* Check one loadable segment and place it at its virtual address. */
static int add_segment(const struct phdr *ph, unsigned i, size_t len, struct kernel_info *info,
                       char err[KERNEL_ERR_LEN])
{
    struct kernel_segment *s;

    if (!loader_range_ok(ph->offset, ph->filesz, len))
        return loader_fail(err,
                           "truncated: segment %u (%#" PRIx64 " bytes at offset %#" PRIx64
                           ") runs past the end of the file (%zu bytes)",
                           i, ph->filesz, ph->offset, len);
    if (ph->filesz > ph->memsz)
        return loader_fail(err,
                           "segment %u: file size %#" PRIx64 " is larger than its memory "
                           "size %#" PRIx64,
                           i, ph->filesz, ph->memsz);
    if (ph->memsz > MAX_KERNEL_SPAN)
        return loader_fail(err, "segment %u: memory size %#" PRIx64 " is over the 1 GiB limit", i,
                           ph->memsz);
    if (ph->memsz == 0)
        return 0;
    if (info->nr_segments == KERNEL_MAX_SEGMENTS)
        return loader_fail(err, "more than %u loadable segments", KERNEL_MAX_SEGMENTS);
    s = &info->seg[info->nr_segments++];
    /* p_paddr, not p_vaddr, is what Xen's loader places (unsigned wrap is intended). */
    s->vaddr = ph->paddr - info->paddr_offset + info->virt_base;
    s->filesz = ph->filesz;
    s->memsz = ph->memsz;
    s->offset = ph->offset;
    if (s->vaddr > UINT64_MAX - LOADER_PAGE_SIZE - s->memsz)
        return loader_fail(
            err, "segment %u: address %#" PRIx64 " + %#" PRIx64 " wraps around the address space",
            i, s->vaddr, s->memsz);
    return 0;
}

static bool overlaps(const struct kernel_segment *a, const struct kernel_segment *b)
{
    return a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz;
}

/* Segments must not overlap: the later copy would silently clobber the earlier. */
static int check_overlaps(const struct kernel_info *info, char err[KERNEL_ERR_LEN])
{
    for (unsigned i = 0; i < info->nr_segments; i++)
        for (unsigned j = i + 1; j < info->nr_segments; j++)
            if (overlaps(&info->seg[i], &info->seg[j]))
                return loader_fail(err,
                                   "loadable segments at %#" PRIx64 " and %#" PRIx64 " overlap",
                                   info->seg[i].vaddr, info->seg[j].vaddr);
    return 0;
}

/* The lowest start and highest end of the segments, unaligned. */
static void segment_bounds(const struct kernel_info *info, uint64_t *lo, uint64_t *hi)
{
    *lo = UINT64_MAX;
    *hi = 0;
    for (unsigned i = 0; i < info->nr_segments; i++) {
        const struct kernel_segment *s = &info->seg[i];

        if (s->vaddr < *lo)
            *lo = s->vaddr;
        if (s->vaddr + s->memsz > *hi)
            *hi = s->vaddr + s->memsz;
    }
}

/* Xen loads PT_LOAD segments with any of R/W/X set; others are not part of the image. */
static int collect_segments(const uint8_t *b, size_t len, const struct ehdr *eh,
                            struct kernel_info *info, char err[KERNEL_ERR_LEN])
{
    uint64_t lo, hi;

    for (unsigned i = 0; i < eh->phnum; i++) {
        struct phdr ph = get_phdr(b, eh, i);

        if (ph.type != PT_LOAD || !(ph.flags & (PF_R | PF_W | PF_X)))
            continue;
        if (add_segment(&ph, i, len, info, err))
            return -1;
    }
    if (info->nr_segments == 0)
        return loader_fail(err, "no loadable segments");
    segment_bounds(info, &lo, &hi);
    if (hi - lo > MAX_KERNEL_SPAN)
        return loader_fail(err, "kernel spans %#" PRIx64 " bytes, over the 1 GiB limit", hi - lo);
    info->kstart = lo & ~(uint64_t)(LOADER_PAGE_SIZE - 1);
    info->kend = (hi + LOADER_PAGE_SIZE - 1) & ~(uint64_t)(LOADER_PAGE_SIZE - 1);
    return check_overlaps(info, err);
}

/* The addresses the kernel gave must point into (or, for the P2M, outside) its image. */
static int check_addresses(const struct kernel_info *info, char err[KERNEL_ERR_LEN])
{
    uint64_t lo, hi;

    segment_bounds(info, &lo, &hi);
    if (info->virt_base > lo)
        return loader_fail(err, "VIRT_BASE %#" PRIx64 " is above the kernel start %#" PRIx64,
                           info->virt_base, lo);
    if (info->entry < lo || info->entry >= hi)
        return loader_fail(err,
                           "entry point %#" PRIx64 " is outside the loaded range [%#" PRIx64
                           ", %#" PRIx64 ")",
                           info->entry, lo, hi);
    if (info->has_hypercall_page && (info->hypercall_page & (LOADER_PAGE_SIZE - 1)))
        return loader_fail(err, "hypercall page %#" PRIx64 " is not page aligned",
                           info->hypercall_page);
    if (info->has_hypercall_page && (info->hypercall_page < lo || info->hypercall_page >= hi))
        return loader_fail(err,
                           "hypercall page %#" PRIx64 " is outside the loaded range [%#" PRIx64
                           ", %#" PRIx64 ")",
                           info->hypercall_page, lo, hi);
    if (info->has_init_p2m && info->init_p2m >= info->kstart && info->init_p2m < info->kend)
        return loader_fail(
            err, "INIT_P2M %#" PRIx64 " is inside the kernel image [%#" PRIx64 ", %#" PRIx64 ")",
            info->init_p2m, info->kstart, info->kend);
    return 0;
}

int kernel_parse_elf(const void *buf, size_t len, struct kernel_info *info,
                     char err[KERNEL_ERR_LEN])
{
    const uint8_t *b = buf;
    struct xen_parse st = {0};
    struct ehdr eh;

    memset(info, 0, sizeof(*info));
    err[0] = '\0';
    if (read_ehdr(b, len, &eh, err) || check_tables(&eh, len, err) ||
        read_xen_metadata(b, len, &eh, info, &st, err))
        return -1;
    if (!eh.is64)
        return loader_fail(err, "32-bit PV kernels are not supported yet");
    info->is_64 = true;
    if (xen_apply_defaults(info, &st, eh.entry, err) || collect_segments(b, len, &eh, info, err) ||
        check_addresses(info, err))
        return -1;
    return 0;
}

int kernel_load_elf(const void *buf, size_t len, const struct kernel_info *info, void *dst,
                    size_t dst_len, char err[KERNEL_ERR_LEN])
{
    const uint8_t *b = buf;
    uint8_t *d = dst;

    for (unsigned i = 0; i < info->nr_segments && i < KERNEL_MAX_SEGMENTS; i++) {
        const struct kernel_segment *s = &info->seg[i];
        uint64_t at = s->vaddr - info->kstart;

        if (s->vaddr < info->kstart || !loader_range_ok(at, s->memsz, dst_len))
            return loader_fail(err,
                               "segment at %#" PRIx64 " (%#" PRIx64 " bytes) does not fit "
                               "in the %#zx bytes from %#" PRIx64,
                               s->vaddr, s->memsz, dst_len, info->kstart);
        if (s->filesz > s->memsz || !loader_range_ok(s->offset, s->filesz, len))
            return loader_fail(err, "segment at %#" PRIx64 " lies outside the %zu-byte image",
                               s->vaddr, len);
        memcpy(d + at, b + s->offset, s->filesz);
        memset(d + at + s->filesz, 0, s->memsz - s->filesz);
    }
    return 0;
}
