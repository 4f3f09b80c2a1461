/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Booting from the disk without -kernel, as Xen's PV GRUB does: the guest
 * first runs GRUB 2 built for Xen PV (Debian's grub-xen-bin), which reads
 * the disks through its own blkfront, finds the guest's grub.cfg (or a GRUB
 * legacy menu.lst), shows its menu on the console and loads the kernel that
 * was chosen in place of itself. xenner makes that GRUB image at each start
 * with Debian's grub-mkimage and a configuration of its own (below).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "vmm/vmm.h"

#define GRUB_XEN_DIR "/usr/lib/grub/x86_64-xen" /* grub-xen-bin's modules */

/* What the built-in configuration prints when no disk holds a configuration;
 * its first character occurs in it only once (pvgrub_scan relies on that). */
#define NOTHING_MARK "xenner: PV GRUB found nothing to boot"

/*
 * GRUB runs an image's built-in configuration with its rescue parser: one
 * command a line, no conditionals, a failing line does not stop the next.
 * So each place is searched for and tried in turn; a configuration found
 * and booted does not return. With a boot disk (the lowest bootindex), each
 * search tries that disk and its partitions first (GRUB names Xen disks
 * xen/xvdX; a hint ending in a comma covers the partitions).
 */
static const char *const cfg_head =
    "insmod part_msdos\n"
    "insmod part_gpt\n"
    "insmod ext2\n"
    "insmod xfs\n"
    "insmod btrfs\n"
    "insmod normal\n"
    "insmod configfile\n"
    "insmod legacycfg\n";
static const struct {
    const char *path, *command;
} places[] = {
    { "/boot/grub/grub.cfg", "configfile" },
    { "/grub/grub.cfg", "configfile" },
    { "/boot/grub/menu.lst", "legacy_configfile" },
    { "/grub/menu.lst", "legacy_configfile" },
};

/*
 * -boot menu=on: each configuration is not run by configfile itself but by a
 * wrapper in the image's memdisk that sources it, then makes GRUB show the
 * menu it defined for the splash time (GRUB counts whole seconds), whatever
 * the guest's own timeout: GRUB shows a context's menu only once its
 * configuration has run, so the last word on the timeout is the wrapper's.
 */
static int write_wrapper(const char *dir, unsigned i, unsigned ms)
{
    char path[PATH_MAX + 32];
    FILE *f;
    int rc;

    snprintf(path, sizeof(path), "%s/xenner/menu%u.cfg", dir, i);
    f = fopen(path, "w");
    if (!f)
        return -1;
    rc = fprintf(f, "%s %s\nset timeout_style=menu\nset timeout=%u\n",
                 strcmp(places[i].command, "configfile") ? "legacy_source" : "source",
                 places[i].path, (ms + 999) / 1000);
    return fclose(f) || rc < 0 ? -1 : 0;
}

static int write_cfg(FILE *f, const char *boot_disk, bool menu)
{
    char hint[64] = "";
    int rc = 0;

    if (boot_disk)
        snprintf(hint, sizeof(hint), " --hint=xen/%s --hint=xen/%s,", boot_disk, boot_disk);
    if (fputs(cfg_head, f) < 0)
        return -1;
    for (unsigned i = 0; i < sizeof(places) / sizeof(places[0]) && rc >= 0; i++) {
        rc = fprintf(f, "search --no-floppy --set=root%s --file %s\n", hint, places[i].path);
        if (rc >= 0 && menu)
            rc = fprintf(f, "configfile (memdisk)/xenner/menu%u.cfg\n", i);
        else if (rc >= 0)
            rc = fprintf(f, "%s %s\n", places[i].command, places[i].path);
    }
    if (rc < 0)
        return -1;
    return fputs("echo \"" NOTHING_MARK " (no /boot/grub/grub.cfg, /grub/grub.cfg or "
                 "menu.lst on any disk)\"\nhalt\n", f) < 0 ? -1 : 0;
}

static const char *const modules[] = {
    "part_msdos", "part_gpt", "ext2", "xfs", "btrfs", "normal", "configfile", "legacycfg",
    "linux", "echo", "ls", "cat", "search", "search_fs_file", "search_fs_uuid",
    "search_label", "test", "true", "sleep", "gzio", "xzio", "lzopio", "halt", "reboot",
    "minicmd", "loadenv", "gettext", "regexp", "probe", "keystatus", "lvm", "zstd", "memdisk",
    "tar", NULL,
};

/* Run @argv to its end: 0, or -1 (said why; @package is what provides it). */
static int run(const char *const *argv, const char *package)
{
    int status;
    pid_t pid;

    pid = fork();
    if (pid < 0)
        return log_warn("pvgrub", "fork"), -1;
    if (pid == 0) {
        execvp(argv[0], (char **)argv);
        fprintf(stderr, "xenner: pvgrub: cannot run %s: %s (install Debian's %s)\n", argv[0],
                strerror(errno), package);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return log_warn("pvgrub", "waitpid"), -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
            log_warnx("pvgrub", "%s failed (status %d)", argv[0], status);
        return -1;
    }
    return 0;
}

/* Make @out with @cfg built in and @memdisk (a tar file, or NULL) as its
 * memdisk: 0, or -1 (said why). The modules are those a Debian grub.cfg or
 * an old menu.lst loads (the guest's own /boot/grub/x86_64-xen folder, if
 * any, may add more). */
static int mkimage(const char *cfg, const char *memdisk, const char *out)
{
    const char *argv[64] = { "grub-mkimage", "-O", "x86_64-xen", "-d", GRUB_XEN_DIR,
                             "-c", cfg, "-p", "/boot/grub", "-o", out };
    unsigned n = 11;

    if (memdisk) {
        argv[n++] = "-m";
        argv[n++] = memdisk;
    }
    for (unsigned i = 0; modules[i]; i++)
        argv[n++] = modules[i];
    argv[n] = NULL;
    return run(argv, "grub-common");
}

/* The wrappers of -boot menu=on in @dir/xenner, packed as @dir/memdisk.tar:
 * 0, or -1 (said why). */
static int make_memdisk(const char *dir, unsigned ms, char *tar, size_t size)
{
    char sub[PATH_MAX + 16];
    int rc = 0;

    snprintf(sub, sizeof(sub), "%s/xenner", dir);
    snprintf(tar, size, "%s/memdisk.tar", dir);
    if (mkdir(sub, 0700))
        return log_warn("pvgrub", "%s", sub), -1;
    for (unsigned i = 0; i < sizeof(places) / sizeof(places[0]) && rc == 0; i++)
        if ((rc = write_wrapper(dir, i, ms)) < 0)
            log_warn("pvgrub", "%s/menu%u.cfg", sub, i);
    if (rc == 0)
        rc = run((const char *const[]){ "tar", "-C", dir, "-cf", tar, "xenner", NULL }, "tar");
    for (unsigned i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
        char path[PATH_MAX + 32];

        snprintf(path, sizeof(path), "%s/menu%u.cfg", sub, i);
        unlink(path);
    }
    rmdir(sub);
    return rc;
}

int pvgrub_prepare(struct vm *vm)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], cfg[PATH_MAX + 16], img[PATH_MAX + 16], tar[PATH_MAX + 16];
    FILE *f;
    int rc = -1;

    if (access(GRUB_XEN_DIR "/kernel.img", R_OK)) {
        log_warnx("pvgrub", "no -kernel given, and booting from the disk needs PV GRUB: "
                  "install Debian's grub-xen-bin and grub-common (apt-get install "
                  "grub-xen-bin grub-common), or give -kernel FILE");
        return -1;
    }
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if (snprintf(dir, sizeof(dir), "%s/xenner-pvgrub-XXXXXX", tmp) >= (int)sizeof(dir) ||
        !mkdtemp(dir)) {
        log_warn("pvgrub", "cannot make a temporary directory in %s", tmp);
        return -1;
    }
    snprintf(cfg, sizeof(cfg), "%s/boot.cfg", dir);
    snprintf(img, sizeof(img), "%s/pvgrub.bin", dir);
    f = fopen(cfg, "w");
    if (!f || write_cfg(f, vm->cfg.boot_disk, vm->cfg.boot_menu) < 0 || fclose(f))
        log_warn("pvgrub", "%s", cfg);
    else if (!vm->cfg.boot_menu || make_memdisk(dir, vm->cfg.boot_menu_ms, tar, sizeof(tar)) == 0)
        rc = mkimage(cfg, vm->cfg.boot_menu ? tar : NULL, img);
    unlink(cfg);
    if (vm->cfg.boot_menu)
        unlink(tar);
    if (rc == 0 && (vm->pvgrub_image = strdup(img)) != NULL) {
        vm->cfg.kernel = vm->pvgrub_image;
        log_info("pvgrub", "no -kernel: booting from the disk through PV GRUB%s%s",
                 vm->cfg.boot_disk ? ", trying first " : "",
                 vm->cfg.boot_disk ? vm->cfg.boot_disk : "");
        return 0;
    }
    unlink(img);
    rmdir(dir);
    return -1;
}

void pvgrub_loaded(struct vm *vm)
{
    char *slash;

    if (!vm->pvgrub_image)
        return;
    unlink(vm->pvgrub_image); /* read into memory: the file and its folder go */
    slash = strrchr(vm->pvgrub_image, '/');
    *slash = 0;
    rmdir(vm->pvgrub_image);
    *slash = '/';
}

void pvgrub_scan(struct vm *vm, const char *buf, size_t len)
{
    static const char mark[] = NOTHING_MARK;

    for (size_t i = 0; i < len && !vm->pvgrub_nothing; i++) {
        if (buf[i] == mark[vm->pvgrub_match])
            vm->pvgrub_match++;
        else
            vm->pvgrub_match = buf[i] == mark[0];
        if (vm->pvgrub_match == sizeof(mark) - 1)
            vm->pvgrub_nothing = true;
    }
}
