/*
 * Netfilter hooks.  A hook runs the registered filters and, when they let the
 * packet pass, continues with okfn: the next step is passed in as an argument.
 */
#ifndef _XR_NETFILTER_H
#define _XR_NETFILTER_H

#include <linux/types.h>
#include <linux/skbuff.h>

struct net;
struct sock;

enum nf_inet_hooks {
	NF_INET_PRE_ROUTING,
	NF_INET_LOCAL_IN,
	NF_INET_FORWARD,
	NF_INET_LOCAL_OUT,
	NF_INET_POST_ROUTING,
};

#define NFPROTO_IPV4	2
#define NFPROTO_IPV6	10

int nf_hook_slow(struct sk_buff *skb, unsigned int hook);

static inline int nf_hook(u8 pf, unsigned int hook, struct net *net, struct sock *sk,
			  struct sk_buff *skb, struct net_device *indev,
			  struct net_device *outdev,
			  int (*okfn)(struct net *, struct sock *, struct sk_buff *))
{
	return nf_hook_slow(skb, hook) ? 1 : 0;
}

static inline int NF_HOOK_COND(u8 pf, unsigned int hook, struct net *net, struct sock *sk,
			       struct sk_buff *skb, struct net_device *in,
			       struct net_device *out,
			       int (*okfn)(struct net *, struct sock *, struct sk_buff *),
			       bool cond)
{
	int ret = 1;

	if (!cond || nf_hook(pf, hook, net, sk, skb, in, out, okfn) == 1)
		ret = okfn(net, sk, skb);
	return ret;
}

static inline int NF_HOOK(u8 pf, unsigned int hook, struct net *net, struct sock *sk,
			  struct sk_buff *skb, struct net_device *in, struct net_device *out,
			  int (*okfn)(struct net *, struct sock *, struct sk_buff *))
{
	int ret = nf_hook(pf, hook, net, sk, skb, in, out, okfn);

	if (ret == 1)
		ret = okfn(net, sk, skb);
	return ret;
}

#endif
