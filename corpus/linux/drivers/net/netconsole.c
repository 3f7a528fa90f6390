// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel messages sent as UDP datagrams: a console whose write transmits on a
 * network device.  Only with CONFIG_NETCONSOLE.
 */
#include <linux/types.h>
#include <linux/console.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

static struct sk_buff *netpoll_skb(const char *text, unsigned int len);

static void write_msg(struct console *con, const char *text, unsigned int len)
{
	struct sk_buff *skb = netpoll_skb(text, len);

	if (skb)
		dev_queue_xmit(skb);
}

static struct console netconsole = {
	.name	= "netcon",
	.write	= write_msg,
};

int init_netconsole(void)
{
	register_console(&netconsole);
	return 0;
}
