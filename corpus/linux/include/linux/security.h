/* The hooks the rest of the kernel calls before it acts on an object. */
#ifndef _XR_SECURITY_H
#define _XR_SECURITY_H

struct socket;
struct msghdr;
struct file;

#ifdef CONFIG_SECURITY
int security_socket_sendmsg(struct socket *sock, struct msghdr *msg, int size);
int security_socket_recvmsg(struct socket *sock, struct msghdr *msg, int size, int flags);
int security_file_permission(struct file *file, int mask);
#else
static inline int security_socket_sendmsg(struct socket *sock, struct msghdr *msg, int size)
{
	return 0;
}
static inline int security_socket_recvmsg(struct socket *sock, struct msghdr *msg, int size, int flags)
{
	return 0;
}
static inline int security_file_permission(struct file *file, int mask)
{
	return 0;
}
#endif

#endif
