/*
 * Linux system calls on i386: the number goes in eax, the arguments in ebx,
 * ecx, edx, esi, edi and ebp, and "int $0x80" enters the kernel through
 * vector 0x80 (entry_INT80_compat on a 64-bit kernel).
 */
#ifndef _XR_LINUX_I386_SYSDEP_H
#define _XR_LINUX_I386_SYSDEP_H 1

#include <sysdeps/unix/sysv/linux/sysdep.h>
#include <sysdeps/i386/sysdep.h>

#ifdef __ASSEMBLER__

# define DO_CALL(syscall_name, args)					\
    movl $SYS_ify (syscall_name), %eax;					\
    int $0x80;

# define PSEUDO(name, syscall_name, args)				\
  .text;								\
  ENTRY (name)								\
    DO_CALL (syscall_name, args);					\
    cmpl $-4095, %eax;							\
    jae __syscall_error;

# define PSEUDO_END(name)	END (name)

# define PSEUDO_NOERRNO(name, syscall_name, args)			\
  .text;								\
  ENTRY (name)								\
    DO_CALL (syscall_name, args)

# define PSEUDO_END_NOERRNO(name)	END (name)
# define ret_NOERRNO	ret

#else /* !__ASSEMBLER__ */

# define INTERNAL_SYSCALL(name, nr, args...)				\
  internal_syscall##nr (SYS_ify (name), args)

# define internal_syscall2(number, arg1, arg2)				\
  ({									\
    long int resultvar;							\
    asm volatile ("int $0x80"						\
		  : "=a" (resultvar)					\
		  : "0" (number), "b" ((long int) (arg1)),		\
		    "c" ((long int) (arg2))				\
		  : "memory", "cc");					\
    resultvar;								\
  })

# define internal_syscall3(number, arg1, arg2, arg3)			\
  ({									\
    long int resultvar;							\
    asm volatile ("int $0x80"						\
		  : "=a" (resultvar)					\
		  : "0" (number), "b" ((long int) (arg1)),		\
		    "c" ((long int) (arg2)), "d" ((long int) (arg3))	\
		  : "memory", "cc");					\
    resultvar;								\
  })

#endif /* __ASSEMBLER__ */

#endif
