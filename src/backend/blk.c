/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The disk backend (vbd): -drive, -blockdev and -device xen-disk/virtio-blk to
 * guest disks xvda, xvdb, ..., each image opened and locked before boot. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/blk-priv.h"
#include "backend/devices.h"
#include "util/log.h"
#include "util/opts.h"
#include "vmm/vmm.h"

#define MAX_DISKS 32
#define MAX_INDEX (26 + 26 * 26) /* xvda..xvdzz */

static struct disk *disks[MAX_DISKS]; /* in command-line order */
static unsigned nr_disks;

/* A named block node: a -blockdev, or a -drive if=none waiting for its -device. */
struct node {
    const char *name;
    const char *driver;   /* file, host_device, raw, qcow2; NULL for a -drive */
    const char *filename; /* file and host_device */
    const char *child;    /* raw: the node below it */
    int readonly, direct, no_flush, discard; /* -1: not said here */
    struct disk *drive;   /* -drive if=none */
    bool used;
    struct node *next;
};

static struct node *nodes;

static struct node *find_node(const char *name)
{
    for (struct node *n = nodes; n; n = n->next)
        if (!strcmp(n->name, name))
            return n;
    return NULL;
}

static struct disk *new_disk(const char *option)
{
    struct disk *k = calloc(1, sizeof(*k));

    if (!k)
        log_fatalx("blk", "out of memory");
    k->option = option;
    k->index = -1;
    k->bootindex = -1;
    return k;
}

/* Disks are named in command-line order (devices_setup() reads -drive
 * before -device): kept sorted by the option's place. */
static void add_disk(struct disk *k, const struct opts *o)
{
    unsigned i = nr_disks;

    if (nr_disks == MAX_DISKS)
        log_fatalx("options", "%s: too many disks (at most %d)", k->option, MAX_DISKS);
    k->seq = o->seq;
    for (; i > 0 && disks[i - 1]->seq > k->seq; i--)
        disks[i] = disks[i - 1];
    disks[i] = k;
    nr_disks++;
}

#ifndef HAVE_LIBNBD
#define HAVE_LIBNBD 0 /* built without libnbd: raw images only */
void blk_nbd_open(struct disk *k, const char *format)
{
    log_fatalx("blk", "built without libnbd");
}
#endif

static _Noreturn void refuse_format(const char *option, const char *fmt)
{
    log_fatalx("options", "%s: format %s is not supported by xenner: it serves raw%s images "
                          "(qemu-img convert -O raw IMAGE OUT.img makes one)", option, fmt,
               HAVE_LIBNBD ? " and qcow2" : "");
}

/* QEMU's discard=ignore|off|unmap|on: -1 absent, else whether to unmap. */
static int get_discard(struct opts *o, const char *key)
{
    static const char *const vals[] = { "ignore", "off", "unmap", "on", NULL };
    const char *v = opts_get(o, key);

    if (!v)
        return -1;
    opts_only(o, key, vals);
    return !strcmp(v, "unmap") || !strcmp(v, "on");
}

static int get_tri(struct opts *o, const char *key)
{
    if (!opts_get(o, key))
        return -1;
    return opts_get_bool(o, key, false);
}

/* The keys of a protocol node (file, host_device), at @prefix ("" or "file."). */
static void protocol_keys(struct opts *o, const char *prefix, struct node *n)
{
    char key[64];

#define KEY(k) (snprintf(key, sizeof(key), "%s%s", prefix, k), key)
    n->filename = opts_get(o, KEY("filename"));
    if (!n->filename)
        log_fatalx("options", "-blockdev %s: parameter '%s' is required", n->name,
                   KEY("filename"));
    n->readonly = get_tri(o, KEY("read-only"));
    /* auto-read-only: opened read-only when no writer needs it; xenner opens
     * each image once, as the disk on top of it needs. */
    opts_accept(o, KEY("auto-read-only"));
    n->discard = get_discard(o, KEY("discard"));
    n->direct = get_tri(o, KEY("cache.direct"));
    n->no_flush = get_tri(o, KEY("cache.no-flush"));
#undef KEY
}

static struct node *new_node(const char *name)
{
    struct node *n = calloc(1, sizeof(*n));

    if (!n)
        log_fatalx("blk", "out of memory");
    if (find_node(name))
        log_fatalx("options", "-blockdev: node-name '%s' given twice", name);
    n->name = name;
    n->readonly = n->direct = n->no_flush = n->discard = -1;
    n->next = nodes;
    nodes = n;
    return n;
}

void blk_blockdev(struct vm *vm, struct opts *o)
{
    const char *drv = opts_get(o, "driver"), *name = opts_get(o, "node-name");
    struct node *n;

    if (!drv)
        log_fatalx("options", "-blockdev: parameter 'driver' is required");
    if (!name)
        log_fatalx("options", "-blockdev: parameter 'node-name' is required");
    n = new_node(name);
    n->driver = drv;
    if (!strcmp(drv, "file") || !strcmp(drv, "host_device")) {
        protocol_keys(o, "", n);
    } else if (!strcmp(drv, "raw") || (!strcmp(drv, "qcow2") && HAVE_LIBNBD)) {
        const char *child = opts_get(o, "file"), *cdrv = opts_get(o, "file.driver");

        if (cdrv) { /* the protocol node inline: "file":{"driver":"file",...} */
            static char seq;
            char *cname;
            struct node *c;

            if (strcmp(cdrv, "file") && strcmp(cdrv, "host_device"))
                log_fatalx("options", "-blockdev %s: file.driver=%s is not supported by xenner "
                                      "(file, host_device)", name, cdrv);
            if (asprintf(&cname, "#%s-file%d", name, seq++) < 0)
                log_fatalx("blk", "out of memory");
            c = new_node(cname);
            c->driver = cdrv;
            protocol_keys(o, "file.", c);
            child = cname;
        }
        if (!child)
            log_fatalx("options", "-blockdev %s: parameter 'file' is required", name);
        n->child = child;
        n->readonly = get_tri(o, "read-only");
        n->discard = get_discard(o, "discard");
        n->direct = get_tri(o, "cache.direct");
        n->no_flush = get_tri(o, "cache.no-flush");
    } else if (!strcmp(drv, "qcow2") || !strcmp(drv, "vmdk") || !strcmp(drv, "vdi") ||
               !strcmp(drv, "vpc") || !strcmp(drv, "vhdx") || !strcmp(drv, "qed")) {
        refuse_format("-blockdev", drv);
    } else {
        log_fatalx("options", "-blockdev driver=%s is not supported by xenner (file, "
                              "host_device, raw)", drv);
    }
    opts_finish(o);
}

/* QEMU's cache= modes as the two flags behind them, plus writethrough. */
static void cache_mode(struct opts *o, struct disk *k)
{
    const char *c = opts_get(o, "cache");
    int direct = get_tri(o, "cache.direct"), no_flush = get_tri(o, "cache.no-flush");

    if (!c || !strcmp(c, "writeback"))
        ;
    else if (!strcmp(c, "none"))
        k->direct = true;
    else if (!strcmp(c, "writethrough"))
        k->dsync = true;
    else if (!strcmp(c, "directsync"))
        k->direct = k->dsync = true;
    else if (!strcmp(c, "unsafe"))
        k->no_flush = true;
    else
        log_fatalx("options", "-drive: cache=%s is not supported by xenner (writeback, "
                              "writethrough, none, directsync, unsafe)", c);
    if (direct >= 0)
        k->direct = direct;
    if (no_flush >= 0)
        k->no_flush = no_flush;
}

void blk_drive(struct vm *vm, struct opts *o)
{
    const char *ifc = opts_get(o, "if"), *fmt = opts_get(o, "format");
    const char *media = opts_get(o, "media"), *id = opts_get(o, "id");
    struct disk *k = new_disk("-drive");
    int discard;

    k->filename = opts_get(o, "file");
    if (!k->filename || !*k->filename)
        log_fatalx("options", "-drive: parameter 'file' is required (xenner has no removable "
                              "media)");
    if (fmt && !strcmp(fmt, "qcow2") && HAVE_LIBNBD)
        k->format = "qcow2";
    else if (fmt && strcmp(fmt, "raw"))
        refuse_format("-drive", fmt);
    if (media && strcmp(media, "disk"))
        log_fatalx("options", "-drive: media=%s is not supported by xenner (disks only)", media);
    k->readonly = opts_get_bool(o, "readonly", false);
    cache_mode(o, k);
    discard = get_discard(o, "discard");
    k->want_discard = discard > 0;
    if (!ifc || !strcmp(ifc, "xen") || !strcmp(ifc, "virtio")) {
        /* A PV guest has no PCI bus: if=virtio is served as a Xen disk. */
        uint64_t index = opts_get_uint(o, "index", UINT64_MAX);

        if (index != UINT64_MAX && index >= MAX_INDEX)
            log_fatalx("options", "-drive: index=%llu is out of range (0 to %d)",
                       (unsigned long long)index, MAX_INDEX - 1);
        k->index = index == UINT64_MAX ? -1 : (int)index;
        opts_finish(o);
        add_disk(k, o);
        return;
    }
    if (strcmp(ifc, "none"))
        log_fatalx("options", "-drive: if=%s is not supported by xenner (xen, virtio, none)",
                   ifc);
    if (!id)
        log_fatalx("options", "-drive if=none: parameter 'id' is required (for -device drive=)");
    opts_finish(o);
    new_node(id)->drive = k;
}

/* Xen's vdev names (docs/misc/vbd-interface): "xvdX" or "xvdXY" to its
 * index (xvda 0, xvdaa 26), with a partition number after it ("xvda1") in
 * *part (1..15, or up to 255 beyond xvdp), else 0; -1 if not such a name. */
static int parse_vdev(const char *v, unsigned *part)
{
    size_t n = 3;
    int index;

    if (strncmp(v, "xvd", 3))
        return -1;
    while (v[n] >= 'a' && v[n] <= 'z')
        n++;
    if (n == 4)
        index = v[3] - 'a';
    else if (n == 5)
        index = (v[3] - 'a' + 1) * 26 + (v[4] - 'a');
    else
        return -1;
    *part = 0;
    if (v[n]) {
        char *end;
        unsigned long p = strtoul(v + n, &end, 10);

        if (v[n] < '1' || v[n] > '9' || *end || p > (index < 16 ? 15 : 255))
            return -1;
        *part = (unsigned)p;
    }
    return index;
}

/* The disk a -device names: an if=none -drive, or a block node chain. */
static struct disk *resolve(const char *option, const char *ref)
{
    struct node *n = find_node(ref), *top = n;
    struct disk *k;
    int ro = 0, direct = 0, no_flush = 0, discard = 0;

    if (!n)
        log_fatalx("options", "%s: drive=%s: no -drive if=none,id=%s or -blockdev "
                              "node-name=%s", option, ref, ref, ref);
    if (n->used)
        log_fatalx("options", "%s: drive=%s is already used by another device", option, ref);
    n->used = true;
    if (n->drive) {
        n->drive->option = option;
        return n->drive;
    }
    for (int depth = 0; n; depth++) {
        if (depth > 8)
            log_fatalx("options", "%s: drive=%s: block nodes nested too deep", option, ref);
        ro |= n->readonly > 0;
        direct |= n->direct > 0;
        no_flush |= n->no_flush > 0;
        discard |= n->discard > 0;
        if (!n->child)
            break;
        if (!(n = find_node(n->child)))
            log_fatalx("options", "-blockdev %s: file=%s: no such node-name", top->name,
                       top->child);
        if (n->drive)
            log_fatalx("options", "-blockdev %s: file=%s is a -drive, not a -blockdev node",
                       top->name, n->name);
    }
    k = new_disk(option);
    k->filename = n->filename;
    if (top->driver && !strcmp(top->driver, "qcow2"))
        k->format = "qcow2";
    k->readonly = ro;
    k->direct = direct;
    k->no_flush = no_flush;
    k->want_discard = discard;
    return k;
}

void blk_device(struct vm *vm, struct opts *o)
{
    const char *drv = opts_get(o, "driver"), *ref = opts_get(o, "drive");
    const char *vdev = !strcmp(drv, "xen-disk") ? opts_get(o, "vdev") : NULL;
    char option[64];
    struct disk *k;

    snprintf(option, sizeof(option), "-device %s", drv);
    /* Where a PCI device would sit: a PV guest has no bus. The boot order
     * (bootindex) says which disk PV GRUB tries first. */
    opts_accept(o, "bus");
    opts_accept(o, "addr");
    opts_accept(o, "id");
    opts_accept(o, "bootindex");
    if (!ref)
        log_fatalx("options", "%s: parameter 'drive' is required", option);
    k = resolve(strdup(option), ref);
    if (opts_get(o, "bootindex")) {
        const char *b = opts_get(o, "bootindex");
        char *end;

        errno = 0;
        k->bootindex = strtol(b, &end, 10);
        if (errno || end == b || *end || k->bootindex < 0)
            log_fatalx("options", "%s: bootindex=%s: expected a number, 0 or more", option, b);
    }
    if (!opts_get_bool(o, "write-cache", true))
        k->dsync = true; /* the guest sees no volatile cache: every write is durable */
    if (vdev) {
        k->index = parse_vdev(vdev, &k->part);
        if (k->index < 0)
            log_fatalx("options", "%s: vdev=%s: expected a Xen disk name xvda ... xvdzz, or "
                       "a partition of one (xvda1 ... xvda15)", option, vdev);
    }
    opts_finish(o);
    add_disk(k, o);
}

/* Linux's xvd numbering (xen-blkfront): 202:16n+p for the first 16 disks,
 * the extended form beyond; p is the partition (0: the whole disk). */
static unsigned devid_of(int index, unsigned part)
{
    if (index < 16)
        return 202 << 8 | index << 4 | part;
    return 1 << 28 | index << 8 | part;
}

static void name_of(int index, unsigned part, char *buf, size_t len)
{
    char num[8] = "";

    if (part)
        snprintf(num, sizeof(num), "%u", (unsigned)(uint8_t)part); /* at most 255 */
    if (index < 26)
        snprintf(buf, len, "xvd%c%s", 'a' + index, num);
    else
        snprintf(buf, len, "xvd%c%c%s", 'a' + index / 26 - 1, 'a' + index % 26, num);
}

/* Each disk's name: its vdev, else the first xvd name no disk or partition
 * uses. A whole disk and a partition of it cannot both be given (the
 * guest's kernel would see the partition twice). */
static void assign_names(void)
{
    static uint32_t parts[MAX_INDEX][8]; /* bit p: partition p (0: whole) taken */
    int next = 0;

    memset(parts, 0, sizeof(parts));
    for (unsigned i = 0; i < nr_disks; i++) {
        int x = disks[i]->index;
        unsigned p = disks[i]->part;
        bool whole_taken, any = false;
        char name[16];

        if (x < 0)
            continue;
        whole_taken = parts[x][0] & 1;
        for (unsigned w = 0; w < 8; w++)
            any |= parts[x][w] != 0;
        name_of(x, p, name, sizeof(name));
        if (parts[x][p / 32] & (1u << (p % 32)))
            log_fatalx("options", "%s: two disks are %s (index=%d or vdev=%s)",
                       disks[i]->option, name, x, name);
        if ((p == 0 && any) || (p && whole_taken))
            log_fatalx("options", "%s: %s: a disk and a partition of the same disk cannot "
                       "both be given", disks[i]->option, name);
        parts[x][p / 32] |= 1u << (p % 32);
    }
    for (unsigned i = 0; i < nr_disks; i++) {
        struct disk *k = disks[i];

        if (k->index < 0) {
            for (;;) {
                bool used = false;

                for (unsigned w = 0; next < MAX_INDEX && w < 8; w++)
                    used |= parts[next][w] != 0;
                if (!used || next >= MAX_INDEX)
                    break;
                next++;
            }
            if (next >= MAX_INDEX)
                log_fatalx("options", "%s: more disks than xvd names", k->option);
            k->index = next;
            parts[next][0] |= 1;
        }
        k->devid = devid_of(k->index, k->part);
        name_of(k->index, k->part, k->name, sizeof(k->name));
    }
}

/* Another process (or disk) using the image: as QEMU does, an OFD lock on
 * the file, shared for readers and exclusive for a writer. */
static void lock_image(struct disk *k, int fd)
{
    struct flock fl = { .l_type = k->readonly ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET };

    if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
        return;
    if (errno == EAGAIN || errno == EACCES)
        log_fatalx("options", "%s: %s is in use: another xenner, QEMU or disk holds a %s lock "
                              "on it", k->option, k->filename,
                   k->readonly ? "write" : "conflicting");
    log_fatal("options", "%s: %s: cannot lock the image", k->option, k->filename);
}

/* Whether the file system punches holes: a punch past the end changes nothing. */
static bool punches_holes(int fd, uint64_t size)
{
    off_t at = (off_t)((size + PV_PAGE_SIZE - 1) & ~(uint64_t)(PV_PAGE_SIZE - 1));

    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, at, PV_PAGE_SIZE) == 0;
}

static void open_image(struct disk *k)
{
    int flags = (k->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    uint64_t size;
    struct stat st;
    int fd;

    flags |= (k->direct ? O_DIRECT : 0) | (k->dsync ? O_DSYNC : 0);
    fd = open(k->filename, flags);
    if (fd < 0 && errno == EINVAL && k->direct)
        log_fatalx("options", "%s: %s: cache=none/directsync needs O_DIRECT, which its file "
                              "system does not offer", k->option, k->filename);
    if (fd < 0 && errno == EISDIR)
        log_fatalx("options", "%s: %s is a directory, not a disk image", k->option,
                   k->filename);
    if (fd < 0)
        log_fatalx("options", "%s: cannot open disk image %s%s: %s", k->option, k->filename,
                   k->readonly ? "" : " for writing", strerror(errno));
    if (fstat(fd, &st))
        log_fatal("options", "%s: %s", k->option, k->filename);
    if (k->format) { /* checked it opens; qemu-nbd opens and locks it itself */
        close(fd);
        blk_nbd_open(k, k->format);
        return;
    }
    if (S_ISREG(st.st_mode)) {
        size = st.st_size;
    } else if (S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, &size))
            log_fatal("options", "%s: %s: size of the block device", k->option, k->filename);
        k->blockdev = true;
    } else {
        log_fatalx("options", "%s: %s is not a regular file or block device", k->option,
                   k->filename);
    }
    lock_image(k, fd);
    k->bd.fd = fd;
    k->bd.sectors = size / BLK_SECTOR;
    k->bd.readonly = k->readonly;
    k->bd.flush = !k->no_flush;
    k->bd.discard = k->want_discard && !k->readonly && punches_holes(fd, size);
    if (size % BLK_SECTOR)
        log_warnx("blk", "%s: %s: the last %llu bytes (less than a sector) are not on the disk",
                  k->name, k->filename, (unsigned long long)(size % BLK_SECTOR));
    log_info("blk", "%s: %s, %llu sectors%s%s%s%s", k->name, k->filename,
             (unsigned long long)k->bd.sectors, k->readonly ? ", read-only" : "",
             k->direct ? ", O_DIRECT" : "", k->dsync ? ", O_DSYNC" : "",
             k->bd.flush ? "" : ", flushes ignored");
}

void blk_finish(struct vm *vm)
{
    struct disk *boot = NULL;

    assign_names();
    for (unsigned i = 0; i < nr_disks; i++)
        if (disks[i]->bootindex >= 0 && (!boot || disks[i]->bootindex < boot->bootindex))
            boot = disks[i];
    if (boot)
        vm->cfg.boot_disk = boot->name;
    for (unsigned i = 0; i < nr_disks; i++) {
        open_image(disks[i]);
        vbd_add(vm, disks[i]);
    }
}
