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

static int write_cfg(FILE *f, const char *boot_disk)
{
    char hint[64] = "";

    if (boot_disk)
        snprintf(hint, sizeof(hint), " --hint=xen/%s --hint=xen/%s,", boot_disk, boot_disk);
    if (fputs(cfg_head, f) < 0)
        return -1;
    for (unsigned i = 0; i < sizeof(places) / sizeof(places[0]); i++)
        if (fprintf(f, "search --no-floppy --set=root%s --file %s\n%s %s\n", hint,
                    places[i].path, places[i].command, places[i].path) < 0)
            return -1;
    return fputs("echo \"" NOTHING_MARK " (no /boot/grub/grub.cfg, /grub/grub.cfg or "
                 "menu.lst on any disk)\"\nhalt\n", f) < 0 ? -1 : 0;
}

static const char *const modules[] = {
    "part_msdos", "part_gpt", "ext2", "xfs", "btrfs", "normal", "configfile", "legacycfg",
    "linux", "echo", "ls", "cat", "search", "search_fs_file", "search_fs_uuid",
    "search_label", "test", "true", "sleep", "gzio", "xzio", "lzopio", "halt", "reboot",
    "minicmd", "loadenv", "gettext", "regexp", "probe", "keystatus", "lvm", "zstd", NULL,
};

/* Run grub-mkimage to make @out with @cfg built in: 0, or -1 (said why).
 * The modules are those a Debian grub.cfg or an old menu.lst loads (the
 * guest's own /boot/grub/x86_64-xen folder, if any, may add more). */
static int mkimage(const char *cfg, const char *out)
{
    const char *argv[64] = { "grub-mkimage", "-O", "x86_64-xen", "-d", GRUB_XEN_DIR,
                             "-c", cfg, "-p", "/boot/grub", "-o", out };
    unsigned n = 11;
    int status;
    pid_t pid;

    for (unsigned i = 0; modules[i]; i++)
        argv[n++] = modules[i];
    argv[n] = NULL;
    pid = fork();
    if (pid < 0)
        return log_warn("pvgrub", "fork"), -1;
    if (pid == 0) {
        execvp(argv[0], (char **)argv);
        fprintf(stderr, "xenner: pvgrub: cannot run grub-mkimage: %s (install Debian's "
                "grub-common)\n", strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return log_warn("pvgrub", "waitpid"), -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
            log_warnx("pvgrub", "grub-mkimage failed (status %d)", status);
        return -1;
    }
    return 0;
}

int pvgrub_prepare(struct vm *vm)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], cfg[PATH_MAX + 16], img[PATH_MAX + 16];
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
    if (!f || write_cfg(f, vm->cfg.boot_disk) < 0 || fclose(f))
        log_warn("pvgrub", "%s", cfg);
    else if (mkimage(cfg, img) == 0)
        rc = 0;
    unlink(cfg);
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
