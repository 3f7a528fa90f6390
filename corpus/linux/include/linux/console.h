/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XR_CONSOLE_H
#define _XR_CONSOLE_H

/* A place kernel messages are written to: the serial port, the screen, the network. */
struct console {
	const char *name;
	void (*write)(struct console *con, const char *text, unsigned int len);
	struct console *next;
};

void register_console(struct console *con);
void console_flush_all(const char *text, unsigned int len);

#endif
