// SPDX-License-Identifier: GPL-2.0-or-later
/* The generic neighbour output functions that protocols choose between. */
#include <linux/types.h>
#include <linux/netdevice.h>
#include <net/neighbour.h>

static struct neighbour neigh_table[4];

struct neighbour *neigh_lookup(struct net_device *dev, const void *pkey)
{
	struct neighbour *n = &neigh_table[0];

	n->dev = dev;
	return n;
}

/* Resolve the link-layer address first if needed, then transmit. */
int neigh_resolve_output(struct neighbour *neigh, struct sk_buff *skb)
{
	if (!neigh->nud_state)
		neigh->nud_state = 1;
	skb->dev = neigh->dev;
	return dev_queue_xmit(skb);
}

int neigh_connected_output(struct neighbour *neigh, struct sk_buff *skb)
{
	skb->dev = neigh->dev;
	return dev_queue_xmit(skb);
}

int neigh_direct_output(struct neighbour *neigh, struct sk_buff *skb)
{
	return dev_queue_xmit(skb);
}
