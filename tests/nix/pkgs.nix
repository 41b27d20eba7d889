# SPDX-License-Identifier: LGPL-2.1-or-later
# A fake package set for evaluating nix/module.nix, nix/package.nix and nix/guest-image.nix
# without nixpkgs: every package is a derivation with a dummy builder (evaluated for its name and
# store paths, never built), and `nixos` evaluates the guest's modules against loose stubs
# (./guest-stubs.nix) so the test can read the guest configuration the module produced.
{ lib, system ? "x86_64-linux" }:

let
  drv = name: attrs: derivation ({
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "echo never built; exit 1" ];
  } // attrs);

  # Attributes a derivation cannot take (attrsets) stay on the result, as stdenv's passthru.
  mkDrv = name: attrs:
    drv name (removeAttrs attrs [ "passthru" "meta" ]) // (attrs.passthru or { });

  pkg = name: drv name { };

  self = {
    inherit lib;
    path = throw "the fake package set has no nixpkgs source";

    stdenv = {
      hostPlatform = { inherit system; linux-kernel.target = "bzImage"; };
      mkDerivation = a: mkDrv "${a.pname}-${a.version}" (removeAttrs a [ "pname" "version" ]);
    };

    callPackage = f: args:
      let fn = if builtins.isFunction f then f else import f;
      in fn (builtins.intersectAttrs (builtins.functionArgs fn) self // args);

    runCommand = name: env: buildCommand: mkDrv name (env // { inherit buildCommand; });
    writeShellScript = name: text: drv name { inherit text; };
    closureInfo = { rootPaths }: drv "closure-info" { inherit rootPaths; };

    nixos = module:
      let
        guest = lib.evalModules {
          modules = [ ./guest-stubs.nix module { _module.args.pkgs = self; } ];
        };
      in
      { inherit (guest) config options; };

    mkShell = a: drv "nix-shell" { inherit (a) packages inputsFrom; };
    python3Packages.pytest = pkg "python3.12-pytest-8.3.3";

    linuxPackages.kernel = pkg "linux-6.6.30" // { modDirVersion = "6.6.30"; version = "6.6.30"; };
    pkgsStatic.busybox = pkg "busybox-static-x86_64-unknown-linux-musl-1.36.1";
    glibc = pkg "glibc-2.40" // { static = pkg "glibc-2.40-static"; };
  } // lib.genAttrs [
    "meson" "ninja" "pkg-config" "python3" "systemd" "jansson" "libmnl" "nftables" "libpng" "libunistring"
    "libseccomp" "acl" "kmod" "nettle" "wayland" "wayland-scanner" "wayland-protocols" "libxkbcommon"
    "libpulseaudio"
    "cmocka" "qemu_kvm" "e2fsprogs" "xz" "zstd" "gzip" "crosvm" "fakeroot"
    "firefox" "konsole" "libreoffice" "htop"
    "clang" "gdb" "valgrind" "busybox" "iproute2" "shellcheck" "scdoc" "nix"
  ] pkg;
in
self
