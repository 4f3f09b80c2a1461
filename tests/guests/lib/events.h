/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event channels (2-level ABI) and the event upcall. */
#ifndef XT_EVENTS_H
#define XT_EVENTS_H

#define XT_NR_PORTS 4096 /* 2-level ABI with 64-bit words */

/* Updated by the upcall handler. */
extern volatile uint32_t xt_port_hits[XT_NR_PORTS];
extern volatile uint32_t xt_upcalls;
extern volatile uint64_t xt_upcall_rip;    /* interrupted rip of the last upcall */
extern volatile uint64_t xt_upcall_cs;     /* its cs qword (saved mask in 32-39) */
extern volatile uint64_t xt_upcall_rflags;

typedef void (*xt_port_handler_t)(evtchn_port_t port, struct xt_regs *r);
void xt_evtchn_set_handler(evtchn_port_t port, xt_port_handler_t fn);

/* The upcall body: clears pending state, counts and dispatches ports. */
void xt_do_event(struct xt_regs *r);

/* EVTCHNOP wrappers; the out-parameter is only written on success. */
long xt_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
long xt_evtchn_bind_interdomain(domid_t rdom, evtchn_port_t rport, evtchn_port_t *lport);
long xt_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
long xt_evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port);
long xt_evtchn_send(evtchn_port_t port);
long xt_evtchn_close(evtchn_port_t port);
long xt_evtchn_unmask(evtchn_port_t port);
long xt_evtchn_status(evtchn_port_t port, evtchn_status_t *st);

/* A connected pair of our own ports, both masked with nothing pending. */
long xt_evtchn_loopback(evtchn_port_t *a, evtchn_port_t *b);

/* Direct shared_info bit operations (no hypercall). */
void xt_port_mask(evtchn_port_t port);
void xt_port_unmask_bit(evtchn_port_t port);
void xt_port_clear(evtchn_port_t port);
bool xt_port_pending(evtchn_port_t port);
bool xt_port_masked(evtchn_port_t port);

/*
 * vcpu-level delivery: clearing evtchn_upcall_mask does not itself cause an
 * upcall, so xt_events_on() makes a harmless hypercall when one is pending.
 */
void xt_events_on(void);
void xt_events_off(void);
void xt_force_upcall(void);

#endif
