/*
 * Which kernel interfaces may be assumed present.  Architectures whose
 * kernels once lacked the direct socket calls undo these in their own copy.
 */
#define __ASSUME_SOCKET_SYSCALL		1
#define __ASSUME_BIND_SYSCALL		1
#define __ASSUME_CONNECT_SYSCALL	1
#define __ASSUME_SENDTO_SYSCALL		1
#define __ASSUME_RECVFROM_SYSCALL	1
