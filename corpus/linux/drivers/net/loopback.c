// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loopback device: every packet "transmitted" is received again at once.
 * Always built when networking is.
 */
#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/export.h>

struct net_device *loopback_dev;

/* The transmit hook: loop the packet straight back into the receive path. */
static netdev_tx_t loopback_xmit(struct sk_buff *skb, struct net_device *dev)
{
	unsigned int len = skb->len;

	if (netif_rx(skb) < 0)
		return NETDEV_TX_BUSY;
	dev->mtu = len > dev->mtu ? len : dev->mtu;
	return NETDEV_TX_OK;
}

static int loopback_dev_init(struct net_device *dev)
{
	dev->mtu = 65536;
	return 0;
}

static const struct net_device_ops loopback_ops = {
	.ndo_init	= loopback_dev_init,
	.ndo_start_xmit	= loopback_xmit,
};

static void loopback_setup(struct net_device *dev)
{
	dev->flags = IFF_LOOPBACK | IFF_NOARP;
	dev->netdev_ops = &loopback_ops;
}

int loopback_net_init(void)
{
	struct net_device *dev = alloc_netdev("lo", loopback_setup);

	if (!dev)
		return -ENOBUFS;
	loopback_dev = dev;
	return register_netdev(dev);
}
EXPORT_SYMBOL(loopback_dev);
