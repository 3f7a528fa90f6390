// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The device layer's transmit path: queue the packet on the device's qdisc,
 * or, for queueless devices, hand it straight to the driver.
 */
#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/export.h>
#include <linux/mutex.h>
#include <linux/percpu-defs.h>
#include <linux/interrupt.h>
#include <linux/compiler_types.h>
#include <net/sch_generic.h>

struct softnet_data {
	struct sk_buff *output_queue;
	unsigned int processed;
};

DEFINE_PER_CPU(struct softnet_data, softnet_data);
static DEFINE_MUTEX(ifalias_mutex);

static void dev_queue_xmit_nit(struct sk_buff *skb, struct net_device *dev);

static int xmit_one(struct sk_buff *skb, struct net_device *dev,
		    struct netdev_queue *txq)
{
	dev_queue_xmit_nit(skb, dev);
	return netdev_start_xmit(skb, dev, txq);
}

struct sk_buff *dev_hard_start_xmit(struct sk_buff *first, struct net_device *dev,
				    struct netdev_queue *txq, int *ret)
{
	struct sk_buff *skb = first;

	while (skb) {
		struct sk_buff *next = skb->next;

		*ret = xmit_one(skb, dev, txq);
		if (*ret != NETDEV_TX_OK)
			break;
		skb = next;
	}
	return skb;
}

static int __dev_xmit_skb(struct sk_buff *skb, struct Qdisc *q,
			  struct net_device *dev, struct netdev_queue *txq)
{
	int rc = q->enqueue(skb, q);

	__qdisc_run(q);
	return rc;
}

int __dev_queue_xmit(struct sk_buff *skb, struct net_device *sb_dev)
{
	struct net_device *dev = skb->dev;
	struct netdev_queue *txq = &dev->tx_queue;
	struct Qdisc *q = txq->qdisc;
	int rc = -ENOBUFS;

	if (q && q->enqueue)
		return __dev_xmit_skb(skb, q, dev, txq);

	/* No queue (loopback, tunnels): straight to the driver. */
	dev_hard_start_xmit(skb, dev, txq, &rc);
	return rc;
}
EXPORT_SYMBOL(__dev_queue_xmit);

/* Packets a device could not take at once, sent again from the transmit softirq. */
static void net_tx_action(struct softirq_action *h)
{
	struct softnet_data *sd = this_cpu_ptr(&softnet_data);
	struct sk_buff *skb = sd->output_queue;
	int rc;

	sd->output_queue = NULL;
	if (skb)
		dev_hard_start_xmit(skb, skb->dev, &skb->dev->tx_queue, &rc);
}

static int __init net_dev_init(void)
{
	open_softirq(NET_TX_SOFTIRQ, net_tx_action);
	return 0;
}

static struct net_device *dev_list[8];
static int dev_count;

int register_netdev(struct net_device *dev)
{
	const struct net_device_ops *ops = dev->netdev_ops;
	int err = 0;

	mutex_lock(&ifalias_mutex);
	if (ops->ndo_init)
		err = ops->ndo_init(dev);
	if (!err && dev_count < 8)
		dev_list[dev_count++] = dev;
	mutex_unlock(&ifalias_mutex);
	return err;
}
EXPORT_SYMBOL(register_netdev);

/*
 * Packet taps see a copy of every packet sent. They are added at run time
 * (a packet socket binding to a device), so no code here names one.
 */
struct packet_tap {
	void (*func)(struct sk_buff *skb, struct net_device *dev);
	struct packet_tap *next;
};

static struct packet_tap *packet_taps;

void dev_add_tap(struct packet_tap *tap)
{
	tap->next = packet_taps;
	packet_taps = tap;
}

static void dev_queue_xmit_nit(struct sk_buff *skb, struct net_device *dev)
{
	struct packet_tap *tap;

	for (tap = packet_taps; tap; tap = tap->next)
		tap->func(skb, dev);
}
