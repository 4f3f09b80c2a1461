/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accelerators by name, as -accel names them. */
#include <string.h>

#include "accel/accel.h"

const struct accel_ops *accel_find(const char *name)
{
    static const struct accel_ops *const all[] = { &accel_kvm, &accel_tcg };

    for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (!strcmp(all[i]->name, name))
            return all[i];
    return NULL;
}
