/*
 * The socketcall(2) multiplexer: architectures that only had one system call
 * for all socket operations pass a sub-call number and a pointer to an array
 * holding the real arguments.
 */
#ifndef _XR_SOCKETCALL_H
#define _XR_SOCKETCALL_H 1

#define SOCKOP_invalid		-1
#define SOCKOP_socket		1
#define SOCKOP_bind		2
#define SOCKOP_connect		3
#define SOCKOP_send		9
#define SOCKOP_sendto		11
#define SOCKOP_recvfrom		12

#define __SOCKETCALL1(name, a1)						\
  INLINE_SYSCALL (socketcall, 2, name,					\
		  ((long int [1]) { (long int) (a1) }))
#define __SOCKETCALL3(name, a1, a2, a3)					\
  INLINE_SYSCALL (socketcall, 2, name,					\
		  ((long int [3]) { (long int) (a1), (long int) (a2),	\
				    (long int) (a3) }))
#define __SOCKETCALL6(name, a1, a2, a3, a4, a5, a6)			\
  INLINE_SYSCALL (socketcall, 2, name,					\
		  ((long int [6]) { (long int) (a1), (long int) (a2),	\
				    (long int) (a3), (long int) (a4),	\
				    (long int) (a5), (long int) (a6) }))

/* Counts the arguments after the sub-call number: 8 slots, then the count. */
#define __SOCKETCALL_NARGS_X(a, b, c, d, e, f, g, h, n, ...) n
#define __SOCKETCALL_NARGS(...)						\
  __SOCKETCALL_NARGS_X (__VA_ARGS__, 7, 6, 5, 4, 3, 2, 1, 0, )
#define __SOCKETCALL_CONCAT_X(a, b)	a##b
#define __SOCKETCALL_CONCAT(a, b)	__SOCKETCALL_CONCAT_X (a, b)
#define __SOCKETCALL_DISP(b, ...)					\
  __SOCKETCALL_CONCAT (b, __SOCKETCALL_NARGS (__VA_ARGS__)) (__VA_ARGS__)

#define SOCKETCALL(name, args...)					\
  __SOCKETCALL_DISP (__SOCKETCALL, SOCKOP_##name, args)

#define SOCKETCALL_CANCEL(name, args...)				\
  ({									\
    int oldtype = LIBC_CANCEL_ASYNC ();					\
    long int sc_ret = SOCKETCALL (name, args);				\
    LIBC_CANCEL_RESET (oldtype);					\
    sc_ret;								\
  })

#endif
