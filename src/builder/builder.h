/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PV domain builder: lays out a PV guest's memory as Xen's xen.h documents. */
#ifndef XENNER_BUILDER_H
#define XENNER_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "loader/kernel.h"

#define BUILD_ERR_LEN 256

/* Where the builder put things (virtual addresses are the guest's). */
struct build_layout {
    uint64_t virt_base;
    uint64_t kernel_start, kernel_end;   /* virtual */
    uint64_t mod_start, mod_len;         /* virtual address of the initrd */
    uint64_t p2m_va;                     /* the mfn_list */
    uint64_t start_info_va, start_info_pfn;
    uint64_t store_pfn, console_pfn;
    uint64_t pt_va, pt_pfn, nr_pt_frames; /* L4 first, then L3s, L2s, L1s */
    uint64_t stack_va;                   /* the boot stack page */
    uint64_t map_end;                    /* end of the mapped bootstrap region */
    uint64_t entry, rsp, rsi;            /* initial registers */
};

/* What the builder is given. */
struct build_args {
    const struct kernel_info *info;
    const void *image; size_t image_len; /* the ELF */
    const void *initrd; size_t initrd_len;
    const char *cmdline;
    uint8_t *ram; uint64_t nr_pages;     /* guest RAM, zeroed */
    uint64_t shared_info_mfn;
    uint32_t store_evtchn, console_evtchn;
};

/*
 * Lay out and fill guest RAM: kernel, initrd, P2M list, start_info,
 * xenstore and console pages, initial page tables, boot stack, in that
 * order, each page aligned, mapped 1:1 from virt_base, the mapping ending
 * on a 4 MiB boundary with at least 512 KiB to spare. Writes the hypercall
 * page if the kernel asks for one. Returns 0, or -1 with err (e.g. "guest
 * needs 70 MiB but has 64 MiB") and RAM in an unspecified state.
 */
int build_pv_domain(const struct build_args *a, struct build_layout *out,
                    char err[BUILD_ERR_LEN]);

/* Number of page-table pages needed to map [virt_base, end) with 4 KiB pages. */
uint64_t build_count_pt_pages(uint64_t virt_base, uint64_t end);

/* Fill a hypercall page: 128 entries of 32 bytes, each making hypercall i
 * with `syscall`, the iret entry as Xen lays it out for 64-bit PV. */
void build_hypercall_page(uint8_t *page);

#endif
