// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ARP's part in output: choosing, per neighbour, whether packets must wait
 * for address resolution or can go straight to the device.
 */
#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/socket.h>
#include <net/neighbour.h>

static const struct neigh_ops arp_generic_ops = {
	.family =		AF_INET,
	.output =		neigh_resolve_output,
	.connected_output =	neigh_connected_output,
};

static const struct neigh_ops arp_direct_ops = {
	.family =		AF_INET,
	.output =		neigh_direct_output,
	.connected_output =	neigh_direct_output,
};

int arp_constructor(struct neighbour *neigh)
{
	struct net_device *dev = neigh->dev;

	if (dev->flags & (IFF_NOARP | IFF_LOOPBACK)) {
		/* No resolution needed: loopback and point-to-point links. */
		neigh->ops = &arp_direct_ops;
		neigh->output = neigh_direct_output;
	} else {
		neigh->ops = &arp_generic_ops;
		neigh->output = neigh->ops->output;
	}
	return 0;
}
