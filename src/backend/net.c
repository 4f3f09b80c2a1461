/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network backend (vif): -netdev tap, -net nic/tap and -device xen-net-device or
 * virtio-net-pci become Xen PV network interfaces backed by host tap devices. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "backend/devices.h"
#include "backend/net-priv.h"
#include "backend/xenbus.h"
#include "util/log.h"
#include "util/opts.h"
#include "vmm/vmm.h"

#define MAX_TAPS 16

static struct net_tap taps[MAX_TAPS];
static unsigned ntaps;
static struct nic *nics[MAX_TAPS]; /* in command-line order */
static unsigned nnics;

/* -net nic and -net tap wait for net_finish() to be paired, as QEMU pairs
 * the members of one hub ("vlan"). */
static struct legacy {
    struct opts *o;
    unsigned vlan;
    struct net_tap *tap; /* -net tap */
} leg_nics[MAX_TAPS], leg_taps[MAX_TAPS];
static unsigned nleg_nics, nleg_taps;

/* ---- the tap ---- */

static void tap_vnet_setup(struct net_tap *t, const char *what)
{
    int sz = sizeof(struct virtio_net_hdr);

    if (ioctl(t->fd, TUNSETVNETHDRSZ, &sz) < 0 || ioctl(t->fd, TUNSETOFFLOAD, 0) < 0)
        log_fatalx("options", "%s: tap %s: cannot set up its offload header: %s", what,
                   t->ifname, strerror(errno));
}

/* Creates tap @ifname (or attaches to it if it exists), or a new tapN if NULL. */
static void tap_open(struct net_tap *t, const char *what, const char *ifname, bool vnet)
{
    struct ifreq ifr = { 0 };
    int fd;

    if (ifname && strlen(ifname) >= IFNAMSIZ)
        log_fatalx("options", "%s: ifname=%s: longer than %d characters", what, ifname,
                   IFNAMSIZ - 1);
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        log_fatalx("options", "%s: cannot open /dev/net/tun: %s%s", what, strerror(errno),
                   errno == EACCES || errno == EPERM ? " (creating a tap needs CAP_NET_ADMIN)"
                                                     : "");
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
    if (ifname)
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        log_fatalx("options", "%s: cannot create or attach tap %s: %s%s", what,
                   ifname ? ifname : "(new)", strerror(errno),
                   errno == EPERM ? " (needs CAP_NET_ADMIN, or a tap made for this user)" : "");
    t->fd = fd;
    snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
    t->vnet_hdr = vnet;
    if (vnet)
        tap_vnet_setup(t, what);
}

/* An inherited tap descriptor (what libvirt passes). It stays open across
 * exec, so that a reboot (a re-exec) finds it again. */
static void tap_fd(struct net_tap *t, const char *what, const char *fdstr, int vnet)
{
    struct ifreq ifr = { 0 };
    char *end;
    long fd;
    int fl;

    errno = 0;
    fd = strtol(fdstr, &end, 10);
    if (errno || end == fdstr || *end || fd < 0 || fd > 1 << 20 || fcntl(fd, F_GETFD) < 0)
        log_fatalx("options", "%s: fd=%s: not an open file descriptor", what, fdstr);
    if (ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_TAP))
        log_fatalx("options", "%s: fd=%s: not a tap device", what, fdstr);
    if (vnet == 1 && !(ifr.ifr_flags & IFF_VNET_HDR))
        log_fatalx("options", "%s: fd=%s: vnet_hdr=on, but the tap was opened without "
                   "IFF_VNET_HDR", what, fdstr);
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        log_fatalx("options", "%s: fd=%s: %s", what, fdstr, strerror(errno));
    t->fd = fd;
    snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
    t->vnet_hdr = vnet != 0 && (ifr.ifr_flags & IFF_VNET_HDR);
    if (t->vnet_hdr)
        tap_vnet_setup(t, what);
}

static bool script_none(const char *s)
{
    return !s || !*s || !strcmp(s, "no");
}

/* The tap parameters shared by -netdev tap and -net tap. */
static struct net_tap *tap_from_opts(struct opts *o, const char *what, const char *id)
{
    const char *ifname = opts_get(o, "ifname"), *fd = opts_get(o, "fd");
    const char *vhostfd = opts_get(o, "vhostfd");
    struct net_tap *t;
    int vnet = -1;

    if (ntaps == MAX_TAPS)
        log_fatalx("options", "%s: too many network backends (at most %d)", what, MAX_TAPS);
    t = &taps[ntaps++];
    t->id = strdup(id);
    if (!script_none(opts_get(o, "script")) || !script_none(opts_get(o, "downscript")))
        log_fatalx("options", "%s: xenner runs no scripts: give script=no,downscript=no and "
                   "set the tap up beforehand", what);
    if (opts_get(o, "fds") || opts_get(o, "vhostfds") || opts_get_uint(o, "queues", 1) != 1)
        log_fatalx("options", "%s: multiqueue taps are not supported (one queue per NIC)", what);
    /* vhost accelerates virtio rings in the host kernel; a PV NIC has none,
     * so the guest sees the same device with or without it. */
    opts_get_bool(o, "vhost", false);
    opts_get_bool(o, "vhostforce", false);
    if (vhostfd) {
        char *end;
        long v = strtol(vhostfd, &end, 10);

        if (end == vhostfd || *end || v < 3)
            log_fatalx("options", "%s: vhostfd=%s: not a file descriptor", what, vhostfd);
        close(v);
    }
    opts_accept(o, "sndbuf"); /* tap writes never block here: nothing to size */
    if (opts_get(o, "vnet_hdr"))
        vnet = opts_get_bool(o, "vnet_hdr", true);
    if (fd && ifname)
        log_fatalx("options", "%s: fd= and ifname= exclude each other", what);
    if (fd)
        tap_fd(t, what, fd, vnet);
    else
        tap_open(t, what, ifname, vnet != 0);
    return t;
}

static struct net_tap *find_tap(const char *id)
{
    for (unsigned i = 0; i < ntaps; i++)
        if (taps[i].id && !strcmp(taps[i].id, id))
            return &taps[i];
    return NULL;
}

void net_netdev(struct vm *vm, struct opts *o)
{
    const char *type = opts_get(o, "type"), *id = opts_get(o, "id");
    char what[96];

    if (!type)
        log_fatalx("options", "-netdev: no type given (xenner serves tap)");
    if (strcmp(type, "tap"))
        log_fatalx("options", "-netdev %s: not supported by xenner (only tap: %s)", type,
                   !strcmp(type, "user") ? "there is no user-mode networking"
                                         : "give a tap device");
    if (!id || !*id)
        log_fatalx("options", "-netdev tap: id= is required");
    snprintf(what, sizeof(what), "-netdev tap,id=%s", id);
    if (find_tap(id))
        log_fatalx("options", "%s: a second -netdev with the same id", what);
    tap_from_opts(o, what, id);
    opts_finish(o);
}

/* ---- the NIC ---- */

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned b[6];
    char end;

    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &end) != 6 || strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = b[i];
    return mac[0] & 1 ? -1 : 0; /* a multicast address cannot be a NIC's */
}

/* Xen's OUI and three bytes hashed from the tap's name and the NIC's index,
 * so that the guest sees the same MAC on every start. */
static void default_mac(const struct net_tap *t, unsigned devid, uint8_t mac[6])
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (const char *c = t->ifname; *c; c++)
        h = (h ^ (uint8_t)*c) * 16777619u;
    h = (h ^ devid) * 16777619u;
    mac[0] = 0x00, mac[1] = 0x16, mac[2] = 0x3e;
    mac[3] = (h >> 16) & 0x7f, mac[4] = h >> 8, mac[5] = h;
}

static int vif_probe(struct xb_dev *dev)
{
    struct nic *n = dev->priv;
    char mac[18];

    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1],
             n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
    xb_fe_printf(dev, "handle", "%u", dev->devid);
    xb_fe_printf(dev, "mac", "%s", mac);
    xb_be_printf(dev, "handle", "%u", dev->devid);
    xb_be_printf(dev, "mac", "%s", mac);
    xb_be_printf(dev, "type", "vif");
    xb_be_printf(dev, "feature-rx-copy", "1");
    xb_be_printf(dev, "feature-rx-flip", "0");
    xb_be_printf(dev, "feature-sg", "1");
    xb_be_printf(dev, "feature-ipv6-csum-offload", "1");
    /* GSO from the guest rides on the tap's offload header. */
    xb_be_printf(dev, "feature-gso-tcpv4", "%d", n->tap->vnet_hdr);
    xb_be_printf(dev, "feature-gso-tcpv6", "%d", n->tap->vnet_hdr);
    return 0;
}

static bool fe_flag(struct xb_dev *dev, const char *key)
{
    unsigned long v;

    return !xb_fe_uint(dev, key, &v) && v;
}

static int vif_connect(struct xb_dev *dev)
{
    struct nic *n = dev->priv;
    unsigned long tx, rx, evt, v;
    int rc;

    if (!xb_fe_uint(dev, "multi-queue-num-queues", &v) && v != 1) {
        xb_fail(dev, "the frontend asks for %lu queues; xenner offers one", v);
        return -EINVAL;
    }
    if (xb_fe_uint(dev, "tx-ring-ref", &tx) || xb_fe_uint(dev, "rx-ring-ref", &rx) ||
        tx > UINT32_MAX || rx > UINT32_MAX) {
        xb_fail(dev, "reading tx-ring-ref and rx-ring-ref");
        return -EINVAL;
    }
    if (xb_fe_uint(dev, "event-channel", &evt)) {
        xb_fail(dev, "reading event-channel (split event channels are not offered)");
        return -EINVAL;
    }
    if (xb_fe_uint(dev, "request-rx-copy", &v) || v != 1) {
        xb_fail(dev, "the frontend does not request rx-copy (page flipping is not offered)");
        return -EINVAL;
    }
    if (!fe_flag(dev, "feature-rx-notify")) {
        xb_fail(dev, "the frontend does not offer feature-rx-notify");
        return -EINVAL;
    }
    n->sg = fe_flag(dev, "feature-sg");
    n->gso4 = n->sg && fe_flag(dev, "feature-gso-tcpv4");
    n->gso6 = n->sg && fe_flag(dev, "feature-gso-tcpv6");
    /* The tap's partial checksums come for IPv4 and IPv6 alike. */
    n->csum = !fe_flag(dev, "feature-no-csum-offload") &&
              fe_flag(dev, "feature-ipv6-csum-offload");
    n->tx_ref = tx;
    n->rx_ref = rx;
    rc = xb_bind(dev, evt);
    if (rc) {
        xb_fail(dev, "event-channel %lu is not the guest's unbound channel for domain 0", evt);
        return rc;
    }
    rc = net_ring_start(n);
    if (!rc)
        log_info("net", "vif/%u: on tap %s, sg %d, rx checksum offload %d, rx gso %d/%d",
                 dev->devid, n->tap->ifname, n->sg, n->csum, n->gso4, n->gso6);
    return rc;
}

static void vif_disconnect(struct xb_dev *dev)
{
    net_ring_stop(dev->priv);
}

static void vif_notify(struct xb_dev *dev)
{
    net_ring_kick(dev->priv);
}

static const struct xb_ops vif_ops = {
    .type = "vif",
    .probe = vif_probe,
    .connect = vif_connect,
    .disconnect = vif_disconnect,
    .notify = vif_notify,
};

/* A NIC on tap @t, named (devid, so ethN) in command-line order once all are known. */
static void add_nic(struct net_tap *t, const char *mac, const char *what, unsigned seq)
{
    struct nic *n = calloc(1, sizeof(*n));
    unsigned i = nnics;

    if (!n || !(n->pkt = malloc(NET_PKT_MAX + 64)) || !(n->txbuf = malloc(NET_PKT_MAX)))
        log_fatalx("net", "out of memory");
    if (nnics == MAX_TAPS)
        log_fatalx("options", "%s: too many NICs (at most %d)", what, MAX_TAPS);
    if (t->used)
        log_fatalx("options", "%s: netdev '%s' is used by two NICs", what, t->id);
    t->used = true;
    n->tap = t;
    n->seq = seq;
    n->option = strdup(what);
    n->mac_given = mac != NULL;
    if (mac && parse_mac(mac, n->mac))
        log_fatalx("options", "%s: bad MAC address '%s' (want six hex bytes xx:xx:xx:xx:xx:xx, "
                   "not multicast)", what, mac);
    n->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (n->evfd < 0)
        log_fatal("net", "eventfd");
    for (; i > 0 && nics[i - 1]->seq > seq; i--)
        nics[i] = nics[i - 1];
    nics[i] = n;
    nnics++;
}

void net_device(struct vm *vm, struct opts *o)
{
    const char *drv = opts_get(o, "driver"), *id = opts_get(o, "netdev");
    const char *mac = opts_get(o, "mac");
    struct net_tap *t;
    char what[96];

    snprintf(what, sizeof(what), "-device %s", drv);
    if (!id)
        log_fatalx("options", "%s: netdev= is required (the -netdev tap that backs it)", what);
    t = find_tap(id);
    if (!t)
        log_fatalx("options", "%s: netdev=%s: no -netdev with that id", what, id);
    /* Where a PCI NIC would sit and boot from: a PV NIC sits on xenbus. */
    opts_accept(o, "id");
    opts_accept(o, "bus");
    opts_accept(o, "addr");
    opts_accept(o, "bootindex");
    opts_accept(o, "romfile");
    opts_finish(o);
    add_nic(t, mac, what, o->seq);
}

/* ---- legacy -net ---- */

void net_legacy(struct vm *vm, struct opts *o)
{
    const char *type = opts_get(o, "type");
    unsigned vlan = opts_get_uint(o, "vlan", 0);

    opts_accept(o, "name");
    opts_accept(o, "id");
    if (!type)
        log_fatalx("options", "-net: no type given (nic, tap or none)");
    if (!strcmp(type, "none")) {
        opts_finish(o);
    } else if (!strcmp(type, "nic")) {
        if (nleg_nics == MAX_TAPS)
            log_fatalx("options", "-net nic: too many (at most %d)", MAX_TAPS);
        /* Whatever the model, a PV guest gets a vif. */
        opts_accept(o, "model");
        leg_nics[nleg_nics++] = (struct legacy){ .o = o, .vlan = vlan };
    } else if (!strcmp(type, "tap")) {
        if (nleg_taps == MAX_TAPS)
            log_fatalx("options", "-net tap: too many (at most %d)", MAX_TAPS);
        leg_taps[nleg_taps] = (struct legacy){ .o = o, .vlan = vlan };
        leg_taps[nleg_taps++].tap = tap_from_opts(o, "-net tap", "");
        opts_finish(o);
    } else {
        log_fatalx("options", "-net %s: not supported by xenner (nic, tap, none)%s", type,
                   !strcmp(type, "user") ? ": there is no user-mode networking" : "");
    }
}

void net_finish(struct vm *vm)
{
    for (unsigned i = 0; i < nleg_nics; i++) {
        struct legacy *l = &leg_nics[i];
        const char *nd = opts_get(l->o, "netdev"), *mac = opts_get(l->o, "macaddr");
        struct net_tap *t = NULL;

        if (nd && !(t = find_tap(nd)))
            log_fatalx("options", "-net nic: netdev=%s: no -netdev with that id", nd);
        for (unsigned k = 0; !t && k < nleg_taps; k++)
            if (leg_taps[k].vlan == l->vlan && !leg_taps[k].tap->used)
                t = leg_taps[k].tap;
        if (!t)
            log_fatalx("options", "-net nic: no -net tap on vlan %u to connect it to (xenner "
                       "has no user-mode networking)", l->vlan);
        opts_finish(l->o);
        add_nic(t, mac, "-net nic", l->o->seq);
    }
    for (unsigned k = 0; k < nleg_taps; k++)
        if (!leg_taps[k].tap->used)
            log_fatalx("options", "-net tap: no -net nic on vlan %u uses it", leg_taps[k].vlan);
    for (unsigned k = 0; k < ntaps; k++)
        if (!taps[k].used)
            log_warnx("options", "-netdev tap,id=%s: no NIC uses it", taps[k].id);
    for (unsigned i = 0; i < nnics; i++) {
        if (!nics[i]->mac_given)
            default_mac(nics[i]->tap, i, nics[i]->mac);
        nics[i]->dev = xb_add(vm, &vif_ops, i, nics[i]);
    }
}
