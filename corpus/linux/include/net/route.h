/* IPv4 routes: a route is a dst_entry plus what IPv4 needs to know. */
#ifndef _XR_NET_ROUTE_H
#define _XR_NET_ROUTE_H

#include <net/dst.h>

struct rtable {
	struct dst_entry dst;
	u32 rt_gateway;
	unsigned int rt_flags;
};

#define RTCF_LOCAL	0x80000000

struct rtable *ip_route_output(struct net *net, u32 daddr, u32 saddr);

#endif
