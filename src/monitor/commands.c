/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP commands: what libvirt asks when it probes xenner and runs a domain. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "monitor/qmp.h"
#include "util/chardev.h"
#include "util/opts.h"
#include "vmm/runstate.h"
#include "vmm/vmm.h"

/*
 * Answers are honest: what xenner provides, not what QEMU would. Where
 * libvirt only asks whether something exists (device types, properties,
 * SEV), the answer is "no" in the form libvirt tolerates (README, "QMP").
 */

#define OBJ() json_object_new_object()
#define ARR() json_object_new_array()
#define STR(s) json_object_new_string(s)
#define INT(i) json_object_new_int64(i)
#define BOOL(b) json_object_new_boolean(b)
#define ADD(o, k, v) json_object_object_add(o, k, v)
#define PUSH(a, v) json_object_array_add(a, v)

/* Device and object types xenner knows, with their QOM parents. */
static const struct {
    const char *name, *parent;
} types[] = {
    { "isa-serial", "isa-device" },            /* the PV console, as libvirt names it */
    { "virtio-blk-pci", "virtio-pci" },        /* a Xen vbd */
    { "virtio-net-pci", "virtio-pci" },        /* a Xen vif */
    { "virtio-balloon-pci", "virtio-pci" },    /* Xen's balloon (memory/target) */
    { "VGA", "pci-device" },                   /* the PV framebuffer (libvirt's <video>) */
    { "cirrus-vga", "pci-device" },
    { "secret", "object" },
    { "memory-backend-ram", "memory-backend" },
    { "qemu64-x86_64-cpu", "x86_64-cpu" },
    { "kvm64-x86_64-cpu", "x86_64-cpu" },
    { "host-x86_64-cpu", "x86_64-cpu" },
    { "max-x86_64-cpu", "x86_64-cpu" },
    /* The accelerators, as QEMU lists those it was built with (libvirt
     * offers <domain type='qemu'> only with tcg-accel); tcg-accel only where
     * the software CPU's QEMU is installed. */
    { "kvm-accel", "accel" },
    { "tcg-accel", "accel" },
};

static const char *const cpu_models[] = { "qemu64", "kvm64", "host", "max" };

static bool known_type(const char *name)
{
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(types[i].name, name))
            return true;
    return false;
}

static struct json_object *q_version(struct vm *vm, struct json_object *args)
{
    struct json_object *r = OBJ(), *q = OBJ();

    ADD(q, "major", INT(QMP_QEMU_MAJOR));
    ADD(q, "minor", INT(QMP_QEMU_MINOR));
    ADD(q, "micro", INT(QMP_QEMU_MICRO));
    ADD(r, "qemu", q);
    ADD(r, "package", STR("xenner " XENNER_VERSION));
    return r;
}

static struct json_object *q_target(struct vm *vm, struct json_object *args)
{
    struct json_object *r = OBJ();

    ADD(r, "arch", STR("x86_64"));
    return r;
}

/* An empty schema: libvirt then uses the plain key=value command line. */
static struct json_object *q_schema(struct vm *vm, struct json_object *args)
{
    return ARR();
}

static void add_command_name(void *opaque, const char *name)
{
    struct json_object *c = OBJ();

    ADD(c, "name", STR(name));
    PUSH((struct json_object *)opaque, c);
}

static struct json_object *q_commands(struct vm *vm, struct json_object *args)
{
    struct json_object *r = ARR();

    add_command_name(r, "qmp_capabilities");
    qmp_command_names(add_command_name, r);
    return r;
}

/* As QEMU: present if KVM can be used here, enabled if it runs the guest
 * (with -machine none: if it would, from accel=). */
static struct json_object *q_kvm(struct vm *vm, struct json_object *args)
{
    struct json_object *r = OBJ();
    char why[256];

    ADD(r, "enabled", BOOL(vm_accel(vm) == &accel_kvm));
    ADD(r, "present", BOOL(accel_kvm.probe(why, sizeof(why)) == 0));
    return r;
}

static struct json_object *q_types(struct vm *vm, struct json_object *args)
{
    struct json_object *r = ARR();
    const char *impl = qmp_arg_str(args, "implements");
    char why[256];

    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct json_object *t;

        if (impl && strcmp(impl, types[i].parent))
            continue;
        if (!strcmp(types[i].name, "tcg-accel") && accel_tcg.probe(why, sizeof(why)))
            continue;
        t = OBJ();
        ADD(t, "name", STR(types[i].name));
        ADD(t, "parent", STR(types[i].parent));
        PUSH(r, t);
    }
    return r;
}

/* device-list-properties: no settable properties are offered for the
 * device types xenner knows; others do not exist. */
static struct json_object *q_type_props(struct vm *vm, struct json_object *args)
{
    const char *t = qmp_arg_str(args, "typename");

    if (!t || !known_type(t)) {
        qmp_fail("DeviceNotFound", "Device '%s' not found", t ? t : "");
        return NULL;
    }
    return ARR();
}

/* qom-list-properties: none, for any type. libvirt 9.0's probe asks about
 * object types such as memory-backend-file, and DeviceNotFound there
 * crashes libvirtd (measured), though its docs tolerate it. */
static struct json_object *q_obj_props(struct vm *vm, struct json_object *args)
{
    return ARR();
}

static struct json_object *q_machines(struct vm *vm, struct json_object *args)
{
    struct json_object *r = ARR(), *m = OBJ();

    ADD(m, "name", STR("xenpv"));
    ADD(m, "is-default", BOOL(true));
    ADD(m, "cpu-max", INT(1));
    ADD(m, "hotpluggable-cpus", BOOL(false));
    ADD(m, "numa-mem-supported", BOOL(false));
    ADD(m, "deprecated", BOOL(false));
    ADD(m, "default-cpu-type", STR("qemu64-x86_64-cpu"));
    ADD(m, "acpi", BOOL(false));
    PUSH(r, m);
    return r;
}

static struct json_object *q_cpu_defs(struct vm *vm, struct json_object *args)
{
    struct json_object *r = ARR();

    for (unsigned i = 0; i < sizeof(cpu_models) / sizeof(cpu_models[0]); i++) {
        struct json_object *c = OBJ();
        char tn[64];

        snprintf(tn, sizeof(tn), "%s-x86_64-cpu", cpu_models[i]);
        ADD(c, "name", STR(cpu_models[i]));
        ADD(c, "typename", STR(tn));
        ADD(c, "unavailable-features", ARR());
        ADD(c, "static", BOOL(false));
        ADD(c, "migration-safe", BOOL(strcmp(cpu_models[i], "host") != 0));
        ADD(c, "deprecated", BOOL(false));
        PUSH(r, c);
    }
    return r;
}

/* Options xenner takes, for libvirt's feature checks. Parameters are not
 * listed: libvirt then assumes none of the optional ones it looks for
 * (and -sandbox, which xenner refuses, is absent). */
static struct json_object *q_cmdline(struct vm *vm, struct json_object *args)
{
    static const char *const opts[] = { "machine", "accel", "smp", "name", "uuid", "chardev",
                                        "mon", "qmp", "serial", "rtc", "boot", "msg",
                                        "overcommit", "object", "drive", "blockdev", "netdev",
                                        "device", "audiodev", "pidfile", "daemonize" };
    const char *only = qmp_arg_str(args, "option");
    struct json_object *r = ARR();

    for (unsigned i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        struct json_object *o;

        if (only && strcmp(only, opts[i]))
            continue;
        o = OBJ();
        ADD(o, "option", STR(opts[i]));
        ADD(o, "parameters", ARR());
        PUSH(r, o);
    }
    if (only && !json_object_array_length(r)) {
        json_object_put(r);
        qmp_fail("GenericError", "Invalid parameter 'option'");
        return NULL;
    }
    return r;
}

/* No migration yet: the "events" capability only switches MIGRATION events. */
static struct json_object *q_migrate_caps(struct vm *vm, struct json_object *args)
{
    struct json_object *r = ARR(), *c = OBJ();

    ADD(c, "capability", STR("events"));
    ADD(c, "state", BOOL(false));
    PUSH(r, c);
    return r;
}

static struct json_object *migrate_set_caps(struct vm *vm, struct json_object *args)
{
    struct json_object *caps;

    if (!args || !json_object_object_get_ex(args, "capabilities", &caps) ||
        !json_object_is_type(caps, json_type_array)) {
        qmp_fail("GenericError", "Parameter 'capabilities' is missing");
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(caps); i++) {
        const char *name = qmp_arg_str(json_object_array_get_idx(caps, i), "capability");

        if (!name || strcmp(name, "events")) {
            qmp_fail("GenericError", "Migration capability '%s' is not supported by xenner",
                     name ? name : "");
            return NULL;
        }
    }
    return NULL;
}

static struct json_object *q_not_available(struct vm *vm, struct json_object *args)
{
    qmp_fail("GenericError", "not available with xenner (a Xen PV guest)");
    return NULL;
}

static struct json_object *q_status(struct vm *vm, struct json_object *args)
{
    struct json_object *r = OBJ();
    enum run_state s = run_state(vm);

    ADD(r, "running", BOOL(s == RS_RUNNING));
    ADD(r, "singlestep", BOOL(false));
    ADD(r, "status", STR(run_state_name(s)));
    return r;
}

static void one_chardev(void *opaque, const char *label, const char *filename, bool open)
{
    struct json_object *c = OBJ();

    ADD(c, "label", STR(label));
    ADD(c, "filename", STR(filename));
    ADD(c, "frontend-open", BOOL(open));
    PUSH((struct json_object *)opaque, c);
}

static struct json_object *q_chardev(struct vm *vm, struct json_object *args)
{
    struct json_object *r = ARR();

    chardev_foreach(one_chardev, r);
    return r;
}

static struct json_object *q_cpus_fast(struct vm *vm, struct json_object *args)
{
    struct json_object *r = ARR(), *c, *props;

    if (vm->cfg.no_machine)
        return r;
    c = OBJ();
    props = OBJ();
    ADD(c, "cpu-index", INT(0));
    ADD(c, "qom-path", STR("/machine/unattached/device[0]"));
    ADD(c, "thread-id", INT(run_vcpu_tid(vm) ? run_vcpu_tid(vm) : getpid()));
    ADD(props, "socket-id", INT(0));
    ADD(props, "core-id", INT(0));
    ADD(props, "thread-id", INT(0));
    ADD(c, "props", props);
    ADD(c, "target", STR("x86_64"));
    PUSH(r, c);
    return r;
}

#define CPU_PATH "/machine/unattached/device[0]"

static struct json_object *prop(const char *name, const char *type)
{
    struct json_object *p = OBJ();

    ADD(p, "name", STR(name));
    ADD(p, "type", STR(type));
    return p;
}

/* QOM, as far as libvirt looks: the vCPU (whose features it checks: the
 * guest's CPUID is Xen's PV policy, not a QEMU model, so there are no
 * per-feature properties and none unavailable) and the devices under
 * /machine/peripheral by their -device ids. */
static struct json_object *qom_list(struct vm *vm, struct json_object *args)
{
    const char *path = qmp_arg_str(args, "path");
    struct json_object *r;

    if (path && !strcmp(path, CPU_PATH) && !vm->cfg.no_machine) {
        r = ARR();
        PUSH(r, prop("type", "string"));
        return r;
    }
    if (path && !strcmp(path, "/machine/peripheral")) {
        r = ARR();
        PUSH(r, prop("type", "string"));
        for (unsigned i = 0; i < vm->cfg.device.n; i++) {
            struct opts *o = vm->cfg.device.v[i];
            const char *id = NULL, *drv = NULL;
            char t[96];

            for (unsigned k = 0; k < o->n; k++) {
                if (!strcmp(o->kv[k].key, "id"))
                    id = o->kv[k].val;
                else if (!strcmp(o->kv[k].key, "driver"))
                    drv = o->kv[k].val;
            }
            if (!id || !drv)
                continue;
            snprintf(t, sizeof(t), "child<%s>", drv);
            PUSH(r, prop(id, t));
        }
        return r;
    }
    qmp_fail("DeviceNotFound", "Device '%s' not found", path ? path : "");
    return NULL;
}

static struct json_object *qom_get(struct vm *vm, struct json_object *args)
{
    const char *path = qmp_arg_str(args, "path"), *p = qmp_arg_str(args, "property");

    if (path && p && !strcmp(path, CPU_PATH) && !vm->cfg.no_machine) {
        if (!strcmp(p, "type"))
            return STR("qemu64-x86_64-cpu");
        if (!strcmp(p, "unavailable-features") || !strcmp(p, "filtered-features") ||
            !strcmp(p, "feature-words"))
            return ARR();
    }
    qmp_fail("GenericError", "Property '%s.%s' not found", path ? path : "", p ? p : "");
    return NULL;
}

static struct json_object *q_hotpluggable(struct vm *vm, struct json_object *args)
{
    struct json_object *r = ARR(), *c, *props;

    if (vm->cfg.no_machine)
        return r;
    c = OBJ();
    props = OBJ();
    ADD(props, "socket-id", INT(0));
    ADD(props, "core-id", INT(0));
    ADD(props, "thread-id", INT(0));
    ADD(c, "props", props);
    ADD(c, "vcpus-count", INT(1));
    ADD(c, "qom-path", STR(CPU_PATH));
    ADD(c, "type", STR("qemu64-x86_64-cpu"));
    PUSH(r, c);
    return r;
}

static struct json_object *balloon(struct vm *vm, struct json_object *args)
{
    struct json_object *v;

    if (!vm->cfg.balloon) {
        qmp_fail("DeviceNotActive", "No balloon device has been activated");
        return NULL;
    }
    if (!args || !json_object_object_get_ex(args, "value", &v)) {
        qmp_fail("GenericError", "Parameter 'value' is missing");
        return NULL;
    }
    if ((uint64_t)json_object_get_int64(v) != vm->cfg.ram_bytes)
        qmp_fail("GenericError", "xenner cannot balloon yet: the guest keeps its %llu MiB",
                 (unsigned long long)(vm->cfg.ram_bytes >> 20));
    return NULL;
}

static struct json_object *q_balloon(struct vm *vm, struct json_object *args)
{
    struct json_object *r;

    if (!vm->cfg.balloon) {
        qmp_fail("DeviceNotActive", "No balloon device has been activated");
        return NULL;
    }
    r = OBJ();
    ADD(r, "actual", INT(vm->cfg.ram_bytes));
    return r;
}

/* Disks come with the block backend; none yet. */
static struct json_object *q_empty(struct vm *vm, struct json_object *args)
{
    return ARR();
}

static struct json_object *cont(struct vm *vm, struct json_object *args)
{
    if (run_cont(vm))
        qmp_fail("GenericError", "the guest has shut down: only quit is left");
    return NULL;
}

static struct json_object *stop(struct vm *vm, struct json_object *args)
{
    run_stop(vm);
    return NULL;
}

/* For commands that act on the guest: false, with the error, if none runs. */
static bool guest_running(struct vm *vm)
{
    if (vm->cfg.no_machine || run_state(vm) == RS_SHUTDOWN) {
        qmp_fail("GenericError", "no guest is running");
        return false;
    }
    return true;
}

static struct json_object *powerdown(struct vm *vm, struct json_object *args)
{
    if (guest_running(vm))
        run_powerdown(vm);
    return NULL;
}

static struct json_object *reset(struct vm *vm, struct json_object *args)
{
    if (guest_running(vm))
        run_reset(vm);
    return NULL;
}

/* The reply goes out first; qmp.c then ends xenner. */
static struct json_object *quit(struct vm *vm, struct json_object *args)
{
    return NULL;
}

static struct json_object *q_name(struct vm *vm, struct json_object *args)
{
    struct json_object *r = OBJ();

    if (vm->cfg.name)
        ADD(r, "name", STR(vm->cfg.name));
    return r;
}

static struct json_object *q_uuid(struct vm *vm, struct json_object *args)
{
    const uint8_t *u = vm->cfg.no_machine ? vm->cfg.uuid : vm->d.handle;
    struct json_object *r = OBJ();
    char s[40];

    snprintf(s, sizeof(s), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
             u[13], u[14], u[15]);
    ADD(r, "UUID", STR(s));
    return r;
}

static struct json_object *q_events(struct vm *vm, struct json_object *args)
{
    static const char *const ev[] = { "SHUTDOWN", "POWERDOWN", "STOP", "RESUME", "RESET",
                                      "VNC_CONNECTED", "VNC_INITIALIZED", "VNC_DISCONNECTED" };
    struct json_object *r = ARR();

    for (unsigned i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
        struct json_object *e = OBJ();

        ADD(e, "name", STR(ev[i]));
        PUSH(r, e);
    }
    return r;
}

const struct qmp_cmd qmp_commands[] = {
    { "query-version", q_version },
    { "query-target", q_target },
    { "query-qmp-schema", q_schema },
    { "query-commands", q_commands },
    { "query-events", q_events },
    { "query-kvm", q_kvm },
    { "qom-list-types", q_types },
    { "device-list-properties", q_type_props },
    { "qom-list-properties", q_obj_props },
    { "query-machines", q_machines },
    { "query-cpu-definitions", q_cpu_defs },
    { "query-command-line-options", q_cmdline },
    { "query-migrate-capabilities", q_migrate_caps },
    { "migrate-set-capabilities", migrate_set_caps },
    { "query-sev-capabilities", q_not_available },
    { "query-sgx-capabilities", q_not_available },
    { "query-cpu-model-expansion", q_not_available },
    { "query-status", q_status },
    { "query-name", q_name },
    { "query-uuid", q_uuid },
    { "query-chardev", q_chardev },
    { "query-cpus-fast", q_cpus_fast },
    { "query-hotpluggable-cpus", q_hotpluggable },
    { "qom-list", qom_list },
    { "qom-get", qom_get },
    { "balloon", balloon },
    { "query-balloon", q_balloon },
    { "query-named-block-nodes", q_empty },
    { "query-block", q_empty },
    { "query-iothreads", q_empty },
    { "cont", cont },
    { "stop", stop },
    { "system_powerdown", powerdown },
    { "system_reset", reset },
    { "quit", quit },
};
const unsigned qmp_nr_commands = sizeof(qmp_commands) / sizeof(qmp_commands[0]);
