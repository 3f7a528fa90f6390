/*
 * Network devices.  A driver describes what it can do in a struct
 * net_device_ops; the transmit path ends in ->ndo_start_xmit.
 */
#ifndef _XR_NETDEVICE_H
#define _XR_NETDEVICE_H

#include <linux/types.h>
#include <linux/skbuff.h>

typedef int netdev_tx_t;
#define NETDEV_TX_OK	0
#define NETDEV_TX_BUSY	0x10

#define IFF_NOARP	0x80
#define IFF_LOOPBACK	0x8

struct net_device;
struct Qdisc;

struct netdev_queue {
	struct net_device *dev;
	struct Qdisc *qdisc;
};

struct net_device_ops {
	int (*ndo_init)(struct net_device *dev);
	int (*ndo_open)(struct net_device *dev);
	int (*ndo_stop)(struct net_device *dev);
	netdev_tx_t (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev);
};

struct net_device {
	char name[16];
	unsigned int flags;
	unsigned int mtu;
	const struct net_device_ops *netdev_ops;
	struct netdev_queue tx_queue;
};

static inline netdev_tx_t __netdev_start_xmit(const struct net_device_ops *ops,
					      struct sk_buff *skb, struct net_device *dev)
{
	return ops->ndo_start_xmit(skb, dev);
}

static inline netdev_tx_t netdev_start_xmit(struct sk_buff *skb, struct net_device *dev,
					    struct netdev_queue *txq)
{
	const struct net_device_ops *ops = dev->netdev_ops;

	return __netdev_start_xmit(ops, skb, dev);
}

int __dev_queue_xmit(struct sk_buff *skb, struct net_device *sb_dev);

static inline int dev_queue_xmit(struct sk_buff *skb)
{
	return __dev_queue_xmit(skb, NULL);
}

struct sk_buff *dev_hard_start_xmit(struct sk_buff *skb, struct net_device *dev,
				    struct netdev_queue *txq, int *ret);
int register_netdev(struct net_device *dev);
struct net_device *alloc_netdev(const char *name, void (*setup)(struct net_device *));
int netif_rx(struct sk_buff *skb);

#endif
