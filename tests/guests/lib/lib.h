/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freestanding basics: strings, printf, test reporting, small CPU helpers. */
#ifndef XT_LIB_H
#define XT_LIB_H

#define XT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define XT_NORETURN __attribute__((noreturn))
#define XT_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* string.c: what gcc may call even in freestanding code, plus strcmp/strstr. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
char *strstr(const char *hay, const char *needle);

/* printf.c: %d %i %u %x %X %p %s %c %%, with l/ll/z, width, '0' and '-'. */
int xt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int xt_snprintf(char *buf, size_t size, const char *fmt, ...) XT_PRINTF(3, 4);
void xt_printk(const char *fmt, ...) XT_PRINTF(1, 2);
void xt_vprintk(const char *fmt, va_list ap);

/* console.c: write raw bytes to the console (console_io, else the PV ring). */
void xt_console_write(const char *buf, size_t len);
/* Write through the PV console ring and wait until the backend consumed it. */
int xt_console_ring_write(const char *buf, size_t len, uint64_t timeout_ns);

/*
 * report.c, after XTF: each call records a status and prints the message
 * (if any); the worst status wins (SUCCESS < SKIP < ERROR < FAILURE).
 * FAILURE: the code under test is wrong. ERROR: the test or its environment.
 */
void xtf_success(const char *fmt, ...) XT_PRINTF(1, 2);
void xtf_skip(const char *fmt, ...) XT_PRINTF(1, 2);
void xtf_error(const char *fmt, ...) XT_PRINTF(1, 2);
void xtf_failure(const char *fmt, ...) XT_PRINTF(1, 2);
bool xtf_failed(void);
/* Print "Test result: ..." as the last line and power the domain off. */
XT_NORETURN void xt_exit(void);
/* Report an error, print the result and power off now. */
XT_NORETURN void xt_panic(const char *fmt, ...) XT_PRINTF(1, 2);

/*
 * The one wording for checks: "Fail: <what>: expected X, got Y".
 * Each returns true when the check passed.
 */
bool xt_check_eq(const char *what, uint64_t expected, uint64_t got);
bool xt_check_rc(const char *what, long expected, long got);
bool xt_check_true(const char *what, bool cond);
/* An error code from a hypercall the test relies on: ERROR, not FAILURE. */
bool xt_require_rc(const char *what, long expected, long got);

/* Small CPU helpers. */
#define xt_barrier() __asm__ volatile("" ::: "memory")
#define XT_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define XT_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static inline uint64_t xt_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t xt_read_rflags(void)
{
    uint64_t f;

    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

static inline void xt_set_bit(unsigned int nr, volatile unsigned long *addr)
{
    __asm__ volatile("lock btsq %1, %0" : "+m"(*addr) : "Ir"((unsigned long)nr) : "memory");
}

static inline void xt_clear_bit(unsigned int nr, volatile unsigned long *addr)
{
    __asm__ volatile("lock btrq %1, %0" : "+m"(*addr) : "Ir"((unsigned long)nr) : "memory");
}

static inline bool xt_test_bit(unsigned int nr, const volatile unsigned long *addr)
{
    return (addr[nr / 64] >> (nr % 64)) & 1;
}

#define X86_EFLAGS_CF 0x00000001UL
#define X86_EFLAGS_FIXED 0x00000002UL
#define X86_EFLAGS_TF 0x00000100UL
#define X86_EFLAGS_IF 0x00000200UL
#define X86_EFLAGS_DF 0x00000400UL
#define X86_EFLAGS_IOPL 0x00003000UL

#endif
