// SPDX-License-Identifier: GPL-2.0-only
/*
 * Another architecture's own version of a generic system call (never built
 * for x86_64): the answers for x86_64 must pick kernel/sys.c's.
 */
#include <linux/syscalls.h>

SYSCALL_DEFINE0(getpid)
{
	return arm64_task_tgid();
}
