// SPDX-License-Identifier: GPL-2.0
/* Kernel messages: kept in a buffer and written to each registered console. */
#include <linux/types.h>
#include <linux/console.h>

static struct console *console_list;

void register_console(struct console *con)
{
	con->next = console_list;
	console_list = con;
}

void console_flush_all(const char *text, unsigned int len)
{
	struct console *con;

	for (con = console_list; con; con = con->next)
		con->write(con, text, len);
}
