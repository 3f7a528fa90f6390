// SPDX-License-Identifier: GPL-2.0
/* Turning a file descriptor into its socket, and allocating new sockets. */
#include <linux/types.h>
#include <linux/net.h>
#include <linux/fs.h>
#include <linux/errno.h>

static struct socket socket_pool[8];
static int sockets_used;

struct socket *sock_alloc(void)
{
	if (sockets_used >= 8)
		return NULL;
	return &socket_pool[sockets_used++];
}

struct socket *sockfd_lookup(int fd, int *err)
{
	struct file *file = fget(fd);

	if (!file) {
		*err = -EBADF;
		return NULL;
	}
	*err = -ENOTSOCK;
	return file->private_data;
}
