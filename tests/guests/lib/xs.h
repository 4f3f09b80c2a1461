/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal xenstore client on the guest's ring page (start_info's store_mfn). */
#ifndef XT_XS_H
#define XT_XS_H

/*
 * One request of type @type (XS_READ, XS_WRITE, XS_RM, ...: xen/io/xs_wire.h)
 * with payload @a (NUL included) and, if not NULL, @b (without its NUL);
 * waits up to 5 s for the reply. The reply's payload goes into @out
 * (NUL-terminated, cut to @outlen) unless @out is NULL. Returns 0, or -1
 * for an error reply, a reply over 255 bytes, or none.
 */
int xt_xs_op(uint32_t type, const char *a, const char *b, char *out, uint32_t outlen);
/* The ring page is mapped (start_info's store_mfn is in the guest's RAM). */
bool xt_xs_ready(void);

#endif
