#!/bin/bash
# Records bench/ftrace's ground truth: boots Debian's real 6.1 kernel under
# qemu (TCG), runs prog.c under the function_graph tracer and cleans the trace
# into tests/data/ftrace/<package version>/.  See README.md beside this file.
#
# Usage: bench/ftrace/record.sh [--no-install] [--keep-softirq]
# Environment: XREF_FTRACE_CACHE (default ~/.cache/xref/ftrace),
#              XREF_FTRACE_TIMEOUT (qemu's limit in seconds, default 900).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${XREF_FTRACE_CACHE:-$HOME/.cache/xref/ftrace}
KPKG=linux-image-6.1.0-56-amd64
KDEB_VERSION=6.1.192-2
KREL=6.1.0-56-amd64
OUT=$REPO/tests/data/ftrace/$KDEB_VERSION
TIMEOUT=${XREF_FTRACE_TIMEOUT:-900}
INSTALL=1
CLEAN_ARGS=()
for arg in "$@"; do
    case $arg in
        --no-install) INSTALL=0 ;;
        --keep-softirq) CLEAN_ARGS+=(--keep-softirq) ;;
        *) echo "usage: $0 [--no-install] [--keep-softirq]" >&2; exit 2 ;;
    esac
done

log() { echo "record.sh: $*" >&2; }
t0=$(date +%s)
mkdir -p "$CACHE"

# 1. packages
if [ "$INSTALL" = 1 ]; then
    need=()
    for p in qemu-system-x86 busybox-static cpio gzip gcc libc6-dev python3; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        log "installing ${need[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
    fi
fi

# 2. the kernel package
DEB=$CACHE/${KPKG}_${KDEB_VERSION}_amd64.deb
if [ ! -f "$DEB" ]; then
    log "downloading $KPKG=$KDEB_VERSION"
    (cd "$CACHE" && { apt-get download "$KPKG=$KDEB_VERSION" ||
        { apt-get update -qq && apt-get download "$KPKG=$KDEB_VERSION"; }; })
fi
KIMG=$CACHE/kimg
if [ ! -f "$KIMG/boot/vmlinuz-$KREL" ]; then
    rm -rf "$KIMG"
    dpkg -x "$DEB" "$KIMG"
fi
KCONFIG=$KIMG/boot/config-$KREL
for opt in FUNCTION_GRAPH_TRACER DYNAMIC_FTRACE IPV6 PACKET UNIX TMPFS SYSVIPC DUMMY; do
    log "config: $(grep -E "^CONFIG_$opt=" "$KCONFIG" || echo "CONFIG_$opt not set")"
done

# 3. the test program
BUILD=$CACHE/build
mkdir -p "$BUILD"
gcc -static -O1 -Wall -o "$BUILD/prog" "$HERE/prog.c"

# 4. the initramfs
ROOT=$BUILD/initramfs
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,ramfs,lib/modules}
cp /bin/busybox "$ROOT/bin/busybox"
cp "$HERE/init.sh" "$ROOT/init"
chmod 755 "$ROOT/init"
cp "$BUILD/prog" "$ROOT/prog"
python3 "$HERE/clean.py" --handlers "$HERE/prog.c" > "$ROOT/handlers.txt"
log "$(wc -l < "$ROOT/handlers.txt") graph functions"
MOD=$(find "$KIMG/lib/modules/$KREL" -name 'dummy.ko*' | head -1)
case $MOD in
    *.ko) cp "$MOD" "$ROOT/lib/modules/dummy.ko" ;;
    *.ko.xz) xz -dc "$MOD" > "$ROOT/lib/modules/dummy.ko" ;;
    *.ko.zst) zstd -dc "$MOD" > "$ROOT/lib/modules/dummy.ko" ;;
    *) log "no dummy.ko in the package" ;;
esac
mknod -m 600 "$ROOT/dev/console" c 5 1
mknod -m 666 "$ROOT/dev/null" c 1 3
(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -9 > "$BUILD/initramfs.cpio.gz"

# 5. boot
rm -f "$CACHE/dump.txt" "$CACHE/console.log"
log "booting qemu (TCG; about 20 s)"
t1=$(date +%s)
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -nic none \
    -no-reboot -kernel "$KIMG/boot/vmlinuz-$KREL" -initrd "$BUILD/initramfs.cpio.gz" \
    -cpu qemu64,+rdrand -append "console=ttyS0 panic=-1 quiet loglevel=3" \
    -serial mon:stdio -serial "file:$CACHE/dump.txt" \
    < /dev/null > "$CACHE/console.log" 2>&1 || log "qemu exited with $?"
t2=$(date +%s)
log "qemu ran $((t2 - t1)) s"
grep -q XREF-TRACE-END "$CACHE/dump.txt" || { log "no complete dump; see $CACHE/console.log"; exit 1; }

# 6. clean
python3 "$HERE/clean.py" --dump "$CACHE/dump.txt" --out "$OUT" --cache "$CACHE" ${CLEAN_ARGS[@]+"${CLEAN_ARGS[@]}"}
log "done in $(( $(date +%s) - t0 )) s"
