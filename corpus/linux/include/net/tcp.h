/* TCP over IPv4, and the per-family operations a connection sends through. */
#ifndef _XR_NET_TCP_H
#define _XR_NET_TCP_H

#include <net/sock.h>

struct inet_connection_sock_af_ops {
	int (*queue_xmit)(struct sock *sk, struct sk_buff *skb);
	int (*rebuild_header)(struct sock *sk);
};

extern struct proto tcp_prot;
extern const struct inet_connection_sock_af_ops ipv4_specific;

int tcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
int tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len);
int tcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);
int tcp_connect(struct sock *sk);
int tcp_transmit_skb(struct sock *sk, struct sk_buff *skb);
const struct inet_connection_sock_af_ops *inet_csk_af_ops(const struct sock *sk);

#endif
