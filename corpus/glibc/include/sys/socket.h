/* libc's internal view of <sys/socket.h>: the public one plus internal names. */
#ifndef _XR_INTERNAL_SYS_SOCKET_H
#define _XR_INTERNAL_SYS_SOCKET_H 1

#include <socket/sys/socket.h>

extern int __socket (int __domain, int __type, int __protocol);
libc_hidden_proto (__socket)
extern int __bind (int __fd, __CONST_SOCKADDR_ARG __addr, socklen_t __len);
extern int __connect (int __fd, __CONST_SOCKADDR_ARG __addr, socklen_t __len);
libc_hidden_proto (__connect)
extern ssize_t __libc_sendto (int __fd, const void *__buf, size_t __n, int __flags,
			      __CONST_SOCKADDR_ARG __addr, socklen_t __addr_len);
extern ssize_t __libc_recvfrom (int __fd, void *__restrict __buf, size_t __n,
				int __flags, __SOCKADDR_ARG __addr,
				socklen_t *__restrict __addr_len);

#endif
