/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xenner's helper threads (I/O, device workers): started with signals
 * blocked, woken through an eventfd. */
#ifndef XENNER_THREAD_H
#define XENNER_THREAD_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

/* Starts @fn(@arg) as thread *@t named @name (NULL: unnamed). Signals
 * belong to the vCPU and main threads (the vCPU kick, SIGTERM through the
 * signalfd), so the new thread blocks them all. 0 or an errno. */
static inline int thread_start(pthread_t *t, const char *name, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    int rc;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!rc && name)
        pthread_setname_np(*t, name);
    return rc;
}

/* Wakes a thread polling eventfd @efd (any thread); false if the write failed. */
static inline bool thread_wake(int efd)
{
    uint64_t one = 1;

    return write(efd, &one, sizeof(one)) == sizeof(one);
}

#endif
