/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XR_STRING_H
#define _XR_STRING_H

#include <linux/types.h>

/* The architecture's assembly (arch/x86/lib/memcpy_64.S) unless the sanitizer replaces it. */
void *memcpy(void *dest, const void *src, size_t count);
void *__memcpy(void *dest, const void *src, size_t count);

#endif
