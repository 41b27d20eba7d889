# SPDX-License-Identifier: LGPL-2.1-or-later
# Loose stand-ins for the NixOS options nix/module.nix reads and sets, so that the module can be
# evaluated with nixpkgs' lib alone (no nixpkgs, no NixOS), plus the few the flake's Quick Start
# check sets (boot.loader, fileSystems, nixpkgs.overlays, system.stateVersion). Types are as loose
# as the test needs: lists where several modules contribute, `anything` elsewhere. (No free-form
# top level: the module's `mkIf cfg.enable` would then have to be evaluated to find out which
# options it sets.) `system.build.toplevel` is a never-built derivation, as nixosSystem has one.
{ lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  loose = default: type: mkOption { inherit type default; };
  anyAttrs = types.attrsOf types.anything;
  anyList = types.listOf types.anything;
in
{
  options = {
    assertions = loose [ ] anyList;
    warnings = loose [ ] (types.listOf types.str);
    environment.etc = loose { } anyAttrs;
    environment.systemPackages = loose [ ] anyList;
    programs.bash.interactiveShellInit = loose "" types.lines;
    systemd.packages = loose [ ] anyList;
    systemd.services = loose { } anyAttrs;
    systemd.tmpfiles.rules = loose [ ] (types.listOf types.str);
    boot.kernelModules = loose [ ] (types.listOf types.str);
    boot.loader = loose { } anyAttrs;
    fileSystems = loose { } anyAttrs;
    nixpkgs.overlays = loose [ ] anyList;
    services.udev.extraRules = loose "" types.lines;
    system.activationScripts = loose { } anyAttrs;
    system.build = loose { } anyAttrs;
    system.stateVersion = loose "" types.str;
    users.groups = loose { } anyAttrs;
    users.users = loose { } (types.attrsOf (types.submodule {
      freeformType = anyAttrs;
      options.uid = loose null (types.nullOr types.int);
      options.group = loose "" types.str;
    }));
  };
  config.system.build.toplevel = derivation {
    name = "nixos-system-host";
    system = pkgs.stdenv.hostPlatform.system;
    builder = "/bin/sh";
  };
}
