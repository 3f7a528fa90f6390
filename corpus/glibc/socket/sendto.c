/*
 * The generic sendto, for systems with no socket support: it always fails.
 * Every real port overrides this file from its sysdeps directory.
 */
#include <errno.h>
#include <sys/socket.h>

ssize_t
__sendto (int fd, const void *buf, size_t n, int flags,
	  __CONST_SOCKADDR_ARG addr, socklen_t addr_len)
{
  __set_errno (ENOSYS);
  return -1;
}
weak_alias (__sendto, sendto)

stub_warning (sendto)
