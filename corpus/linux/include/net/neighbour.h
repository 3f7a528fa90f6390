/*
 * Neighbours: the link-layer peer a packet is handed to.  A neighbour sends
 * through ->output, which its protocol's neigh_ops decide at creation time.
 */
#ifndef _XR_NET_NEIGHBOUR_H
#define _XR_NET_NEIGHBOUR_H

#include <linux/skbuff.h>
#include <linux/netdevice.h>

struct neighbour;

struct neigh_ops {
	int family;
	int (*output)(struct neighbour *n, struct sk_buff *skb);
	int (*connected_output)(struct neighbour *n, struct sk_buff *skb);
};

struct neighbour {
	struct net_device *dev;
	const struct neigh_ops *ops;
	int (*output)(struct neighbour *n, struct sk_buff *skb);
	unsigned char ha[32];
	u8 nud_state;
};

int neigh_resolve_output(struct neighbour *neigh, struct sk_buff *skb);
int neigh_connected_output(struct neighbour *neigh, struct sk_buff *skb);
int neigh_direct_output(struct neighbour *neigh, struct sk_buff *skb);
struct neighbour *neigh_lookup(struct net_device *dev, const void *pkey);

static inline int neigh_output(struct neighbour *n, struct sk_buff *skb)
{
	return n->output(n, skb);
}

#endif
