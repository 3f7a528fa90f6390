/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XR_PANIC_H
#define _XR_PANIC_H

void panic(const char *fmt, ...);

#endif
