# SPDX-License-Identifier: LGPL-2.1-or-later
# Evaluates flake.nix's outputs offline: `nixpkgs` is nixpkgs' lib, the fake package set
# (./pkgs.nix) and a nixosSystem that evaluates modules against ./stubs.nix. Returns what
# tests/integration/test_nix.py checks.
{ nixpkgsLib }:

let
  lib = import nixpkgsLib;
  pkgs = import ./pkgs.nix { inherit lib; };
  nixpkgs = {
    outPath = toString (dirOf nixpkgsLib);
    legacyPackages.x86_64-linux = pkgs;
    lib = lib // {
      nixosSystem = args: lib.evalModules {
        modules = args.modules ++ [ ./stubs.nix { _module.args.pkgs = pkgs; } ];
      };
    };
  };
  flake = import ../../flake.nix;
  self = flake.outputs { inherit self nixpkgs; };
  system = "x86_64-linux";
  host = nixpkgs.lib.nixosSystem { modules = [ self.nixosModules.default ../nix/quickstart.nix ]; };
  names = map (p: p.name);
in
{
  inputs = flake.inputs;
  package = { inherit (self.packages.${system}.default) name drvPath; };
  defaultIsVmsilo = self.packages.${system}.default == self.packages.${system}.vmsilo;
  modulePackage = host.config.programs.vmsilo.package.drvPath;
  checks = lib.mapAttrs (_: c: c.name) self.checks.${system};
  checkQuickstart = self.checks.${system}.nixos-quickstart.drv;
  devShell = {
    inherit (self.devShells.${system}.default) name;
    packages = names self.devShells.${system}.default.packages;
    inputsFrom = names self.devShells.${system}.default.inputsFrom;
  };
}
