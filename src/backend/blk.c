/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The disk backend (vbd). */
#include "backend/devices.h"
#include "vmm/log.h"
#include "vmm/opts.h"

void blk_blockdev(struct vm *vm, struct opts *o)
{
    log_fatalx("options", "-blockdev: disks are not supported yet");
}

void blk_drive(struct vm *vm, struct opts *o)
{
    log_fatalx("options", "-drive: disks are not supported yet");
}

void blk_device(struct vm *vm, struct opts *o)
{
    log_fatalx("options", "-device %s: disks are not supported yet", opts_get(o, "driver"));
}

void blk_finish(struct vm *vm)
{
}
