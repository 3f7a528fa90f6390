// SPDX-License-Identifier: GPL-2.0
/* Stopping the machine after a fatal error: the message goes to every console first. */
#include <linux/types.h>
#include <linux/panic.h>
#include <linux/console.h>

void panic(const char *fmt, ...)
{
	console_flush_all(fmt, 64);
	for (;;)
		;
}
