/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper: builds small Xen PV kernel ELF images in memory, with the notes a test asks for. */
#ifndef XENNER_TEST_ELF_BUILDER_H
#define XENNER_TEST_ELF_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEST_VIRT_BASE   0xffffffff80000000ull
#define TEST_PADDR       0x1000000ull /* p_paddr of the text segment */
#define TEST_TEXT_VA     (TEST_VIRT_BASE + TEST_PADDR)
#define TEST_ENTRY       (TEST_TEXT_VA + 0x10)
#define TEST_HYPERCALL   (TEST_TEXT_VA + 0x1000)
#define TEST_TEXT_SIZE   0x2000u
#define TEST_DATA_FILESZ 0x800u
#define TEST_DATA_MEMSZ  0x1800u
#define TEST_INIT_P2M    0x8000000000ull
#define TEST_MAX_NOTES   24

struct test_note {
    const char *name; /* owner, "Xen" unless a test wants another */
    uint32_t type;
    const void *desc;
    uint32_t descsz;
};

struct elf_spec {
    bool class32;
    const struct test_note *notes;
    unsigned nr_notes;
    bool note_phdr;       /* put the notes in a PT_NOTE segment */
    bool note_shdr;       /* and/or in an SHT_NOTE section */
    const char *legacy;   /* contents of a __xen_guest section, or NULL */
    uint64_t paddr;       /* p_paddr of the text segment; 0 means TEST_PADDR */
    uint64_t entry;       /* e_entry; 0 means TEST_ENTRY */
    size_t text_size;     /* bytes of text, a multiple of 4096; 0 means TEST_TEXT_SIZE */
    unsigned extra_loads; /* more one-page PT_LOAD segments after the data */
};

/* Where build_elf() put things, so tests can corrupt them. */
struct elf_layout {
    size_t len;
    size_t phoff, phentsize;
    unsigned phnum;
    unsigned text_ph, data_ph, note_ph; /* program header indexes; note_ph is phnum if none */
    size_t notes_off, notes_len;
    size_t text_off, data_off;
    size_t shoff;
    unsigned shnum;
};

/* A Linux-like set of Xen notes (8-byte numbers); returns how many it wrote to out. */
unsigned linux_notes(struct test_note out[TEST_MAX_NOTES]);

/* Replace the note of the given type (or append it); returns the new count. */
unsigned set_note(struct test_note *notes, unsigned n, uint32_t type, const void *desc,
                  uint32_t descsz);

/* Remove every note of the given type; returns the new count. */
unsigned drop_note(struct test_note *notes, unsigned n, uint32_t type);

/* Build the image (malloc'd, exactly lay->len bytes; caller frees). */
uint8_t *build_elf(const struct elf_spec *spec, struct elf_layout *lay);

/* Write an unsigned value of size bytes, little-endian, at buf + off. */
void poke(uint8_t *buf, size_t off, uint64_t val, size_t size);

/* Offset of field `f` of program header i in a 64-bit image. */
#define PHDR_FIELD(lay, i, f) ((lay)->phoff + (i) * (lay)->phentsize + offsetof(Elf64_Phdr, f))
#define PHDR_SIZE(f)          sizeof(((Elf64_Phdr *)0)->f)

#endif
