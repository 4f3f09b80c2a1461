/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Boot: read the kernel, build the PV domain, set the first vCPU's state. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <x86intrin.h>

#include "builder/builder.h"
#include "loader/kernel.h"
#include "util/log.h"
#include "vmm/vmm.h"
#include <xen/features.h>
#include <xen/vcpu.h>


/* XENFEAT_* bits xenner reports to a 64-bit PV guest (XENVER_get_features),
 * as Xen does for PV. There is no other domain whose grants could be mapped,
 * so gnttab_map_avail_bits promises nothing a guest can reach. */
#define OFFERED_FEATURES ((1u << XENFEAT_mmu_pt_update_preserve_ad) | \
                          (1u << XENFEAT_gnttab_map_avail_bits))
/* What a kernel's FEATURES note may require: the reported bits, plus
 * writable page tables (a VM assist, as in Xen) and the PAE L3 placement,
 * which only 32-bit guests care about. */
#define SUPPORTED_FEATURES (OFFERED_FEATURES | (1u << XENFEAT_writable_page_tables) | \
                            (1u << XENFEAT_pae_pgdir_above_4gb))

static void *read_whole(const char *path, size_t *len)
{
    struct stat st;
    void *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) < 0)
        log_fatal("boot", "%s", path);
    if (!S_ISREG(st.st_mode))
        log_fatalx("boot", "%s: not a regular file", path);
    buf = malloc(st.st_size ? st.st_size : 1);
    if (!buf || read(fd, buf, st.st_size) != st.st_size)
        log_fatal("boot", "%s: cannot read", path);
    close(fd);
    *len = st.st_size;
    return buf;
}

/* Refuse kernels that need what xenner does not give. */
static void check_kernel(const struct vm *vm, const struct kernel_info *ki)
{
    uint32_t missing = ki->features_required[0] & ~SUPPORTED_FEATURES;

    if (missing)
        log_fatalx("boot", "%s: kernel requires Xen features xenner does not offer "
                   "(XENFEAT mask %#x)", vm->cfg.kernel, missing);
    if (strcmp(ki->loader, "") && strcmp(ki->loader, "generic"))
        log_fatalx("boot", "%s: unsupported Xen loader \"%s\"", vm->cfg.kernel, ki->loader);
    if (ki->xen_version[0] && strcmp(ki->xen_version, "xen-3.0"))
        log_fatalx("boot", "%s: kernel wants Xen interface \"%s\", xenner offers xen-3.0",
                   vm->cfg.kernel, ki->xen_version);
}

/* The first vCPU as Xen starts it: kernel mode at the entry point. */
static int init_vcpu(struct vm *vm, const struct build_layout *l)
{
    struct pv_vcpu *v = &vm->vcpu[0].pv;
    struct vcpu_info *vi;
    int rc;

    v->vcpu_info_gpa = (vm->d.xen_pfn << 12) + __builtin_offsetof(struct shared_info, vcpu_info);
    vi = pv_vcpu_info(v);
    vi->evtchn_upcall_mask = 1; /* events start masked */
    v->kernel_mode = true;
    v->up = true;
    v->cs = FLAT_KERNEL_CS;
    v->ss = FLAT_KERNEL_SS;
    v->r.rip = l->entry;
    v->r.rsp = l->rsp;
    v->r.rsi = l->rsi;
    v->r.rflags = 0x202;
    v->cr4 = PV_INITIAL_CR4;
    v->runstate = RUNSTATE_running;
    v->timer_period_ns = 10000000ULL; /* Xen's default periodic timer */
    v->timer_period_next = v->timer_period_ns;
    /* The initial L4 is pinned and loaded, as Xen's domain builder leaves it. */
    rc = pv_get_type(v, l->pt_pfn, PGT_L4);
    if (rc)
        return rc;
    vm->d.frames[l->pt_pfn].pinned = 1;
    rc = pv_set_baseptr(v, l->pt_pfn, false);
    pv_update_time(v);
    return rc;
}

int boot_guest(struct vm *vm)
{
    struct kernel_info ki;
    struct build_layout l;
    struct build_args a = { .info = &ki, .cmdline = vm->cfg.append };
    char err[KERNEL_ERR_LEN > BUILD_ERR_LEN ? KERNEL_ERR_LEN : BUILD_ERR_LEN];
    void *image;
    size_t image_len;
    int rc;

    if (!vm->cfg.kernel && pvgrub_prepare(vm))
        return -1;
    rc = kernel_read_file(vm->cfg.kernel, &image, &image_len, &ki, err);
    pvgrub_loaded(vm);
    if (rc)
        log_fatalx("boot", "%s", err); /* err names the file */
    check_kernel(vm, &ki);
    if (vm->cfg.initrd)
        a.initrd = read_whole(vm->cfg.initrd, &a.initrd_len);
    if (vm_create(vm))
        return -1;
    host_init(vm);
    vm->d.features[0] = OFFERED_FEATURES;
    vm->d.grant_frames = 1; /* Xen's initial grant table size */
    pv_mm_init(&vm->d);
    vm->d.domid = GUEST_DOMID;
    if (vm->cfg.have_uuid) { /* -uuid: the handle, and /vm/UUID in xenstore */
        memcpy(vm->d.handle, vm->cfg.uuid, sizeof(vm->d.handle));
    } else {
        if (getrandom(vm->d.handle, sizeof(vm->d.handle), 0) != sizeof(vm->d.handle))
            log_fatal("boot", "cannot make a domain handle");
        vm->d.handle[6] = (vm->d.handle[6] & 0x0f) | 0x40; /* a version 4 UUID */
        vm->d.handle[8] = (vm->d.handle[8] & 0x3f) | 0x80;
    }
    if (console_setup(vm) || store_setup(vm))
        log_fatalx("boot", "cannot set up the console and xenstore");
    a.image = image;
    a.image_len = image_len;
    a.ram = vm->d.ram;
    a.nr_pages = vm->d.nr_pages;
    a.shared_info_mfn = vm->d.xen_pfn;
    a.store_evtchn = vm->d.store_port;
    a.console_evtchn = vm->d.console_port;
    if (build_pv_domain(&a, &l, err))
        log_fatalx("boot", "%s: %s", vm->cfg.kernel, err);
    vm->d.console_pfn = l.console_pfn;
    vm->d.store_pfn = l.store_pfn;
    console_attach(vm);
    store_attach(vm);
    if (vm->on_built)
        vm->on_built(vm); /* the backends' devices, in xenstore */
    free(image);
    free((void *)a.initrd);
    if (init_vcpu(vm, &l))
        log_fatalx("boot", "initial page tables rejected (xenner internal error)");
    log_info("boot", "entry %#llx, start_info %#llx, %llu page-table frames",
             (unsigned long long)l.entry, (unsigned long long)l.start_info_va,
             (unsigned long long)l.nr_pt_frames);
    return 0;
}
