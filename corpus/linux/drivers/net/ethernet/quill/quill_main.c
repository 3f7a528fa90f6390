// SPDX-License-Identifier: GPL-2.0
/*
 * Quill 10G: a made-up PCI ethernet adapter with one transmit ring.  The
 * bundled configuration does not build it (CONFIG_QUILL is not set).
 */
#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/module.h>

#define QUILL_RING_SIZE	256

struct quill_priv {
	struct net_device *netdev;
	struct sk_buff *tx_ring[QUILL_RING_SIZE];
	unsigned int tx_head;
	volatile u32 *doorbell;
};

static struct quill_priv quill_board;

static void quill_ring_doorbell(struct quill_priv *qp)
{
	*qp->doorbell = qp->tx_head;
}

/* Put the packet on the ring and tell the hardware. */
static netdev_tx_t quill_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct quill_priv *qp = &quill_board;

	qp->tx_ring[qp->tx_head % QUILL_RING_SIZE] = skb;
	qp->tx_head++;
	quill_ring_doorbell(qp);
	return NETDEV_TX_OK;
}

static int quill_open(struct net_device *dev)
{
	quill_board.tx_head = 0;
	return 0;
}

static int quill_stop(struct net_device *dev)
{
	return 0;
}

static const struct net_device_ops quill_netdev_ops = {
	.ndo_open	= quill_open,
	.ndo_stop	= quill_stop,
	.ndo_start_xmit	= quill_start_xmit,
};

static void quill_setup(struct net_device *dev)
{
	dev->netdev_ops = &quill_netdev_ops;
}

static int quill_init(void)
{
	struct net_device *dev = alloc_netdev("eth%d", quill_setup);

	if (!dev)
		return -ENOBUFS;
	quill_board.netdev = dev;
	return register_netdev(dev);
}

module_init(quill_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Quill 10G ethernet (bundled example driver)");
