/* Socket addresses and the message header every send and receive builds. */
#ifndef _XR_SOCKET_H
#define _XR_SOCKET_H

#include <linux/types.h>

#define AF_UNSPEC	0
#define AF_INET		2
#define AF_INET6	10
#define PF_INET		AF_INET
#define PF_INET6	AF_INET6

#define SOCK_STREAM	1
#define SOCK_DGRAM	2

#define IPPROTO_TCP	6
#define IPPROTO_UDP	17

#define MSG_DONTWAIT	0x40
#define MSG_MORE	0x8000
#define MSG_ERRQUEUE	0x2000

struct sockaddr {
	unsigned short sa_family;
	char sa_data[14];
};

struct iovec {
	void __user *iov_base;
	size_t iov_len;
};

struct msghdr {
	void *msg_name;
	int msg_namelen;
	struct iovec msg_iov;
	unsigned int msg_flags;
};

static inline size_t msg_data_left(const struct msghdr *msg)
{
	return msg->msg_iov.iov_len;
}

#endif
