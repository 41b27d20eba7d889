# SPDX-License-Identifier: LGPL-2.1-or-later
# vmsilo built with Meson: vmsilod, the vmsilo CLI and its vm-* names, the image builder,
# vmsilo-balloond, the static guest agent (against glibc's libc.a), the guest /init and agent
# unit, the systemd units and the bash completion. `pkgs.callPackage ./nix/package.nix { }`.
{ lib, stdenv, meson, ninja, pkg-config, python3, scdoc, systemd, jansson, libmnl, nftables, libpng
, libunistring, libseccomp, acl, kmod, nettle, wayland, wayland-scanner, wayland-protocols
, libxkbcommon, libpulseaudio, cmocka, glibc }:

let
  mesonBuild = builtins.readFile ../meson.build;
  # project('vmsilo', 'c', version : 'X', …): the one place the version is written.
  version = builtins.head (builtins.elemAt (builtins.split "version : '([^']+)'" mesonBuild) 1);
  # The source without build directories and VCS data.
  src = lib.cleanSourceWith {
    src = ../.;
    filter = path: type:
      let base = baseNameOf path; in
      !(type == "directory" && (lib.hasPrefix "build" base || base == ".git" || base == "result"));
  };
in
stdenv.mkDerivation {
  pname = "vmsilo";
  inherit version src;

  # scdoc: the man pages (man/). wayland-scanner: src/wayland's protocol tables.
  nativeBuildInputs = [ meson ninja pkg-config python3 scdoc wayland-scanner ];
  # The libraries of src/*/meson.build: libseccomp and acl (the VMM sandbox), kmod (initramfs
  # modules), wayland headers and protocols and libxkbcommon (vmsilo-wayland).
  # glibc.static: the guest agent links statically (src/agent/meson.build).
  # kmod (libkmod) and nettle: the image builder, libexec/vmsilo/vmsilo-image; libpulseaudio:
  # vmsilo-sound.
  buildInputs = [ systemd jansson libmnl nftables libpng libunistring libseccomp acl kmod nettle
    wayland wayland-protocols libxkbcommon libpulseaudio cmocka glibc.static ];
  # A static PIE needs rcrt1.o, which glibc.static does not ship for every platform.
  hardeningDisable = [ "pie" ];

  # Build-time scripts that meson runs as tests. Not guest/init: it runs in the guest, where
  # /bin/sh is busybox.
  postPatch = ''
    patchShebangs tests/unit bench
  '' +
  # sysconfdir stays /etc (meson.build's default): the programs' default configuration is
  # /etc/vmsilo/config.json on NixOS too. The profile.d script goes into the package instead.
  ''
    substituteInPlace data/meson.build \
      --replace "get_option('sysconfdir') / 'profile.d'" "get_option('prefix') / 'etc' / 'profile.d'"
  '';

  mesonFlags = [ "-Dwerror=false" ];
  # data/meson.build asks pkg-config for systemd's unit directory (rootprefix = our prefix);
  # pkgconf lets the environment name it outright.
  PKG_CONFIG_SYSTEMD_SYSTEMDSYSTEMUNITDIR = "${placeholder "out"}/lib/systemd/system";

  # The unit tests and fuzz-corpus replays; the integration tests need QEMU guests and root.
  doCheck = true;
  checkPhase = ''
    runHook preCheck
    meson test --print-errorlogs --suite unit
    runHook postCheck
  '';

  meta = {
    description = "Qubes-style VM compartments on a Linux desktop";
    license = lib.licenses.lgpl21Plus;
    platforms = [ "x86_64-linux" ];
    mainProgram = "vmsilo";
  };
}
