// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4 output: from a routed packet to the neighbour that transmits it.
 * Netfilter sits in the middle; each hook is passed the step that follows.
 */
#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/export.h>
#include <net/sock.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/neighbour.h>

int __ip_local_out(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return nf_hook(NFPROTO_IPV4, NF_INET_LOCAL_OUT, net, sk, skb, NULL,
		       skb_dst(skb)->dev, dst_output);
}

int ip_local_out(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	int err;

	err = __ip_local_out(net, sk, skb);
	if (likely(err == 1))
		err = dst_output(net, sk, skb);
	return err;
}
EXPORT_SYMBOL_GPL(ip_local_out);

int ip_send_skb(struct net *net, struct sk_buff *skb)
{
	return ip_local_out(net, skb->sk, skb);
}

int ip_queue_xmit(struct sock *sk, struct sk_buff *skb)
{
	skb->dst = sk->sk_dst_cache;
	return ip_local_out(sock_net(sk), sk, skb);
}
EXPORT_SYMBOL(ip_queue_xmit);

static int ip_finish_output2(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	struct neighbour *neigh = skb_dst(skb)->neighbour;

	if (!neigh) {
		kfree_skb(skb);
		return -EINVAL;
	}
	return neigh_output(neigh, skb);
}

static int __ip_finish_output(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	/* Fragmentation would happen here for packets above the MTU. */
	return ip_finish_output2(net, sk, skb);
}

static int ip_finish_output(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return __ip_finish_output(net, sk, skb);
}

int ip_output(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	struct net_device *dev = skb_dst(skb)->dev;

	skb->dev = dev;
	return NF_HOOK_COND(NFPROTO_IPV4, NF_INET_POST_ROUTING,
			    net, sk, skb, NULL, dev,
			    ip_finish_output, true);
}
