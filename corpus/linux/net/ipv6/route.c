// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 routing, reduced to what a route's allocation decides: like IPv4's,
 * its output function is assigned here, not listed in a table.
 */
#include <linux/types.h>
#include <linux/netdevice.h>
#include <net/dst.h>

struct rt6_info {
	struct dst_entry dst;
	unsigned int rt6i_flags;
};

static struct rt6_info rt6_cache[2];

struct rt6_info *ip6_dst_alloc(struct net_device *dev, unsigned int flags)
{
	struct rt6_info *rt = &rt6_cache[flags & 1];

	rt->dst.dev = dev;
	rt->dst.output = ip6_output;
	rt->rt6i_flags = flags;
	return rt;
}
