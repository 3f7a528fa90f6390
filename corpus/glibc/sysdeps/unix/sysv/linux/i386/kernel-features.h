/*
 * i386 kernels got the direct socket system calls late; a libc that must run
 * on older ones multiplexes through socketcall instead.
 */
#include_next <kernel-features.h>

#undef __ASSUME_SOCKET_SYSCALL
#undef __ASSUME_BIND_SYSCALL
#undef __ASSUME_CONNECT_SYSCALL
#undef __ASSUME_SENDTO_SYSCALL
#undef __ASSUME_RECVFROM_SYSCALL
