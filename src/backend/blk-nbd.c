/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qcow2 images: served by QEMU's own qemu-nbd (Debian's qemu-utils), which
 * libnbd starts with socket activation and which ends with its connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <libnbd.h>

#include "backend/blk-priv.h"
#include "util/log.h"

/* One image's connection; requests bounce through one buffer, so that a
 * request of many page pieces is one NBD command. */
struct nbd_disk {
    struct nbd_handle *h;
    char buf[BLK_MAX_SEGS * PV_PAGE_SIZE];
};

static int nbd_rw(const struct blk_disk *disk, bool write, const struct iovec *iov, unsigned cnt,
                  uint64_t off)
{
    struct nbd_disk *n = disk->io_priv;
    size_t len = 0;

    for (unsigned i = 0; i < cnt; i++) {
        if (write)
            memcpy(n->buf + len, iov[i].iov_base, iov[i].iov_len);
        len += iov[i].iov_len;
    }
    if (write)
        return nbd_pwrite(n->h, n->buf, len, off, 0) < 0 ? -1 : 0;
    if (nbd_pread(n->h, n->buf, len, off, 0) < 0)
        return -1;
    len = 0;
    for (unsigned i = 0; i < cnt; i++) {
        memcpy(iov[i].iov_base, n->buf + len, iov[i].iov_len);
        len += iov[i].iov_len;
    }
    return 0;
}

static int nbd_flush_(const struct blk_disk *disk)
{
    struct nbd_disk *n = disk->io_priv;

    return nbd_flush(n->h, 0) < 0 ? -1 : 0;
}

static int nbd_discard(const struct blk_disk *disk, uint64_t off, uint64_t len)
{
    struct nbd_disk *n = disk->io_priv;

    return nbd_trim(n->h, len, off, 0) < 0 ? -1 : 0;
}

static const struct blk_io nbd_io = { .rw = nbd_rw, .flush = nbd_flush_, .discard = nbd_discard };

static const char *cache_of(const struct disk *k)
{
    if (k->no_flush)
        return "--cache=unsafe";
    if (k->direct)
        return k->dsync ? "--cache=directsync" : "--cache=none";
    return k->dsync ? "--cache=writethrough" : "--cache=writeback";
}

static bool have_qemu_nbd(void)
{
    const char *path = getenv("PATH");
    char *dup = strdup(path ? path : "/usr/bin:/bin"), *save = NULL, exe[4096];
    bool found = false;

    for (char *d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        snprintf(exe, sizeof(exe), "%s/qemu-nbd", d);
        found = access(exe, X_OK) == 0;
    }
    free(dup);
    return found;
}

void blk_nbd_open(struct disk *k, const char *format)
{
    char fmt[32], *argv[10];
    int a = 0;
    struct nbd_disk *n = calloc(1, sizeof(*n));
    int64_t size;

    if (!n)
        log_fatalx("blk", "out of memory");
    if (!have_qemu_nbd())
        log_fatalx("options", "%s: %s is a %s image: xenner serves it through qemu-nbd, which "
                              "is not installed (Debian package qemu-utils)", k->option,
                   k->filename, format);
    snprintf(fmt, sizeof(fmt), "%s", format);
    argv[a++] = "qemu-nbd";
    argv[a++] = "-f";
    argv[a++] = fmt;
    argv[a++] = (char *)cache_of(k);
    argv[a++] = k->want_discard ? "--discard=unmap" : "--discard=ignore";
    if (k->readonly)
        argv[a++] = "--read-only";
    argv[a++] = "--";
    argv[a++] = (char *)k->filename;
    argv[a] = NULL;
    n->h = nbd_create();
    if (!n->h)
        log_fatalx("blk", "libnbd: %s", nbd_get_error());
    /* qemu-nbd locks the image as QEMU does. Right after a reboot (xenner
     * execs itself) the previous qemu-nbd may still be letting go of it. */
    for (int tries = 0; nbd_connect_systemd_socket_activation(n->h, argv) < 0; tries++) {
        if (tries == 5)
            log_fatalx("options", "%s: cannot open %s image %s with qemu-nbd: %s (see its "
                                  "message above; a lock error means another xenner or QEMU "
                                  "uses it)", k->option, format, k->filename, nbd_get_error());
        nbd_close(n->h);
        usleep(200000);
        n->h = nbd_create();
        if (!n->h)
            log_fatalx("blk", "libnbd: %s", nbd_get_error());
    }
    size = nbd_get_size(n->h);
    if (size < 0)
        log_fatalx("options", "%s: %s: %s", k->option, k->filename, nbd_get_error());
    k->bd.fd = -1;
    k->bd.io = &nbd_io;
    k->bd.io_priv = n;
    k->bd.sectors = (uint64_t)size / BLK_SECTOR;
    k->bd.readonly = k->readonly;
    k->bd.flush = !k->no_flush && nbd_can_flush(n->h) > 0;
    k->bd.discard = k->want_discard && !k->readonly && nbd_can_trim(n->h) > 0;
    log_info("blk", "%s: %s (%s through qemu-nbd), %llu sectors%s", k->name, k->filename, format,
             (unsigned long long)k->bd.sectors, k->readonly ? ", read-only" : "");
}
