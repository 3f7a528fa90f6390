// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPv4 address family: creating sockets from the protocol switch and the
 * proto_ops tables that forward each operation to the transport (sk_prot).
 */
#include <linux/types.h>
#include <linux/net.h>
#include <linux/export.h>
#include <linux/indirect_call_wrapper.h>
#include <net/sock.h>
#include <net/protocol.h>
#include <net/inet_common.h>
#include <net/tcp.h>
#include <net/udp.h>

/*
 * The protocol switch: socket(AF_INET, type, protocol) picks the row that
 * matches and gets that row's proto_ops and proto.
 */
static struct inet_protosw inetsw_array[] = {
	{
		.type =       SOCK_STREAM,
		.protocol =   IPPROTO_TCP,
		.prot =       &tcp_prot,
		.ops =        &inet_stream_ops,
	},
	{
		.type =       SOCK_DGRAM,
		.protocol =   IPPROTO_UDP,
		.prot =       &udp_prot,
		.ops =        &inet_dgram_ops,
	},
};

static int inet_create(struct net *net, struct socket *sock, int protocol, int kern)
{
	struct inet_protosw *answer = NULL;
	struct sock *sk;
	unsigned int i;

	for (i = 0; i < sizeof(inetsw_array) / sizeof(inetsw_array[0]); i++) {
		if (inetsw_array[i].type == sock->type &&
		    (!protocol || inetsw_array[i].protocol == protocol)) {
			answer = &inetsw_array[i];
			break;
		}
	}
	if (!answer)
		return -EINVAL;

	sock->ops = answer->ops;
	sk = sk_alloc(net, PF_INET, 0, answer->prot);
	if (!sk)
		return -ENOBUFS;
	sock_init_data(sock, sk);
	sk->sk_prot = answer->prot;
	sk->sk_protocol = answer->protocol;
	return 0;
}

int inet_release(struct socket *sock)
{
	sock->sk = NULL;
	return 0;
}

int __inet_bind(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	if (addr_len < (int)sizeof(struct sockaddr))
		return -EINVAL;
	lock_sock(sk);
	sk->sk_rcv_saddr = *(u32 *)&uaddr->sa_data[2];
	release_sock(sk);
	return 0;
}

int inet_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct sock *sk = sock->sk;

	/* A protocol with its own bind (raw sockets) takes over entirely. */
	if (sk->sk_prot->bind)
		return sk->sk_prot->bind(sk, uaddr, addr_len);
	return __inet_bind(sk, uaddr, addr_len);
}
EXPORT_SYMBOL(inet_bind);

int inet_dgram_connect(struct socket *sock, struct sockaddr *uaddr, int addr_len, int flags)
{
	struct sock *sk = sock->sk;

	if (uaddr->sa_family == AF_UNSPEC)
		return -EINVAL;
	return sk->sk_prot->connect(sk, uaddr, addr_len);
}

static int __inet_stream_connect(struct socket *sock, struct sockaddr *uaddr,
				 int addr_len, int flags)
{
	struct sock *sk = sock->sk;

	return sk->sk_prot->connect(sk, uaddr, addr_len);
}

int inet_stream_connect(struct socket *sock, struct sockaddr *uaddr, int addr_len, int flags)
{
	int err;

	lock_sock(sock->sk);
	err = __inet_stream_connect(sock, uaddr, addr_len, flags);
	release_sock(sock->sk);
	return err;
}

int inet_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;

	return INDIRECT_CALL_2(sk->sk_prot->sendmsg, tcp_sendmsg, udp_sendmsg,
			       sk, msg, size);
}
EXPORT_SYMBOL(inet_sendmsg);

int inet_recvmsg(struct socket *sock, struct msghdr *msg, size_t size, int flags)
{
	struct sock *sk = sock->sk;
	int addr_len = 0;

	return INDIRECT_CALL_2(sk->sk_prot->recvmsg, tcp_recvmsg, udp_recvmsg,
			       sk, msg, size, flags, &addr_len);
}

const struct proto_ops inet_stream_ops = {
	.family		= PF_INET,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_stream_connect,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
};
EXPORT_SYMBOL(inet_stream_ops);

const struct proto_ops inet_dgram_ops = {
	.family		= PF_INET,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_dgram_connect,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
};
EXPORT_SYMBOL(inet_dgram_ops);

static const struct net_proto_family inet_family_ops = {
	.family = PF_INET,
	.create = inet_create,
};

static int __init inet_init(void)
{
	return sock_register(&inet_family_ops);
}
