/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each process's vector registers survive context switches: a few
 * processes fill the widest registers the CPU lets user space use (what
 * cpuid and xgetbv say: zmm0-31 and k1-k7, or ymm0-15, or xmm0-15) with
 * patterns of their own, yield to each other many times and touch a fresh
 * page, then check every register still holds its own pattern.
 *
 * Usage: vecstate [ROUNDS [PROCS]]; prints "PASS: ..." or "FAIL: ...".
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define YIELDS 8

static unsigned widest(void)
{
    unsigned a, b, c1, c7, d;
    uint32_t lo, hi;

    __cpuid(1, a, b, c1, d);
    if (!(c1 & (1u << 27)))
        return 16; /* no OSXSAVE: SSE only */
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0xe6) == 0xe6 && __get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, c7, d);
        if (b & (1u << 16))
            return 64; /* AVX-512 usable: zmm0-31, k1-k7 */
    }
    if ((lo & 6) == 6 && (c1 & (1u << 28)))
        return 32; /* AVX usable: ymm0-15 */
    return 16;
}

/* The yield loop: sched_yield YIELDS times, then a store to a fresh page. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define YIELD_LOOP                                  \
    "mov $" STR(YIELDS) ", %%r12d\n"               \
    "1: mov $24, %%eax\n syscall\n"                 \
    "dec %%r12d\n jnz 1b\n"                         \
    "movb $1, (%[page])\n"

static void run16(const uint8_t *in, uint8_t *out, volatile char *page)
{
    __asm__ volatile(
        "movdqu 0(%[in]),%%xmm0\n movdqu 16(%[in]),%%xmm1\n movdqu 32(%[in]),%%xmm2\n"
        "movdqu 48(%[in]),%%xmm3\n movdqu 64(%[in]),%%xmm4\n movdqu 80(%[in]),%%xmm5\n"
        "movdqu 96(%[in]),%%xmm6\n movdqu 112(%[in]),%%xmm7\n movdqu 128(%[in]),%%xmm8\n"
        "movdqu 144(%[in]),%%xmm9\n movdqu 160(%[in]),%%xmm10\n movdqu 176(%[in]),%%xmm11\n"
        "movdqu 192(%[in]),%%xmm12\n movdqu 208(%[in]),%%xmm13\n movdqu 224(%[in]),%%xmm14\n"
        "movdqu 240(%[in]),%%xmm15\n"
        YIELD_LOOP
        "movdqu %%xmm0,0(%[out])\n movdqu %%xmm1,16(%[out])\n movdqu %%xmm2,32(%[out])\n"
        "movdqu %%xmm3,48(%[out])\n movdqu %%xmm4,64(%[out])\n movdqu %%xmm5,80(%[out])\n"
        "movdqu %%xmm6,96(%[out])\n movdqu %%xmm7,112(%[out])\n movdqu %%xmm8,128(%[out])\n"
        "movdqu %%xmm9,144(%[out])\n movdqu %%xmm10,160(%[out])\n movdqu %%xmm11,176(%[out])\n"
        "movdqu %%xmm12,192(%[out])\n movdqu %%xmm13,208(%[out])\n movdqu %%xmm14,224(%[out])\n"
        "movdqu %%xmm15,240(%[out])\n"
        : : [in] "r"(in), [out] "r"(out), [page] "r"(page)
        : "rax", "rcx", "r11", "r12", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
          "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

__attribute__((target("avx"))) static void run32(const uint8_t *in, uint8_t *out,
                                                 volatile char *page)
{
    __asm__ volatile(
        "vmovdqu 0(%[in]),%%ymm0\n vmovdqu 32(%[in]),%%ymm1\n vmovdqu 64(%[in]),%%ymm2\n"
        "vmovdqu 96(%[in]),%%ymm3\n vmovdqu 128(%[in]),%%ymm4\n vmovdqu 160(%[in]),%%ymm5\n"
        "vmovdqu 192(%[in]),%%ymm6\n vmovdqu 224(%[in]),%%ymm7\n vmovdqu 256(%[in]),%%ymm8\n"
        "vmovdqu 288(%[in]),%%ymm9\n vmovdqu 320(%[in]),%%ymm10\n vmovdqu 352(%[in]),%%ymm11\n"
        "vmovdqu 384(%[in]),%%ymm12\n vmovdqu 416(%[in]),%%ymm13\n vmovdqu 448(%[in]),%%ymm14\n"
        "vmovdqu 480(%[in]),%%ymm15\n"
        YIELD_LOOP
        "vmovdqu %%ymm0,0(%[out])\n vmovdqu %%ymm1,32(%[out])\n vmovdqu %%ymm2,64(%[out])\n"
        "vmovdqu %%ymm3,96(%[out])\n vmovdqu %%ymm4,128(%[out])\n vmovdqu %%ymm5,160(%[out])\n"
        "vmovdqu %%ymm6,192(%[out])\n vmovdqu %%ymm7,224(%[out])\n vmovdqu %%ymm8,256(%[out])\n"
        "vmovdqu %%ymm9,288(%[out])\n vmovdqu %%ymm10,320(%[out])\n vmovdqu %%ymm11,352(%[out])\n"
        "vmovdqu %%ymm12,384(%[out])\n vmovdqu %%ymm13,416(%[out])\n vmovdqu %%ymm14,448(%[out])\n"
        "vmovdqu %%ymm15,480(%[out])\n vzeroupper\n"
        : : [in] "r"(in), [out] "r"(out), [page] "r"(page)
        : "rax", "rcx", "r11", "r12", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
          "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* zmm0-31 (64 bytes each) and k1-k7 (8 bytes each, after them). */
#define ZLOAD(n) "vmovdqu64 " #n "*64(%[in]),%%zmm" #n "\n"
#define ZSTORE(n) "vmovdqu64 %%zmm" #n "," #n "*64(%[out])\n"
#define KLOAD(n) "kmovq 2048+" #n "*8(%[in]),%%k" #n "\n"
#define KSTORE(n) "kmovq %%k" #n ",2048+" #n "*8(%[out])\n"

__attribute__((target("avx512f,avx512bw"))) static void run64(const uint8_t *in, uint8_t *out,
                                                             volatile char *page)
{
    __asm__ volatile(
        ZLOAD(0) ZLOAD(1) ZLOAD(2) ZLOAD(3) ZLOAD(4) ZLOAD(5) ZLOAD(6) ZLOAD(7)
        ZLOAD(8) ZLOAD(9) ZLOAD(10) ZLOAD(11) ZLOAD(12) ZLOAD(13) ZLOAD(14) ZLOAD(15)
        ZLOAD(16) ZLOAD(17) ZLOAD(18) ZLOAD(19) ZLOAD(20) ZLOAD(21) ZLOAD(22) ZLOAD(23)
        ZLOAD(24) ZLOAD(25) ZLOAD(26) ZLOAD(27) ZLOAD(28) ZLOAD(29) ZLOAD(30) ZLOAD(31)
        KLOAD(1) KLOAD(2) KLOAD(3) KLOAD(4) KLOAD(5) KLOAD(6) KLOAD(7)
        YIELD_LOOP
        ZSTORE(0) ZSTORE(1) ZSTORE(2) ZSTORE(3) ZSTORE(4) ZSTORE(5) ZSTORE(6) ZSTORE(7)
        ZSTORE(8) ZSTORE(9) ZSTORE(10) ZSTORE(11) ZSTORE(12) ZSTORE(13) ZSTORE(14) ZSTORE(15)
        ZSTORE(16) ZSTORE(17) ZSTORE(18) ZSTORE(19) ZSTORE(20) ZSTORE(21) ZSTORE(22) ZSTORE(23)
        ZSTORE(24) ZSTORE(25) ZSTORE(26) ZSTORE(27) ZSTORE(28) ZSTORE(29) ZSTORE(30) ZSTORE(31)
        KSTORE(1) KSTORE(2) KSTORE(3) KSTORE(4) KSTORE(5) KSTORE(6) KSTORE(7)
        "vzeroupper\n"
        : : [in] "r"(in), [out] "r"(out), [page] "r"(page)
        : "rax", "rcx", "r11", "r12", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
          "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
          "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24",
          "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "k1", "k2", "k3", "k4",
          "k5", "k6", "k7");
}

/* Bytes of register state each width checks. */
static size_t state_bytes(unsigned width)
{
    return width == 64 ? 2048 + 8 * 8 : width == 32 ? 512 : 256;
}

static int child(unsigned id, long rounds, unsigned width)
{
    static uint8_t in[2048 + 64], out[2048 + 64];
    size_t n = state_bytes(width);

    for (long r = 0; r < rounds; r++) {
        volatile char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (page == MAP_FAILED)
            return 2;
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)(0x11 * (id + 1) + 7 * r + i);
        if (width == 64)
            memset(in + 2048, 0, 8); /* k0 is not loaded: instructions cannot name it as a mask */
        memset(out, 0, n);
        if (width == 64)
            run64(in, out, page);
        else if (width == 32)
            run32(in, out, page);
        else
            run16(in, out, page);
        munmap((void *)page, 4096);
        for (size_t i = 0; i < n; i++)
            if (in[i] != out[i]) {
                printf("FAIL: vecstate: process %u, round %ld: register byte %zu is %#x, "
                       "not %#x\n", id, r, i, out[i], in[i]);
                return 1;
            }
    }
    return 0;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 2000;
    unsigned procs = argc > 2 ? (unsigned)atoi(argv[2]) : 3, bad = 0;
    unsigned width = widest();

    fflush(stdout);
    for (unsigned i = 0; i < procs; i++)
        if (fork() == 0)
            _exit(child(i, rounds, width));
    for (unsigned i = 0; i < procs; i++) {
        int st;

        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
            bad++;
    }
    if (bad)
        printf("FAIL: vecstate: %u of %u processes lost vector registers (%u-byte registers)\n",
               bad, procs, width);
    else
        printf("PASS: vecstate: %u processes kept their %u-byte vector registers over %ld "
               "rounds of %d yields\n", procs, width, rounds, YIELDS);
    return bad != 0;
}
