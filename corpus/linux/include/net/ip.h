/* The IPv4 output path. */
#ifndef _XR_NET_IP_H
#define _XR_NET_IP_H

#include <linux/skbuff.h>
#include <net/sock.h>

int ip_output(struct net *net, struct sock *sk, struct sk_buff *skb);
int ip_local_out(struct net *net, struct sock *sk, struct sk_buff *skb);
int __ip_local_out(struct net *net, struct sock *sk, struct sk_buff *skb);
int ip_send_skb(struct net *net, struct sk_buff *skb);
int ip_queue_xmit(struct sock *sk, struct sk_buff *skb);
int ip_local_deliver(struct sk_buff *skb);
int ip4_datagram_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);

#endif
