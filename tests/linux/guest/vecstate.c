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

/*
 * Register n of kind r (xmm, ymm, zmm, k), w bytes wide, loaded from and
 * stored to slot n of a w-byte array at offset base, with instruction op.
 */
#define LOAD(op, r, w, base, n) op " " #base "+" #n "*" #w "(%[in]),%%" #r #n "\n"
#define STORE(op, r, w, base, n) op " %%" #r #n "," #base "+" #n "*" #w "(%[out])\n"
#define EACH8(m, op, r, w, base, from) \
    m(op, r, w, base, from##0) m(op, r, w, base, from##1) m(op, r, w, base, from##2) \
    m(op, r, w, base, from##3) m(op, r, w, base, from##4) m(op, r, w, base, from##5) \
    m(op, r, w, base, from##6) m(op, r, w, base, from##7)
/* Registers 0-15 and 0-31; EACH8 pastes its digit behind `from` (empty: 0-7, 2: 20-27). */
#define EACH16(m, op, r, w, base) \
    EACH8(m, op, r, w, base, ) m(op, r, w, base, 8) m(op, r, w, base, 9) \
    m(op, r, w, base, 10) m(op, r, w, base, 11) m(op, r, w, base, 12) \
    m(op, r, w, base, 13) m(op, r, w, base, 14) m(op, r, w, base, 15)
#define EACH32(m, op, r, w, base) \
    EACH16(m, op, r, w, base) m(op, r, w, base, 16) m(op, r, w, base, 17) \
    m(op, r, w, base, 18) m(op, r, w, base, 19) EACH8(m, op, r, w, base, 2) \
    m(op, r, w, base, 28) m(op, r, w, base, 29) m(op, r, w, base, 30) m(op, r, w, base, 31)
#define CLOBBER16 "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
    "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static void run16(const uint8_t *in, uint8_t *out, volatile char *page)
{
    __asm__ volatile(EACH16(LOAD, "movdqu", xmm, 16, 0) YIELD_LOOP
                     EACH16(STORE, "movdqu", xmm, 16, 0)
                     : : [in] "r"(in), [out] "r"(out), [page] "r"(page)
                     : "rax", "rcx", "r11", "r12", "memory", CLOBBER16);
}

__attribute__((target("avx"))) static void run32(const uint8_t *in, uint8_t *out,
                                                 volatile char *page)
{
    __asm__ volatile(EACH16(LOAD, "vmovdqu", ymm, 32, 0) YIELD_LOOP
                     EACH16(STORE, "vmovdqu", ymm, 32, 0) "vzeroupper\n"
                     : : [in] "r"(in), [out] "r"(out), [page] "r"(page)
                     : "rax", "rcx", "r11", "r12", "memory", CLOBBER16);
}

/* zmm0-31 (64 bytes each), then k1-k7 (8 bytes each) at 2048. */
#define KREGS(m) m("kmovq", k, 8, 2048, 1) m("kmovq", k, 8, 2048, 2) m("kmovq", k, 8, 2048, 3) \
    m("kmovq", k, 8, 2048, 4) m("kmovq", k, 8, 2048, 5) m("kmovq", k, 8, 2048, 6) \
    m("kmovq", k, 8, 2048, 7)

__attribute__((target("avx512f,avx512bw"))) static void run64(const uint8_t *in, uint8_t *out,
                                                             volatile char *page)
{
    __asm__ volatile(EACH32(LOAD, "vmovdqu64", zmm, 64, 0) KREGS(LOAD) YIELD_LOOP
                     EACH32(STORE, "vmovdqu64", zmm, 64, 0) KREGS(STORE) "vzeroupper\n"
                     : : [in] "r"(in), [out] "r"(out), [page] "r"(page)
                     : "rax", "rcx", "r11", "r12", "memory", CLOBBER16, "xmm16", "xmm17",
                       "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25",
                       "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "k1", "k2", "k3",
                       "k4", "k5", "k6", "k7");
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
