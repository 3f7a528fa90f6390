// SPDX-License-Identifier: GPL-2.0-or-later
/* IPv6 output, reduced to the hand-off to the neighbour. */
#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>
#include <net/dst.h>
#include <net/neighbour.h>

static int ip6_finish_output(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return neigh_output(skb_dst(skb)->neighbour, skb);
}

int ip6_output(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return NF_HOOK_COND(NFPROTO_IPV6, NF_INET_POST_ROUTING, net, sk, skb,
			    NULL, skb_dst(skb)->dev, ip6_finish_output, true);
}
