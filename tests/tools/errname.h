/* SPDX-License-Identifier: GPL-2.0 */
/*
 * errno names for the tools' output ("EPERM"), without glibc's
 * strerrorname_np(), which musl lacks.
 */
#ifndef SLUICE_TOOLS_ERRNAME_H
#define SLUICE_TOOLS_ERRNAME_H

/*
 * The name of errno value @e ("EINVAL"), or its number in decimal if the
 * table does not know it.  The string stays valid until the 8th call
 * after this one: enough for the arguments of one printf().
 */
const char *errname(int e);

#endif /* SLUICE_TOOLS_ERRNAME_H */
