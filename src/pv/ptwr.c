/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writable page tables: emulate a guest kernel's own store to one of its L1 tables. */
#include <errno.h>

#include "pv/pv.h"

/*
 * With VMASST_TYPE_writable_pagetables a PV kernel may write its L1 page
 * tables directly; the frames stay read-only, so the store faults and the
 * hypervisor emulates it after checking the new entry as an mmu_update
 * would (Xen: xen/arch/x86/pv/ro-page-fault.c). Linux does so for the
 * atomic PTE operations (ptep_get_and_clear, test_and_clear_young, ...),
 * so the few instruction forms those compile to are decoded here.
 */

#define RFLAGS_CF (1ULL << 0)
#define RFLAGS_PF (1ULL << 2)
#define RFLAGS_AF (1ULL << 4)
#define RFLAGS_ZF (1ULL << 6)
#define RFLAGS_SF (1ULL << 7)
#define RFLAGS_OF (1ULL << 11)
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

enum op { OP_MOV, OP_XCHG, OP_CMPXCHG, OP_BTS, OP_BTR, OP_AND, OP_OR };

struct insn {
    enum op op;
    unsigned size;    /* operand bytes: 1, 2, 4 or 8 */
    unsigned reg;     /* register operand (x86 encoding number) */
    bool has_imm;
    uint64_t imm;
    unsigned len;     /* whole instruction length */
};

/* Length of the ModRM addressing bytes after the opcode; 0 if not memory. */
static unsigned modrm_len(const uint8_t *p, unsigned avail)
{
    unsigned mod = p[0] >> 6, rm = p[0] & 7, len = 1;

    if (mod == 3)
        return 0;
    if (rm == 4) {
        if (avail < 2)
            return 0;
        len++;
        if (mod == 0 && (p[1] & 7) == 5)
            return len + 4;
    }
    if (mod == 0 && rm == 5)
        return len + 4; /* rip-relative */
    return len + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static uint64_t sext(uint64_t v, unsigned bytes)
{
    unsigned shift = 64 - 8 * bytes;

    return (uint64_t)((int64_t)(v << shift) >> shift);
}

/* Decode the store at b[0..avail); false for anything not handled. */
static bool decode(const uint8_t *b, unsigned avail, struct insn *in)
{
    unsigned i = 0, rex = 0, opsize = 4, ml, imm_len = 0, op2 = 0;
    uint8_t op;

    for (; i < avail; i++) {
        if (b[i] == 0xf0 || b[i] == 0x2e || b[i] == 0x3e)
            continue; /* lock, branch-hint/segment no-ops */
        if (b[i] == 0x66) {
            opsize = 2;
            continue;
        }
        break;
    }
    if (i < avail && (b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (rex & 8)
        opsize = 8;
    if (i + 2 > avail)
        return false;
    op = b[i++];
    if (op == 0x0f)
        op2 = b[i++];
    if (i >= avail)
        return false;
    in->size = opsize;
    in->reg = ((b[i] >> 3) & 7) | ((rex & 4) << 1);
    in->has_imm = false;
    in->imm = 0;
    ml = modrm_len(b + i, avail - i);
    if (!ml)
        return false;
    switch (op2 ? 0x100 | op2 : op) {
    case 0x89: in->op = OP_MOV; break;
    case 0x87: in->op = OP_XCHG; break;
    case 0x21: in->op = OP_AND; break;
    case 0x09: in->op = OP_OR; break;
    case 0x1b1: in->op = OP_CMPXCHG; break;
    case 0x1ab: in->op = OP_BTS; break;
    case 0x1b3: in->op = OP_BTR; break;
    case 0xc6: /* mov $imm8, r/m8 */
        in->size = 1;
        /* fall through */
    case 0xc7:
        if ((b[i] >> 3 & 7) != 0)
            return false;
        in->op = OP_MOV;
        imm_len = in->size == 1 ? 1 : opsize == 2 ? 2 : 4;
        break;
    case 0x80: /* and/or $imm8, r/m8 (clear_bit/set_bit on one byte) */
        in->size = 1;
        /* fall through */
    case 0x81:
    case 0x83:
        if ((b[i] >> 3 & 7) != 1 && (b[i] >> 3 & 7) != 4)
            return false;
        in->op = (b[i] >> 3 & 7) == 1 ? OP_OR : OP_AND;
        imm_len = op == 0x83 || op == 0x80 ? 1 : opsize == 2 ? 2 : 4;
        break;
    case 0x1ba:
        if ((b[i] >> 3 & 7) != 5 && (b[i] >> 3 & 7) != 6)
            return false;
        in->op = (b[i] >> 3 & 7) == 5 ? OP_BTS : OP_BTR;
        imm_len = 1;
        break;
    default:
        return false;
    }
    i += ml;
    if (i + imm_len > avail)
        return false;
    if (imm_len) {
        uint64_t v = 0;

        for (unsigned k = 0; k < imm_len; k++)
            v |= (uint64_t)b[i + k] << (8 * k);
        in->has_imm = true;
        in->imm = op2 == 0xba ? v : sext(v, imm_len);
    }
    in->len = i + imm_len;
    return in->len <= 15;
}

static bool parity_even(uint64_t v)
{
    return !__builtin_parity((unsigned)(v & 0xff));
}

static uint64_t logic_flags(uint64_t res, unsigned size)
{
    uint64_t f = 0;

    if (!res)
        f |= RFLAGS_ZF;
    if (res >> (8 * size - 1) & 1)
        f |= RFLAGS_SF;
    if (parity_even(res))
        f |= RFLAGS_PF;
    return f;
}

/* Flags of `cmp a, b` (a - b) at the operand size. */
static uint64_t sub_flags(uint64_t a, uint64_t b, unsigned size)
{
    uint64_t mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
    uint64_t res = (a - b) & mask, f = logic_flags(res, size);
    unsigned top = 8 * size - 1;

    a &= mask;
    b &= mask;
    if (a < b)
        f |= RFLAGS_CF;
    if (((a ^ b) & (a ^ res)) >> top & 1)
        f |= RFLAGS_OF;
    if ((a ^ b ^ res) & 0x10)
        f |= RFLAGS_AF;
    return f;
}

/*
 * Apply the instruction to the operand `old` (size bytes, zero-extended):
 * the new memory value, with registers and flags updated. False means the
 * memory is left as it is (a failed cmpxchg).
 */
static bool execute(struct pv_vcpu *v, const struct insn *in, uint64_t old, uint64_t *new)
{
    uint64_t mask = in->size == 8 ? ~0ULL : (1ULL << (8 * in->size)) - 1;
    uint64_t src = in->has_imm ? in->imm : *pv_gpr(&v->r, in->reg);
    uint64_t *rf = &v->r.rflags, *rax = &v->r.rax;
    unsigned bit = src & (8 * in->size - 1);

    switch (in->op) {
    case OP_MOV: *new = src; return true;
    case OP_XCHG:
        *new = src;
        *pv_gpr(&v->r, in->reg) = in->size == 4 ? old : (*pv_gpr(&v->r, in->reg) & ~mask) | old;
        return true;
    case OP_CMPXCHG:
        *rf = (*rf & ~RFLAGS_ARITH) | sub_flags(*rax, old, in->size);
        if ((*rax & mask) == old) {
            *new = src;
            return true;
        }
        *rax = in->size == 4 ? old : (*rax & ~mask) | old;
        return false;
    case OP_BTS:
    case OP_BTR:
        *rf = (*rf & ~RFLAGS_CF) | (old >> bit & 1);
        *new = in->op == OP_BTS ? old | (1ULL << bit) : old & ~(1ULL << bit);
        return true;
    case OP_AND:
    case OP_OR:
        *new = (in->op == OP_AND ? old & src : old | src) & mask;
        *rf = (*rf & ~RFLAGS_ARITH) | logic_flags(*new, in->size);
        return true;
    }
    return false;
}

bool pv_ptwr_fault(struct pv_vcpu *v, uint64_t err)
{
    uint64_t gpa, pte, newpte, val, operand, addr = v->cr2;
    uint8_t code[15];
    unsigned avail, shift;
    struct pv_regs saved;
    struct insn in;
    uint64_t *p;
    int rc;

    /* A protection fault on a kernel write, not a fetch or reserved bit. */
    if (!v->kernel_mode || (err & 0x1b) != 0x3 ||
        !(v->d->vm_assist & (1u << VMASST_TYPE_writable_pagetables)))
        return false;
    if (pv_gva_to_gpa(v, addr, false, &gpa) || !pv_pfn_is_l1(v->d, gpa >> PV_PAGE_SHIFT))
        return false;
    avail = pv_fetch_insn(v, code, sizeof(code));
    if (!avail || !decode(code, avail, &in) || (addr & 7) + in.size > 8)
        return false;
    p = pv_gpa(v->d, gpa & ~7ULL, 8);
    pte = __atomic_load_n(p, __ATOMIC_RELAXED);
    shift = 8 * (addr & 7);
    operand = in.size == 8 ? pte : (pte >> shift) & ((1ULL << (8 * in.size)) - 1);
    saved = v->r;
    if (execute(v, &in, operand, &val)) {
        uint64_t szmask = in.size == 8 ? ~0ULL : (1ULL << (8 * in.size)) - 1;

        newpte = (pte & ~(szmask << shift)) | ((val & szmask) << shift);
        rc = pv_pt_store(v, gpa & ~7ULL, newpte);
        if (rc) {
            pv_log(v->d, 1, "ptwr: store of %#llx to the L1 entry at %#llx refused (%d)",
                   (unsigned long long)newpte, (unsigned long long)addr, rc);
            v->r = saved;
            return false;
        }
    }
    v->r.rip += in.len;
    return true;
}
