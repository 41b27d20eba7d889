# SPDX-License-Identifier: LGPL-2.1-or-later
# Evaluates nix/module.nix for one configuration with nixpkgs' lib, the NixOS stubs and the fake
# package set, and returns what the tests check (tests/integration/test_nix.py, flake checks):
#   nix-instantiate --eval --strict --json tests/nix/eval.nix \
#     --arg nixpkgsLib ../shared/third_party/nixpkgs-lib/lib --arg configuration ./tests/nix/quickstart.nix
{ nixpkgsLib, configuration }:

let
  lib = import nixpkgsLib;
  pkgs = import ./pkgs.nix { inherit lib; };
  eval = lib.evalModules {
    modules = [ ./stubs.nix ../../nix/module.nix configuration { _module.args.pkgs = pkgs; } ];
  };
  c = eval.config;
  cfg = c.programs.vmsilo;
  names = map (p: p.name);
  service = s: {
    inherit (s) wantedBy;
    execStart = s.serviceConfig.ExecStart;
    path = names (s.path or [ ]);
    reloadTriggers = map toString (s.reloadTriggers or [ ]);
    restartTriggers = map toString (s.restartTriggers or [ ]);
    readWritePaths = s.serviceConfig.ReadWritePaths or [ ];
  };
  configFile = c.environment.etc."vmsilo/config.json".source;
  image = drv: {
    inherit (drv) name drvPath;
    out = drv.outPath;
    toplevel = drv.toplevel.name;
    guest = {
      inherit (drv.guest.config.networking) hostName nameservers;
      systemPackages = names drv.guest.config.environment.systemPackages;
      agentWantedBy = drv.guest.config.systemd.services.vmsilo-agent.wantedBy;
      agentUnit = names drv.guest.config.systemd.packages;
      userUid = drv.guest.config.users.users.user.uid;
      sessionEnv = drv.guest.config.environment.etc."vmsilo/session.env".text;
      kernelPackages = drv.guest.config.boot.kernelPackages.kernel.name;
      # Set by the full configuration's guestConfig module.
      motd = drv.guest.config.users.motd or null;
    };
  };
  failed = map (a: a.message) (lib.filter (a: !a.assertion) c.assertions);
in
{
  assertions = failed;
  inherit (c) warnings;
}
// lib.optionalAttrs (failed == [ ] && cfg.enable) {
  # The text actually written to /etc/vmsilo/config.json (before `vmsilo config check` runs on it).
  configJSON = configFile.json;
  configFileName = configFile.name;
  configCheck = configFile.buildCommand;
  etc = lib.attrNames c.environment.etc;
  services = lib.mapAttrs (_: service) c.systemd.services;
  unitPackages = names c.systemd.packages;
  tmpfiles = c.systemd.tmpfiles.rules;
  systemPackages = names c.environment.systemPackages;
  bashInit = c.programs.bash.interactiveShellInit;
  kernelModules = c.boot.kernelModules;
  udevRules = c.services.udev.extraRules;
  activation = lib.mapAttrs (_: toString) c.system.activationScripts;
  package = { inherit (cfg.package) name drvPath; };
  imageBuilder = { inherit (cfg.imageBuilder) name text; path = "${cfg.imageBuilder}"; };
  images = lib.mapAttrs (_: image) cfg.guestImages;
}
