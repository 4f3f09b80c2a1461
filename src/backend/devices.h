/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's devices from the command line: -drive, -blockdev, -netdev, -net, -device. */
#ifndef XENNER_DEVICES_H
#define XENNER_DEVICES_H

struct vm;
struct opts;

/* Consumes the device options of vm->cfg and registers the devices with
 * the xenbus framework (before boot). Exits with a message naming the
 * option and parameter for anything xenner cannot honour. */
void devices_setup(struct vm *vm);

/* blk.c: disks (vbd) */
void blk_blockdev(struct vm *vm, struct opts *o); /* -blockdev: a named block node */
void blk_drive(struct vm *vm, struct opts *o);    /* -drive */
void blk_device(struct vm *vm, struct opts *o);   /* -device xen-disk, virtio-blk-pci */
void blk_finish(struct vm *vm);                   /* after all options */

/* net.c: network interfaces (vif) */
void net_netdev(struct vm *vm, struct opts *o);   /* -netdev */
void net_legacy(struct vm *vm, struct opts *o);   /* -net nic / -net tap */
void net_device(struct vm *vm, struct opts *o);   /* -device xen-net-device, virtio-net-pci */
void net_finish(struct vm *vm);                   /* after all options */

/* src/vmm/options.c: -device drivers that are not backends */
void options_serial_device(struct vm *vm, struct opts *o);  /* isa-serial: the PV console */
void options_balloon_device(struct vm *vm, struct opts *o); /* virtio-balloon-pci */

/* cons.c: consoles after the first (xenbus console devices: hvc1, ...) */
void cons_device(struct vm *vm, struct opts *o);  /* -device xen-console */

/* vfb.c, vkbd.c: the framebuffer and the keyboard and pointer, added
 * together when the guest has a display (-vnc) */
void vfb_add(struct vm *vm);
void vkbd_add(struct vm *vm);

#endif
