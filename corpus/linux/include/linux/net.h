/*
 * The protocol-independent socket: struct socket, and struct proto_ops, the
 * table through which the system calls reach an address family.
 */
#ifndef _XR_NET_H
#define _XR_NET_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/socket.h>
#include <uapi/linux/net.h>

struct sock;
struct net;
struct file;

struct socket {
	short type;
	struct file *file;
	struct sock *sk;
	const struct proto_ops *ops;
};

struct proto_ops {
	int family;
	int (*release)(struct socket *sock);
	int (*bind)(struct socket *sock, struct sockaddr *myaddr, int sockaddr_len);
	int (*connect)(struct socket *sock, struct sockaddr *vaddr, int sockaddr_len, int flags);
	int (*sendmsg)(struct socket *sock, struct msghdr *m, size_t total_len);
	int (*recvmsg)(struct socket *sock, struct msghdr *m, size_t total_len, int flags);
};

/* An address family's constructor, called by socket(2) to set up a new socket. */
struct net_proto_family {
	int family;
	int (*create)(struct net *net, struct socket *sock, int protocol, int kern);
};

int sock_register(const struct net_proto_family *fam);
int sock_create(int family, int type, int proto, struct socket **res);
int sock_sendmsg(struct socket *sock, struct msghdr *msg);
int sock_recvmsg(struct socket *sock, struct msghdr *msg, int flags);
struct socket *sockfd_lookup(int fd, int *err);

#endif
