// SPDX-License-Identifier: GPL-2.0
/* Reporting a bad access: print it, and stop the machine when asked to. */
#include <linux/types.h>
#include <linux/kasan.h>
#include <linux/panic.h>

static bool panic_on_report = true;

void kasan_report(unsigned long addr, size_t size, bool is_write)
{
	if (panic_on_report)
		panic("kasan: bad access");
}
