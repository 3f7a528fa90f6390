/* The system call numbers, SYS_name and __NR_name, for the target. */
#ifndef _XR_SYS_SYSCALL_H
#define _XR_SYS_SYSCALL_H 1

#include <arch-syscall.h>

#endif
