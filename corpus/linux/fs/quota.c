// SPDX-License-Identifier: GPL-2.0
/*
 * quotactl(2).  Built only with CONFIG_QUOTACTL, which the bundled
 * configuration leaves out: then the weak stub from kernel/sys_ni.c answers.
 */
#include <linux/types.h>
#include <linux/syscalls.h>

static int quota_check(unsigned int cmd, int id)
{
	return (cmd >> 8) ? -EINVAL : 0;
}

SYSCALL_DEFINE4(quotactl, unsigned int, cmd, const char __user *, special,
		int, id, void __user *, addr)
{
	return quota_check(cmd, id);
}
