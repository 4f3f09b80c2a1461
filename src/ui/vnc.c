/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VNC server (Debian's libvncserver): the display to VNC clients, their input to the guest. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rfb/rfb.h>

#include "ui/display.h"
#include "ui/keymap.h"
#include "ui/vnc.h"
#include "util/log.h"
#include "util/opts.h"
#include "util/runtime.h"

/*
 * xenner listens itself (TCP as QEMU's -vnc HOST:N, or a unix socket) and
 * hands the socket to libvncserver as its listening socket; one thread runs
 * libvncserver's event loop and moves the display's damage to the clients.
 * The display's pixels are bytes R, G, B, x: libvncserver's own 32-bit
 * format, so they are served without a copy.
 */

#define START_WIDTH 640 /* before the guest's framebuffer connects */
#define START_HEIGHT 480

static struct {
    bool enabled;
    bool force_shared; /* share=force-shared: every client shares; else a
                          client asking for exclusive access gets it */
    char *host;       /* TCP: the address ("" for all), else NULL */
    unsigned display; /* TCP port 5900 + display */
    char *unix_path;  /* unix:PATH */
    char service[16];
    const char *family; /* "ipv4", "ipv6", "unix" */
    int listen_fd;
    int wake[2];
    rfbScreenInfoPtr screen;
    pthread_t thread;
    bool stop;
    pthread_mutex_t lock; /* what follows */
    struct vnc_peer *peers[VNC_MAX_PEERS];
    unsigned clients;
    bool password_on;   /* password=on: VNC authentication */
    char password[9];   /* set_password; "" refuses every client */
    time_t expires;     /* expire_password; 0: never */
    void (*on_event)(const char *event, const struct vnc_peer *client);
    struct added { int fd; bool skipauth; } added[VNC_MAX_PEERS]; /* add_client's, for the VNC thread */
    unsigned nr_added;
} vnc = { .listen_fd = -1, .wake = { -1, -1 }, .lock = PTHREAD_MUTEX_INITIALIZER };

void vnc_configure(const char *arg)
{
    struct opts *o;
    const char *where;

    if (!strcmp(arg, "none")) {
        vnc.enabled = false;
        return;
    }
    o = opts_parse("-vnc", arg, "vnc");
    where = opts_get(o, "vnc");
    if (!where)
        log_fatalx("options", "-vnc %s: no address given (HOST:DISPLAY or unix:PATH)", arg);
    if (!strncmp(where, "unix:", 5)) {
        if (!where[5])
            log_fatalx("options", "-vnc %s: no path after unix:", arg);
        vnc.unix_path = strdup(where + 5);
    } else {
        const char *colon = strrchr(where, ':');
        char *end;
        unsigned long d;

        if (!colon)
            log_fatalx("options", "-vnc %s: expected HOST:DISPLAY or unix:PATH", arg);
        d = strtoul(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end || d > 65535 - 5900)
            log_fatalx("options", "-vnc %s: display number '%s' out of range (0..%d)", arg,
                       colon + 1, 65535 - 5900);
        vnc.host = strndup(where, colon - where);
        if (vnc.host[0] == '[' && vnc.host[strlen(vnc.host) - 1] == ']') {
            memmove(vnc.host, vnc.host + 1, strlen(vnc.host));
            vnc.host[strlen(vnc.host) - 1] = '\0';
        }
        vnc.display = d;
    }
    vnc.password_on = opts_get_bool(o, "password", false);
    opts_accept(o, "id");
    /* libvirt 9.0 names its -audiodev (driver none); no sound goes on VNC. */
    opts_accept(o, "audiodev");
    if (opts_get(o, "websocket"))
        log_fatalx("options", "-vnc %s: websocket: xenner's VNC server has no WebSocket "
                   "listener (use a plain VNC client, or websockify in front)", arg);
    opts_only(o, "share", (const char *const[]){ "allow-exclusive", "force-shared", NULL });
    vnc.force_shared = opts_get(o, "share") && !strcmp(opts_get(o, "share"), "force-shared");
    opts_finish(o);
    vnc.enabled = true;
}

bool vnc_enabled(void)
{
    return vnc.enabled;
}

static int listen_tcp(void)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res, *r;
    int fd = -1, one = 1, err;

    snprintf(vnc.service, sizeof(vnc.service), "%u", 5900 + vnc.display);
    err = getaddrinfo(vnc.host[0] ? vnc.host : NULL, vnc.service, &hints, &res);
    if (err) {
        log_warnx("vnc", "-vnc %s:%u: %s", vnc.host, vnc.display, gai_strerror(err));
        return -1;
    }
    errno = EADDRNOTAVAIL;
    for (r = res; r; r = r->ai_next) {
        fd = socket(r->ai_family, r->ai_socktype | SOCK_CLOEXEC, r->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (!bind(fd, r->ai_addr, r->ai_addrlen) && !listen(fd, 8)) {
            vnc.family = r->ai_family == AF_INET6 ? "ipv6" : "ipv4";
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
        errno = err;
    }
    freeaddrinfo(res);
    if (fd < 0)
        log_warn("vnc", "cannot listen on %s:%s (-vnc %s:%u)", vnc.host[0] ? vnc.host : "*",
                 vnc.service, vnc.host, vnc.display);
    return fd;
}

static void quiet_log(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    buf[strcspn(buf, "\n")] = '\0';
    log_debug("vnc", "libvncserver: %s", buf);
}

static void emit(const char *event, const struct vnc_peer *p)
{
    if (vnc.on_event)
        vnc.on_event(event, p);
}

/* Per client: its address, and whether VNC_INITIALIZED went out. */
struct client {
    struct vnc_peer peer;
    bool initialized;
};

static void client_gone(rfbClientPtr cl)
{
    struct client *c = cl->clientData;

    pthread_mutex_lock(&vnc.lock);
    for (unsigned i = 0; i < VNC_MAX_PEERS; i++)
        if (vnc.peers[i] == &c->peer)
            vnc.peers[i] = NULL;
    vnc.clients--;
    pthread_mutex_unlock(&vnc.lock);
    log_info("vnc", "client %s:%s disconnected", c->peer.host, c->peer.service);
    emit("VNC_DISCONNECTED", &c->peer);
    free(c);
    cl->clientData = NULL;
}

static enum rfbNewClientAction new_client(rfbClientPtr cl)
{
    struct client *c = calloc(1, sizeof(*c));
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);

    if (!c)
        return RFB_CLIENT_REFUSE;
    c->peer.family = vnc.family;
    if (getpeername(cl->sock, (struct sockaddr *)&sa, &len))
        sa.ss_family = AF_UNIX; /* no address to show: list it as local */
    if (sa.ss_family == AF_UNIX)
        c->peer.family = "unix";
    else
        getnameinfo((struct sockaddr *)&sa, len, c->peer.host, sizeof(c->peer.host),
                    c->peer.service, sizeof(c->peer.service), NI_NUMERICHOST | NI_NUMERICSERV);
    cl->clientData = c;
    cl->clientGoneHook = client_gone;
    pthread_mutex_lock(&vnc.lock);
    for (unsigned i = 0; i < VNC_MAX_PEERS; i++)
        if (!vnc.peers[i]) {
            vnc.peers[i] = &c->peer;
            break;
        }
    vnc.clients++;
    pthread_mutex_unlock(&vnc.lock);
    log_info("vnc", "client %s:%s connected", c->peer.host, c->peer.service);
    emit("VNC_CONNECTED", &c->peer);
    return RFB_CLIENT_ACCEPT;
}

/* VNC_INITIALIZED for clients past authentication and ClientInit (VNC thread). */
static void check_initialized(void)
{
    rfbClientIteratorPtr it = rfbGetClientIterator(vnc.screen);
    rfbClientPtr cl;

    while ((cl = rfbClientIteratorNext(it))) {
        struct client *c = cl->clientData;

        if (c && !c->initialized && cl->state == RFB_NORMAL) {
            c->initialized = true;
            emit("VNC_INITIALIZED", &c->peer);
        }
    }
    rfbReleaseClientIterator(it);
}

/* VNC authentication (password=on): the DES of the challenge under the
 * password set by QMP set_password, until expire_password's time. */
static rfbBool check_password(rfbClientPtr cl, const char *response, int len)
{
    unsigned char want[CHALLENGESIZE];
    char pw[9];
    bool ok;

    pthread_mutex_lock(&vnc.lock);
    ok = vnc.password[0] && (!vnc.expires || time(NULL) < vnc.expires);
    memcpy(pw, vnc.password, sizeof(pw));
    pthread_mutex_unlock(&vnc.lock);
    if (!ok || len != CHALLENGESIZE) {
        log_info("vnc", "client refused: %s", ok ? "bad response" :
                 "no password set, or it expired");
        return FALSE;
    }
    memcpy(want, cl->authChallenge, sizeof(want));
    rfbEncryptBytes(want, pw);
    ok = !memcmp(want, response, sizeof(want));
    if (!ok)
        log_info("vnc", "client refused: wrong password");
    return ok;
}

int vnc_set_password(const char *password)
{
    if (!vnc.screen || !vnc.password_on)
        return -1;
    pthread_mutex_lock(&vnc.lock);
    snprintf(vnc.password, sizeof(vnc.password), "%s", password);
    pthread_mutex_unlock(&vnc.lock);
    return 0;
}

int vnc_expire_password(time_t when)
{
    if (!vnc.screen)
        return -1;
    pthread_mutex_lock(&vnc.lock);
    vnc.expires = when;
    pthread_mutex_unlock(&vnc.lock);
    return 0;
}

void vnc_on_event(void (*fn)(const char *event, const struct vnc_peer *client))
{
    vnc.on_event = fn;
}

static void key_event(rfbBool down, rfbKeySym sym, rfbClientPtr cl)
{
    unsigned code = keymap_from_keysym(sym);

    if (code)
        display_key(code, down);
    else
        log_debug("vnc", "keysym %#x: no key on an en-us keyboard", (unsigned)sym);
}

static void pointer_event(int mask, int x, int y, rfbClientPtr cl)
{
    int wheel = (mask & 8 ? 1 : 0) - (mask & 16 ? 1 : 0); /* buttons 4 and 5 */

    display_pointer(x, y, mask & 7, wheel);
    rfbDefaultPtrAddEvent(mask, x, y, cl); /* the cursor position libvncserver draws */
}

static void wake(void *opaque)
{
    char c = 0;

    if (write(vnc.wake[1], &c, 1) < 0 && errno != EAGAIN)
        log_warn("vnc", "wake");
}

/* Hands the display's damage to libvncserver (VNC thread). */
static void flush_damage(void)
{
    unsigned x, y, w, h, dw, dh;
    bool resized, any;
    uint32_t *px;

    display_lock();
    any = display_take_damage(&x, &y, &w, &h, &resized);
    px = display_pixels(&dw, &dh);
    display_unlock();
    if (!any || !px)
        return;
    if (resized || (char *)px != vnc.screen->frameBuffer)
        rfbNewFramebuffer(vnc.screen, (char *)px, dw, dh, 8, 3, 4);
    else
        rfbMarkRectAsModified(vnc.screen, x, y, x + w, y + h);
}

int vnc_add_client(int fd, bool skipauth)
{
    int ret = -1;

    if (!vnc.screen)
        return -1;
    pthread_mutex_lock(&vnc.lock);
    if (vnc.nr_added < VNC_MAX_PEERS) {
        vnc.added[vnc.nr_added++] = (struct added){ fd, skipauth };
        ret = 0;
    }
    pthread_mutex_unlock(&vnc.lock);
    if (ret)
        log_warnx("vnc", "add_client: too many clients waiting to be added");
    else
        wake(NULL);
    return ret;
}

/* add_client's sockets become clients (VNC thread). */
static void take_added(void)
{
    struct added added[VNC_MAX_PEERS];
    unsigned n;

    pthread_mutex_lock(&vnc.lock);
    n = vnc.nr_added;
    memcpy(added, vnc.added, n * sizeof(added[0]));
    vnc.nr_added = 0;
    pthread_mutex_unlock(&vnc.lock);
    for (unsigned i = 0; i < n; i++) {
        rfbClientPtr cl = rfbNewClient(vnc.screen, added[i].fd);

        /* libvncserver offers no authentication to a connection it made
         * itself (reverseConnection): what skipauth asks. */
        if (cl && added[i].skipauth)
            cl->reverseConnection = TRUE;
        if (!cl)
            log_warnx("vnc", "add_client: libvncserver refused the socket");
    }
}

static void *loop(void *arg)
{
    char buf[64];

    while (!__atomic_load_n(&vnc.stop, __ATOMIC_ACQUIRE)) {
        rfbProcessEvents(vnc.screen, 500000);
        while (read(vnc.wake[0], buf, sizeof(buf)) > 0)
            ;
        take_added();
        flush_damage();
        rfbProcessEvents(vnc.screen, 0);
        check_initialized();
    }
    return NULL;
}

int vnc_start(void)
{
    static uint32_t start_pixels[START_WIDTH * START_HEIGHT];
    rfbScreenInfoPtr s;

    if (!vnc.enabled)
        return 0;
    if (vnc.unix_path) {
        vnc.listen_fd = runtime_listen_unix(vnc.unix_path, 0600);
        if (vnc.listen_fd < 0) {
            log_warn("vnc", "cannot listen on unix socket %s (-vnc unix:%s)", vnc.unix_path,
                     vnc.unix_path);
            return -1;
        }
        vnc.family = "unix";
    } else {
        vnc.listen_fd = listen_tcp();
        if (vnc.listen_fd < 0)
            return -1;
    }
    if (pipe2(vnc.wake, O_CLOEXEC | O_NONBLOCK)) {
        log_warn("vnc", "pipe");
        return -1;
    }
    rfbLog = quiet_log;
    rfbErr = quiet_log;
    s = rfbGetScreen(NULL, NULL, START_WIDTH, START_HEIGHT, 8, 3, 4);
    if (!s) {
        log_warnx("vnc", "libvncserver cannot make a screen");
        return -1;
    }
    s->frameBuffer = (char *)start_pixels;
    s->desktopName = "xenner";
    s->autoPort = FALSE;
    s->port = 0;
    s->ipv6port = 0;
    s->httpPort = 0;
    s->deferUpdateTime = 0;
    s->alwaysShared = vnc.force_shared;
    s->ignoreSIGPIPE = TRUE;
    s->kbdAddEvent = key_event;
    s->ptrAddEvent = pointer_event;
    s->newClientHook = new_client;
    if (vnc.password_on) {
        static const char *const none[] = { NULL };

        s->authPasswdData = (void *)none; /* non-NULL: offer VNC authentication */
        s->passwordCheck = check_password;
    }
    rfbInitServer(s);
    /* Our listening socket, and the pipe that wakes the loop for damage. */
    s->listenSock = vnc.listen_fd;
    FD_SET(vnc.listen_fd, &s->allFds);
    FD_SET(vnc.wake[0], &s->allFds);
    s->maxFd = vnc.listen_fd > vnc.wake[0] ? vnc.listen_fd : vnc.wake[0];
    vnc.screen = s;
    display_set_waker(wake, NULL);
    display_lock();
    display_damage(0, 0, 1, 1); /* a guest screen drawn before we started */
    display_unlock();
    if (pthread_create(&vnc.thread, NULL, loop, NULL)) {
        log_warnx("vnc", "cannot start the VNC thread");
        return -1;
    }
    if (vnc.unix_path)
        log_info("vnc", "listening on unix:%s", vnc.unix_path);
    else
        log_info("vnc", "listening on %s:%s", vnc.host[0] ? vnc.host : "*", vnc.service);
    return 0;
}

void vnc_stop(void)
{
    if (!vnc.screen)
        return;
    __atomic_store_n(&vnc.stop, true, __ATOMIC_RELEASE);
    wake(NULL);
    pthread_join(vnc.thread, NULL);
    display_set_waker(NULL, NULL);
    for (unsigned i = 0; i < vnc.nr_added; i++)
        close(vnc.added[i].fd);
    vnc.nr_added = 0;
    rfbShutdownServer(vnc.screen, TRUE);
    vnc.screen = NULL;
}

bool vnc_info(struct vnc_info *i)
{
    memset(i, 0, sizeof(*i));
    if (!vnc.screen)
        return false;
    i->family = vnc.family;
    i->auth = vnc.password_on ? "vnc" : "none";
    if (vnc.unix_path) {
        snprintf(i->host, sizeof(i->host), "%s", vnc.unix_path);
    } else {
        snprintf(i->host, sizeof(i->host), "%s", vnc.host[0] ? vnc.host : "0.0.0.0");
        snprintf(i->service, sizeof(i->service), "%s", vnc.service);
    }
    pthread_mutex_lock(&vnc.lock);
    for (unsigned k = 0; k < VNC_MAX_PEERS; k++)
        if (vnc.peers[k])
            i->peers[i->nr_peers++] = *vnc.peers[k];
    pthread_mutex_unlock(&vnc.lock);
    return true;
}
