/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network backend (vif). */
#include "backend/devices.h"
#include "vmm/log.h"
#include "vmm/opts.h"

void net_netdev(struct vm *vm, struct opts *o)
{
    log_fatalx("options", "-netdev: network interfaces are not supported yet");
}

void net_legacy(struct vm *vm, struct opts *o)
{
    log_fatalx("options", "-net: network interfaces are not supported yet");
}

void net_device(struct vm *vm, struct opts *o)
{
    log_fatalx("options", "-device %s: network interfaces are not supported yet",
               opts_get(o, "driver"));
}

void net_finish(struct vm *vm)
{
}
