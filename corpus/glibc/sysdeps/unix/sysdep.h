/*
 * System call plumbing shared by every Unix port.  A C wrapper writes
 *	SYSCALL_CANCEL (name, arg1, ..., argN)
 * and this file counts the arguments, picks __INLINE_SYSCALLN for that count
 * and lands in INLINE_SYSCALL (name, N, ...), which each port defines.
 */
#include <sysdeps/generic/sysdep.h>
#include <sys/syscall.h>

#define SYSCALL__(name, args)	PSEUDO (__##name, name, args)
#define SYSCALL(name, args)	PSEUDO (name, name, args)

/* The Nth argument after the real ones is the count: 7 sentinels, then 0. */
#define __INLINE_SYSCALL_NARGS_X(a, b, c, d, e, f, g, h, n, ...) n
#define __INLINE_SYSCALL_NARGS(...)					\
  __INLINE_SYSCALL_NARGS_X (__VA_ARGS__, 7, 6, 5, 4, 3, 2, 1, 0, )
#define __INLINE_SYSCALL_DISP(b, ...)					\
  __SYSCALL_CONCAT (b, __INLINE_SYSCALL_NARGS (__VA_ARGS__)) (__VA_ARGS__)

#define __INLINE_SYSCALL0(name)						\
  INLINE_SYSCALL (name, 0)
#define __INLINE_SYSCALL1(name, a1)					\
  INLINE_SYSCALL (name, 1, a1)
#define __INLINE_SYSCALL2(name, a1, a2)					\
  INLINE_SYSCALL (name, 2, a1, a2)
#define __INLINE_SYSCALL3(name, a1, a2, a3)				\
  INLINE_SYSCALL (name, 3, a1, a2, a3)
#define __INLINE_SYSCALL4(name, a1, a2, a3, a4)				\
  INLINE_SYSCALL (name, 4, a1, a2, a3, a4)
#define __INLINE_SYSCALL5(name, a1, a2, a3, a4, a5)			\
  INLINE_SYSCALL (name, 5, a1, a2, a3, a4, a5)
#define __INLINE_SYSCALL6(name, a1, a2, a3, a4, a5, a6)			\
  INLINE_SYSCALL (name, 6, a1, a2, a3, a4, a5, a6)

/* Issue syscall NAME with the arguments given, setting errno on failure. */
#define INLINE_SYSCALL_CALL(...)					\
  __INLINE_SYSCALL_DISP (__INLINE_SYSCALL, __VA_ARGS__)

/*
 * A cancellation point: when the thread has asynchronous cancellation off,
 * turn it on around the call so a blocked sendto can be cancelled.
 */
#define SYSCALL_CANCEL(...)						\
  ({									\
    long int sc_ret;							\
    if (SINGLE_THREAD_P)						\
      sc_ret = INLINE_SYSCALL_CALL (__VA_ARGS__);			\
    else								\
      {									\
	int sc_cancel_oldtype = LIBC_CANCEL_ASYNC ();			\
	sc_ret = INLINE_SYSCALL_CALL (__VA_ARGS__);			\
	LIBC_CANCEL_RESET (sc_cancel_oldtype);				\
      }									\
    sc_ret;								\
  })
