/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hvpeek: a guest process cannot read the hypervisor hole (xenner's
 * trampoline, relay pages and direct map) nor its kernel's memory. Each read
 * runs in a child whose SIGSEGV handler exits 42; prints "hvpeek: ok" if
 * every read faulted, else names the address that could be read.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_segv(int sig)
{
    _exit(42);
}

int main(void)
{
    static const struct { const char *what; uint64_t va; } probes[] = {
        { "trampoline stub page", 0xffff828000000000ULL },
        { "relay page of vCPU 0", 0xffff828000114000ULL },
        { "ring-0 stack of vCPU 0", 0xffff828000111000ULL },
        { "direct map", 0xffff830000100000ULL },
        { "kernel text", 0xffffffff81000000ULL },
        { "kernel direct map", 0xffff888000100000ULL },
    };
    int bad = 0;

    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        int st;
        pid_t pid = fork();

        if (pid == 0) {
            signal(SIGSEGV, on_segv);
            signal(SIGBUS, on_segv);
            printf("hvpeek: read %s: %#llx\n", probes[i].what,
                   (unsigned long long)*(volatile uint64_t *)probes[i].va);
            _exit(0);
        }
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 42) {
            printf("hvpeek: %s at %#llx did not fault\n", probes[i].what,
                   (unsigned long long)probes[i].va);
            bad = 1;
        }
    }
    if (!bad)
        printf("hvpeek: ok\n");
    return bad;
}
