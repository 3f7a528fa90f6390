/*
 * Linux's errno convention: the kernel returns -errno in the result
 * register, so any value in [-4095, -1] is an error.
 */
#include <sysdeps/unix/sysdep.h>
#include <errno.h>
#include <kernel-features.h>

#define SYS_ify(syscall_name)	__NR_##syscall_name

#define INTERNAL_SYSCALL_ERROR_P(val)					\
  ((unsigned long int) (val) > -4096UL)
#define INTERNAL_SYSCALL_ERRNO(val)	(-(val))

/* Make the call; on error set errno and return -1. */
#define INLINE_SYSCALL(name, nr, args...)				\
  ({									\
    long int sc_ret = INTERNAL_SYSCALL (name, nr, args);		\
    __glibc_unlikely (INTERNAL_SYSCALL_ERROR_P (sc_ret))		\
    ? ({ __set_errno (INTERNAL_SYSCALL_ERRNO (sc_ret)); -1L; })		\
    : sc_ret;								\
  })

#define __glibc_unlikely(cond)	__builtin_expect ((cond), 0)
