// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4 routing.  A route's output and input functions are not in any table:
 * they are assigned when the route is allocated, depending on its kind.
 */
#include <linux/types.h>
#include <linux/netdevice.h>
#include <net/route.h>
#include <net/ip.h>
#include <net/neighbour.h>

static struct rtable route_cache[4];
extern struct net_device *loopback_dev;

static struct rtable *rt_dst_alloc(struct net_device *dev, unsigned int flags)
{
	struct rtable *rt = &route_cache[flags & 3];

	rt->dst.dev = dev;
	rt->dst.output = ip_output;
	if (flags & RTCF_LOCAL)
		rt->dst.input = ip_local_deliver;
	rt->rt_flags = flags;
	return rt;
}

struct rtable *ip_route_output(struct net *net, u32 daddr, u32 saddr)
{
	struct rtable *rt;

	/* Everything is local in the bundled tree's tiny routing table. */
	rt = rt_dst_alloc(loopback_dev, RTCF_LOCAL);
	rt->dst.neighbour = neigh_lookup(loopback_dev, &daddr);
	return rt;
}

int ip_local_deliver(struct sk_buff *skb)
{
	kfree_skb(skb);
	return 0;
}
