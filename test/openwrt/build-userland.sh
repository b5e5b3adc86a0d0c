#!/usr/bin/env bash
# Builds OpenWrt's own userland (procd, ubusd, uci, netifd, fw4, logd, opkg and their libraries)
# from the pinned sources in test/openwrt/COMMITS into a staged root (/usr, /etc) that the
# namespace harness (test/openwrt/harness.ts) overlays on the host to boot a router: our rendered
# configuration is then read by the programs that read it on a real router, not by our own parser.
#
# Usage:
#   test/openwrt/build-userland.sh            build, unless the stage for these pins exists (no-op)
#   test/openwrt/build-userland.sh --status   print stage=, built=0|1, sources=, missing= and exit
#
# Sources: the archives <name>-<commit:0:12>.tar.gz of a local mirror (OPENWRT_MIRROR; default
# <repo>/../shared/openwrt-src, else /work/shared/openwrt-src), each checked against COMMITS;
# without a mirror (or with OPENWRT_MIRROR=none), each pinned commit is fetched from its git
# repository (shallow, only the pinned paths).
# Output: <repo>/.cache/openwrt-userland/<key>/stage, key = hash of COMMITS, this script and
# patches/ (or INTELLI_MESH_OPENWRT_STAGE). Built in a temporary directory and renamed into
# place when complete, so a half build is never used.
#
# Env: OPENWRT_MIRROR, INTELLI_MESH_OPENWRT_STAGE, JOBS (default: number of cores),
#      NO_APT=1 (never apt-get; fail when a package is missing), KEEP_BUILD=1 (keep the build dir).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
pins_file=$here/COMMITS
patch_dir=$here/patches

apt_packages=(cmake pkg-config gcc make patch libc6-dev libjson-c-dev zlib1g-dev nftables busybox
  iproute2 util-linux binutils)

# ---------- where things are
key=$(
  for f in "$pins_file" "$here/build-userland.sh" "$patch_dir"/*; do
    printf '%s\n' "${f#"$here"/}"
    cat "$f"
  done | sha256sum | cut -c1-16
)
stage=${INTELLI_MESH_OPENWRT_STAGE:-$repo/.cache/openwrt-userland/$key/stage}
stamp=$stage/.intelli-mesh-stage

mirror=${OPENWRT_MIRROR:-}
if [ "$mirror" = none ]; then
  mirror=
elif [ -z "$mirror" ]; then
  for d in "$repo/../shared/openwrt-src" /work/shared/openwrt-src; do
    if [ -d "$d" ]; then
      mirror=$(cd "$d" && pwd -P)
      break
    fi
  done
fi

is_built() { [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "key=$key" ]; }

missing_packages() {
  local p
  for p in "${apt_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || printf '%s ' "$p"
  done
}

if [ "${1:-}" = --status ]; then
  echo "stage=$stage"
  if is_built; then echo built=1; else echo built=0; fi
  if [ -n "$mirror" ]; then echo "sources=mirror:$mirror"; else echo sources=git; fi
  echo "missing=$(missing_packages)"
  exit 0
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--status]" >&2
  exit 64
fi

die() {
  echo "build-userland: $*" >&2
  exit 1
}

if is_built; then
  echo "OpenWrt userland already built: $stage"
  exit 0
fi

# ---------- apt packages, only the missing ones
extra=()
[ -n "$mirror" ] || extra=(git ca-certificates)
missing=$(missing_packages "${extra[@]}")
if [ -n "$missing" ]; then
  [ -z "${NO_APT:-}" ] || die "missing Debian packages (NO_APT is set): $missing"
  echo "installing Debian packages: $missing"
  # shellcheck disable=SC2086 # a list of package names
  apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
  } || die "apt-get install $missing failed"
fi

# ---------- one build at a time per stage; the loser of a race finds the stage built
mkdir -p "$(dirname "$stage")"
exec 9>"$(dirname "$stage")/.build.lock"
flock 9
if is_built; then
  echo "OpenWrt userland built meanwhile by another run: $stage"
  exit 0
fi

t_start=$(date +%s)
work=$(mktemp -d "$(dirname "$stage")/.build.XXXXXX")
# shellcheck disable=SC2317 # called by the trap
cleanup() { [ -n "${KEEP_BUILD:-}" ] && echo "kept build dir $work" || rm -rf "$work"; }
trap cleanup EXIT
S=$work/stage
log=$work/build.log
mkdir -p "$work/src" "$work/build" "$S"
: >"$log"

# ---------- sources: unpack each pinned archive (commit checked), or fetch the pinned commit
declare -A commit_of
archive_commit() { # git archive writes the commit id into a pax global header: "comment=<id>"
  { gzip -dc "$1" 2>/dev/null || true; } | head -c 1024 | tr -d '\0' |
    sed -n 's/.*comment=\([0-9a-f]\{40\}\).*/\1/p' | head -n1
}
fetch_pin() { # name url commit paths...: shallow fetch of one commit, only the listed paths
  local name=$1 url=$2 commit=$3
  shift 3
  local g=$work/git/$name sparse=() p
  for p in "$@"; do
    case $p in :*) ;; .) sparse=() && break ;; *) sparse+=("/$p") ;; esac
  done
  git init -q "$g"
  git -C "$g" remote add origin "$url"
  git -C "$g" fetch -q --depth 1 --filter=blob:none origin "$commit"
  if [ ${#sparse[@]} -gt 0 ]; then git -C "$g" sparse-checkout set --no-cone "${sparse[@]}"; fi
  git -C "$g" -c advice.detachedHead=false checkout -q FETCH_HEAD
  [ "$(git -C "$g" rev-parse HEAD)" = "$commit" ] || die "$url: fetched HEAD is not $commit"
  tar -C "$g" --exclude=./.git -cf - . | tar -C "$work/src/$name" -xf -
}

while read -r name url commit paths; do
  case $name in '' | \#*) continue ;; esac
  [[ $commit =~ ^[0-9a-f]{40}$ ]] || die "COMMITS: '$commit' for $name is not a full commit id"
  mkdir -p "$work/src/$name"
  if [ -n "$mirror" ]; then
    archive=$mirror/$name-${commit:0:12}.tar.gz
    [ -f "$archive" ] || die "$archive is missing from the mirror"
    got=$(archive_commit "$archive")
    [ "$got" = "$commit" ] || die "$archive holds commit '${got:-none}', COMMITS pins $commit"
    tar -xzf "$archive" -C "$work/src/$name"
  else
    # shellcheck disable=SC2086 # paths are separate words
    fetch_pin "$name" "$url" "$commit" $paths || die "fetching $name $commit from $url failed"
  fi
  commit_of[$name]=$commit
done <"$pins_file"
echo "sources: ${#commit_of[@]} pinned commits from ${mirror:-their git repositories} ($(($(date +%s) - t_start))s)"

# ---------- build: cmake, prefix /usr, DESTDIR=stage; in-source build on a copy of each tree
jobs=${JOBS:-$(nproc)}
I="-I$S/usr/include"
L="-L$S/usr/lib"
cmake_common=(-DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_PREFIX_PATH="$S/usr"
  -DCMAKE_BUILD_TYPE=Release)
built=()
build() { # name cmake-args...
  local name=$1 t0 p b=$work/build/$1
  shift
  t0=$(date +%s)
  cp -a "$work/src/$name" "$b"
  for p in "$patch_dir/$name"-*.patch; do
    [ -f "$p" ] || continue
    patch -d "$b" -p1 <"$p" >>"$log" 2>&1 || die "patch $p does not apply (log $log)"
  done
  {
    cmake -S "$b" -B "$b" "${cmake_common[@]}" "$@" &&
      make -C "$b" -j"$jobs" &&
      make -C "$b" install DESTDIR="$S"
  } >>"$log" 2>&1 || {
    tail -n 40 "$log" >&2
    die "building $name failed (log: $log; KEEP_BUILD=1 keeps it)"
  }
  built+=("$name ${commit_of[$name]:0:12} $(($(date +%s) - t0))s")
}

# procd is written for musl; give it strlcpy when this C library has none (glibc < 2.38)
procd_compat=
if ! printf '#include <string.h>\nint main(void){char d[4];return (int)strlcpy(d,"ab",4);}\n' |
  gcc -x c -o /dev/null - >/dev/null 2>&1; then
  procd_compat="-include $patch_dir/procd-strlcpy.h"
fi

build libubox -DBUILD_LUA=OFF -DBUILD_EXAMPLES=OFF -DCMAKE_C_FLAGS="$I"
build ubus -DBUILD_LUA=OFF -DBUILD_EXAMPLES=OFF -DCMAKE_C_FLAGS="$I"
build uci -DBUILD_LUA=OFF -DCMAKE_C_FLAGS="$I"
build libnl-tiny -DCMAKE_C_FLAGS="$I"
build ucode -DCMAKE_C_FLAGS="$I -I$S/usr/include/libnl-tiny"
build udebug -DCMAKE_C_FLAGS="$I"
build netifd -DLIBNL_LIBS="$S/usr/lib/libnl-tiny.so" \
  -DCMAKE_C_FLAGS="-D_GNU_SOURCE= $I -I$S/usr/include/libnl-tiny"
build ubox -DCMAKE_C_FLAGS="$I" -DCMAKE_EXE_LINKER_FLAGS="$L" # ubox links libubox by bare name
build procd -DCMAKE_C_FLAGS="$I $procd_compat -Wno-error=format-overflow"
build jsonpath -DCMAKE_C_FLAGS="$I" -DCMAKE_EXE_LINKER_FLAGS="$L"
build opkg -DBUILD_TESTS=OFF -DVERSION="${commit_of[opkg]:0:8}" -DCMAKE_C_FLAGS="$I"

# ---------- scripts and default files, installed where OpenWrt's package Makefiles put them
# (Debian 12 merges /lib, /sbin and /bin into /usr, so /lib/netifd is /usr/lib/netifd here)
ow=$work/src/openwrt/package
fw=$work/src/firewall4/root
nf=$ow/network/config/netifd/files
install -d "$S/usr/lib/netifd/proto" "$S/usr/lib/functions" "$S/usr/lib/config" \
  "$S/usr/lib/network" "$S/usr/lib/opkg/info" "$S/etc/init.d" "$S/etc/config" \
  "$S/etc/hotplug.d" "$S/etc/nftables.d"
cp "$work/src/netifd/scripts/"*.sh "$S/usr/lib/netifd/"
cp -a "$nf/lib/netifd/." "$S/usr/lib/netifd/"
cp -a "$nf/lib/network/." "$S/usr/lib/network/"
cp -a "$nf/sbin/." "$S/usr/sbin/"
cp -a "$nf/usr/." "$S/usr/"
cp -a "$nf/etc/init.d/." "$S/etc/init.d/"
cp -a "$nf/etc/hotplug.d/." "$S/etc/hotplug.d/"
install -m644 "$ow/base-files/files/lib/functions.sh" "$S/usr/lib/functions.sh"
cp "$ow/base-files/files/lib/functions/"*.sh "$S/usr/lib/functions/"
install -m755 "$ow/base-files/files/etc/rc.common" "$S/etc/rc.common"
# base-files' sysctl init and defaults (net.ipv4.ip_forward=1: a router forwards); in a node only
# net.* is writable, the rest of /proc/sys is the host's and read-only
install -m755 "$ow/base-files/files/etc/init.d/sysctl" "$S/etc/init.d/sysctl"
install -d "$S/etc/sysctl.d"
install -m644 "$ow/base-files/files/etc/sysctl.d/10-default.conf" "$S/etc/sysctl.d/"
install -m644 "$ow/base-files/files/etc/sysctl.conf" "$S/etc/sysctl.conf"
# functions.sh's ipcalc() runs ipcalc.sh; netifd's dhcp.script uses it for the lease's routes
install -m755 "$ow/base-files/files/bin/ipcalc.sh" "$S/usr/bin/ipcalc.sh"
cp -a "$ow/base-files/files/etc/hotplug.d/." "$S/etc/hotplug.d/"
sed 's#%PATH%#/usr/sbin:/usr/bin:/sbin:/bin#g' "$ow/base-files/files/sbin/hotplug-call" \
  >"$S/usr/sbin/hotplug-call"
chmod 755 "$S/usr/sbin/hotplug-call"
install -m644 "$ow/system/procd/files/procd.sh" "$S/usr/lib/functions/procd.sh"
install -m755 "$ow/system/procd/files/service" "$ow/system/procd/files/reload_config" "$S/usr/sbin/"
# uci.sh from OpenWrt's package (the uci repo's sh/uci.sh is older and has no uci_get)
install -m644 "$ow/system/uci/files/lib/config/uci.sh" "$S/usr/lib/config/uci.sh"
install -m755 "$ow/system/ubox/files/log.init" "$S/etc/init.d/log"
install -m644 "$ow/system/opkg/files/opkg.conf" "$S/etc/opkg.conf"
: >"$S/usr/lib/opkg/status"
cp -a "$fw/usr/." "$S/usr/"
install -m755 "$fw/sbin/fw4" "$S/usr/sbin/fw4"
install -m755 "$fw/etc/init.d/firewall" "$S/etc/init.d/firewall"
cp -a "$fw/etc/hotplug.d/." "$S/etc/hotplug.d/"
cp -a "$fw/etc/nftables.d/." "$S/etc/nftables.d/"
install -m644 "$fw/etc/config/firewall" "$S/etc/config/firewall"
ln -sf ../bin/uci "$S/usr/sbin/uci"
ln -sf jsonpath "$S/usr/bin/jsonfilter"
ln -sf opkg-cl "$S/usr/bin/opkg"
# busybox ash is /bin/sh on OpenWrt: fw4 sets pipefail, dhcp.sh uses ${v//:/}; dash has neither.
# busybox also provides udhcpc for netifd's proto dhcp.
ln -sf /usr/bin/busybox "$S/usr/bin/sh"
ln -sf /usr/bin/busybox "$S/usr/sbin/udhcpc"
# and sysctl, as on OpenWrt (base-files' sysctl init runs it; procps may not be installed)
ln -sf /usr/bin/busybox "$S/usr/sbin/sysctl"
# Never in a node: kmodloader would load host kernel modules; procd's coldplug step runs
# udevtrigger, which would replay the uevents of every host device, so it gets a no-op.
rm -f "$S/usr/sbin/kmodloader" "$S/usr/sbin/lsbloader" "$S/usr/sbin/init"
printf '#!/bin/sh\n# Intelli-Mesh harness: no coldplug replay of host uevents in a namespace node\nexit 0\n' \
  >"$S/usr/sbin/udevtrigger"
chmod 755 "$S/usr/sbin/udevtrigger"

{
  echo "key=$key"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) from ${mirror:-git}"
  for n in "${!commit_of[@]}"; do echo "pin=$n ${commit_of[$n]}"; done | sort
} >"$S/.intelli-mesh-stage.tmp"

# ---------- publish: the stamp goes in last, then one rename makes the stage visible
mv "$S/.intelli-mesh-stage.tmp" "$S/.intelli-mesh-stage"
if [ -e "$stage" ]; then # a stage from other pins at an explicit INTELLI_MESH_OPENWRT_STAGE
  mv -T "$stage" "$work/old-stage"
fi
mv -T "$S" "$stage"
# stages of earlier pins or scripts in the default cache are never used again
if [ -z "${INTELLI_MESH_OPENWRT_STAGE:-}" ]; then
  for old in "$(dirname "$(dirname "$stage")")"/*; do
    name=$(basename "$old")
    if [[ $name =~ ^[0-9a-f]{16}$ ]] && [ "$name" != "$key" ]; then rm -rf "$old"; fi
  done
fi

echo "built OpenWrt userland into $stage in $(($(date +%s) - t_start))s:"
printf '  %s\n' "${built[@]}"
