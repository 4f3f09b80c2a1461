/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A PV domain for the backend fuzz targets: RAM and a grant table, no vCPU, no KVM. */
#ifndef XENNER_FUZZ_PV_DOM_H
#define XENNER_FUZZ_PV_DOM_H

#include "pv/pv.h"

#define FUZZ_RAM_PAGES 8
#define FUZZ_GRANTS 64 /* entries the fuzzer writes; the frame holds 512 */

/* A domain (id 1) of FUZZ_RAM_PAGES frames of RAM and one grant-table frame;
 * RAM, the Xen pages and the frame table are separate allocations, so that
 * ASan reports an access past any of them. Aborts when out of memory. */
struct pv_domain *fuzz_dom_new(void);
void fuzz_dom_free(struct pv_domain *d);

/* The guest's grant entries. */
grant_entry_v1_t *fuzz_dom_grants(struct pv_domain *d);

/* Fills the grant entries, then RAM, from @data (zero-padded); returns the
 * bytes used. */
size_t fuzz_dom_fill(struct pv_domain *d, const uint8_t *data, size_t size);

/* Aborts if a backend left a grant busy (set GTF_reading or GTF_writing the
 * guest had not set), changed an entry otherwise, or left a frame counted as
 * granted writable: @before is a copy of the entries made before the backend ran. */
void fuzz_dom_check_idle(struct pv_domain *d, const grant_entry_v1_t *before);

#endif
