/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xenner's entry point: QEMU-style options, then boot and run the guest. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "backend/devices.h"
#include "monitor/qmp.h"
#include "ui/vnc.h"
#include "util/chardev.h"
#include "util/log.h"
#include "vmm/runstate.h"
#include "util/runtime.h"
#include "vmm/vmm.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: xenner [options] -kernel FILE\n"
        "       xenner [options] -drive file=IMAGE ...   (boot the disk through PV GRUB)\n"
        "Run a Xen PV guest on KVM or on QEMU's software CPU.\n\n"
        "  -kernel FILE      Xen PV kernel: ELF, or bzImage (gzip, bzip2, xz, lzma, lzo,\n"
        "                    lz4 or zstd payload). Without it, PV GRUB (Debian's\n"
        "                    grub-xen-bin) boots the disks' /boot/grub/grub.cfg,\n"
        "                    /grub/grub.cfg or GRUB legacy menu.lst\n"
        "  -boot menu=on[,splash-time=MS]   PV GRUB shows the guest's menu for MS\n"
        "                    milliseconds (default 2500), whatever its own timeout\n"
        "  -initrd FILE      boot module (initramfs) handed to the kernel\n"
        "  -append STRING    kernel command line\n"
        "  -m [size=]SIZE    guest RAM; MiB unless suffixed K, M, G or T (default 128M)\n"
        "  -nographic        guest console on standard input/output (the default)\n"
        "  -display none     no display (the default)\n"
        "  -vnc [HOST]:N | unix:PATH [,share=allow-exclusive|force-shared]\n"
        "                    the guest's screen (Xen's PV framebuffer) and keyboard\n"
        "                    and pointer on a VNC server: TCP port 5900+N on HOST\n"
        "                    (every address if empty), or a unix socket\n"
        "  -display vnc=ARG  the same as -vnc ARG\n"
        "  -k en-us          the guest's keyboard layout (only en-us, the default)\n"
        "  -no-reboot        exit with status 3 when the guest reboots, instead of\n"
        "                    restarting it\n"
        "  -drive file=IMG[,if=xen|virtio|none][,format=raw|qcow2][,readonly=on][,index=N]\n"
        "        [,cache=writeback|writethrough|none|directsync|unsafe][,discard=unmap][,id=ID]\n"
        "                    a disk: xvda, xvdb, ... in command-line order (index=N:\n"
        "                    the N-th name); qcow2 through qemu-nbd; if=none,id=ID for -device\n"
        "  -blockdev {\"driver\":\"file\",\"filename\":IMG,\"node-name\":N,...}\n"
        "  -blockdev {\"driver\":\"raw\"|\"qcow2\",\"file\":N,\"node-name\":M,...}\n"
        "                    block nodes (libvirt's spelling), for -device drive=\n"
        "  -device xen-disk,drive=ID[,vdev=xvdX|xvdXN]   (or virtio-blk-pci, virtio-blk)\n"
        "                    a disk from -drive if=none,id=ID or a -blockdev node;\n"
        "                    vdev=xvda1: the image is that partition alone\n"
        "  -xenstore PATH    serve the guest's xenstore on unix socket PATH, as domain 0\n"
        "                    (xenstore-utils: XENSTORED_PATH=PATH); default\n"
        "                    /run/xenner/NAME.xenstore (root) or\n"
        "                    $XDG_RUNTIME_DIR/xenner/NAME.xenstore; NAME is -name or the pid\n"
        "  -netdev tap,id=ID,ifname=NAME,script=no   or   -netdev tap,id=ID,fd=N\n"
        "                    a host tap (created if missing, no scripts run) or an\n"
        "                    inherited tap descriptor, for a NIC\n"
        "  -device xen-net-device,netdev=ID[,mac=MAC]   (also virtio-net-pci)\n"
        "                    a Xen PV network interface on that tap: eth0, eth1, ...;\n"
        "                    default MAC 00:16:3e:xx:xx:xx, stable per tap name\n"
        "  -net nic[,macaddr=MAC] -net tap,ifname=NAME,script=no\n"
        "                    the same in QEMU's legacy spelling\n"
        "  -d ITEM[,ITEM]    logging: info, debug, stats (exit counts at the end)\n"
        "  -version          print the version and exit\n"
        "  -h, -help         print this help and exit\n\n"
        "Exit status: 0 guest powered off; 1 bad option, kernel file, host set-up, or\n"
        "no -kernel and nothing bootable on the disks;\n"
        "2 guest crashed; 3 guest rebooted under -no-reboot; 4 guest stopped by xenner\n"
        "(fatal fault, ABI violation, or stopped after SIGTERM: see below); 5 internal\n"
        "error. C-a x on the console and QMP quit exit with status 0.\n\n"
        "On the console (stdin), C-a h lists the keys: C-a x quits, C-a C-a sends C-a.\n\n");
    options_usage(f);
}

static const char *need_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        log_fatalx("options", "%s: option needs an argument", argv[*i]);
    return argv[++*i];
}

static void parse_debug(struct config *c, const char *list)
{
    char *dup = strdup(list), *save = NULL;

    for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "info"))
            log_verbosity = log_verbosity > 1 ? log_verbosity : 1;
        else if (!strcmp(t, "debug"))
            log_verbosity = 2;
        else if (!strcmp(t, "stats"))
            c->stats = true;
        else
            log_fatalx("options", "-d: unknown item \"%s\" (info, debug, stats)", t);
    }
    free(dup);
}

static void parse_memory(struct config *c, const char *text)
{
    struct opts *o = opts_parse("-m", text, "size");
    const char *arg = opts_get(o, "size");

    if (!arg)
        log_fatalx("options", "-m %s: no size given", text);
    opts_finish(o); /* slots=, maxmem=: no memory hot-plug */
    if (opts_parse_size(arg, 20, &c->ram_bytes) || !c->ram_bytes)
        log_fatalx("options", "-m %s: invalid size", arg);
    if (c->ram_bytes & 0xfff || c->ram_bytes < (16ULL << 20))
        log_fatalx("options", "-m %s: guest RAM must be a whole number of pages, at least 16 MiB",
                   arg);
    if (c->ram_bytes > (512ULL << 30))
        log_fatalx("options", "-m %s: at most 512 GiB", arg);
}

static void parse_args(struct config *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];

        if (o[0] == '-' && o[1] == '-')
            o++; /* QEMU accepts --option too */
        if (!strcmp(o, "-kernel")) c->kernel = need_arg(argc, argv, &i);
        else if (!strcmp(o, "-initrd")) c->initrd = need_arg(argc, argv, &i);
        else if (!strcmp(o, "-append")) c->append = need_arg(argc, argv, &i);
        else if (!strcmp(o, "-m")) parse_memory(c, need_arg(argc, argv, &i));
        else if (!strcmp(o, "-nographic")) c->nographic = true;
        else if (!strcmp(o, "-no-reboot")) c->no_reboot = true;
        else if (!strcmp(o, "-xenstore")) c->xenstore_path = need_arg(argc, argv, &i);
        else if (!strcmp(o, "-d")) parse_debug(c, need_arg(argc, argv, &i));
        else if (!strcmp(o, "-drive"))
            opts_list_add(&c->drive, opts_parse("-drive", need_arg(argc, argv, &i), NULL));
        else if (!strcmp(o, "-blockdev"))
            opts_list_add(&c->blockdev, opts_parse("-blockdev", need_arg(argc, argv, &i), NULL));
        else if (!strcmp(o, "-netdev"))
            opts_list_add(&c->netdev, opts_parse("-netdev", need_arg(argc, argv, &i), "type"));
        else if (!strcmp(o, "-net"))
            opts_list_add(&c->net, opts_parse("-net", need_arg(argc, argv, &i), "type"));
        else if (!strcmp(o, "-device"))
            opts_list_add(&c->device, opts_parse("-device", need_arg(argc, argv, &i), "driver"));
        else if (options_parse(c, argc, argv, &i))
            ;
        else if (!strcmp(o, "-display")) {
            const char *a = need_arg(argc, argv, &i);

            if (!strncmp(a, "vnc=", 4))
                vnc_configure(a + 4);
            else if (strcmp(a, "none") && strncmp(a, "none,", 5))
                log_fatalx("options", "-display %s: xenner shows the guest's screen only "
                           "on VNC (-display none, -display vnc=..., -vnc ...)", a);
        } else if (!strcmp(o, "-vnc")) {
            vnc_configure(need_arg(argc, argv, &i));
        } else if (!strcmp(o, "-k")) {
            const char *a = need_arg(argc, argv, &i);

            if (strcmp(a, "en-us"))
                log_fatalx("options", "-k %s: xenner knows only the en-us layout so far", a);
        } else if (!strcmp(o, "-h") || !strcmp(o, "-help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(o, "-version")) {
            printf("xenner version " XENNER_VERSION "\n");
            exit(0);
        } else {
            log_fatalx("options", "%s: unknown option (see xenner -help)", argv[i]);
        }
    }
}

/*
 * A reboot (the guest's, or QMP system_reset) is a fresh start of the same
 * command in the same process, keeping its pid, its chardevs' connections
 * and ptys (README, "Reboot"). It is not daemonized again, and starts
 * paused only if it was paused.
 */
#define RESTART_ENV "XENNER_RESTARTED" /* "paused" or "running" */

static void restart(struct vm *vm, char **argv)
{
    log_info("main", "guest rebooted: starting it again");
    setenv(RESTART_ENV, run_before_reboot(vm) ? "paused" : "running", 1);
    chardev_keep_for_exec();
    console_stop_input();
    execv("/proc/self/exe", argv);
    log_warn("main", "cannot restart for the reboot");
}

/* In a restarted xenner: the same options, but no second daemonizing, and
 * paused only if the guest was. */
static void restarted(struct config *c)
{
    const char *r = getenv(RESTART_ENV);

    if (!r)
        return;
    c->daemonize = false;
    c->start_paused = c->restarted_paused = !strcmp(r, "paused");
    unsetenv(RESTART_ENV);
}

int main(int argc, char **argv)
{
    static struct vm vm;
    int rc;

    vm.cfg.ram_bytes = 128ULL << 20;
    run_on_event(monitor_event); /* the run state's events go to QMP */
    vnc_on_event(monitor_vnc_event);
    parse_args(&vm.cfg, argc, argv);
    restarted(&vm.cfg);
    devices_setup(&vm);
    options_finish(&vm);
    if (vm.cfg.daemonize)
        runtime_daemonize_start();
    run_init(&vm); /* signals are ours from here: the files below get removed */
    if (vm.cfg.pidfile)
        runtime_pidfile(vm.cfg.pidfile);
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!vm.cfg.no_machine) {
        if (boot_guest(&vm))
            return EXIT_SETUP;
        console_connect(&vm, vm.cfg.serial ? chardev_find(vm.cfg.serial) : NULL);
        xs_socket_start(&vm, vm.cfg.xenstore_path);
    }
    chardev_open_all();
    if (vnc_start())
        return EXIT_SETUP;
    if (io_start(&vm))
        return EXIT_INTERNAL;
    runtime_daemonize_ready();
    if (vm.cfg.no_machine)
        return run_finish(&vm, EXIT_POWEROFF);
    run_guest_started(&vm);
    run_park(&vm); /* -S: until cont */
    rc = run_quitting(&vm, NULL) ? EXIT_POWEROFF : vm_run(&vm);
    if (rc == EXIT_POWEROFF && vm.pvgrub_nothing) {
        log_warnx("main", "no bootable disk: PV GRUB found no /boot/grub/grub.cfg, "
                  "/grub/grub.cfg or menu.lst on any disk");
        rc = EXIT_SETUP;
    }
    vm.accel->stop(&vm); /* the software CPU's QEMU goes before an exec or exit */
    vnc_stop();
    if (rc == EXIT_REBOOT && !vm.cfg.no_reboot && !run_quitting(&vm, NULL))
        restart(&vm, argv);
    return run_finish(&vm, rc);
}
