/*
 * The network-layer socket (struct sock) and struct proto, the table through
 * which an address family reaches its transport protocol (TCP, UDP, ...).
 */
#ifndef _XR_NET_SOCK_H
#define _XR_NET_SOCK_H

#include <linux/types.h>
#include <linux/net.h>
#include <linux/skbuff.h>

struct dst_entry;
struct net;

struct proto {
	const char *name;
	int (*connect)(struct sock *sk, struct sockaddr *uaddr, int addr_len);
	int (*bind)(struct sock *sk, struct sockaddr *addr, int addr_len);
	int (*sendmsg)(struct sock *sk, struct msghdr *msg, size_t len);
	int (*recvmsg)(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len);
	unsigned int obj_size;
};

struct sock {
	unsigned short sk_family;
	unsigned short sk_type;
	unsigned short sk_protocol;
	struct proto *sk_prot;
	struct socket *sk_socket;
	struct dst_entry *sk_dst_cache;
	struct net *sk_net;
	u32 sk_daddr;
	u32 sk_rcv_saddr;
	u16 sk_dport;
	u16 sk_num;
	unsigned int sk_lock_owned;
	size_t sk_corked;
};

static inline struct net *sock_net(const struct sock *sk)
{
	return sk->sk_net;
}

struct sock *sk_alloc(struct net *net, int family, gfp_t priority, struct proto *prot);
void sock_init_data(struct socket *sock, struct sock *sk);
void lock_sock(struct sock *sk);
void release_sock(struct sock *sk);

#endif
