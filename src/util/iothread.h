/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The I/O thread: host descriptors watched on one thread, handlers called there. */
#ifndef XENNER_UTIL_IOTHREAD_H
#define XENNER_UTIL_IOTHREAD_H

#include <stdbool.h>

struct vm; /* handed to the handlers as it was to io_start; opaque here */

typedef int io_fn(struct vm *vm, int fd, void *opaque); /* <0: stop watching fd */
/* Watch fd: before io_start, or on the I/O thread. 0, or -1 if full. */
int io_add_fd(int fd, io_fn *fn, void *opaque);
/* Start the thread (if anything is watched); 0 or -1. */
int io_start(struct vm *vm);
/* Stop or resume watching @fd (any thread): a reader whose buffer is full
 * pauses its fd rather than block the I/O thread. */
void io_pause_fd(int fd, bool paused);

#endif
