#!/bin/sh
# busybox-rootfs.sh OUT.tar.gz — make a minimal root filesystem tarball from
# Debian's busybox-static (/bin/busybox), for `stencil import`.
set -eu
out=$1
bb=/bin/busybox
[ -x "$bb" ] || { echo "busybox-rootfs.sh: $bb missing: apt-get install busybox-static" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin" "$dir/etc" "$dir/root" \
	"$dir/home" "$dir/var/www" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp"
chmod 1777 "$dir/tmp"
chmod 700 "$dir/root"
cp "$bb" "$dir/bin/busybox"
for applet in $("$bb" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
printf 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$dir/etc/shadow"
chmod 640 "$dir/etc/shadow"
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@1700000000 -C "$dir" -czf "$out" .
