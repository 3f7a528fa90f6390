/* UDP, for IPv4 and IPv6. */
#ifndef _XR_NET_UDP_H
#define _XR_NET_UDP_H

#include <net/sock.h>

extern struct proto udp_prot;
extern struct proto udpv6_prot;

int udp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
int udp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len);
int udpv6_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);

#endif
