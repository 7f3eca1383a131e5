#!/usr/bin/env bash
# A stand-in for the Dockerfile's base image, for a machine with podman but no container registry
# (the project's build machines). Usage: scripts/standin-base.sh IMAGE-NAME
#
# Debian bookworm (debootstrap, from this machine's apt mirror) with this machine's CPython 3.11
# (>= 3.11.4, installed outside /usr, e.g. by pyenv) in /usr/local, like the official python slim
# images, tagged IMAGE-NAME. The same stand-in as ../shared/tools/container-smoke.sh builds.
# Differences from the real base are the stand-in's, not the Dockerfile's: where a registry is
# reachable, the real base is pulled and this script is not used. Needs root (debootstrap, chroot).
set -euo pipefail
base=${1:?usage: scripts/standin-base.sh IMAGE-NAME}
for tool in podman debootstrap; do
  command -v "$tool" >/dev/null || { echo "standin-base: $tool is not installed" >&2; exit 2; }
done
py=$(command -v python3.11 || command -v python3)
prefix=$("$py" -c 'import sys; assert sys.version_info[:3] >= (3, 11, 4), sys.version; print(sys.base_prefix)')
if [ "$prefix" = /usr ]; then
  echo "standin-base: need a CPython >= 3.11.4 installed outside /usr (e.g. pyenv)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list)
debootstrap --variant=minbase \
  --include=ca-certificates,netbase,tzdata,libexpat1,libsqlite3-0,libssl3,libffi8,libbz2-1.0,liblzma5,zlib1g,libreadline8,libncursesw6 \
  bookworm "$root" "$mirror" >/dev/null
mkdir -p "$root/usr/local"
(cd "$prefix" && tar -c --exclude='site-packages/*' --exclude=__pycache__ \
  --exclude='lib/python3.11/test' lib include bin/python3.11) | tar -x -C "$root/usr/local"
ln -sf python3.11 "$root/usr/local/bin/python3"
ln -sf python3 "$root/usr/local/bin/python"
chroot "$root" ldconfig
chroot "$root" /usr/local/bin/python3 -m ensurepip >/dev/null
ln -sf pip3 "$root/usr/local/bin/pip"
# pip inside the build trusts what this machine trusts, and uses its index settings
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$root/etc/pip.conf"
if [ -f /etc/pip.conf ]; then
  grep -v '^\s*cert' /etc/pip.conf | sed '1d' >> "$root/etc/pip.conf" || true
fi
rm -rf "$root/var/lib/apt/lists/"* "$root/debootstrap"
tar --numeric-owner -C "$root" -c . | podman import --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' - "$base" >/dev/null
echo "standin-base: built $base"
