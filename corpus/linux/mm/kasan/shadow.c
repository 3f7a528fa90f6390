// SPDX-License-Identifier: GPL-2.0
/*
 * The address sanitizer's checks: every access is looked up in a shadow map
 * and reported when it is bad.  Built only with CONFIG_KASAN.
 */
#include <linux/types.h>
#include <linux/kasan.h>
#include <linux/string.h>

static bool kasan_check_range(unsigned long addr, size_t size, bool write)
{
	if (addr + size < addr) {
		kasan_report(addr, size, write);
		return false;
	}
	return true;
}

bool kasan_check_write(const void *p, unsigned int size)
{
	return kasan_check_range((unsigned long)p, size, true);
}

/* The sanitizer's memcpy checks both ranges before copying. */
void *memcpy(void *dest, const void *src, size_t len)
{
	if (!kasan_check_range((unsigned long)src, len, false) ||
	    !kasan_check_range((unsigned long)dest, len, true))
		return NULL;
	return __memcpy(dest, src, len);
}
