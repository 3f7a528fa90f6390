/* The socket buffer: one packet on its way through the stack. */
#ifndef _XR_SKBUFF_H
#define _XR_SKBUFF_H

#include <linux/types.h>
#include <linux/errno.h>

struct net_device;
struct sock;
struct dst_entry;

struct sk_buff {
	struct sk_buff *next;
	struct sock *sk;
	struct net_device *dev;
	struct dst_entry *dst;
	unsigned int len;
	u16 protocol;
	unsigned char *data;
};

struct sk_buff *alloc_skb(unsigned int size, gfp_t priority);
void kfree_skb(struct sk_buff *skb);

#endif
