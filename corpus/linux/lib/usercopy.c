// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copying from user space: check the destination with the (optional) address
 * sanitizer, then copy.  The sanitizer is off in the bundled configuration, so
 * its checks are a detour no real path takes.
 */
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/kasan.h>
#include <linux/string.h>

static unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n)
{
	memcpy(to, (const void *)from, n);
	return 0;
}

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	kasan_check_write(to, n);
	return raw_copy_from_user(to, from, n);
}
