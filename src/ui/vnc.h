/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VNC server: the display to VNC clients, their input to the guest. */
#ifndef XENNER_VNC_H
#define XENNER_VNC_H

#include <stdbool.h>
#include <time.h>

/* -vnc ARG (and -display vnc=ARG): HOST:DISPLAY (TCP port 5900+DISPLAY,
 * HOST empty for every address), unix:PATH, or none; options share=,
 * password=on.
 * Exits with a message on anything else. */
void vnc_configure(const char *arg);
bool vnc_enabled(void);
/* Listens and starts serving (before the guest runs); 0 or -1 (said why). */
int vnc_start(void);
/* Disconnects the clients and stops listening. */
void vnc_stop(void);

#define VNC_MAX_PEERS 16 /* clients listed by query-vnc */

/* A client, as QMP's VncClientInfo describes it. */
struct vnc_peer {
    const char *family; /* "ipv4", "ipv6", "unix" */
    char host[64];      /* "" for a unix socket */
    char service[16];
};

/* For QMP query-vnc: false if no VNC server runs. */
struct vnc_info {
    const char *family; /* "ipv4", "ipv6", "unix" */
    const char *auth;   /* "none", "vnc" */
    char host[108];     /* the address, or the unix socket's path */
    char service[16];   /* the port; "" for unix */
    struct vnc_peer peers[VNC_MAX_PEERS];
    unsigned nr_peers;
};
bool vnc_info(struct vnc_info *i);

/* QMP set_password: 0, or -1 without a VNC server with password=on. Only
 * the first 8 characters count (VNC authentication). Until a password is
 * set, password=on refuses every client. */
int vnc_set_password(const char *password);
/* QMP expire_password: the password stops working at @when (seconds since
 * the epoch; 0 never). -1 without a VNC server. */
int vnc_expire_password(time_t when);

/* QMP add_client: @fd, a connected socket, becomes a client (the VNC
 * thread takes it over; without VNC authentication if @skipauth). 0, or -1
 * without a VNC server (the caller keeps @fd). Any thread. */
int vnc_add_client(int fd, bool skipauth);

/* VNC_CONNECTED, VNC_INITIALIZED and VNC_DISCONNECTED, with the client, for
 * QMP (called on the VNC thread). */
void vnc_on_event(void (*fn)(const char *event, const struct vnc_peer *client));

#endif
