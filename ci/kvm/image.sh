#!/usr/bin/env bash
# ci/kvm/image.sh - the KVM guest's kernel and initramfs, cached by kernel version.
#
# The kernel is Debian bookworm's generic amd64 one: the package linux-image-amd64 depends on
# (linux-image-<abi>-amd64), fetched with apt-get download and unpacked with dpkg-deb -x; no
# code of it runs on the host. Its cgroup controllers (memory, pids, cpu, io...) are all there
# for cgroup2 once no v1 hierarchy claims them (ci/kvm/boot.sh boots with cgroup_no_v1=all).
# Debian builds the serial console, devtmpfs, tmpfs and the cgroups in, but virtio, virtio_pci,
# 9p and overlay as modules: the initramfs carries those, with the modules they depend on, read
# from each module's own "depends=" field (the one depmod makes modules.dep from: the package
# ships no modules.dep, its postinst makes it), in load order. The rest of the initramfs is
# busybox-static (/bin/busybox and its applet links) and ci/kvm/init as /init.
#
# Cache: $KVM_CACHE (default /var/cache/procmaster-kvm as root, else ~/.cache/procmaster-kvm)
# /<package>_<version>/ holds vmlinuz, modules/ (the .ko files the guest loads) and info; beside
# them initrd-<hash>.cpio, where hash covers this file, ci/kvm/init and busybox, so a changed
# recipe makes a new initramfs without fetching the kernel again. Another kernel version (a
# Debian update) is fetched once and replaces the older entries. Concurrent runs are serialised
# with flock; an entry appears only complete (built aside, then renamed). Where apt cannot say
# which version is current (no package lists), or the fetch fails, the newest cached kernel is
# used, and said.
#
# usage: ci/kvm/image.sh     prints "<vmlinuz> <initrd>" on stdout (progress on stderr)
# env:   KVM_CACHE, KVM_KERNEL_PACKAGE (default: what linux-image-amd64 depends on)
# exit:  0 ready; 1 no kernel could be fetched and none is cached, or unpacking failed (said)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
modules=(virtio_pci 9pnet_virtio 9p overlay)   # what ci/kvm/init loads; dependencies are added
if [ -z "${KVM_CACHE:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then KVM_CACHE=/var/cache/procmaster-kvm; else KVM_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/procmaster-kvm; fi
fi
mkdir -p "$KVM_CACHE"
exec 9>"$KVM_CACHE/.lock"
flock 9
rm -rf "$KVM_CACHE"/.build.*   # left by a build that was killed (none runs: the lock is ours)

# Which kernel: the package the metapackage depends on, at apt's candidate version.
# apt-cache exits 100 where it has no package lists: "|| true" so that the cached kernel is used then (set -e).
package=${KVM_KERNEL_PACKAGE:-$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1 || true)}
version=
[ -n "$package" ] && version=$(apt-cache policy "$package" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' || true)
newest_cached() { ls -1dt "$KVM_CACHE"/linux-image-*/ 2>/dev/null | while read -r d; do [ -f "$d/info" ] && { echo "${d%/}"; break; }; done; }
entry=
if [ -n "$version" ]; then
  entry=$KVM_CACHE/${package}_$version
  if [ -f "$entry/info" ]; then
    echo "kvm image: kernel cached: $entry ($(cat "$entry/info"))" >&2
  else
    start=$(date +%s%N)
    work=$(mktemp -d "$KVM_CACHE/.build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "kvm image: fetching $package $version (apt-get download)" >&2
    # apt-get download writes into the current directory; the _apt user may not read it (said, harmless).
    if ! (cd "$work" && apt-get download -q "$package=$version" >"$work/apt.log" 2>&1) &&
       ! { apt-get update -qq >/dev/null 2>&1 && (cd "$work" && apt-get download -q "$package=$version" >"$work/apt.log" 2>&1); }; then
      tail -5 "$work/apt.log" >&2
      entry=
    else
      fetched=$(date +%s%N)
      deb=$(echo "$work"/*.deb)
      dpkg-deb -x "$deb" "$work/x" || { echo "kvm image: dpkg-deb -x $deb failed" >&2; exit 1; }
      kdir=$(echo "$work"/x/lib/modules/*)
      kver=$(basename "$kdir")
      [ -f "$work/x/boot/vmlinuz-$kver" ] || { echo "kvm image: $deb has no boot/vmlinuz-$kver" >&2; exit 1; }
      mkdir -p "$work/new/modules"
      mv "$work/x/boot/vmlinuz-$kver" "$work/new/vmlinuz"
      # Load order: each module after those its "depends=" field names (depth first).
      order=()
      add() {
        local name=$1 file dep
        case " ${order[*]:-} " in *" $name "*) return ;; esac
        file=$(find "$kdir/kernel" -name "$name.ko" -print -quit)
        [ -z "$file" ] && file=$(find "$kdir/kernel" -name "${name//_/-}.ko" -print -quit)
        [ -n "$file" ] || { echo "kvm image: no module $name in $package" >&2; exit 1; }
        for dep in $(grep -a -o 'depends=[^[:cntrl:]]*' "$file" | head -1 | cut -d= -f2 | tr ',' ' '); do add "$dep"; done
        cp "$file" "$work/new/modules/"
        order+=("$name")
      }
      for m in "${modules[@]}"; do add "$m"; done
      for m in "${order[@]}"; do echo "$m"; done >"$work/new/modules/order"
      size=$(stat -c %s "$deb")
      seconds() { echo "$(( $1 / 1000000000 )).$(( $1 / 100000000 % 10 ))"; }   # nanoseconds as seconds, one decimal
      echo "kernel $kver, $((size / 1048576)) MiB fetched in $(seconds $((fetched - start))) s, unpacked in $(seconds $(($(date +%s%N) - fetched))) s; modules: ${order[*]}" >"$work/new/info"
      mv "$work/new" "$entry"
      rm -rf "$work"; trap - EXIT
      echo "kvm image: kernel fetched: $entry ($(cat "$entry/info"))" >&2
      # Older kernels are replaced by the one apt now offers.
      for old in "$KVM_CACHE"/linux-image-*; do [ "$old" = "$entry" ] || rm -rf "$old"; done
    fi
  fi
fi
if [ -z "$entry" ]; then
  entry=$(newest_cached)
  [ -n "$entry" ] || { echo "kvm image: cannot fetch the kernel (${package:-the kernel package} ${version:-unknown version}) and none is cached" >&2; exit 1; }
  echo "kvm image: using the cached $entry (apt could not fetch the current kernel)" >&2
fi

key=$(cat "$here/image.sh" "$here/init" /bin/busybox | sha256sum | cut -c1-16)
initrd=$entry/initrd-$key.cpio
if [ ! -f "$initrd" ]; then
  fs=$(mktemp -d "$KVM_CACHE/.build.XXXXXX")
  trap 'rm -rf "$fs"' EXIT
  mkdir -p "$fs"/{bin,sbin,dev,proc,sys,mnt,lib/modules}
  cp /bin/busybox "$fs/bin/busybox"
  for applet in $("$fs/bin/busybox" --list); do [ -e "$fs/bin/$applet" ] || ln -s busybox "$fs/bin/$applet"; done
  cp "$entry"/modules/* "$fs/lib/modules/"
  install -m 0755 "$here/init" "$fs/init"
  ( cd "$fs" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet ) >"$fs.cpio"
  rm -f "$entry"/initrd-*.cpio
  mv "$fs.cpio" "$initrd"
  rm -rf "$fs"; trap - EXIT
  echo "kvm image: initramfs built: $initrd ($(( $(stat -c %s "$initrd") / 1024 )) KiB)" >&2
fi
echo "$entry/vmlinuz $initrd"
