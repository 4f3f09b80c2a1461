/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU's options as libvirt passes them: machine, CPU, monitor, chardevs, process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "backend/devices.h"
#include "monitor/qmp.h"
#include "util/chardev.h"
#include "accel/accel.h"
#include "util/log.h"
#include "util/opts.h"
#include "vmm/vmm.h"

/*
 * Each option either changes what xenner does, or is accepted because it
 * asks for what a PV guest gets anyway (no ACPI, no USB controller in use,
 * boot straight from -kernel); whatever would give the guest something
 * else is refused, naming the option and value. README, "QEMU options".
 */

/* The one machine type xenner provides (query-machines). */
#define MACHINE_TYPE "xenpv"

static const char *const OFF[] = { "off", "no", "false", NULL };

static struct {
    const char *serial_spec;  /* -serial */
    bool serial_none;
    struct opts *mem_object;  /* -object memory-backend-ram */
    bool have_qmp_spec;
} st;

static const char *need(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        log_fatalx("options", "%s: option needs an argument", argv[*i]);
    return argv[++*i];
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void parse_uuid(struct config *c, const char *s)
{
    unsigned n = 0;

    for (const char *p = s; *p; p++) {
        int hi, lo;

        if (*p == '-' && (p - s == 8 || p - s == 13 || p - s == 18 || p - s == 23))
            continue;
        if (n == 16 || (hi = hex(p[0])) < 0 || !p[1] || (lo = hex(p[1])) < 0)
            log_fatalx("options", "-uuid %s: not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s);
        c->uuid[n++] = hi << 4 | lo;
        p++;
    }
    if (n != 16 || strlen(s) != 36)
        log_fatalx("options", "-uuid %s: not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s);
    c->have_uuid = true;
}

/* accel=kvm, tcg, or a list such as kvm:tcg, tried in order (QEMU's
 * meaning). Several -accel options make such a list too. */
static void set_accel(struct config *c, const char *option, const char *a)
{
    char *dup, *save = NULL, *list;

    if (!a)
        return;
    dup = strdup(a);
    for (char *n = strtok_r(dup, ":", &save); n; n = strtok_r(NULL, ":", &save))
        if (!accel_find(n))
            log_fatalx("options", "%s%s%s: unknown accelerator \"%s\" (kvm, tcg)", option,
                       option[strlen(option) - 1] == '=' ? "" : " ", a, n);
    free(dup);
    if (c->accel && asprintf(&list, "%s:%s", c->accel, a) > 0)
        c->accel = list;
    else
        c->accel = strdup(a);
}

static void parse_machine(struct config *c, const char *arg)
{
    struct opts *o = opts_parse("-machine", arg, "type");
    const char *type = opts_get(o, "type");

    if (type && !strcmp(type, "none"))
        c->no_machine = true;
    else if (type && strcmp(type, MACHINE_TYPE))
        log_fatalx("options", "-machine %s: unknown machine type (xenner provides \""
                   MACHINE_TYPE "\", and \"none\")", type);
    set_accel(c, "-machine accel=", opts_get(o, "accel"));
    opts_only(o, "usb", OFF);
    opts_only(o, "acpi", OFF);
    opts_only(o, "vmport", OFF);
    opts_only(o, "graphics", OFF);
    opts_only(o, "hpet", OFF);
    opts_accept(o, "dump-guest-core"); /* host core dumps only */
    if (opts_get(o, "memory-backend"))
        c->mem_backend = strdup(opts_get(o, "memory-backend"));
    opts_finish(o);
}

static void parse_accel(struct config *c, const char *arg)
{
    struct opts *o = opts_parse("-accel", arg, "accel");
    const char *a = opts_get(o, "accel"), *thread = opts_get(o, "thread");

    if (!a)
        log_fatalx("options", "-accel %s: no accelerator named (kvm, tcg)", arg);
    set_accel(c, "-accel", a);
    if (thread) {
        if (strcmp(a, "tcg") || (strcmp(thread, "single") && strcmp(thread, "multi")))
            log_fatalx("options", "-accel %s: thread= is tcg's, single or multi", arg);
        c->tcg_thread = strdup(thread);
    }
    opts_accept(o, "tb-size"); /* QEMU's translation cache size: its default serves */
    opts_finish(o);
}

/* The guest sees Xen's CPUID policy for PV guests whatever the model: a
 * model name is accepted, features a model would add or remove are not. */
static void parse_cpu(const char *arg)
{
    static const char *const models[] = { "qemu64", "kvm64", "host", "max", NULL };
    struct opts *o = opts_parse("-cpu", arg, "model");
    const char *m = opts_get(o, "model");
    unsigned i;

    for (i = 0; models[i] && strcmp(models[i], m ? m : ""); i++)
        ;
    if (!models[i])
        log_fatalx("options", "-cpu %s: unknown CPU model (qemu64, kvm64, host, max: a Xen PV "
                   "guest sees Xen's PV CPUID policy with any of them)", m ? m : "");
    opts_accept(o, "migratable");
    for (i = 0; i < o->n; i++)
        if (!o->kv[i].used)
            log_fatalx("options", "-cpu %s: CPU feature or property '%s' cannot be honoured: a "
                       "Xen PV guest sees Xen's PV CPUID policy", m, o->kv[i].key);
}

static void parse_smp(const char *arg)
{
    static const char *const keys[] = { "cpus", "maxcpus", "sockets", "dies", "clusters",
                                        "cores", "threads", NULL };
    struct opts *o = opts_parse("-smp", arg, "cpus");

    for (unsigned i = 0; keys[i]; i++) {
        const char *v = opts_get(o, keys[i]);

        if (v && strcmp(v, "1"))
            log_fatalx("options", "-smp %s: %s=%s: only one vCPU is supported so far", arg,
                       keys[i], v);
    }
    opts_finish(o);
}

static void parse_name(struct config *c, const char *arg)
{
    struct opts *o = opts_parse("-name", arg, "guest");

    c->name = opts_get(o, "guest");
    opts_accept(o, "debug-threads"); /* thread names are a host debugging aid */
    opts_finish(o);
}

static void parse_rtc(const char *arg)
{
    struct opts *o = opts_parse("-rtc", arg, NULL);
    const char *base = opts_get(o, "base");

    /* The PV wallclock (shared_info) is UTC by definition, as on Xen. */
    if (base && strcmp(base, "utc"))
        log_fatalx("options", "-rtc base=%s: the PV wallclock is UTC (base=utc only)", base);
    opts_only(o, "clock", (const char *const[]){ "host", "rt", NULL });
    /* No emulated RTC interrupts to catch up: a PV guest keeps time from Xen's clock. */
    opts_only(o, "driftfix", (const char *const[]){ "none", "slew", NULL });
    opts_finish(o);
}

static void parse_boot(struct config *c, const char *arg)
{
    struct opts *o = opts_parse("-boot", arg, "order");
    uint64_t ms;

    /* The guest boots -kernel directly, as QEMU does with -kernel; without
     * it, PV GRUB searches the disks, the one with the lowest bootindex
     * first (not order=). menu=on: PV GRUB shows the guest's menu for
     * splash-time ms (QEMU's range; SeaBIOS's 2500 when not given). */
    opts_accept(o, "order");
    opts_accept(o, "once");
    opts_accept(o, "strict");
    c->boot_menu = opts_get_bool(o, "menu", false);
    ms = opts_get_uint(o, "splash-time", 2500);
    if (ms > 65535)
        log_fatalx("options", "-boot %s: splash-time is invalid, it should be a value between "
                   "0 and 65535", arg);
    c->boot_menu_ms = (unsigned)ms;
    opts_finish(o);
}

static void parse_msg(const char *arg)
{
    struct opts *o = opts_parse("-msg", arg, NULL);

    log_timestamps = opts_get_bool(o, "timestamp", false);
    opts_only(o, "guest-name", OFF);
    opts_finish(o);
}

static void parse_overcommit(const char *arg)
{
    struct opts *o = opts_parse("-overcommit", arg, NULL);

    if (opts_get_bool(o, "mem-lock", false) && mlockall(MCL_CURRENT | MCL_FUTURE))
        log_fatal("options", "-overcommit mem-lock=on");
    opts_only(o, "cpu-pm", OFF);
    opts_finish(o);
}

static void parse_sandbox(const char *arg)
{
    struct opts *o = opts_parse("-sandbox", arg, "enable");

    if (opts_get_bool(o, "enable", false))
        log_fatalx("options", "-sandbox %s: xenner has no seccomp sandbox (only -sandbox off)",
                   arg);
    opts_finish(o);
}

static void parse_object(const char *arg)
{
    struct opts *o = opts_parse("-object", arg, "qom-type");
    const char *t = opts_get(o, "qom-type");

    if (!t)
        log_fatalx("options", "-object %s: no type given", arg);
    if (!opts_get(o, "id"))
        log_fatalx("options", "-object %s: no id= given", t);
    if (!strcmp(t, "secret")) {
        /* Secrets are for backends that need them (none does yet). */
        static const char *const keys[] = { "format", "file", "data", "keyid", "iv", NULL };

        for (unsigned i = 0; keys[i]; i++)
            opts_accept(o, keys[i]);
    } else if (!strcmp(t, "memory-backend-ram")) {
        if (st.mem_object)
            log_fatalx("options", "-object memory-backend-ram: only one");
        st.mem_object = o;
        opts_get(o, "size");
        opts_only(o, "share", OFF);
        opts_only(o, "prealloc", OFF);
        opts_accept(o, "x-use-canonical-path-for-ramblock-id");
    } else {
        log_fatalx("options", "-object %s: not supported by xenner (secret, "
                   "memory-backend-ram)", t);
    }
    opts_finish(o);
}

static void parse_audiodev(const char *arg)
{
    struct opts *o = opts_parse("-audiodev", arg, "driver");
    const char *d = opts_get(o, "driver");

    /* A backend with no sound device to feed: only "none" is honest. */
    if (!d || strcmp(d, "none"))
        log_fatalx("options", "-audiodev %s: a Xen PV guest has no sound device (driver=none "
                   "only)", d ? d : "");
    opts_get(o, "id");
    opts_finish(o);
}

static void parse_mon(struct config *c, const char *arg)
{
    struct opts *o = opts_parse("-mon", arg, NULL);
    const char *mode = opts_get(o, "mode");

    if (!opts_get(o, "chardev"))
        log_fatalx("options", "-mon %s: no chardev= given", arg);
    if (!mode || strcmp(mode, "control"))
        log_fatalx("options", "-mon %s: xenner has only the QMP monitor (mode=control)", arg);
    opts_get_bool(o, "pretty", false);
    opts_accept(o, "id");
    opts_list_add(&c->mon, o);
}

bool options_parse(struct config *c, int argc, char **argv, int *i)
{
    const char *o = argv[*i];

    if (o[0] == '-' && o[1] == '-')
        o++;
    if (!strcmp(o, "-uuid")) parse_uuid(c, need(argc, argv, i));
    else if (!strcmp(o, "-machine") || !strcmp(o, "-M")) parse_machine(c, need(argc, argv, i));
    else if (!strcmp(o, "-accel")) parse_accel(c, need(argc, argv, i));
    else if (!strcmp(o, "-enable-kvm")) set_accel(c, "-enable-kvm", "kvm");
    else if (!strcmp(o, "-no-kvm")) set_accel(c, "-no-kvm", "tcg");
    else if (!strcmp(o, "-cpu")) parse_cpu(need(argc, argv, i));
    else if (!strcmp(o, "-smp")) parse_smp(need(argc, argv, i));
    else if (!strcmp(o, "-name")) parse_name(c, need(argc, argv, i));
    else if (!strcmp(o, "-rtc")) parse_rtc(need(argc, argv, i));
    else if (!strcmp(o, "-boot")) parse_boot(c, need(argc, argv, i));
    else if (!strcmp(o, "-msg")) parse_msg(need(argc, argv, i));
    else if (!strcmp(o, "-overcommit")) parse_overcommit(need(argc, argv, i));
    else if (!strcmp(o, "-sandbox")) parse_sandbox(need(argc, argv, i));
    else if (!strcmp(o, "-object")) parse_object(need(argc, argv, i));
    else if (!strcmp(o, "-audiodev")) parse_audiodev(need(argc, argv, i));
    else if (!strcmp(o, "-chardev"))
        chardev_add_opts(opts_parse("-chardev", need(argc, argv, i), "backend"));
    else if (!strcmp(o, "-mon")) parse_mon(c, need(argc, argv, i));
    else if (!strcmp(o, "-qmp"))
        opts_list_add(&c->qmp, opts_parse("-qmp", need(argc, argv, i), "spec"));
    else if (!strcmp(o, "-monitor")) {
        if (strcmp(need(argc, argv, i), "none"))
            log_fatalx("options", "-monitor %s: xenner has no human monitor; use -qmp", argv[*i]);
    } else if (!strcmp(o, "-serial")) {
        const char *s = need(argc, argv, i);

        if (st.serial_spec || st.serial_none)
            log_fatalx("options", "-serial %s: a PV guest has one console; only one -serial", s);
        if (!strcmp(s, "none"))
            st.serial_none = true;
        else
            st.serial_spec = s;
    } else if (!strcmp(o, "-S")) c->start_paused = true;
    else if (!strcmp(o, "-daemonize")) c->daemonize = true;
    else if (!strcmp(o, "-pidfile")) c->pidfile = need(argc, argv, i);
    else if (!strcmp(o, "-no-shutdown")) c->no_shutdown = true;
    else if (!strcmp(o, "-nodefaults")) c->nodefaults = true;
    else if (!strcmp(o, "-no-user-config") || !strcmp(o, "-no-acpi") || !strcmp(o, "-no-hpet")) ;
    else if (!strcmp(o, "-usb"))
        log_warnx("options", "-usb: a Xen PV guest has no USB; no controller is added");
    else if (!strcmp(o, "-vga")) {
        if (strcmp(need(argc, argv, i), "none"))
            log_fatalx("options", "-vga %s: a Xen PV guest has no VGA (only -vga none)", argv[*i]);
    } else
        return false;
    return true;
}

/* -device isa-serial,chardev=ID: the guest's PV console (hvc0). */
void options_serial_device(struct vm *vm, struct opts *o)
{
    const char *id = opts_get(o, "chardev");

    if (!id)
        log_fatalx("options", "-device isa-serial: no chardev= given");
    if (vm->cfg.serial || st.serial_spec)
        log_fatalx("options", "-device isa-serial: a PV guest has one console, already given");
    if (!chardev_find(id))
        log_fatalx("options", "-device isa-serial: no chardev '%s'", id);
    vm->cfg.serial = strdup(id);
    opts_accept(o, "id");
    opts_only(o, "index", (const char *const[]){ "0", NULL });
    opts_finish(o);
}

/* -device virtio-balloon-pci: Xen's balloon is the guest's memory/target;
 * the QMP balloon commands answer for it (only the full size for now). */
void options_balloon_device(struct vm *vm, struct opts *o)
{
    vm->cfg.balloon = true;
    opts_accept(o, "id");
    opts_accept(o, "bus");
    opts_accept(o, "addr");
    opts_only(o, "deflate-on-oom", OFF);
    opts_only(o, "free-page-reporting", OFF);
    opts_finish(o);
}

static void add_monitor(struct vm *vm, const char *id)
{
    struct chardev *cd = chardev_find(id);

    if (!cd)
        log_fatalx("options", "-mon chardev=%s: no such chardev", id);
    monitor_add(vm, cd);
}

void options_finish(struct vm *vm)
{
    struct config *c = &vm->cfg;

    for (unsigned i = 0; i < c->qmp.n; i++) {
        struct opts *o = c->qmp.v[i];
        const char *spec = opts_get(o, "spec");
        char *text = NULL;

        /* "unix:PATH,server=on,wait=off": the parameters follow the spec. */
        for (unsigned k = 1; k < o->n; k++) {
            char *t = NULL;

            asprintf(&t, "%s,%s=%s", text ? text : spec, o->kv[k].key, o->kv[k].val);
            free(text);
            text = t;
            o->kv[k].used = true;
        }
        add_monitor(vm, chardev_add_short("-qmp", text ? text : spec, NULL));
        free(text);
    }
    for (unsigned i = 0; i < c->mon.n; i++)
        add_monitor(vm, opts_get(c->mon.v[i], "chardev"));
    if (st.serial_spec)
        c->serial = chardev_add_short("-serial", st.serial_spec, "serial0");
    else if (!c->serial && !st.serial_none && !c->nodefaults && !c->no_machine)
        c->serial = chardev_add_short("-serial", "stdio", "serial0");
    if (st.mem_object) {
        uint64_t size;
        const char *s = opts_get(st.mem_object, "size"), *id = opts_get(st.mem_object, "id");

        if (!s || opts_parse_size(s, 0, &size) || size != c->ram_bytes)
            log_fatalx("options", "-object memory-backend-ram,id=%s: size must equal -m", id);
        if (!c->mem_backend || strcmp(c->mem_backend, id))
            log_fatalx("options", "-object memory-backend-ram,id=%s: not used by -machine "
                       "memory-backend", id);
    } else if (c->mem_backend) {
        log_fatalx("options", "-machine memory-backend=%s: no such -object", c->mem_backend);
    }
    if (c->daemonize && c->serial && chardev_is_stdio(chardev_find(c->serial)))
        log_fatalx("options", "-daemonize: the console cannot be on stdio (use -nodefaults, "
                   "-serial pty or -chardev)");
    if (!c->kernel && (c->initrd || c->append))
        log_fatalx("options", "%s is only allowed with -kernel", c->initrd ? "-initrd" : "-append");
    if (!c->kernel && !c->no_machine && !c->drive.n && !c->blockdev.n)
        log_fatalx("options", "no kernel and no disk given: use -kernel FILE, or a disk "
                   "(-drive file=IMAGE) to boot through PV GRUB (see xenner -help)");
}

void options_usage(FILE *f)
{
    fprintf(f,
        "QEMU-compatible options (libvirt's), see README \"QEMU options\":\n"
        "  -machine xenpv|none[,accel=kvm|tcg|kvm:tcg]  machine (none: only the QMP monitor)\n"
        "  -accel kvm, -enable-kvm          run the guest on KVM\n"
        "  -accel tcg[,thread=single|multi], -no-kvm\n"
        "                                   run it on QEMU's software CPU (qemu-system-x86_64)\n"
        "                                   default: KVM where /dev/kvm is usable, else tcg\n"
        "  -cpu qemu64|kvm64|host|max       accepted: the guest sees Xen's PV CPUID policy\n"
        "  -smp 1[,sockets=1,cores=1,...]   one vCPU\n"
        "  -uuid UUID                       domain handle (/vm/UUID in xenstore)\n"
        "  -name [guest=]NAME[,debug-threads=on]\n"
        "  -chardev stdio|pty|null,id=ID    character device; also\n"
        "  -chardev socket,id=ID,path=PATH|fd=N,server=on[,wait=off]\n"
        "  -chardev file,id=ID,path=PATH[,append=on]   (any: logfile=PATH)\n"
        "  -serial stdio|pty|null|none|file:PATH|unix:PATH,server=on|chardev:ID\n"
        "                                   the guest's PV console (hvc0); default stdio\n"
        "  -device isa-serial,chardev=ID    the same, as libvirt says it\n"
        "  -device xen-console,chardev=ID   one more console: hvc1, hvc2, ... in the guest\n"
        "  -qmp unix:PATH,server=on,wait=off | -mon chardev=ID,mode=control\n"
        "                                   QMP monitor\n"
        "  -S                               start paused until QMP cont\n"
        "  -no-shutdown                     on guest power-off, stay (status shutdown) until\n"
        "                                   QMP quit or a signal\n"
        "  -daemonize                       detach once the monitor listens\n"
        "  -pidfile FILE                    write and lock FILE with xenner's pid\n"
        "  -nodefaults                      no console on stdio unless asked for\n"
        "  -rtc base=utc, -boot strict=on, -msg timestamp=on, -overcommit mem-lock=on|off,\n"
        "  -no-user-config, -no-acpi, -sandbox off, -vga none, -audiodev none,id=ID,\n"
        "  -object secret,..., -object memory-backend-ram,id=ID,size=SIZE,\n"
        "  -device virtio-balloon-pci       accepted as README says\n"
        "SIGTERM, SIGINT, SIGHUP ask the guest to power off; a second one, or %d s\n"
        "without power-off, stops it (status 4).\n", 30);
}
