// SPDX-License-Identifier: GPL-2.0-or-later
/* UDP over IPv6; IPv4-mapped destinations are handed to the IPv4 code. */
#include <linux/types.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/dst.h>
#include <net/udp.h>

static bool ipv6_addr_v4mapped(const struct msghdr *msg)
{
	return msg->msg_namelen == (int)sizeof(struct sockaddr);
}

int udpv6_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct sk_buff *skb;

	if (ipv6_addr_v4mapped(msg))
		return udp_sendmsg(sk, msg, len);
	skb = alloc_skb(len + 48, 0);
	if (!skb)
		return -ENOBUFS;
	skb->sk = sk;
	skb->dst = sk->sk_dst_cache;
	return ip6_output(sock_net(sk), sk, skb);
}

struct proto udpv6_prot = {
	.name		= "UDPv6",
	.sendmsg	= udpv6_sendmsg,
	.recvmsg	= udp_recvmsg,
};
