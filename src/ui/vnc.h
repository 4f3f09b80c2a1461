/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VNC server: the display to VNC clients, their input to the guest. */
#ifndef XENNER_VNC_H
#define XENNER_VNC_H

#include <stdbool.h>

/* -vnc ARG (and -display vnc=ARG): HOST:DISPLAY (TCP port 5900+DISPLAY,
 * HOST empty for every address), unix:PATH, or none; options share=.
 * Exits with a message on anything else. */
void vnc_configure(const char *arg);
bool vnc_enabled(void);
/* Listens and starts serving (before the guest runs); 0 or -1 (said why). */
int vnc_start(void);
/* Disconnects the clients and stops listening. */
void vnc_stop(void);

/* For QMP query-vnc: false if no VNC server runs. */
struct vnc_info {
    const char *family; /* "ipv4", "ipv6", "unix" */
    char host[108];
    char service[16];
    unsigned clients;
};
bool vnc_info(struct vnc_info *i);

#endif
