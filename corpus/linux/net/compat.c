// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit compatibility for the socket calls: the arguments arrive as 32-bit
 * words and are widened before the common helpers run.
 */
#include <linux/types.h>
#include <linux/syscalls.h>
#include <linux/net.h>
#include <linux/uaccess.h>

/* Argument counts per sub-call, in 32-bit words. */
static const unsigned char compat_nargs[13] = {
	0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4, 6, 6,
};

COMPAT_SYSCALL_DEFINE6(recvfrom, int, fd, void __user *, buf, u32, len,
		       unsigned int, flags, struct sockaddr __user *, addr,
		       int __user *, addrlen)
{
	return __sys_recvfrom(fd, buf, len, flags, addr, addrlen);
}

COMPAT_SYSCALL_DEFINE2(socketcall, int, call, u32 __user *, args)
{
	u32 a[6];
	u32 a0, a1;
	int ret;

	if (call < SYS_SOCKET || call > SYS_RECVFROM)
		return -EINVAL;
	if (copy_from_user(a, args, compat_nargs[call] * sizeof(u32)))
		return -EFAULT;
	a0 = a[0];
	a1 = a[1];

	switch (call) {
	case SYS_SOCKET:
		ret = __sys_socket(a0, a1, a[2]);
		break;
	case SYS_BIND:
		ret = __sys_bind(a0, (struct sockaddr __user *)(unsigned long)a1, a[2]);
		break;
	case SYS_CONNECT:
		ret = __sys_connect(a0, (struct sockaddr __user *)(unsigned long)a1, a[2]);
		break;
	case SYS_SEND:
		ret = __sys_sendto(a0, (void __user *)(unsigned long)a1, a[2], a[3], NULL, 0);
		break;
	case SYS_SENDTO:
		ret = __sys_sendto(a0, (void __user *)(unsigned long)a1, a[2], a[3],
				   (struct sockaddr __user *)(unsigned long)a[4], a[5]);
		break;
	case SYS_RECVFROM:
		ret = __sys_recvfrom(a0, (void __user *)(unsigned long)a1, a[2], a[3],
				     (struct sockaddr __user *)(unsigned long)a[4],
				     (int __user *)(unsigned long)a[5]);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	return ret;
}
