// SPDX-License-Identifier: GPL-2.0-or-later
/* TCP's user-facing half: copying user data into the send queue. */
#include <linux/types.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp.h>

int tcp_transmit_skb(struct sock *sk, struct sk_buff *skb)
{
	const struct inet_connection_sock_af_ops *af_ops = inet_csk_af_ops(sk);

	/* The address family decides how the segment leaves (IPv4 or IPv6). */
	return af_ops->queue_xmit(sk, skb);
}

static int tcp_push_one(struct sock *sk, struct sk_buff *skb)
{
	return tcp_transmit_skb(sk, skb);
}

int tcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct sk_buff *skb;
	int ret;

	lock_sock(sk);
	skb = alloc_skb(size, 0);
	if (!skb) {
		release_sock(sk);
		return -ENOBUFS;
	}
	skb->sk = sk;
	skb->len = size;
	ret = tcp_push_one(sk, skb);
	release_sock(sk);
	return ret < 0 ? ret : (int)size;
}

int tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len)
{
	return 0;
}
