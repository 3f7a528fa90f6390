// SPDX-License-Identifier: GPL-2.0-or-later
/* The default queueing discipline and the loop that drains a queue. */
#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/export.h>
#include <net/sch_generic.h>

static int pfifo_fast_enqueue(struct sk_buff *skb, struct Qdisc *qdisc)
{
	skb->next = qdisc->head;
	qdisc->head = skb;
	return NETDEV_TX_OK;
}

static struct sk_buff *pfifo_fast_dequeue(struct Qdisc *qdisc)
{
	struct sk_buff *skb = qdisc->head;

	if (skb)
		qdisc->head = skb->next;
	return skb;
}

const struct Qdisc_ops pfifo_fast_ops = {
	.id		= "pfifo_fast",
	.enqueue	= pfifo_fast_enqueue,
	.dequeue	= pfifo_fast_dequeue,
};
EXPORT_SYMBOL(pfifo_fast_ops);

static struct Qdisc qdisc_pool[4];

struct Qdisc *qdisc_create_dflt(struct netdev_queue *dev_queue, const struct Qdisc_ops *ops)
{
	struct Qdisc *sch = &qdisc_pool[0];

	sch->ops = ops;
	sch->enqueue = ops->enqueue;
	sch->dequeue = ops->dequeue;
	sch->dev_queue = dev_queue;
	return sch;
}

/* Transmit one packet taken off a queue; true if the driver took it. */
bool sch_direct_xmit(struct sk_buff *skb, struct Qdisc *q, struct net_device *dev,
		     struct netdev_queue *txq)
{
	int ret = NETDEV_TX_BUSY;

	skb->next = NULL;
	dev_hard_start_xmit(skb, dev, txq, &ret);
	return ret == NETDEV_TX_OK;
}

static bool qdisc_restart(struct Qdisc *q)
{
	struct netdev_queue *txq = q->dev_queue;
	struct sk_buff *skb = q->dequeue(q);

	if (!skb)
		return false;
	return sch_direct_xmit(skb, q, txq->dev, txq);
}

void __qdisc_run(struct Qdisc *q)
{
	int quota = 64;

	while (qdisc_restart(q) && --quota > 0)
		;
}
