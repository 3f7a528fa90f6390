/* System call numbers for x86-64, as the kernel's syscall_64.tbl assigns them. */
#define __NR_read	0
#define __NR_write	1
#define __NR_getpid	39
#define __NR_socket	41
#define __NR_connect	42
#define __NR_sendto	44
#define __NR_recvfrom	45
#define __NR_bind	49
#define __NR_umask	95
#define __NR_quotactl	179
