/* The IPv4 socket switch: which proto_ops and proto a (type, protocol) pair gets. */
#ifndef _XR_NET_PROTOCOL_H
#define _XR_NET_PROTOCOL_H

#include <net/sock.h>

struct inet_protosw {
	unsigned short type;
	unsigned short protocol;
	struct proto *prot;
	const struct proto_ops *ops;
	unsigned char flags;
};

#endif
