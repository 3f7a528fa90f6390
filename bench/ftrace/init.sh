#!/bin/busybox sh
# /init of the bench/ftrace initramfs (busybox sh).  Sets the guest up, runs
# /prog under the function_graph tracer, dumps the trace on the second serial
# port (ttyS1, a file on the host) and powers off.
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing
mkdir -p /tmp /ramfs
mount -t tmpfs tmpfs /tmp
mount -t ramfs ramfs /ramfs

say() { echo "xref-init: $*"; }

# network: lo, and dummy0 (dummy.ko; numdummies defaults to 1) as 10.99.0.1/24
ip link set lo up
if insmod /lib/modules/dummy.ko; then
    ip link show dummy0 >/dev/null 2>&1 || ip link add dummy0 type dummy
    ip addr add 10.99.0.1/24 dev dummy0
    ip link set dummy0 up
else
    say "dummy.ko did not load"
fi
echo "0 2147483647" > /proc/sys/net/ipv4/ping_group_range
ip addr
say "crng: $(dmesg | grep -i 'crng init' | tail -1)"

T=/sys/kernel/tracing
echo 0 > $T/tracing_on
echo nop > $T/current_tracer
echo 65536 > $T/buffer_size_kb
# SYSCALL_DEFINE0 handlers are aliases of their __do_sys_NAME (same address),
# and ftrace knows them by that name only
for h in $(cat /handlers.txt); do
    echo "$h" >> $T/set_graph_function 2>/dev/null ||
        echo "__do_sys_${h#__x64_sys_}" >> $T/set_graph_function 2>/dev/null ||
        say "cannot graph $h"
done
echo function_graph > $T/current_tracer
echo 0 > $T/options/funcgraph-irqs
echo 0 > $T/options/funcgraph-duration
echo 0 > $T/options/funcgraph-overhead
echo 1 > $T/options/funcgraph-tail
echo 0 > $T/options/function-fork
echo > $T/trace
say "graph functions: $(wc -l < $T/set_graph_function)"

say "running /prog"
start=$(cut -d' ' -f1 /proc/uptime)
# prog writes its own pid to set_ftrace_pid, then 1 to tracing_on, and 0
# again when it is done
/prog > /tmp/prog.out 2>&1
echo 0 > $T/tracing_on
end=$(cut -d' ' -f1 /proc/uptime)
cat /tmp/prog.out
say "prog ran from ${start}s to ${end}s of uptime"

stty -F /dev/ttyS1 raw -echo 2>/dev/null
{
    echo "XREF-KERNEL $(uname -r)"
    echo "XREF-VERSION $(cat /proc/version)"
    echo "XREF-PROG-TIME $start $end"
    echo "XREF-PROG-BEGIN"
    cat /tmp/prog.out
    echo "XREF-PROG-END"
    echo "XREF-STATS-BEGIN"
    cat $T/per_cpu/cpu0/stats
    echo "XREF-STATS-END"
    echo "XREF-TRACE-BEGIN"
    gzip -c $T/trace | base64
    echo "XREF-TRACE-END"
    echo "XREF-TRACEABLE-BEGIN"
    gzip -c $T/available_filter_functions | base64
    echo "XREF-TRACEABLE-END"
} > /dev/ttyS1
say "dump written"
sync
poweroff -f
