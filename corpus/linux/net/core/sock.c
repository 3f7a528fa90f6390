// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The socket lock: process context owns the socket while it changes it; the
 * receive path (a softirq) waits meanwhile. Taking it turns bottom halves off.
 */
#include <linux/types.h>
#include <linux/export.h>
#include <linux/interrupt.h>
#include <net/sock.h>

void lock_sock(struct sock *sk)
{
	local_bh_disable();
	sk->sk_lock_owned = 1;
}
EXPORT_SYMBOL(lock_sock);

void release_sock(struct sock *sk)
{
	sk->sk_lock_owned = 0;
	/* The softirqs that came meanwhile (packets for this socket among them) run here. */
	local_bh_enable();
}
EXPORT_SYMBOL(release_sock);
