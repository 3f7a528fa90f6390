/*
 * Destination cache entries.  Routing decides, per destination, which
 * function sends a packet out (->output) and which takes one in (->input);
 * those pointers are assigned at run time, when the route is made.
 */
#ifndef _XR_NET_DST_H
#define _XR_NET_DST_H

#include <linux/skbuff.h>
#include <linux/indirect_call_wrapper.h>

struct net;
struct sock;
struct neighbour;

struct dst_entry {
	struct net_device *dev;
	struct neighbour *neighbour;
	int (*input)(struct sk_buff *skb);
	int (*output)(struct net *net, struct sock *sk, struct sk_buff *skb);
	unsigned short flags;
};

static inline struct dst_entry *skb_dst(const struct sk_buff *skb)
{
	return skb->dst;
}

int ip6_output(struct net *net, struct sock *sk, struct sk_buff *skb);
int ip_output(struct net *net, struct sock *sk, struct sk_buff *skb);

/* Send a routed packet on its way, whichever family made the route. */
static inline int dst_output(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return INDIRECT_CALL_INET(skb_dst(skb)->output,
				  ip6_output, ip_output,
				  net, sk, skb);
}

#endif
