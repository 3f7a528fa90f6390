// SPDX-License-Identifier: GPL-2.0
/*
 * System calls that a configuration may leave out.  Each COND_SYSCALL makes a
 * weak stub that returns -ENOSYS; when the real handler is built, its strong
 * definition wins at link time.
 */
#include <linux/linkage.h>
#include <linux/errno.h>
#include <linux/syscalls.h>

asmlinkage long sys_ni_syscall(void)
{
	return -ENOSYS;
}

COND_SYSCALL(quotactl);
COND_SYSCALL(socketcall);
COND_SYSCALL(socket);
COND_SYSCALL(bind);
COND_SYSCALL(connect);
COND_SYSCALL(sendto);
COND_SYSCALL(recvfrom);
/* kexec is not part of this tree: the stub is all there is. */
COND_SYSCALL(kexec_load);
