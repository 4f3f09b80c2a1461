/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper: lays out a tiny ELF32/ELF64 PV kernel with notes, segments and sections. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>

#include "elf-builder.h"

static const uint64_t virt_base = TEST_VIRT_BASE, paddr_offset = 0, entry = TEST_ENTRY;
static const uint64_t hypercall = TEST_HYPERCALL, init_p2m = TEST_INIT_P2M;
static const uint32_t supported = 0x8801, one = 1;
static const uint64_t l1_mfn_valid[2] = {1, 1};

unsigned linux_notes(struct test_note out[TEST_MAX_NOTES])
{
    static const struct test_note notes[] = {
        {"Xen", XEN_ELFNOTE_GUEST_OS, "linux", 6},
        {"Xen", XEN_ELFNOTE_GUEST_VERSION, "2.6", 4},
        {"Xen", XEN_ELFNOTE_XEN_VERSION, "xen-3.0", 8},
        {"Xen", XEN_ELFNOTE_VIRT_BASE, &virt_base, 8},
        {"Xen", XEN_ELFNOTE_INIT_P2M, &init_p2m, 8},
        {"Xen", XEN_ELFNOTE_ENTRY, &entry, 8},
        {"Xen", XEN_ELFNOTE_HYPERCALL_PAGE, &hypercall, 8},
        {"Xen", XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb", 41},
        {"Xen", XEN_ELFNOTE_SUPPORTED_FEATURES, &supported, 4},
        {"Xen", XEN_ELFNOTE_PAE_MODE, "yes", 4},
        {"Xen", XEN_ELFNOTE_LOADER, "generic", 8},
        {"Xen", XEN_ELFNOTE_L1_MFN_VALID, l1_mfn_valid, 16},
        {"Xen", XEN_ELFNOTE_SUSPEND_CANCEL, &one, 4},
        {"Xen", XEN_ELFNOTE_MOD_START_PFN, &one, 4},
        {"Xen", XEN_ELFNOTE_PADDR_OFFSET, &paddr_offset, 8},
        {"GNU", NT_GNU_BUILD_ID, "0123456789abcdefghij", 20},
    };
    unsigned n = sizeof(notes) / sizeof(notes[0]);

    memcpy(out, notes, sizeof(notes));
    return n;
}

unsigned set_note(struct test_note *notes, unsigned n, uint32_t type, const void *desc,
                  uint32_t descsz)
{
    unsigned i;

    for (i = 0; i < n; i++)
        if (notes[i].type == type && !strcmp(notes[i].name, "Xen"))
            break;
    notes[i] = (struct test_note){"Xen", type, desc, descsz};
    return i == n ? n + 1 : n;
}

unsigned drop_note(struct test_note *notes, unsigned n, uint32_t type)
{
    unsigned j = 0;

    for (unsigned i = 0; i < n; i++)
        if (notes[i].type != type || strcmp(notes[i].name, "Xen"))
            notes[j++] = notes[i];
    return j;
}

void poke(uint8_t *buf, size_t off, uint64_t val, size_t size)
{
    for (size_t i = 0; i < size; i++)
        buf[off + i] = (uint8_t)(val >> (8 * i));
}

static size_t align(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

/* Serialise the notes at buf (NULL: just measure). */
static size_t put_notes(uint8_t *buf, const struct test_note *notes, unsigned n)
{
    size_t off = 0;

    for (unsigned i = 0; i < n; i++) {
        uint32_t namesz = (uint32_t)strlen(notes[i].name) + 1;

        if (buf) {
            poke(buf, off, namesz, 4);
            poke(buf, off + 4, notes[i].descsz, 4);
            poke(buf, off + 8, notes[i].type, 4);
            memcpy(buf + off + 12, notes[i].name, namesz);
            memcpy(buf + off + 12 + align(namesz, 4), notes[i].desc, notes[i].descsz);
        }
        off += 12 + align(namesz, 4) + align(notes[i].descsz, 4);
    }
    return off;
}

/* Compressible but not trivial contents, so every codec has work to do. */
static void fill_text(uint8_t *p, size_t n)
{
    uint32_t x = 12345;

    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (i & 64) ? (uint8_t)(x >> 24) : (uint8_t)(i * 7);
    }
}

struct section {
    const char *name;
    uint32_t type;
    size_t off, size;
};

/* Lay the file out: header, phdrs, notes, text, data, legacy string, shstrtab, shdrs. */
static void plan(const struct elf_spec *s, struct elf_layout *lay, size_t text_size,
                 struct section *sec, unsigned *nsec, size_t *legacy_off, size_t *strtab_off)
{
    bool is64 = !s->class32;
    size_t off;

    lay->phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    lay->phnum = 2 + s->extra_loads + (s->note_phdr ? 1 : 0);
    lay->phoff = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    lay->notes_off = align(lay->phoff + lay->phnum * lay->phentsize, 8);
    lay->notes_len = put_notes(NULL, s->notes, s->nr_notes);
    lay->text_off = align(lay->notes_off + lay->notes_len, 0x1000);
    lay->data_off = lay->text_off + text_size;
    off = lay->data_off + TEST_DATA_FILESZ;
    *legacy_off = off;
    off += s->legacy ? strlen(s->legacy) + 1 : 0;
    *strtab_off = off;
    *nsec = 0;
    sec[(*nsec)++] = (struct section){"", SHT_NULL, 0, 0};
    if (s->note_shdr)
        sec[(*nsec)++] = (struct section){".notes", SHT_NOTE, lay->notes_off, lay->notes_len};
    if (s->legacy)
        sec[(*nsec)++] =
            (struct section){"__xen_guest", SHT_PROGBITS, *legacy_off, strlen(s->legacy) + 1};
    sec[(*nsec)++] = (struct section){".text", SHT_PROGBITS, lay->text_off, text_size};
    sec[(*nsec)++] = (struct section){".shstrtab", SHT_STRTAB, off, 0};
}

/* The section name table; returns its size and each section's name offset. */
static size_t put_strtab(uint8_t *buf, const struct section *sec, unsigned n, size_t *name_off)
{
    size_t off = 0;

    for (unsigned i = 0; i < n; i++) {
        name_off[i] = off;
        if (buf)
            memcpy(buf + off, sec[i].name, strlen(sec[i].name) + 1);
        off += strlen(sec[i].name) + 1;
    }
    return off;
}

static void put_ehdr(uint8_t *b, const struct elf_spec *s, const struct elf_layout *lay,
                     unsigned shstrndx)
{
    bool is64 = !s->class32;
    uint64_t e_entry = s->entry ? s->entry : TEST_ENTRY;

    memcpy(b, ELFMAG, SELFMAG);
    b[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
    b[EI_DATA] = ELFDATA2LSB;
    b[EI_VERSION] = EV_CURRENT;
#define E(f, v)                                                                                    \
    poke(b, is64 ? offsetof(Elf64_Ehdr, f) : offsetof(Elf32_Ehdr, f), (v),                         \
         is64 ? sizeof(((Elf64_Ehdr *)0)->f) : sizeof(((Elf32_Ehdr *)0)->f))
    E(e_type, ET_EXEC);
    E(e_machine, is64 ? EM_X86_64 : EM_386);
    E(e_version, EV_CURRENT);
    E(e_entry, e_entry);
    E(e_phoff, lay->phoff);
    E(e_shoff, lay->shoff);
    E(e_ehsize, is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr));
    E(e_phentsize, lay->phentsize);
    E(e_phnum, lay->phnum);
    E(e_shentsize, is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
    E(e_shnum, lay->shnum);
    E(e_shstrndx, shstrndx);
#undef E
}

static void put_phdr(uint8_t *b, bool is64, const struct elf_layout *lay, unsigned i, uint32_t type,
                     uint32_t flags, uint64_t off, uint64_t addr, uint64_t filesz, uint64_t memsz)
{
    uint8_t *p = b + lay->phoff + i * lay->phentsize;

#define P(f, v)                                                                                    \
    poke(p, is64 ? offsetof(Elf64_Phdr, f) : offsetof(Elf32_Phdr, f), (v),                         \
         is64 ? sizeof(((Elf64_Phdr *)0)->f) : sizeof(((Elf32_Phdr *)0)->f))
    P(p_type, type);
    P(p_flags, flags);
    P(p_offset, off);
    P(p_vaddr, addr + (is64 ? TEST_VIRT_BASE : 0));
    P(p_paddr, addr);
    P(p_filesz, filesz);
    P(p_memsz, memsz);
    P(p_align, 0x1000);
#undef P
}

static void put_shdr(uint8_t *b, bool is64, const struct elf_layout *lay, unsigned i,
                     const struct section *sec, size_t name_off)
{
    uint8_t *p = b + lay->shoff + i * (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));

#define S(f, v)                                                                                    \
    poke(p, is64 ? offsetof(Elf64_Shdr, f) : offsetof(Elf32_Shdr, f), (v),                         \
         is64 ? sizeof(((Elf64_Shdr *)0)->f) : sizeof(((Elf32_Shdr *)0)->f))
    S(sh_name, name_off);
    S(sh_type, sec->type);
    S(sh_offset, sec->off);
    S(sh_size, sec->size);
#undef S
}

static void put_phdrs(uint8_t *b, const struct elf_spec *s, struct elf_layout *lay,
                      size_t text_size)
{
    bool is64 = !s->class32;
    uint64_t pa = s->paddr ? s->paddr : TEST_PADDR;
    unsigned i = 0;

    lay->text_ph = i;
    put_phdr(b, is64, lay, i++, PT_LOAD, PF_R | PF_X, lay->text_off, pa, text_size, text_size);
    lay->data_ph = i;
    put_phdr(b, is64, lay, i++, PT_LOAD, PF_R | PF_W, lay->data_off, pa + text_size,
             TEST_DATA_FILESZ, TEST_DATA_MEMSZ);
    for (unsigned k = 0; k < s->extra_loads; k++)
        put_phdr(b, is64, lay, i++, PT_LOAD, PF_R, 0, pa + text_size + 0x2000 + k * 0x1000, 0,
                 0x1000);
    lay->note_ph = lay->phnum;
    if (s->note_phdr) {
        lay->note_ph = i;
        put_phdr(b, is64, lay, i++, PT_NOTE, PF_R, lay->notes_off, 0, lay->notes_len,
                 lay->notes_len);
    }
}

uint8_t *build_elf(const struct elf_spec *s, struct elf_layout *lay)
{
    struct section sec[8];
    size_t name_off[8], legacy_off, strtab_off, strtab_len;
    size_t text_size = s->text_size ? s->text_size : TEST_TEXT_SIZE;
    bool is64 = !s->class32;
    unsigned nsec;
    uint8_t *b;

    memset(lay, 0, sizeof(*lay));
    plan(s, lay, text_size, sec, &nsec, &legacy_off, &strtab_off);
    strtab_len = put_strtab(NULL, sec, nsec, name_off);
    sec[nsec - 1].size = strtab_len;
    lay->shoff = align(strtab_off + strtab_len, 8);
    lay->shnum = nsec;
    lay->len = lay->shoff + nsec * (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
    b = calloc(1, lay->len);
    put_ehdr(b, s, lay, nsec - 1);
    put_phdrs(b, s, lay, text_size);
    put_notes(b + lay->notes_off, s->notes, s->nr_notes);
    fill_text(b + lay->text_off, text_size);
    memset(b + lay->data_off, 0x5a, TEST_DATA_FILESZ);
    if (s->legacy)
        memcpy(b + legacy_off, s->legacy, strlen(s->legacy) + 1);
    put_strtab(b + strtab_off, sec, nsec, name_off);
    for (unsigned i = 0; i < nsec; i++)
        put_shdr(b, is64, lay, i, &sec[i], name_off[i]);
    return b;
}
