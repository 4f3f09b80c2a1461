/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The disk backend's pieces: images from the command line (blk.c), the vbd device (blk-vbd.c). */
#ifndef XENNER_BLK_PRIV_H
#define XENNER_BLK_PRIV_H

#include <pthread.h>
#include <stdbool.h>

#include "backend/blk-ring.h"

struct vm;
struct xb_dev;

/* One guest disk: its image (opened before boot) and, while the frontend is
 * connected, its ring and worker thread. */
struct disk {
    const char *option;   /* "-drive", "-device xen-disk": for messages */
    const char *filename;
    const char *format;   /* NULL: raw; else served through qemu-nbd (blk-nbd.c) */
    unsigned seq;         /* the -drive or -device's place on the command line */
    bool readonly;
    bool direct;          /* cache=none/directsync: O_DIRECT */
    bool dsync;           /* cache=writethrough/directsync: every write durable (O_DSYNC) */
    bool no_flush;        /* cache=unsafe: flushes are not passed on */
    bool want_discard;    /* discard=unmap: pass discards on as holes */
    int index;            /* xvd index (0 = xvda), -1 until assigned */
    unsigned part;        /* vdev=xvda1: the image is partition 1 of xvda; 0: a whole disk */
    long bootindex;       /* -device bootindex=N: boot order; -1: none */
    unsigned devid;       /* the frontend's virtual-device */
    char name[16];        /* "xvda" */
    bool blockdev;        /* a block device, not a file */
    struct blk_disk bd;
    struct xb_dev *dev;

    /* Connected state (blk-vbd.c). */
    void *sring;
    uint32_t ring_ref;
    uint64_t ring_pfn;
    struct blk_ring ring;
    int efd;              /* the guest's kicks, for the worker */
    pthread_t worker;
    bool running;
};

/* blk-nbd.c (with libnbd): connects @k to qemu-nbd serving its image in
 * @format and fills k->bd; exits with a message on failure. */
void blk_nbd_open(struct disk *k, const char *format);

/* blk-vbd.c: registers @k (image open, devid set) as a vbd device. */
void vbd_add(struct vm *vm, struct disk *k);

#endif
