/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest program of the linux suite: touch N MiB of fresh anonymous memory, then check it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;
    size_t len = mib << 20, bad = 0;
    uint64_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        perror("touch: mmap");
        return 2;
    }
    /* One word per 512 bytes, each naming its own offset: a page mapped
     * twice, or lost, shows up as a wrong value. */
    for (size_t i = 0; i < len / 8; i += 64)
        p[i] = i * 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < len / 8; i += 64)
        bad += p[i] != i * 0x9e3779b97f4a7c15ULL;
    printf("touch: %zu MiB, %zu pages, %zu bad words\n", mib, len >> 12, bad);
    return bad != 0;
}
