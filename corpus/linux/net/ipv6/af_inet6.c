// SPDX-License-Identifier: GPL-2.0-or-later
/* The IPv6 address family's socket operations. */
#include <linux/types.h>
#include <linux/net.h>
#include <linux/indirect_call_wrapper.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/tcp.h>
#include <net/udp.h>

int inet6_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;

	return INDIRECT_CALL_2(sk->sk_prot->sendmsg, tcp_sendmsg, udpv6_sendmsg,
			       sk, msg, size);
}

int inet6_recvmsg(struct socket *sock, struct msghdr *msg, size_t size, int flags)
{
	struct sock *sk = sock->sk;
	int addr_len = 0;

	return sk->sk_prot->recvmsg(sk, msg, size, flags, &addr_len);
}

const struct proto_ops inet6_dgram_ops = {
	.family		= PF_INET6,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_dgram_connect,
	.sendmsg	= inet6_sendmsg,
	.recvmsg	= inet6_recvmsg,
};
