/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's devices from the command line, handed to the backend that serves each. */
#include <string.h>

#include "backend/devices.h"
#include "backend/xenbus.h"
#include "ui/vnc.h"
#include "util/log.h"
#include "util/opts.h"
#include "vmm/vmm.h"

static bool video;

/* -device VGA, cirrus-vga: what libvirt emits for a <video> model (cirrus
 * is its default with <graphics>). A PV guest's screen is Xen's
 * framebuffer: the device asks for it, as -vnc does, so that the screen
 * exists (QMP screendump) even without a VNC server. */
static void video_device(struct vm *vm, struct opts *o)
{
    (void)vm;
    if (video)
        log_fatalx("options", "-device %s: a PV guest has one framebuffer, already given",
                   opts_get(o, "driver"));
    video = true;
    opts_accept(o, "id");
    opts_accept(o, "bus");
    opts_accept(o, "addr");
    opts_finish(o);
}

/* -device drivers xenner serves. A PV guest has no PCI bus: a virtio
 * device (what libvirt emits for a disk or NIC) is served as the Xen PV
 * device with the same role. */
static const struct {
    const char *driver;
    void (*add)(struct vm *vm, struct opts *o);
} drivers[] = {
    { "xen-disk", blk_device },
    { "virtio-blk-pci", blk_device },
    { "virtio-blk", blk_device },
    { "xen-net-device", net_device },
    { "virtio-net-pci", net_device },
    { "virtio-net", net_device },
    { "xen", net_device }, /* libvirt's <model type='xen'/>, passed on verbatim */
    { "xen-console", cons_device }, /* hvc1, hvc2, ... */
    { "isa-serial", options_serial_device },       /* the PV console */
    { "virtio-balloon-pci", options_balloon_device }, /* Xen's balloon */
    { "VGA", video_device },        /* the PV framebuffer (vfb) and keyboard (vkbd) */
    { "cirrus-vga", video_device },
};

static void device(struct vm *vm, struct opts *o)
{
    const char *drv = opts_get(o, "driver");

    if (!drv)
        log_fatalx("options", "-device: no driver given");
    for (unsigned i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
        if (!strcmp(drv, drivers[i].driver)) {
            drivers[i].add(vm, o);
            return;
        }
    log_fatalx("options", "-device %s: not supported by xenner (a Xen PV guest has disks, "
                          "network interfaces, consoles and a framebuffer)", drv);
}

void devices_setup(struct vm *vm)
{
    struct config *c = &vm->cfg;

    vm->on_built = xb_attach;
    vm_on_work(WORK_DEVICES, xb_run_deferred);
    for (unsigned i = 0; i < c->blockdev.n; i++)
        blk_blockdev(vm, c->blockdev.v[i]);
    for (unsigned i = 0; i < c->drive.n; i++)
        blk_drive(vm, c->drive.v[i]);
    for (unsigned i = 0; i < c->netdev.n; i++)
        net_netdev(vm, c->netdev.v[i]);
    for (unsigned i = 0; i < c->net.n; i++)
        net_legacy(vm, c->net.v[i]);
    for (unsigned i = 0; i < c->device.n; i++)
        device(vm, c->device.v[i]);
    blk_finish(vm);
    net_finish(vm);
    if (vnc_enabled() || video) {
        vfb_add(vm);
        vkbd_add(vm);
    }
}
