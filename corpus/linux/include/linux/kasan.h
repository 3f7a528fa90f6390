/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XR_KASAN_H
#define _XR_KASAN_H

#include <linux/types.h>

bool kasan_check_write(const void *p, unsigned int size);
void kasan_report(unsigned long addr, size_t size, bool is_write);

#endif
