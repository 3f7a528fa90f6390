/* The public socket interface (what <sys/socket.h> declares to programs). */
#ifndef _XR_SYS_SOCKET_H
#define _XR_SYS_SOCKET_H 1

#include <sys/types.h>

struct sockaddr
  {
    unsigned short int sa_family;
    char sa_data[14];
  };

/*
 * Functions taking a socket address accept any of the sockaddr_* types; GCC's
 * transparent unions let the caller pass one without a cast.
 */
typedef union { struct sockaddr *__restrict __sockaddr__; }
  __SOCKADDR_ARG __attribute__ ((__transparent_union__));
typedef union { const struct sockaddr *__restrict __sockaddr__; }
  __CONST_SOCKADDR_ARG __attribute__ ((__transparent_union__));

extern int socket (int __domain, int __type, int __protocol);
extern int bind (int __fd, __CONST_SOCKADDR_ARG __addr, socklen_t __len);
extern int connect (int __fd, __CONST_SOCKADDR_ARG __addr, socklen_t __len);
extern ssize_t sendto (int __fd, const void *__buf, size_t __n, int __flags,
		       __CONST_SOCKADDR_ARG __addr, socklen_t __addr_len);
extern ssize_t recvfrom (int __fd, void *__restrict __buf, size_t __n, int __flags,
			 __SOCKADDR_ARG __addr, socklen_t *__restrict __addr_len);

#endif
