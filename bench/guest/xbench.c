/*
 * xbench: a small micro benchmark run inside a Linux guest (and on the host,
 * for comparison) by bench/linux-boot. See bench/guest/README.
 *
 * It measures, each with CLOCK_MONOTONIC around a loop:
 *   getpid_ns     one getpid system call (syscall(SYS_getpid), not cached)
 *   pagefault_ns  the first write to a fresh anonymous 4 KiB page (mmap, then
 *                 touch every page; transparent huge pages disabled)
 *   fork_ns       fork + _exit in the child + waitpid in the parent
 * and prints one "NAME N" line each (N in nanoseconds per operation), plus
 * "# ..." comment lines with the counts.
 *
 * Each loop stops at its operation count or its time budget, whichever comes
 * first (a guest where a system call costs 60 us would otherwise take
 * minutes), so the numbers are averages over at least a few hundred
 * operations.
 *
 * Build: gcc -static -O2 -o xbench bench/guest/xbench.c
 * Usage: xbench [-q]   (-q: quick, a tenth of the counts and budgets)
 *        xbench --tsc-khz
 *               prints the TSC frequency in kHz, measured against
 *               CLOCK_MONOTONIC over 200 ms (x86 only). bench/linux-boot
 *               passes it to the kernel under QEMU TCG as tsc_early_khz=:
 *               TCG's guest TSC is the host's, and the kernel's PIT
 *               calibration fails on a busy host, after which microvm (no
 *               HPET, no PM timer) hangs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void report(const char *name, double total_ns, long ops)
{
    printf("# xbench: %s: %ld ops in %.3f s\n", name, ops, total_ns / 1e9);
    printf("%s %.0f\n", name, ops ? total_ns / (double)ops : 0.0);
    fflush(stdout);
}

static void bench_getpid(long max_ops, double budget_ns)
{
    const long batch = 100;
    long ops = 0;
    double t0 = now_ns(), t = t0;

    while (ops < max_ops && t - t0 < budget_ns) {
        for (long i = 0; i < batch; i++)
            syscall(SYS_getpid);
        ops += batch;
        t = now_ns();
    }
    report("getpid_ns", t - t0, ops);
}

static void bench_pagefault(long max_pages, double budget_ns)
{
    const long chunk = 256; /* pages per mapping (1 MiB) */
    long pages = 0;
    double total = 0;

    while (pages < max_pages && total < budget_ns) {
        char *p = mmap(NULL, chunk * PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("# xbench: mmap: %s\n", strerror(errno));
            break;
        }
#ifdef MADV_NOHUGEPAGE
        madvise(p, chunk * PAGE, MADV_NOHUGEPAGE);
#endif
        double t0 = now_ns();
        for (long i = 0; i < chunk; i++)
            ((volatile char *)p)[i * PAGE] = 1;
        total += now_ns() - t0;
        pages += chunk;
        munmap(p, chunk * PAGE);
    }
    report("pagefault_ns", total, pages);
}

static void bench_fork(long max_ops, double budget_ns)
{
    long ops = 0;
    double t0 = now_ns(), t = t0;

    while (ops < max_ops && t - t0 < budget_ns) {
        pid_t pid = fork();
        if (pid < 0) {
            printf("# xbench: fork: %s\n", strerror(errno));
            break;
        }
        if (pid == 0)
            _exit(0);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        ops++;
        t = now_ns();
    }
    report("fork_ns", t - t0, ops);
}

static int tsc_khz(void)
{
#if defined(__x86_64__) || defined(__i386__)
    struct timespec req = { 0, 200 * 1000 * 1000 };
    double t0 = now_ns();
    uint64_t c0 = __builtin_ia32_rdtsc();
    while (nanosleep(&req, &req) < 0 && errno == EINTR)
        ;
    uint64_t c1 = __builtin_ia32_rdtsc();
    double t1 = now_ns();
    printf("%.0f\n", (double)(c1 - c0) / (t1 - t0) * 1e6);
    return 0;
#else
    fprintf(stderr, "xbench: --tsc-khz: not an x86 host\n");
    return 1;
#endif
}

int main(int argc, char **argv)
{
    double scale = 1.0;

    if (argc > 1 && strcmp(argv[1], "--tsc-khz") == 0)
        return tsc_khz();
    if (argc > 1 && strcmp(argv[1], "-q") == 0)
        scale = 0.1;
    else if (argc > 1) {
        fprintf(stderr, "usage: xbench [-q | --tsc-khz]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("# xbench: start\n");
    bench_getpid((long)(100000 * scale), 2e9 * scale);
    bench_pagefault((long)(16384 * scale), 2e9 * scale);
    bench_fork((long)(200 * scale) + 1, 4e9 * scale);
    printf("# xbench: done\n");
    return 0;
}
