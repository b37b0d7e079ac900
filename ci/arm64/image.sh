#!/usr/bin/env bash
# ci/arm64/image.sh - the emulated arm64 machine's kernel and root file system, cached.
#
# Builds, once per recipe, Debian bookworm's arm64 kernel (linux-image-arm64: its vmlinuz is an
# uncompressed EFI-stub Image that qemu's -kernel boots directly) and a root file system of
# Debian's arm64 packages (minbase + OpenJDK 17 headless JRE + cmake for ctest + iproute2 for the
# loopback interface) as one uncompressed initramfs (newc cpio). debootstrap --download-only
# resolves and fetches the packages (only Debian's mirror is needed); the .debs are unpacked with
# dpkg-deb on the host, so no arm64 code runs while building (no binfmt, no second stage:
# maintainer scripts are not run, which the guest does not need: it calls java by its full path).
# The kernel needs no module: everything lives in the initramfs, the test payload arrives as a
# second cpio appended to it (ci/arm64/payload.sh) and results leave on the serial console.
#
# Cache: $ARM64_CACHE (default /var/cache/procmaster-arm64 as root, else ~/.cache/procmaster-arm64)
# /<key>/{vmlinuz,rootfs.cpio,info}, where key is a hash of this file, ci/arm64/init and the
# settings below; a changed recipe builds a new entry and removes the old ones. Concurrent runs
# are serialised with flock; an entry appears only complete (built aside, then renamed).
#
# usage: ci/arm64/image.sh          prints the entry's directory on stdout (progress on stderr)
# env:   ARM64_MIRROR (default http://deb.debian.org/debian), ARM64_CACHE
# exit:  0 ready; 1 the download failed twice (debootstrap's log is printed) or the unpacking failed
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
mirror=${ARM64_MIRROR:-http://deb.debian.org/debian}
packages=openjdk-17-jre-headless,cmake,iproute2,linux-image-arm64
if [ -z "${ARM64_CACHE:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then ARM64_CACHE=/var/cache/procmaster-arm64; else ARM64_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/procmaster-arm64; fi
fi
key=$(cat "$here/image.sh" "$here/init" | { cat; echo "$suite $mirror $packages"; } | sha256sum | cut -c1-16)
entry=$ARM64_CACHE/$key
mkdir -p "$ARM64_CACHE"
exec 9>"$ARM64_CACHE/.lock"
flock 9
rm -rf "$ARM64_CACHE"/.build.*   # left by a build that was killed (none runs: the lock is ours)
if [ -f "$entry/info" ]; then
  echo "arm64 image: cached $entry ($(cat "$entry/info"))" >&2
  echo "$entry"; exit 0
fi

start=$(date +%s)
work=$(mktemp -d "$ARM64_CACHE/.build.XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
echo "arm64 image: building $entry (debootstrap --arch=arm64 $suite from $mirror)" >&2
# Two tries: a mirror's passing fault should not fail the run.
for try in 1 2; do
  if debootstrap --arch=arm64 --variant=minbase --download-only --include="$packages" \
       "$suite" "$work/dl" "$mirror" >"$work/debootstrap.log" 2>&1; then
    break
  fi
  tail -30 "$work/debootstrap.log" >&2
  [ "$try" -eq 2 ] && { echo "arm64 image: debootstrap failed twice (log above)" >&2; exit 1; }
  echo "arm64 image: debootstrap failed (log above); trying once more" >&2
  rm -rf "$work/dl"
done
debs=$work/dl/var/cache/apt/archives
dl_bytes=$(du -sb "$debs" | cut -f1)
fetched=$(date +%s)

# Merged /usr as bookworm has it: the packages still ship files under /bin and /lib.
fs=$work/fs
mkdir -p "$fs/usr/bin" "$fs/usr/sbin" "$fs/usr/lib" "$work/kernel"
for d in bin sbin lib; do ln -s "usr/$d" "$fs/$d"; done
for deb in "$debs"/*.deb; do
  case $(basename "$deb") in
    linux-image-[0-9]*) dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/kernel" --wildcards './boot/vmlinuz-*' ;;
    linux-image-*|initramfs-tools*) ;;  # the metapackage; no initramfs generator is needed
    *) dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$fs" ;;
  esac
done
rm -rf "$fs"/usr/share/doc "$fs"/usr/share/man "$fs"/usr/share/info "$fs"/usr/share/locale
# What maintainer scripts would have made and the guest reads: users, groups, host names.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$fs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$fs/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$fs/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$fs/etc/nsswitch.conf"
echo arm64 >"$fs/etc/hostname"
install -m 0755 "$here/init" "$fs/init"
( cd "$fs" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet ) >"$work/rootfs.cpio"
rm -rf "$fs" "$work/dl"
kernel=$(cd "$work/kernel/boot" && echo vmlinuz-*)
mv "$work/kernel/boot/$kernel" "$work/vmlinuz"
echo "kernel ${kernel#vmlinuz-}, rootfs $(( $(stat -c %s "$work/rootfs.cpio") / 1048576 )) MiB, downloaded $(( dl_bytes / 1048576 )) MiB in $(( fetched - start )) s, built in $(( $(date +%s) - start )) s" >"$work/info"
rm -rf "$work/kernel"
find "$ARM64_CACHE" -mindepth 1 -maxdepth 1 -regextype posix-extended -regex '.*/[0-9a-f]{16}' -exec rm -rf {} +
mv "$work" "$entry"
trap - EXIT
echo "arm64 image: built $entry ($(cat "$entry/info"))" >&2
echo "$entry"
