// SPDX-License-Identifier: GPL-2.0-or-later
/* connect(2) on a datagram socket: remember the peer and its route. */
#include <linux/types.h>
#include <net/sock.h>
#include <net/route.h>
#include <net/ip.h>

int ip4_datagram_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	struct rtable *rt;

	sk->sk_daddr = *(u32 *)&uaddr->sa_data[2];
	rt = ip_route_output(sock_net(sk), sk->sk_daddr, sk->sk_rcv_saddr);
	if (!rt)
		return -EINVAL;
	sk->sk_dst_cache = &rt->dst;
	return 0;
}
