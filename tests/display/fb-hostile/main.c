/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fb-hostile: a PV test guest acting as a hostile vfb and vkbd frontend against xenner's backends. */
#include "xt.h"
#include "xs.h"

#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>

const char xt_test_title[] = "fb-hostile: bad pages, geometry, events and ring indexes on vfb and "
                             "vkbd (run with -vnc; the host types a key on each request)";

#define FB_W 64
#define FB_H 64
#define FB_LINE (FB_W * 4)
#define FB_PAGES 4 /* FB_LINE * FB_H bytes */
#define FB_LEN (FB_PAGES * XT_PAGE_SIZE)
#define NOT_RAM 0xffffffffffUL /* a frame far beyond any guest's RAM */
#define KEY_A 30               /* linux/input-event-codes.h */

/* Grant refs for the keyboard's page: each a different way to be wrong. */
#define REF_KBD 8   /* the page, writable by domain 0: the good one */
#define REF_RO 9    /* the page, read-only */
#define REF_DOM5 10 /* the page, for another domain */
#define REF_PT 11   /* one of our L1 page tables */
#define REF_EMPTY 12
#define REF_BEYOND 5000 /* past the one grant frame */

/* ---- one device's two directories ---- */

struct dev {
    const char *name;
    const char *fe; /* our directory, relative to /local/domain/1 */
    char be[128];   /* the backend's, from our "backend" key */
};

static struct dev vfb = { .name = "vfb", .fe = "device/vfb/0" };
static struct dev vkbd = { .name = "vkbd", .fe = "device/vkbd/0" };

static void fe_set(struct dev *d, const char *key, const char *fmt, ...) XT_PRINTF(3, 4);
static void fe_set(struct dev *d, const char *key, const char *fmt, ...)
{
    char path[96], val[64];
    va_list ap;

    va_start(ap, fmt);
    xt_vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    xt_snprintf(path, sizeof(path), "%s/%s", d->fe, key);
    if (xt_xs_op(XS_WRITE, path, val, NULL, 0))
        xtf_error("Error: cannot write %s\n", path);
}

static void fe_rm(struct dev *d, const char *key)
{
    char path[96];

    xt_snprintf(path, sizeof(path), "%s/%s", d->fe, key);
    xt_xs_op(XS_RM, path, NULL, NULL, 0); /* may not exist */
}

static void be_read(struct dev *d, const char *key, char *out, uint32_t len)
{
    char path[160];

    xt_snprintf(path, sizeof(path), "%s/%s", d->be, key);
    out[0] = 0;
    xt_xs_op(XS_READ, path, NULL, out, len);
}

/* Waits up to @ms for the backend's state to be @want. */
static bool be_wait_ms(struct dev *d, int want, unsigned ms)
{
    uint64_t end = xt_now() + XT_MS(ms);
    char v[16] = "", w[16];

    xt_snprintf(w, sizeof(w), "%d", want);
    while (xt_now() < end) {
        be_read(d, "state", v, sizeof(v));
        if (!strcmp(v, w))
            return true;
        xt_spin_ns(XT_MS(1));
    }
    xt_printk("%s: backend state is '%s', expected '%s'\n", d->name, v, w);
    return false;
}

static bool be_wait(struct dev *d, int want)
{
    return be_wait_ms(d, want, 10000);
}

/* The backend's state stays @want for 50 ms (a stop would come within one exit). */
static bool be_stays(struct dev *d, int want)
{
    uint64_t end = xt_now() + XT_MS(50);
    char v[16] = "", w[16];

    xt_snprintf(w, sizeof(w), "%d", want);
    while (xt_now() < end) {
        be_read(d, "state", v, sizeof(v));
        if (strcmp(v, w)) {
            xt_printk("%s: backend state went to '%s'\n", d->name, v);
            return false;
        }
    }
    return true;
}

/* The frontend says Closed, then Initialising (a new instance): the backend
 * goes Closed, then InitWait again. */
static void restart(struct dev *d)
{
    fe_set(d, "state", "%d", XenbusStateClosed);
    xt_check_true("the backend follows the frontend to Closed", be_wait(d, XenbusStateClosed));
    fe_set(d, "state", "%d", XenbusStateInitialising);
    xt_check_true("and to InitWait for a new frontend", be_wait(d, XenbusStateInitWait));
}

/* The keys written so far are published (Initialised): the backend must
 * refuse them, go Closing and name @why in its error node. Then restarts. */
static void refused(struct dev *d, const char *what, const char *why)
{
    char err[200], msg[160];

    fe_set(d, "state", "%d", XenbusStateInitialised);
    xt_snprintf(msg, sizeof(msg), "%s: %s refused (backend Closing)", d->name, what);
    xt_check_true(msg, be_wait(d, XenbusStateClosing));
    be_read(d, "error", err, sizeof(err));
    xt_printk("%s: %s: error node: %s\n", d->name, what, err);
    xt_snprintf(msg, sizeof(msg), "%s: the error node says '%s'", d->name, why);
    xt_check_true(msg, strstr(err, why) != NULL);
    restart(d);
}

static evtchn_port_t new_port(void)
{
    evtchn_port_t p = 0;

    xt_require_rc("alloc_unbound for domain 0", 0, xt_evtchn_alloc_unbound(0, &p));
    return p;
}

/* ---- pages ---- */

static uint64_t mfn(const void *p)
{
    return xt_virt_to_mfn(p);
}

/* Pins @p's frame as an L1 and unpins it: 0 when nothing but us holds the
 * frame writable (a backend's writable mapping must make this fail). @p
 * must read as a valid L1 (all entries not present). */
static long pin_probe(void *p)
{
    long rc;

    if (!xt_require_rc("remapping a page read-only", 0, xt_remap_ro(p)))
        return -1;
    rc = xt_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mfn(p));
    if (!rc)
        xt_require_rc("unpin", 0, xt_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn(p)));
    xt_require_rc("remapping it writable", 0, xt_remap_rw(p));
    return rc;
}

/* The frame of the page table at @level (1..4) on the way to @va. */
static uint64_t table_frame(const void *va, int level)
{
    uint64_t *e;

    if (level == 4)
        return mfn(xt_l4);
    e = xt_pte_ptr(xt_l4, (uint64_t)va, level + 1);
    if (!e || !(*e & XT_PTE_P))
        xt_panic("Error: no level-%d table for %p\n", level, va);
    return (*e & XT_PTE_ADDR) >> XT_PAGE_SHIFT;
}

/* ---- vfb ---- */

static struct xenfb_page *fbp;
static unsigned long *fb_dir;
static uint8_t *fb[FB_PAGES];
static evtchn_port_t fb_port;

/* A correct xenfb_page and directory, and the keys for it. */
static void fb_keys(void)
{
    memset(fbp, 0, XT_PAGE_SIZE);
    fbp->width = FB_W;
    fbp->height = FB_H;
    fbp->depth = 32;
    fbp->line_length = FB_LINE;
    fbp->mem_length = FB_LEN;
    fbp->pd[0] = mfn(fb_dir);
    for (unsigned i = 0; i < FB_PAGES; i++)
        fb_dir[i] = mfn(fb[i]);
    fb_port = new_port();
    fe_set(&vfb, "page-ref", "%lu", mfn(fbp));
    fe_set(&vfb, "event-channel", "%u", fb_port);
    fe_set(&vfb, "protocol", "%s", XEN_IO_PROTO_ABI_X86_64);
    fe_set(&vfb, "feature-update", "1");
}

/* @n out events into the ring and a notify: true once the backend took them. */
static bool fb_send(const union xenfb_out_event *ev, unsigned n)
{
    uint32_t prod = fbp->out_prod;
    uint64_t end = xt_now() + XT_MS(5000);

    for (unsigned i = 0; i < n; i++)
        XENFB_OUT_RING_REF(fbp, prod + i) = ev[i];
    __atomic_store_n(&fbp->out_prod, prod + n, __ATOMIC_RELEASE);
    xt_evtchn_send(fb_port);
    while (__atomic_load_n(&fbp->out_cons, __ATOMIC_ACQUIRE) != prod + n)
        if (xt_now() > end)
            return false;
    return true;
}

static union xenfb_out_event upd(int32_t x, int32_t y, int32_t w, int32_t h)
{
    return (union xenfb_out_event){ .update = { .type = XENFB_TYPE_UPDATE, .x = x, .y = y,
                                                .width = w, .height = h } };
}

static union xenfb_out_event rsz(int32_t w, int32_t h, int32_t stride, int32_t depth,
                                 int32_t offset)
{
    return (union xenfb_out_event){ .resize = { .type = XENFB_TYPE_RESIZE, .width = w,
                                                .height = h, .stride = stride, .depth = depth,
                                                .offset = offset } };
}

/* 1, 2, 3, 6: pages, geometry and directories refused at connect. */
static void vfb_refusals(void)
{
    uint64_t *pinned = xt_alloc_page();
    char why[96];
    static const struct {
        const char *what, *why;
        int32_t w, h;
        uint32_t line, len;
        uint8_t depth;
    } geo[] = {
        { "width 100000", "framebuffer 100000x64, depth 32", 100000, FB_H, FB_LINE, FB_LEN, 32 },
        { "width -64", "framebuffer -64x64", -64, FB_H, FB_LINE, FB_LEN, 32 },
        { "height 0", "framebuffer 64x0", FB_W, 0, FB_LINE, FB_LEN, 32 },
        { "depth 7", "depth 7, line length 256", FB_W, FB_H, FB_LINE, FB_LEN, 7 },
        { "mem_length 1 GiB", "framebuffer length 1073741824 out of range", FB_W, FB_H,
          FB_LINE, 1u << 30, 32 },
        { "line_length < width * 4", "line length 100,", FB_W, FB_H, 100, FB_LEN, 32 },
        { "mem_length < line_length * height", "length 4096: out of range", FB_W, FB_H,
          FB_LINE, 4096, 32 },
    };
    static const struct {
        const char *what;
        int level;
    } tables[] = { { "an L1 page table (ours)", 1 }, { "an L2 page table (ours)", 2 },
                   { "the pinned L4", 4 } };

    fb_keys();
    fe_set(&vfb, "page-ref", "%lu", NOT_RAM);
    refused(&vfb, "page-ref far outside RAM", "page-ref 0xffffffffff is not");
    fb_keys();
    fe_set(&vfb, "page-ref", "%lu", xt_start_info->nr_pages);
    xt_snprintf(why, sizeof(why), "page-ref %#lx is not", xt_start_info->nr_pages);
    refused(&vfb, "page-ref just past RAM (Xen's shared_info frame)", why);
    fb_keys();
    fe_set(&vfb, "page-ref", "abc");
    refused(&vfb, "page-ref not a number", "no valid page-ref");

    /* 6: the backend writes into its page: never into a page table. */
    for (unsigned i = 0; i < XT_ARRAY_SIZE(tables); i++) {
        uint64_t f = table_frame(&vfb, tables[i].level);

        fb_keys();
        fe_set(&vfb, "page-ref", "%lu", f);
        xt_snprintf(why, sizeof(why), "page-ref %#lx is not a writable frame", f);
        refused(&vfb, tables[i].what, why);
    }
    if (xt_require_rc("our own L1, read-only", 0, xt_remap_ro(pinned)) &&
        xt_require_rc("pinned", 0, xt_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mfn(pinned)))) {
        fb_keys();
        fe_set(&vfb, "page-ref", "%lu", mfn(pinned));
        xt_snprintf(why, sizeof(why), "page-ref %#lx is not a writable frame", mfn(pinned));
        refused(&vfb, "a page we pinned as an L1", why);
        for (unsigned i = 0; i < 512; i++)
            if (pinned[i])
                xt_check_eq("our pinned L1 is untouched", 0, pinned[i]);
        xt_require_rc("unpin", 0, xt_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn(pinned)));
    }

    /* 2: geometry. */
    for (unsigned i = 0; i < XT_ARRAY_SIZE(geo); i++) {
        fb_keys();
        fbp->width = geo[i].w;
        fbp->height = geo[i].h;
        fbp->line_length = geo[i].line;
        fbp->mem_length = geo[i].len;
        fbp->depth = geo[i].depth;
        refused(&vfb, geo[i].what, geo[i].why);
    }

    /* 3: directories and the frames they list. */
    fb_keys();
    fbp->pd[0] = NOT_RAM;
    refused(&vfb, "pd[0] far outside RAM", "page directory 0: frame 0xffffffffff is not");
    fb_keys();
    fbp->pd[0] = xt_start_info->nr_pages + 1;
    xt_snprintf(why, sizeof(why), "page directory 0: frame %#lx is not",
                xt_start_info->nr_pages + 1);
    refused(&vfb, "pd[0] a grant-table frame", why);
    fb_keys();
    fb_dir[2] = NOT_RAM;
    refused(&vfb, "a framebuffer frame far outside RAM",
            "framebuffer page 2: frame 0xffffffffff is not");
    fb_keys();
    fe_set(&vfb, "event-channel", "4000");
    refused(&vfb, "an event channel that is not ours", "event-channel 4000 is not");
    fb_keys();
    fe_set(&vfb, "event-channel", "%lu", (1UL << 32) + fb_port); /* truncated: our port */
    xt_snprintf(why, sizeof(why), "event-channel %lu is not", (1UL << 32) + fb_port);
    refused(&vfb, "an event channel number over 32 bits", why);
    fb_keys();
    fe_set(&vfb, "protocol", "%s", XEN_IO_PROTO_ABI_X86_32);
    refused(&vfb, "the 32-bit protocol", "protocol x86_32-abi: only x86_64-abi");

    /* Every refusal let go of the page: it can become a page table. */
    memset(fbp, 0, XT_PAGE_SIZE);
    xt_check_rc("the refused xenfb_page is not held writable by the backend", 0, pin_probe(fbp));
}

/* 4: a good framebuffer, bad events, then a corrupt ring. */
static void vfb_events(void)
{
    union xenfb_out_event ev[16];
    unsigned n = 0;
    char err[200];

    for (unsigned i = 0; i < FB_PAGES; i++)
        memset(fb[i], 0x40 + i, XT_PAGE_SIZE);
    fb_keys();
    fe_set(&vfb, "state", "%d", XenbusStateInitialised);
    if (!xt_check_true("vfb: a correct 64x64x32 framebuffer connects",
                       be_wait(&vfb, XenbusStateConnected)))
        return;
    fe_set(&vfb, "state", "%d", XenbusStateConnected);

    /* The backend holds the page writable: it must not become a page table
     * (pd[] is only read at connect; without it the page is a valid L1). */
    fbp->pd[0] = 0;
    xt_check_true("vfb: the connected xenfb_page cannot be pinned as an L1", pin_probe(fbp) != 0);
    fbp->pd[0] = mfn(fb_dir);

    ev[n++] = upd(100000, 5, 10, 10);
    ev[n++] = upd(5, 100000, 10, 10);
    ev[n++] = upd(-1000000, -1000000, 5, 5);
    ev[n++] = upd(-5, -5, 0x7fffffff, 0x7fffffff);
    ev[n++] = upd(0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff);
    ev[n++] = upd(-0x7fffffff - 1, -0x7fffffff - 1, 0x7fffffff, 0x7fffffff);
    ev[n++] = upd(10, 10, -5, -5);
    ev[n++] = upd(60, 60, 100, 100);
    ev[n++] = (union xenfb_out_event){ .type = 99 };
    ev[n++] = upd(0, 0, FB_W, FB_H);
    xt_check_true("vfb: updates outside the screen are taken", fb_send(ev, n));
    xt_check_true("vfb: and the device stays Connected", be_stays(&vfb, XenbusStateConnected));

    n = 0;
    ev[n++] = rsz(100000, 64, 400000, 32, 0);
    ev[n++] = rsz(64, 2000, FB_LINE, 32, 0);
    ev[n++] = rsz(64, 64, FB_LINE, 7, 0);
    ev[n++] = rsz(64, 64, 100, 32, 0);
    ev[n++] = rsz(64, 64, -FB_LINE, 32, 0);
    ev[n++] = rsz(32, 32, FB_LINE, 32, -4096);
    ev[n++] = rsz(32, 32, FB_LINE, 32, FB_LEN - 4096); /* rows past the end */
    ev[n++] = rsz(0, 0, 0, 32, 0);
    ev[n++] = rsz(32, 32, FB_LINE, 32, 4096); /* in range: taken */
    ev[n++] = upd(0, 0, FB_W, FB_H);           /* clipped to 32x32 */
    ev[n++] = upd(31, 31, 2, 2);
    xt_check_true("vfb: resizes out of range are taken", fb_send(ev, n));
    xt_check_true("vfb: and the device stays Connected", be_stays(&vfb, XenbusStateConnected));

    /* Garbage indexes: far more events than the ring holds. */
    fbp->out_prod = fbp->out_cons + 1000;
    xt_evtchn_send(fb_port);
    xt_check_true("vfb: a corrupt out ring stops the device (backend Closing)",
                  be_wait(&vfb, XenbusStateClosing));
    be_read(&vfb, "error", err, sizeof(err));
    xt_printk("vfb: corrupt ring: error node: %s\n", err);
    xt_check_true("vfb: and says why in its error node",
                  strstr(err, "out ring indexes corrupt") != NULL);
    memset(fbp, 0, XT_PAGE_SIZE);
    xt_check_rc("vfb: the stopped device let go of its page", 0, pin_probe(fbp));
    restart(&vfb);

    /* xenner lives: a new frontend instance connects again (and stays, so
     * that VNC has a screen for the keyboard's part). */
    fb_keys();
    fe_set(&vfb, "state", "%d", XenbusStateInitialised);
    xt_check_true("vfb: a new frontend connects after the stop",
                  be_wait(&vfb, XenbusStateConnected));
    {
        char path[160];

        xt_snprintf(path, sizeof(path), "%s/error", vfb.be);
        xt_check_true("vfb: and the old reason is gone from the error node",
                      xt_xs_op(XS_READ, path, NULL, NULL, 0) != 0);
    }
    fe_set(&vfb, "state", "%d", XenbusStateConnected);
    ev[0] = upd(0, 0, FB_W, FB_H);
    xt_check_true("vfb: and its update is taken", fb_send(ev, 1));
}

/* ---- vkbd ---- */

static struct xenkbd_page *kbp;
static struct grant_entry_v1 *gnt;

static void kbd_keys(uint32_t gref)
{
    fe_rm(&vkbd, "page-ref");
    fe_set(&vkbd, "page-gref", "%u", gref);
    fe_set(&vkbd, "event-channel", "%u", new_port());
    fe_set(&vkbd, "request-abs-pointer", "1");
}

static void grant(uint32_t ref, uint16_t dom, uint64_t frame, uint16_t flags)
{
    gnt[ref].flags = 0;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gnt[ref].domid = dom;
    gnt[ref].frame = frame;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gnt[ref].flags = flags;
}

static bool gnt_idle(uint32_t ref)
{
    return !(__atomic_load_n(&gnt[ref].flags, __ATOMIC_ACQUIRE) & (GTF_reading | GTF_writing));
}

static bool grant_table(void)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    xen_pfn_t frame = 0;

    gnt = (struct grant_entry_v1 *)xt_window;
    set_xen_guest_handle(st.frame_list, &frame);
    return xt_require_rc("GNTTABOP_setup_table", 0,
                         HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1)) &&
           xt_require_rc("mapping the grant table", 0,
                         xt_map_page(xt_window, frame, XT_PTE_DATA));
}

/* 5, 6: grants and frames refused at connect. */
static void vkbd_refusals(void)
{
    uint64_t l1 = table_frame(&vkbd, 1);
    char why[96];

    grant(REF_KBD, 0, mfn(kbp), GTF_permit_access);
    grant(REF_RO, 0, mfn(kbp), GTF_permit_access | GTF_readonly);
    grant(REF_DOM5, 5, mfn(kbp), GTF_permit_access);
    grant(REF_PT, 0, l1, GTF_permit_access);
    kbd_keys(REF_BEYOND);
    refused(&vkbd, "a grant ref past the table", "page-gref 5000 is not");
    kbd_keys(REF_EMPTY);
    refused(&vkbd, "an empty grant entry", "page-gref 12 is not");
    kbd_keys(REF_RO);
    refused(&vkbd, "a read-only grant", "page-gref 9 is not");
    kbd_keys(REF_DOM5);
    refused(&vkbd, "a grant for domain 5", "page-gref 10 is not");
    kbd_keys(REF_PT);
    refused(&vkbd, "a grant of an L1 page table", "page-gref 11 is not");
    xt_check_true("vkbd: the page-table grant is not left busy", gnt_idle(REF_PT));
    kbd_keys(REF_KBD);
    fe_set(&vkbd, "event-channel", "4000");
    refused(&vkbd, "a good grant, an event channel not ours", "event-channel 4000 is not");
    xt_check_true("vkbd: the good grant is not left busy", gnt_idle(REF_KBD));
    kbd_keys(REF_KBD);
    fe_set(&vkbd, "event-channel", "%u", fb_port);
    xt_snprintf(why, sizeof(why), "event-channel %u is not", fb_port);
    refused(&vkbd, "the event channel vfb is bound to", why);
    xt_check_true("vkbd: the good grant is not left busy", gnt_idle(REF_KBD));
    kbd_keys(REF_KBD);
    fe_set(&vkbd, "event-channel", "%lu", (1UL << 32) + new_port());
    refused(&vkbd, "an event channel number over 32 bits", "event-channel 4294967");

    kbd_keys(0);
    fe_rm(&vkbd, "page-gref");
    fe_set(&vkbd, "page-ref", "%lu", NOT_RAM);
    refused(&vkbd, "page-ref far outside RAM", "page-ref 1099511627775 is not");
    fe_set(&vkbd, "page-ref", "%lu", l1);
    xt_snprintf(why, sizeof(why), "page-ref %lu is not", l1);
    refused(&vkbd, "page-ref an L1 page table", why);
    fe_set(&vkbd, "page-gref", "x");
    fe_rm(&vkbd, "page-ref");
    refused(&vkbd, "neither page-gref nor page-ref", "no valid page-gref or page-ref");
}

/* Waits up to 60 s for the backend to put an event: the host's VNC client
 * types a key when it reads @prompt. */
static bool wait_key(const char *prompt)
{
    uint64_t end = xt_now() + XT_MS(60000);
    uint32_t prod = kbp->in_prod;

    xt_printk("fb-hostile: %s\n", prompt);
    while (__atomic_load_n(&kbp->in_prod, __ATOMIC_ACQUIRE) == prod)
        if (xt_now() > end)
            return false;
    return true;
}

/* 5: a good keyboard, a key, then a corrupt consumer index. */
static void vkbd_input(void)
{
    union xenkbd_in_event ev;
    char err[200];

    kbd_keys(REF_KBD);
    fe_set(&vkbd, "state", "%d", XenbusStateInitialised);
    if (!xt_check_true("vkbd: a good page-gref connects", be_wait(&vkbd, XenbusStateConnected)))
        return;
    fe_set(&vkbd, "state", "%d", XenbusStateConnected);
    xt_check_true("vkbd: its grant is busy (reading, writing) while mapped", !gnt_idle(REF_KBD));
    xt_check_true("vkbd: the connected page cannot be pinned as an L1", pin_probe(kbp) != 0);

    if (xt_check_true("vkbd: a key typed on VNC arrives", wait_key("type a key on VNC"))) {
        ev = XENKBD_IN_RING_REF(kbp, kbp->in_cons);
        xt_check_eq("vkbd: its event type", XENKBD_TYPE_KEY, ev.type);
        xt_check_eq("vkbd: its key code (KEY_A)", KEY_A, ev.key.keycode);
        xt_check_eq("vkbd: pressed", 1, ev.key.pressed);
    }
    /* Garbage: a consumer index 5000 past the producer's. The backend sees
     * it when it next puts an event. */
    __atomic_store_n(&kbp->in_cons, kbp->in_prod + 5000, __ATOMIC_RELEASE);
    xt_printk("fb-hostile: in_cons corrupt: type another key on VNC\n");
    xt_check_true("vkbd: a corrupt in ring stops the device (backend Closing)",
                  be_wait_ms(&vkbd, XenbusStateClosing, 60000));
    be_read(&vkbd, "error", err, sizeof(err));
    xt_printk("vkbd: corrupt ring: error node: %s\n", err);
    xt_check_true("vkbd: and says why in its error node",
                  strstr(err, "in ring consumer index corrupt") != NULL);
    xt_check_true("vkbd: the stopped device's grant is not busy", gnt_idle(REF_KBD));
    memset(kbp, 0, XT_PAGE_SIZE);
    xt_check_rc("vkbd: the stopped device let go of its page", 0, pin_probe(kbp));
}

void test_main(void)
{
    if (!xt_check_true("xenstore ring mapped", xt_xs_ready()) || !grant_table())
        return;
    if (xt_xs_op(XS_READ, "device/vfb/0/backend", NULL, vfb.be, sizeof(vfb.be)) ||
        xt_xs_op(XS_READ, "device/vkbd/0/backend", NULL, vkbd.be, sizeof(vkbd.be))) {
        xtf_skip("no vfb or vkbd: run with -vnc\n");
        return;
    }
    fbp = xt_alloc_page();
    fb_dir = xt_alloc_page();
    for (unsigned i = 0; i < FB_PAGES; i++)
        fb[i] = xt_alloc_page();
    kbp = xt_alloc_page();
    if (!xt_check_true("vfb: the backend waits (InitWait)", be_wait(&vfb, XenbusStateInitWait)) ||
        !xt_check_true("vkbd: the backend waits (InitWait)", be_wait(&vkbd, XenbusStateInitWait)))
        return;

    vfb_refusals();
    vfb_events();
    vkbd_refusals();
    vkbd_input();

    /* The stopped keyboard closes in order; the framebuffer's frontend
     * vanishes (its state node removed) while Connected. */
    fe_set(&vkbd, "state", "%d", XenbusStateClosed);
    xt_check_true("vkbd: closed", be_wait(&vkbd, XenbusStateClosed));
    fe_rm(&vfb, "state");
    xt_check_true("vfb: a vanished frontend is disconnected (backend Closed)",
                  be_wait(&vfb, XenbusStateClosed));
    memset(fbp, 0, XT_PAGE_SIZE);
    xt_check_rc("vfb: and its page let go of", 0, pin_probe(fbp));
    if (!xtf_failed())
        xtf_success(NULL);
}
