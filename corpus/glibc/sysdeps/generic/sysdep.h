/* The generic sysdep.h: what every port's own sysdep.h builds on. */
#ifndef _XR_GENERIC_SYSDEP_H
#define _XR_GENERIC_SYSDEP_H 1

#define C_SYMBOL_NAME(name) name
#define __SYSCALL_CONCAT_X(a, b)	a##b
#define __SYSCALL_CONCAT(a, b)		__SYSCALL_CONCAT_X (a, b)

#endif
