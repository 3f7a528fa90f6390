/*
 * The assembly wrapper for one system call, compiled once per row of a
 * syscalls.list with these defined on the command line:
 *	SYSCALL_NAME	the kernel's name for it (the number is __NR_ of it)
 *	SYSCALL_NARGS	how many arguments it takes
 *	SYSCALL_SYMBOL	the function this object defines
 *	SYSCALL_NOERRNO	1 if the call cannot fail
 * The port's sysdep.h says how to trap: PSEUDO and DO_CALL.
 */
#include <sysdep.h>

#define T_PSEUDO(SYMBOL, NAME, N)		PSEUDO (SYMBOL, NAME, N)
#define T_PSEUDO_NOERRNO(SYMBOL, NAME, N)	PSEUDO_NOERRNO (SYMBOL, NAME, N)
#define T_PSEUDO_END(SYMBOL)			PSEUDO_END (SYMBOL)
#define T_PSEUDO_END_NOERRNO(SYMBOL)		PSEUDO_END_NOERRNO (SYMBOL)

#if SYSCALL_NOERRNO

T_PSEUDO_NOERRNO (SYSCALL_SYMBOL, SYSCALL_NAME, SYSCALL_NARGS)
	ret_NOERRNO
T_PSEUDO_END_NOERRNO (SYSCALL_SYMBOL)

#else

T_PSEUDO (SYSCALL_SYMBOL, SYSCALL_NAME, SYSCALL_NARGS)
	ret
T_PSEUDO_END (SYSCALL_SYMBOL)

#endif
