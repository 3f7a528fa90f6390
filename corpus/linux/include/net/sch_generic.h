/* Queueing disciplines: where a packet waits before the driver takes it. */
#ifndef _XR_NET_SCH_GENERIC_H
#define _XR_NET_SCH_GENERIC_H

#include <linux/netdevice.h>

struct Qdisc;

struct Qdisc_ops {
	const char *id;
	int (*enqueue)(struct sk_buff *skb, struct Qdisc *sch);
	struct sk_buff *(*dequeue)(struct Qdisc *sch);
};

struct Qdisc {
	int (*enqueue)(struct sk_buff *skb, struct Qdisc *sch);
	struct sk_buff *(*dequeue)(struct Qdisc *sch);
	const struct Qdisc_ops *ops;
	struct netdev_queue *dev_queue;
	struct sk_buff *head;
};

extern const struct Qdisc_ops pfifo_fast_ops;

struct Qdisc *qdisc_create_dflt(struct netdev_queue *dev_queue, const struct Qdisc_ops *ops);
void __qdisc_run(struct Qdisc *q);
bool sch_direct_xmit(struct sk_buff *skb, struct Qdisc *q, struct net_device *dev,
		     struct netdev_queue *txq);

#endif
