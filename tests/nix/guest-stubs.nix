# SPDX-License-Identifier: LGPL-2.1-or-later
# Loose stand-ins for the NixOS options a vmsilo guest's modules set (nix/guest-image.nix and the
# user's guestConfig): list options are declared so several modules can add to them, the rest is
# free-form. `system.build.toplevel` is a never-built derivation named as NixOS names it.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  loose = default: type: mkOption { inherit type default; };
  anyList = types.listOf types.anything;
  # An option namespace that takes undeclared settings too.
  namespace = options: loose { } (types.submodule { freeformType = types.attrsOf types.anything; inherit options; });
in
{
  freeformType = types.attrsOf types.anything;
  options = {
    environment = namespace { systemPackages = loose [ ] anyList; };
    systemd = namespace {
      packages = loose [ ] anyList;
      tmpfiles = namespace { rules = loose [ ] (types.listOf types.str); };
    };
    networking = namespace {
      nameservers = loose [ ] (types.listOf types.str);
      hostName = loose "nixos" types.str;
    };
    system = namespace { build = namespace { }; };
  };
  config.system.build.toplevel = derivation {
    name = "nixos-system-${config.networking.hostName}";
    system = pkgs.stdenv.hostPlatform.system;
    builder = "/bin/sh";
  };
}
