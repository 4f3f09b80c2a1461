/* Kernel image parsing: bzImage unpacking, ELF64 loading and Xen ELF notes. */
#ifndef XENNER_LOADER_KERNEL_H
#define XENNER_LOADER_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERNEL_ERR_LEN 256
#define KERNEL_MAX_SEGMENTS 16

/* One PT_LOAD segment, addresses as the guest kernel sees them (virtual). */
struct kernel_segment {
    uint64_t vaddr;     /* virtual load address (p_paddr - paddr_offset + virt_base) */
    uint64_t filesz;
    uint64_t memsz;
    uint64_t offset;    /* in the ELF file */
};

/* What a Xen PV kernel asks for, from its ELF notes (or __xen_guest string). */
struct kernel_info {
    bool is_64;                 /* ELFCLASS64 x86-64 */
    uint64_t virt_base;         /* XEN_ELFNOTE_VIRT_BASE */
    uint64_t paddr_offset;      /* XEN_ELFNOTE_PADDR_OFFSET */
    uint64_t entry;             /* XEN_ELFNOTE_ENTRY, else e_entry */
    bool has_hypercall_page;
    uint64_t hypercall_page;    /* XEN_ELFNOTE_HYPERCALL_PAGE (virtual) */
    bool has_init_p2m;
    uint64_t init_p2m;          /* XEN_ELFNOTE_INIT_P2M */
    bool has_mod_start_pfn;
    uint32_t mod_start_pfn;     /* XEN_ELFNOTE_MOD_START_PFN */
    uint32_t features_supported[1]; /* XENFEAT_* bits the kernel can use */
    uint32_t features_required[1];  /* XENFEAT_* bits the kernel needs (FEATURES '!') */
    char guest_os[32];          /* XEN_ELFNOTE_GUEST_OS, e.g. "linux" */
    char xen_version[16];       /* XEN_ELFNOTE_XEN_VERSION, e.g. "xen-3.0" */
    char loader[16];            /* XEN_ELFNOTE_LOADER, e.g. "generic" */
    char pae_mode[24];          /* XEN_ELFNOTE_PAE_MODE, or legacy PAE=yes[extended-cr3] */
    bool from_legacy_string;    /* parsed from __xen_guest, not notes */
    uint64_t kstart, kend;      /* virtual range of all segments, page aligned */
    unsigned nr_segments;
    struct kernel_segment seg[KERNEL_MAX_SEGMENTS];
};

/*
 * Parse an ELF image that should be a Xen PV kernel.
 * Returns 0 and fills *info, or -1 with a one-line reason in err
 * ("not an ELF file", "truncated program header", "no Xen ELF notes: not a
 * Xen PV kernel", "32-bit PV kernels are not supported yet", ...).
 * Never reads outside buf[0..len).
 */
int kernel_parse_elf(const void *buf, size_t len, struct kernel_info *info,
                     char err[KERNEL_ERR_LEN]);

/*
 * Copy the segments of a parsed kernel into dst, which represents guest
 * virtual addresses [info->kstart, info->kstart + dst_len). Bytes between
 * filesz and memsz are zeroed. Returns 0, or -1 with err if a segment does
 * not fit.
 */
int kernel_load_elf(const void *buf, size_t len, const struct kernel_info *info,
                    void *dst, size_t dst_len, char err[KERNEL_ERR_LEN]);

/*
 * If buf is a Linux bzImage, unpack its payload (gzip, bzip2, xz, lzma, lzo,
 * lz4 or zstd) into a newly malloc'd buffer: returns 1 with *out and *out_len set.
 * Returns 0 if buf is not a bzImage (caller treats it as ELF), -1 with err if
 * it is a bzImage that cannot be unpacked (truncated, unknown compression,
 * corrupt payload, output over a sane limit).
 */
int kernel_unpack_bzimage(const void *buf, size_t len, void **out, size_t *out_len,
                          char err[KERNEL_ERR_LEN]);

/*
 * Read a kernel file: unpack it if it is a bzImage, then parse the ELF.
 * On success returns 0, *image and *image_len hold the ELF (malloc'd; caller frees).
 * On failure returns -1 with err naming what is wrong with the file.
 */
int kernel_read_file(const char *path, void **image, size_t *image_len,
                     struct kernel_info *info, char err[KERNEL_ERR_LEN]);

#endif
