/* System call numbers for i386, as the kernel's syscall_32.tbl assigns them. */
#define __NR_read	3
#define __NR_write	4
#define __NR_getpid	20
#define __NR_umask	60
#define __NR_socketcall	102
#define __NR_quotactl	131
#define __NR_socket	359
#define __NR_bind	361
#define __NR_connect	362
#define __NR_sendto	369
#define __NR_recvfrom	371
