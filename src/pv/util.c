/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers of the PV core: logging, domain stop, shared structures. */
#include "pv/pv.h"

void pv_memcpy(void *dst, const void *src, size_t n)
{
    __builtin_memcpy(dst, src, n);
}

void pv_memset(void *dst, int c, size_t n)
{
    __builtin_memset(dst, c, n);
}

static void pv_vlog(struct pv_domain *d, int level, const char *fmt, va_list ap)
{
    char msg[256];

    d->host.vformat(msg, sizeof(msg), fmt, ap);
    d->host.log(d->host.opaque, level, msg);
}

void pv_log(struct pv_domain *d, int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pv_vlog(d, level, fmt, ap);
    va_end(ap);
}

void pv_crash(struct pv_domain *d, enum pv_stop why, const char *fmt, ...)
{
    va_list ap;

    if (d->stop != PV_RUNNING)
        return;
    d->stop = why;
    va_start(ap, fmt);
    d->host.vformat(d->stop_why, sizeof(d->stop_why), fmt, ap);
    va_end(ap);
}

struct shared_info *pv_shared_info(struct pv_domain *d)
{
    return (struct shared_info *)d->xen_pages;
}

struct vcpu_info *pv_vcpu_info(struct pv_vcpu *v)
{
    struct vcpu_info *vi = pv_gpa(v->d, v->vcpu_info_gpa, sizeof(*vi));

    /* Registration checked the address; this is the shared_info fallback. */
    return vi ? vi : &pv_shared_info(v->d)->vcpu_info[v->id];
}

uint64_t *pv_gpr(struct pv_regs *r, unsigned n)
{
    uint64_t *const map[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
                                &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                                &r->r12, &r->r13, &r->r14, &r->r15 };

    return map[n & 15];
}
