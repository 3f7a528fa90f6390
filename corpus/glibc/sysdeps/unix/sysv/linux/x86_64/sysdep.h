/*
 * Linux system calls on x86-64: the number goes in rax, the arguments in
 * rdi, rsi, rdx, r10, r8 and r9, and the SYSCALL instruction enters the
 * kernel (entry_SYSCALL_64).  rcx and r11 are clobbered by the instruction.
 */
#ifndef _XR_LINUX_X86_64_SYSDEP_H
#define _XR_LINUX_X86_64_SYSDEP_H 1

#include <sysdeps/unix/sysv/linux/sysdep.h>
#include <sysdeps/x86_64/sysdep.h>

#ifdef __ASSEMBLER__

/* The wrapper syscall-template.S instantiates: load, trap, check. */
# define DO_CALL(syscall_name, args)					\
    movl $SYS_ify (syscall_name), %eax;					\
    syscall;

# define PSEUDO(name, syscall_name, args)				\
  .text;								\
  ENTRY (name)								\
    DO_CALL (syscall_name, args);					\
    cmpq $-4095, %rax;							\
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

# define __XR_ARG(x)	((long int) (x))

# define internal_syscall0(number, dummy...)				\
  ({									\
    unsigned long int resultvar;					\
    asm volatile ("syscall\n\t"						\
		  : "=a" (resultvar)					\
		  : "0" (number)					\
		  : "memory", "cc", "r11", "cx");			\
    (long int) resultvar;						\
  })

# define internal_syscall2(number, arg1, arg2)				\
  ({									\
    unsigned long int resultvar;					\
    register long int _a2 asm ("rsi") = __XR_ARG (arg2);		\
    register long int _a1 asm ("rdi") = __XR_ARG (arg1);		\
    asm volatile ("syscall\n\t"						\
		  : "=a" (resultvar)					\
		  : "0" (number), "r" (_a1), "r" (_a2)			\
		  : "memory", "cc", "r11", "cx");			\
    (long int) resultvar;						\
  })

# define internal_syscall3(number, arg1, arg2, arg3)			\
  ({									\
    unsigned long int resultvar;					\
    register long int _a3 asm ("rdx") = __XR_ARG (arg3);		\
    register long int _a2 asm ("rsi") = __XR_ARG (arg2);		\
    register long int _a1 asm ("rdi") = __XR_ARG (arg1);		\
    asm volatile ("syscall\n\t"						\
		  : "=a" (resultvar)					\
		  : "0" (number), "r" (_a1), "r" (_a2), "r" (_a3)	\
		  : "memory", "cc", "r11", "cx");			\
    (long int) resultvar;						\
  })

# define internal_syscall6(number, arg1, arg2, arg3, arg4, arg5, arg6)	\
  ({									\
    unsigned long int resultvar;					\
    register long int _a6 asm ("r9") = __XR_ARG (arg6);			\
    register long int _a5 asm ("r8") = __XR_ARG (arg5);			\
    register long int _a4 asm ("r10") = __XR_ARG (arg4);		\
    register long int _a3 asm ("rdx") = __XR_ARG (arg3);		\
    register long int _a2 asm ("rsi") = __XR_ARG (arg2);		\
    register long int _a1 asm ("rdi") = __XR_ARG (arg1);		\
    asm volatile ("syscall\n\t"						\
		  : "=a" (resultvar)					\
		  : "0" (number), "r" (_a1), "r" (_a2), "r" (_a3),	\
		    "r" (_a4), "r" (_a5), "r" (_a6)			\
		  : "memory", "cc", "r11", "cx");			\
    (long int) resultvar;						\
  })

#endif /* __ASSEMBLER__ */

#endif
