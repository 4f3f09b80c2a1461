/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Umbrella header for the PV test guests: C types, the Xen ABI, the library. */
#ifndef XT_H
#define XT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/io/console.h>

#include "layout.h"
#include "hypercall.h"
#include "lib.h"
#include "traps.h"
#include "mm.h"
#include "events.h"
#include "xtime.h"
#include "user.h"

/* Every test defines these two. */
extern const char xt_test_title[];
void test_main(void);

#endif
