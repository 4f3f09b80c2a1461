/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diskbench: sequential write and read in 1 MiB blocks and random 4 KiB reads of one file or disk. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1 << 20)
#define RAND_OPS 20000
#define RAND_BUDGET_S 5.0

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

int main(int argc, char **argv)
{
    int direct = argc > 1 && !strcmp(argv[1], "--direct");
    const char *path;
    unsigned long mib, ops = 0;
    unsigned long long x = 88172645463325252ULL;
    double t;
    char *buf;
    int fd;

    if (argc != 3 + direct) {
        fprintf(stderr, "usage: diskbench [--direct] PATH SIZE_MIB\n");
        return 2;
    }
    path = argv[1 + direct];
    mib = strtoul(argv[2 + direct], NULL, 0);
    if (posix_memalign((void **)&buf, 4096, MIB))
        die("posix_memalign");
    for (unsigned i = 0; i < MIB; i++)
        buf[i] = (char)(i * 31 + i / 4096);
    fd = open(path, O_RDWR | (direct ? O_DIRECT : 0));
    if (fd < 0)
        die(path);

    t = now();
    for (unsigned long i = 0; i < mib; i++)
        if (pwrite(fd, buf, MIB, (off_t)i * MIB) != MIB)
            die("write");
    if (fdatasync(fd))
        die("fdatasync");
    printf("seqwrite_MBps %.1f\n", mib / (now() - t) * MIB / 1e6);

    t = now();
    for (unsigned long i = 0; i < mib; i++)
        if (pread(fd, buf, MIB, (off_t)i * MIB) != MIB)
            die("read");
    printf("seqread_MBps %.1f\n", mib / (now() - t) * MIB / 1e6);

    t = now();
    while (ops < RAND_OPS && (ops % 256 || now() - t < RAND_BUDGET_S)) {
        off_t at;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        at = (off_t)(x % (mib * (MIB / 4096))) * 4096;
        if (pread(fd, buf, 4096, at) != 4096)
            die("random read");
        ops++;
    }
    printf("randread_iops %.0f\n", ops / (now() - t));
    printf("# diskbench: %s, %lu MiB, %s, %lu random reads\n", path, mib,
           direct ? "O_DIRECT" : "buffered", ops);
    close(fd);
    return 0;
}
