/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memory_map: XENMEM_memory_map describes RAM covering every pfn of the domain. */
#include "xt.h"

const char xt_test_title[] = "memory_map: XENMEM_memory_map (the pseudo-physical e820)";

/* BIOS e820 format (memory.h: "the same format as returned by INT 0x15"). */
struct xt_e820 {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

#define XT_E820_RAM 1

void test_main(void)
{
    static struct xt_e820 map[32];
    struct xen_memory_map mm = { .nr_entries = XT_ARRAY_SIZE(map) };
    uint64_t need = xt_start_info->nr_pages * XT_PAGE_SIZE, covered = 0;
    unsigned int i, pass;
    long rc;

    set_xen_guest_handle(mm.buffer, map);
    rc = HYPERVISOR_memory_op(XENMEM_memory_map, &mm);
    /* arch/x86/mm.c: no map set by the toolstack -> -ENOSYS ("backwards compatibility"). */
    if (rc == -XEN_ENOSYS) {
        xtf_skip("Skip: no memory map was set for this domain\n");
        return;
    }
    if (!xt_check_rc("XENMEM_memory_map", 0, rc) ||
        !xt_check_true("at least one entry", mm.nr_entries >= 1 && mm.nr_entries <= XT_ARRAY_SIZE(map)))
        return;
    for (i = 0; i < mm.nr_entries; i++)
        xt_printk("e820 %#lx-%#lx type %u\n", map[i].addr, map[i].addr + map[i].size, map[i].type);
    /* Extend the covered prefix until no entry extends it (entries may be unsorted). */
    for (pass = 0; pass < mm.nr_entries; pass++)
        for (i = 0; i < mm.nr_entries; i++)
            if (map[i].type == XT_E820_RAM && map[i].addr <= covered &&
                map[i].addr + map[i].size > covered)
                covered = map[i].addr + map[i].size;
    xt_check_true("RAM entries cover all nr_pages from address 0", covered >= need);
    xtf_success(NULL);
}
