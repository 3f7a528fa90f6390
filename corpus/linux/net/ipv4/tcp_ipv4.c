// SPDX-License-Identifier: GPL-2.0-or-later
/* TCP over IPv4: connecting, and the operations table tcp_prot. */
#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/export.h>
#include <net/sock.h>
#include <net/route.h>
#include <net/ip.h>
#include <net/tcp.h>

const struct inet_connection_sock_af_ops ipv4_specific = {
	.queue_xmit	= ip_queue_xmit,
};
EXPORT_SYMBOL(ipv4_specific);

const struct inet_connection_sock_af_ops *inet_csk_af_ops(const struct sock *sk)
{
	return &ipv4_specific;
}

int tcp_connect(struct sock *sk)
{
	struct sk_buff *syn = alloc_skb(60, 0);

	if (!syn)
		return -ENOBUFS;
	syn->sk = sk;
	return tcp_transmit_skb(sk, syn);
}

/* Open a connection: route to the peer, then send the SYN. */
int tcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	struct rtable *rt;

	if (addr_len < (int)sizeof(struct sockaddr))
		return -EINVAL;
	sk->sk_daddr = *(u32 *)&uaddr->sa_data[2];
	rt = ip_route_output(sock_net(sk), sk->sk_daddr, sk->sk_rcv_saddr);
	if (!rt)
		return -EINVAL;
	sk->sk_dst_cache = &rt->dst;
	return tcp_connect(sk);
}
EXPORT_SYMBOL(tcp_v4_connect);

struct proto tcp_prot = {
	.name		= "TCP",
	.connect	= tcp_v4_connect,
	.sendmsg	= tcp_sendmsg,
	.recvmsg	= tcp_recvmsg,
	.obj_size	= sizeof(struct sock),
};
EXPORT_SYMBOL(tcp_prot);
