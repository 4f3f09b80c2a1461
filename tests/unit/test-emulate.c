/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the emulators of the PV core: writable page tables (ptwr.c),
 * privileged instructions (privop.c) and PIT channel 2 (pit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pv-fixture.h"

#define CODE 20 /* the page the instructions are placed in (VA == GPA) */
#define CODE_VA (CODE * PAGE)
#define PTE_VA(i) (L1 * PAGE + (i) * 8) /* L1 entry i, through the read-only mapping */

#define RF_CF 0x001ULL
#define RF_ZF 0x040ULL
#define ERR_PW 0x3 /* #PF error code: present | write */

/* Instruction bytes from a string literal, without its NUL. */
#define INSN(s) (const uint8_t *)(s), sizeof(s) - 1

static uint64_t fake_ns, fake_tsc;

static uint64_t now_ns(void *h) { return fake_ns; }
static uint64_t rdtsc(void *h) { return fake_tsc; }

static int setup(void **state)
{
    struct fix *f = fix_new();

    f->d.host.now_ns = now_ns;
    f->d.host.rdtsc = rdtsc;
    f->d.vm_assist = 1u << VMASST_TYPE_writable_pagetables;
    fake_ns = 1000000000ULL; /* the PIT's clock: 1 s after boot */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_free(*state);
    return 0;
}

/* Put the instruction at CODE_VA and point rip at it. */
static void place(struct fix *f, const uint8_t *code, size_t len)
{
    memcpy(f->d.ram + CODE * PAGE, code, len);
    f->v.r.rip = CODE_VA;
}

/* Run the instruction as a #PF with error code err at `gva`. */
static bool ptwr(struct fix *f, const uint8_t *code, size_t len, uint64_t gva, uint64_t err)
{
    place(f, code, len);
    f->v.cr2 = gva;
    return pv_ptwr_fault(&f->v, err);
}

/* ---- writable page tables ---- */

static void test_ptwr_mov(void **state)
{
    struct fix *f = *state;

    assert_int_equal(fix_pt(f, L1)[40], 40 * PAGE | PTE_P | PTE_RW | PTE_US);
    f->v.r.rdi = PTE_VA(40);
    f->v.r.rax = 41 * PAGE | PTE_P | PTE_RW;
    assert_true(ptwr(f, INSN("\x48\x89\x07"), PTE_VA(40), ERR_PW)); /* mov %rax,(%rdi) */
    assert_int_equal(fix_pt(f, L1)[40], 41 * PAGE | PTE_P | PTE_RW | PTE_US);
    assert_int_equal(f->v.r.rip, CODE_VA + 3);
    assert_int_equal(f->d.frames[40].wr_count, 0);
    assert_int_equal(f->d.frames[41].wr_count, 2);
}

static void test_ptwr_xchg(void **state)
{
    struct fix *f = *state;

    f->v.r.rdi = PTE_VA(40);
    f->v.r.rax = 0; /* ptep_get_and_clear */
    assert_true(ptwr(f, INSN("\x48\x87\x07"), PTE_VA(40), ERR_PW)); /* xchg %rax,(%rdi) */
    assert_int_equal(f->v.r.rax, 40 * PAGE | PTE_P | PTE_RW | PTE_US);
    assert_int_equal(fix_pt(f, L1)[40], 0);
    assert_int_equal(f->v.r.rip, CODE_VA + 3);
    assert_int_equal(f->d.frames[40].wr_count, 0);
}

static void test_ptwr_cmpxchg_success(void **state)
{
    struct fix *f = *state;
    uint64_t old = fix_pt(f, L1)[40], new = 40 * PAGE | PTE_P | PTE_US;

    f->v.r.rdi = PTE_VA(40);
    f->v.r.rax = old;
    f->v.r.rcx = new;
    /* lock cmpxchg %rcx,(%rdi) */
    assert_true(ptwr(f, INSN("\xf0\x48\x0f\xb1\x0f"), PTE_VA(40), ERR_PW));
    assert_true(f->v.r.rflags & RF_ZF);
    assert_int_equal(fix_pt(f, L1)[40], new);
    assert_int_equal(f->v.r.rax, old);
    assert_int_equal(f->v.r.rip, CODE_VA + 5);
}

static void test_ptwr_cmpxchg_failure(void **state)
{
    struct fix *f = *state;
    uint64_t old = fix_pt(f, L1)[40];

    f->v.r.rdi = PTE_VA(40);
    f->v.r.rax = 0x1234;
    f->v.r.rcx = 0;
    f->v.r.rflags |= RF_ZF;
    assert_true(ptwr(f, INSN("\xf0\x48\x0f\xb1\x0f"), PTE_VA(40), ERR_PW));
    assert_false(f->v.r.rflags & RF_ZF);
    assert_int_equal(f->v.r.rax, old);
    assert_int_equal(fix_pt(f, L1)[40], old);
    assert_int_equal(f->v.r.rip, CODE_VA + 5);
}

static void test_ptwr_btr(void **state)
{
    struct fix *f = *state;

    /* lock btrq $1,(%rdi) */
    f->v.r.rdi = PTE_VA(40);
    assert_true(ptwr(f, INSN("\xf0\x48\x0f\xba\x37\x01"), PTE_VA(40), ERR_PW));
    assert_true(f->v.r.rflags & RF_CF);
    assert_int_equal(fix_pt(f, L1)[40], 40 * PAGE | PTE_P | PTE_US);
    assert_int_equal(f->v.r.rip, CODE_VA + 6);
    assert_int_equal(f->d.frames[40].wr_count, 0);

    /* btr %rsi,(%rdi), twice: CF is the old bit each time. */
    f->v.r.rdi = PTE_VA(41);
    f->v.r.rsi = 1;
    assert_true(ptwr(f, INSN("\x48\x0f\xb3\x37"), PTE_VA(41), ERR_PW));
    assert_true(f->v.r.rflags & RF_CF);
    assert_int_equal(fix_pt(f, L1)[41], 41 * PAGE | PTE_P | PTE_US);
    assert_int_equal(f->v.r.rip, CODE_VA + 4);
    assert_true(ptwr(f, INSN("\x48\x0f\xb3\x37"), PTE_VA(41), ERR_PW));
    assert_false(f->v.r.rflags & RF_CF);
    assert_int_equal(fix_pt(f, L1)[41], 41 * PAGE | PTE_P | PTE_US);
}

static void test_ptwr_and_byte(void **state)
{
    struct fix *f = *state;

    fix_pt(f, L1)[40] |= PTE_NX; /* the other bytes must survive */
    f->v.r.r15 = PTE_VA(40);
    /* ds andb $0xfd,(%r15) */
    assert_true(ptwr(f, INSN("\x3e\x41\x80\x27\xfd"), PTE_VA(40), ERR_PW));
    assert_int_equal(fix_pt(f, L1)[40], PTE_NX | 40 * PAGE | PTE_P | PTE_US);
    assert_false(f->v.r.rflags & RF_ZF);
    assert_int_equal(f->v.r.rip, CODE_VA + 5);
    assert_int_equal(f->d.frames[40].wr_count, 0);
}

static void test_ptwr_high_half(void **state)
{
    struct fix *f = *state;

    f->v.r.rdi = PTE_VA(40);
    /* movl $0x80000000,4(%rdi): set NX, keep the low half */
    assert_true(ptwr(f, INSN("\xc7\x47\x04\x00\x00\x00\x80"), PTE_VA(40) + 4, ERR_PW));
    assert_int_equal(fix_pt(f, L1)[40], PTE_NX | 40 * PAGE | PTE_P | PTE_RW | PTE_US);
    assert_int_equal(f->v.r.rip, CODE_VA + 7);
    assert_int_equal(f->d.frames[40].wr_count, 1);
}

/* A refused new PTE: false, and neither the PTE nor any register changed. */
static void refused(struct fix *f, const uint8_t *code, size_t len)
{
    uint64_t pte = fix_pt(f, L1)[40];
    struct pv_regs before;

    f->v.r.rip = CODE_VA;
    before = f->v.r;
    assert_false(ptwr(f, code, len, PTE_VA(40), ERR_PW));
    assert_int_equal(fix_pt(f, L1)[40], pte);
    assert_memory_equal(&f->v.r, &before, sizeof(before));
}

static void test_ptwr_refuses_bad_pte(void **state)
{
    struct fix *f = *state;

    f->v.r.rdi = PTE_VA(40);
    f->v.r.rax = 129 * PAGE | PTE_P; /* xenner's trampoline: not the guest's */
    refused(f, INSN("\x48\x89\x07"));
    f->v.r.rax = (1ULL << 30) | PTE_P; /* nothing there */
    refused(f, INSN("\x48\x87\x07"));
    f->v.r.rax = L1 * PAGE | PTE_P | PTE_RW; /* its own L1, writable */
    refused(f, INSN("\x48\x87\x07"));
    /* A matching cmpxchg whose new value is refused keeps rflags too. */
    f->v.r.rax = fix_pt(f, L1)[40];
    f->v.r.rcx = L2 * PAGE | PTE_P | PTE_RW;
    refused(f, INSN("\xf0\x48\x0f\xb1\x0f"));
    assert_int_equal(f->d.frames[40].wr_count, 1);
    assert_int_equal(f->d.frames[L1].wr_count, 0);
}

/* Faults that are not an emulated page-table write: false, nothing changed. */
static void not_ptwr(struct fix *f, const uint8_t *code, size_t len, uint64_t gva, uint64_t err)
{
    uint64_t pte = fix_pt(f, L1)[40];

    f->v.r.rdi = PTE_VA(40);
    f->v.r.rax = 41 * PAGE | PTE_P;
    assert_false(ptwr(f, code, len, gva, err));
    assert_int_equal(fix_pt(f, L1)[40], pte);
    assert_int_equal(f->v.r.rip, CODE_VA);
    assert_int_equal(f->v.r.rax, 41 * PAGE | PTE_P);
}

static void test_ptwr_not_handled(void **state)
{
    struct fix *f = *state;

    not_ptwr(f, INSN("\x48\x89\x07"), PTE_VA(40), 0x2);           /* not present */
    not_ptwr(f, INSN("\x48\x01\x07"), PTE_VA(40), ERR_PW);        /* add: unknown */
    not_ptwr(f, INSN("\x48\x89\x07"), PTE_VA(40) + 4, ERR_PW);    /* 8 bytes at +4 */
    /* movl $0,5(%rdi): its last byte is in the next entry */
    not_ptwr(f, INSN("\xc7\x47\x05\x00\x00\x00\x00"), PTE_VA(40) + 5, ERR_PW);
    assert_int_equal(fix_pt(f, L1)[41], 41 * PAGE | PTE_P | PTE_RW | PTE_US);
    not_ptwr(f, INSN("\x48\x89\x07"), 30 * PAGE, ERR_PW);         /* not a page table */
    f->v.kernel_mode = false;
    not_ptwr(f, INSN("\x48\x89\x07"), PTE_VA(40), ERR_PW);        /* user mode */
    f->v.kernel_mode = true;
    f->d.vm_assist = 0;
    not_ptwr(f, INSN("\x48\x89\x07"), PTE_VA(40), ERR_PW);        /* assist off */
}

/* ---- privileged instructions ---- */

static bool privop(struct fix *f, const uint8_t *code, size_t len)
{
    place(f, code, len);
    return pv_emulate_privop(&f->v);
}

#define RDMSR INSN("\x0f\x32")
#define WRMSR INSN("\x0f\x30")

/* ecx = msr, edx:eax = val */
static void msr_regs(struct fix *f, uint32_t msr, uint64_t val)
{
    f->v.r.rcx = msr;
    f->v.r.rax = val & 0xffffffff;
    f->v.r.rdx = val >> 32;
}

static void wrmsr_ok(struct fix *f, uint32_t msr, uint64_t val)
{
    msr_regs(f, msr, val);
    assert_true(privop(f, WRMSR));
    assert_int_equal(f->v.r.rip, CODE_VA + 2);
}

static uint64_t rdmsr_ok(struct fix *f, uint32_t msr)
{
    f->v.r.rcx = msr;
    f->v.r.rax = f->v.r.rdx = 0xdeadbeefdeadbeefULL; /* upper halves are cleared */
    assert_true(privop(f, RDMSR));
    assert_int_equal(f->v.r.rip, CODE_VA + 2);
    assert_int_equal((f->v.r.rax | f->v.r.rdx) >> 32, 0);
    return f->v.r.rdx << 32 | f->v.r.rax;
}

/* rdmsr/wrmsr refused with #GP: false, no register changed. */
static void msr_refused(struct fix *f, const uint8_t *code, size_t len, uint32_t msr, uint64_t val)
{
    struct pv_regs before;

    msr_regs(f, msr, val);
    f->v.r.rip = CODE_VA;
    before = f->v.r;
    assert_false(privop(f, code, len));
    assert_memory_equal(&f->v.r, &before, sizeof(before));
}

static void test_privop_segment_bases(void **state)
{
    struct fix *f = *state;

    wrmsr_ok(f, 0xc0000100, 0xffff800000001000ULL);
    assert_int_equal(f->v.fs_base, 0xffff800000001000ULL);
    wrmsr_ok(f, 0xc0000101, 0x2000);
    assert_int_equal(f->v.gs_base_kernel, 0x2000);
    wrmsr_ok(f, 0xc0000102, 0x00007fffffff3000ULL);
    assert_int_equal(f->v.gs_base_user, 0x00007fffffff3000ULL);
    assert_int_equal(rdmsr_ok(f, 0xc0000100), 0xffff800000001000ULL);
    assert_int_equal(rdmsr_ok(f, 0xc0000101), 0x2000);
    assert_int_equal(rdmsr_ok(f, 0xc0000102), 0x00007fffffff3000ULL);
    msr_refused(f, WRMSR, 0xc0000100, 0x0000800000000000ULL); /* non-canonical */
    assert_int_equal(f->v.fs_base, 0xffff800000001000ULL);
}

static void test_privop_msr_reads(void **state)
{
    struct fix *f = *state;

    assert_int_equal(rdmsr_ok(f, 0xc0000080), 0xd01); /* EFER: SCE LME LMA NX */
    assert_int_equal(rdmsr_ok(f, 0x179), 0x802);      /* MCG_CAP: TES_P, 2 banks */
    fake_tsc = 0x123456789aULL;
    assert_int_equal(rdmsr_ok(f, 0x10), 0x123456789aULL);
    msr_refused(f, RDMSR, 0x12345, 0);
    msr_refused(f, RDMSR, 0xc0000103, 0);
}

static void test_privop_mc_status(void **state)
{
    struct fix *f = *state;

    msr_refused(f, WRMSR, 0x401, 1);
    msr_refused(f, WRMSR, 0x401, 1ULL << 63);
    wrmsr_ok(f, 0x401, 0);
    assert_int_equal(rdmsr_ok(f, 0x401), 0);
}

static void test_privop_cr0_cr4(void **state)
{
    struct fix *f = *state;

    assert_true(privop(f, INSN("\x0f\x20\xc0"))); /* mov %cr0,%rax */
    assert_int_equal(f->v.r.rip, CODE_VA + 3);
    assert_int_equal(f->v.r.rax & 0x80000009ULL, 0x80000001ULL); /* PG, PE, no TS */
    f->v.fpu_ts = true;
    assert_true(privop(f, INSN("\x0f\x20\xc0")));
    assert_true(f->v.r.rax & 8);
    /* Of CR4 only TSD and DE are the guest's. */
    f->v.cr4 = PV_INITIAL_CR4;
    f->v.r.rax = ~0ULL;
    assert_true(privop(f, INSN("\x0f\x22\xe0"))); /* mov %rax,%cr4 */
    assert_int_equal(f->v.cr4, PV_INITIAL_CR4 | 0xc);
    assert_int_equal(f->v.r.rip, CODE_VA + 3);
    f->v.r.rax = 0;
    assert_true(privop(f, INSN("\x0f\x22\xe0")));
    assert_int_equal(f->v.cr4, PV_INITIAL_CR4);
}

/* xsetbv: the host's XCR0 (or a part of it, with a warning); anything else #GP. */
static void test_privop_xsetbv(void **state)
{
    struct fix *f = *state;
    const uint8_t *xsetbv = (const uint8_t *)"\x0f\x01\xd1";

    msr_regs(f, 0, 0xe7);
    assert_false(privop(f, xsetbv, 3)); /* no XSAVE on the host: #GP */
    f->d.xcr0 = 0xe7;
    assert_true(privop(f, xsetbv, 3));
    assert_int_equal(f->v.r.rip, CODE_VA + 3);
    assert_false(f->d.xcr0_warned);
    msr_regs(f, 0, 0x2e7);              /* a component the host has not enabled */
    assert_false(privop(f, xsetbv, 3));
    msr_regs(f, 0, 0xe6);               /* no x87 */
    assert_false(privop(f, xsetbv, 3));
    msr_regs(f, 0, 0x5);                /* AVX without SSE */
    assert_false(privop(f, xsetbv, 3));
    msr_regs(f, 0, 0x67);               /* part of the AVX-512 state */
    assert_false(privop(f, xsetbv, 3));
    msr_regs(f, 0, 0xe3);               /* AVX-512 without AVX */
    assert_false(privop(f, xsetbv, 3));
    msr_regs(f, 1, 0xe7);               /* XCR1 does not exist */
    assert_false(privop(f, xsetbv, 3));
    msr_regs(f, 0, 0x3);                /* less than the host's: taken, with a warning */
    assert_true(privop(f, xsetbv, 3));
    assert_true(f->d.xcr0_warned);
    /* CR4.OSXSAVE reads as set, as Xen sets it when it has XSAVE on. */
    assert_true(privop(f, INSN("\x0f\x20\xe0"))); /* mov %cr4,%rax */
    assert_true(f->v.r.rax & (1ULL << 18));
}

static void test_privop_cr2_rex(void **state)
{
    struct fix *f = *state;

    f->v.cr2 = 0xffff888000123456ULL;
    /* mov %cr2,%r8 is 41 0f 20 d0 (REX.B extends the GPR) */
    assert_true(privop(f, INSN("\x41\x0f\x20\xd0")));
    assert_int_equal(f->v.r.r8, 0xffff888000123456ULL);
    assert_int_equal(f->v.r.rip, CODE_VA + 4);
    /* 44 0f 20 d0 has REX.R: that is mov %cr10,%rax, which does not exist. */
    f->v.r.rax = 7;
    assert_false(privop(f, INSN("\x44\x0f\x20\xd0")));
    assert_int_equal(f->v.r.rax, 7);
    assert_int_equal(f->v.r.rip, CODE_VA);
}

static void test_privop_wbinvd_and_user(void **state)
{
    struct fix *f = *state;

    assert_true(privop(f, INSN("\x0f\x09")));
    assert_int_equal(f->v.r.rip, CODE_VA + 2);
    f->v.kernel_mode = false;
    assert_false(privop(f, INSN("\x0f\x09")));
    assert_false(privop(f, RDMSR));
    assert_int_equal(f->v.r.rip, CODE_VA);
}

/* A 2-byte privileged instruction that ends where the mapping ends is emulated. */
static void test_privop_two_bytes_at_mapping_end(void **state)
{
    struct fix *f = *state;

    memcpy(f->d.ram + NR_PAGES * PAGE - 2, "\x0f\x09", 2);
    f->v.r.rip = NR_PAGES * PAGE - 2;
    assert_true(pv_emulate_privop(&f->v));
    assert_int_equal(f->v.r.rip, NR_PAGES * PAGE);
}

/* cli, sti and a PIT read under the virtual IOPL; a 1-byte one may end the mapping. */
static void test_io_under_iopl(void **state)
{
    struct fix *f = *state;

    f->v.iopl = 1;
    f->d.ram[NR_PAGES * PAGE - 1] = 0xfa; /* cli */
    f->v.r.rip = NR_PAGES * PAGE - 1;
    assert_true(pv_trap(&f->v, 13, true, 0));
    assert_int_equal(f->v.r.rip, NR_PAGES * PAGE);
    memcpy(f->d.ram + CODE_VA, "\xe4\x61", 2); /* in $0x61, %al */
    f->v.r.rip = CODE_VA;
    f->v.r.rax = 0x1234;
    assert_true(pv_trap(&f->v, 13, true, 0));
    assert_int_equal(f->v.r.rip, CODE_VA + 2);
    assert_int_equal(f->v.r.rax & ~0xffULL, 0x1200); /* only %al is written */
    f->v.iopl = 0; /* without IOPL the #GP goes to the guest: none is set up here */
    f->v.r.rip = CODE_VA;
    assert_false(pv_trap(&f->v, 13, true, 0));
}

/* ---- PIT channel 2 ---- */

static void outb(struct fix *f, unsigned port, uint8_t val)
{
    assert_true(pv_pit_port(&f->d, port, true, &val));
}

static uint8_t inb(struct fix *f, unsigned port)
{
    uint8_t val = 0;

    assert_true(pv_pit_port(&f->d, port, false, &val));
    return val;
}

static unsigned read_count(struct fix *f)
{
    unsigned lsb = inb(f, 0x42); /* LSB first: the order is the point */

    return lsb | inb(f, 0x42) << 8;
}

/* Gate (port 0x61 bit 0) as given, then mode 0, LSB then MSB, count 0xffff. */
static void load_mode0(struct fix *f, bool gate)
{
    outb(f, 0x61, gate);
    outb(f, 0x43, 0xb0);
    outb(f, 0x42, 0xff);
    outb(f, 0x42, 0xff);
}

#define MS 1000000ULL
#define TICKS_PER_MS 1193 /* 1.193182 MHz */

static void assert_near(unsigned got, unsigned want)
{
    if (got + 2 < want || got > want + 2)
        fail_msg("count %u, expected %u +- 2", got, want);
}

static void test_pit_counts_down(void **state)
{
    struct fix *f = *state;

    load_mode0(f, true);
    assert_near(read_count(f), 0xffff);
    fake_ns += MS;
    assert_near(read_count(f), 0xffff - TICKS_PER_MS);
    fake_ns += 10 * MS;
    assert_near(read_count(f), 0xffff - 11 * TICKS_PER_MS);
}

static void test_pit_out_bit(void **state)
{
    struct fix *f = *state;

    load_mode0(f, true);
    assert_int_equal(inb(f, 0x61) & 0x21, 0x01); /* gate reads back, OUT low */
    fake_ns += 54 * MS;                          /* 64430 ticks: not yet */
    assert_int_equal(inb(f, 0x61) & 0x20, 0);
    fake_ns += 2 * MS;                           /* past 0xffff ticks */
    assert_int_equal(inb(f, 0x61) & 0x20, 0x20);
}

static void test_pit_latch(void **state)
{
    struct fix *f = *state;
    unsigned lsb, msb;

    load_mode0(f, true);
    fake_ns += MS;
    outb(f, 0x43, 0x80); /* latch channel 2 */
    fake_ns += 5 * MS;
    lsb = inb(f, 0x42);
    fake_ns += 5 * MS;
    msb = inb(f, 0x42);
    assert_near(lsb | msb << 8, 0xffff - TICKS_PER_MS);
    /* Read out: the next read is live again. */
    assert_near(read_count(f), 0xffff - 11 * TICKS_PER_MS);
}

static void test_pit_gate_low_stops(void **state)
{
    struct fix *f = *state;
    unsigned c;

    load_mode0(f, true);
    fake_ns += MS;
    outb(f, 0x61, 0);
    c = read_count(f);
    assert_near(c, 0xffff - TICKS_PER_MS);
    fake_ns += 10 * MS;
    assert_int_equal(read_count(f), c);
    assert_int_equal(inb(f, 0x61) & 0x21, 0); /* gate low, OUT low */
    outb(f, 0x61, 1); /* mode 0 resumes where it stopped */
    fake_ns += MS;
    assert_near(read_count(f), c - TICKS_PER_MS);
}

static void test_pit_other_ports(void **state)
{
    struct fix *f = *state;
    static const unsigned ports[] = { 0x40, 0x41, 0x44, 0x60, 0x62, 0x80, 0x3f8 };
    uint8_t val = 0x5a;

    for (size_t i = 0; i < PV_ARRAY_SIZE(ports); i++) {
        assert_false(pv_pit_port(&f->d, ports[i], false, &val));
        assert_false(pv_pit_port(&f->d, ports[i], true, &val));
    }
    assert_int_equal(val, 0x5a);
    assert_int_equal(inb(f, 0x43), 0xff);
}

/* A count loaded while the gate is low waits whole, and starts when the gate rises. */
static void test_pit_gate_raised_after_load(void **state)
{
    struct fix *f = *state;

    load_mode0(f, false);
    outb(f, 0x61, 1);
    assert_near(read_count(f), 0xffff);
    fake_ns += MS;
    assert_near(read_count(f), 0xffff - TICKS_PER_MS);
    assert_int_equal(inb(f, 0x61) & 0x20, 0);
}

/* In mode 0, OUT stays high from the terminal count on, whatever the gate does. */
static void test_pit_out_stays_high_with_gate_low(void **state)
{
    struct fix *f = *state;

    load_mode0(f, true);
    fake_ns += 60 * MS;
    assert_int_equal(inb(f, 0x61) & 0x20, 0x20);
    outb(f, 0x61, 0);
    assert_int_equal(inb(f, 0x61) & 0x20, 0x20);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ptwr_mov), T(test_ptwr_xchg), T(test_ptwr_cmpxchg_success),
        T(test_ptwr_cmpxchg_failure), T(test_ptwr_btr), T(test_ptwr_and_byte),
        T(test_ptwr_high_half), T(test_ptwr_refuses_bad_pte), T(test_ptwr_not_handled),
        T(test_privop_segment_bases), T(test_privop_msr_reads), T(test_privop_mc_status),
        T(test_privop_cr0_cr4), T(test_privop_xsetbv), T(test_privop_cr2_rex), T(test_privop_wbinvd_and_user),
        T(test_privop_two_bytes_at_mapping_end), T(test_io_under_iopl), T(test_pit_counts_down), T(test_pit_out_bit),
        T(test_pit_latch), T(test_pit_gate_low_stops), T(test_pit_other_ports),
        T(test_pit_gate_raised_after_load), T(test_pit_out_stays_high_with_gate_low),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
