#!/usr/bin/env bash
# PID 1 of an OpenWrt namespace node (test/openwrt/harness.ts starts it): builds the node's root
# and execs OpenWrt's procd in it, so procd boots the node as on a router (ubusd, logd, fw4,
# netifd and whatever /etc/rc.d holds).
#
# Started as: ip netns exec <netns> unshare --pid --fork --mount --uts --ipc --propagation private \
#               node-init.sh <work-dir> <hostname> <layer>...
# <layer>s are host directories, topmost first (the node's files/, the harness's base, the stage).
# The root is an overlayfs of those layers over the host's / (so host binaries such as node, ip,
# nft and ping are there), with a tmpfs upper layer: nothing the node writes reaches the host.
# The node gets its own /dev, /proc, /sys, /tmp and /run; <work-dir> is bind-mounted at the same
# path, and <work-dir>/binds lists more host directories to bind (host<TAB>node<TAB>ro|rw).
set -euo pipefail
work=$1 hostname=$2
shift 2

# The pid of this process as the host sees it (/proc is still the host's here); the harness
# enters the node's namespaces through it.
read -r host_pid _ </proc/self/stat
echo "$host_pid" >"$work/pid.tmp"
mv "$work/pid.tmp" "$work/pid"

# overlayfs refuses a layer inside another layer, and every host directory is inside the host's
# /: so move into a scratch tmpfs first (the host's / becomes /host) and copy the small layers.
scratch=$work/scratch
mkdir -p "$scratch"
mount -t tmpfs -o mode=0755 imnode "$scratch"
mkdir -p "$scratch/host" "$scratch/upper" "$scratch/overlay-work" "$scratch/root"
lower=
i=0
for layer in "$@"; do
  mkdir "$scratch/layer$i"
  cp -a "$layer/." "$scratch/layer$i/"
  lower=$lower/layer$i:
  i=$((i + 1))
done
# pivot_root needs the tools on the new root: point the usual places at the old root
for d in usr bin sbin lib lib64 etc; do ln -s "host/$d" "$scratch/$d"; done
cd "$scratch"
pivot_root . host
cd /
hw=/host$work # the work dir, until the node's root is in place

r=/root
mount -t overlay imroot -o "lowerdir=${lower}/host,upperdir=/upper,workdir=/overlay-work" "$r"
# Sysctls and sysfs outside the network are the host kernel's: read-only in the node (OpenWrt's
# sysctl init would set kernel.panic and vm.min_free_kbytes). /proc/sys/net is the node's own
# netns, and sysfs mounted here shows only the node's network devices: those stay writable.
mount -t proc improc "$r/proc"
mount --bind "$r/proc/sys" "$r/proc/sys"
mount -o remount,bind,ro "$r/proc/sys"
mount --bind "$r/proc/sys/net" "$r/proc/sys/net"
mount -o remount,bind,rw "$r/proc/sys/net"
mount -t sysfs imsys "$r/sys"
mount --bind "$r/sys" "$r/sys"
mount -o remount,bind,ro "$r/sys"
mount --bind "$r/sys/devices/virtual/net" "$r/sys/devices/virtual/net"
mount -o remount,bind,rw "$r/sys/devices/virtual/net"
mount -t tmpfs -o mode=1777 imtmp "$r/tmp"
mount -t tmpfs -o mode=0755 imrun "$r/run"
mkdir -p "$r/run/lock" "$r/tmp/run" "$r/tmp/lock" "$r/tmp/state" "$r/tmp/resolv.conf.d"

mount -t tmpfs -o mode=0755,nosuid imdev "$r/dev"
for spec in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r dev major minor <<<"$spec"
  mknod "$r/dev/$dev" c "$major" "$minor"
  chmod 666 "$r/dev/$dev" # not mknod -m: glibc's lchmod needs a /proc, and there is none here
done
mkdir "$r/dev/pts" "$r/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 impts "$r/dev/pts"
mount -t tmpfs -o mode=1777 imshm "$r/dev/shm"
ln -s pts/ptmx "$r/dev/ptmx"
ln -s /proc/self/fd "$r/dev/fd"
for n in 0:stdin 1:stdout 2:stderr; do ln -s "fd/${n%%:*}" "$r/dev/${n#*:}"; done
# logd reads /proc/kmsg: it must not drain the host's kernel log
mount --bind "$r/dev/null" "$r/proc/kmsg"
# procd and the services it starts write to /dev/console: a file the harness can read
: >"$hw/console"
ln -s "$work/console" "$r/dev/console"

mkdir -p "$r$work"
mount --bind "$hw" "$r$work"
if [ -f "$hw/binds" ]; then
  while IFS=$'\t' read -r from to mode; do
    [ -n "$from" ] || continue
    if [ -d "/host$from" ]; then mkdir -p "$r$to"; else mkdir -p "$(dirname "$r$to")" && : >"$r$to"; fi
    mount --bind "/host$from" "$r$to"
    if [ "$mode" = ro ]; then mount -o remount,bind,ro "$r$to"; fi
  done <"$hw/binds"
fi

cd "$r"
mkdir -p .old-root
pivot_root . .old-root
umount -l /.old-root
rmdir /.old-root
cd /

hostname "$hostname"
ip link set lo up
echo "$host_pid" >"$work/ready"
exec env -i container=intelli-mesh PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb /sbin/procd
