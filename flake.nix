# SPDX-License-Identifier: LGPL-2.1-or-later
# vmsilo as a flake: the package, the NixOS module (`programs.vmsilo`, as in the original design),
# checks and a development shell. docs/nixos.md describes the module.
{
  description = "vmsilo: Qubes-style VM compartments on a Linux desktop";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      # The QEMU launch plans are x86_64 (microvm/q35) only.
      systems = [ "x86_64-linux" ];
      forSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forSystems (pkgs: rec {
        vmsilo = pkgs.callPackage ./nix/package.nix { };
        default = vmsilo;
      });

      nixosModules.default = { pkgs, lib, ... }: {
        imports = [ ./nix/module.nix ];
        programs.vmsilo.package =
          lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      };

      checks = forSystems (pkgs:
        let
          system = pkgs.stdenv.hostPlatform.system;
          # The module against a real NixOS evaluation: the original's Quick Start must give a
          # system (evaluated, not built: the check stores its .drv path).
          quickstartSystem = lib.nixosSystem {
            inherit system;
            modules = [
              self.nixosModules.default
              ./tests/nix/quickstart.nix
              {
                # The Quick Start's `konsole` is `kdePackages.konsole` in current nixpkgs.
                nixpkgs.overlays = [ (final: prev: { konsole = prev.kdePackages.konsole; }) ];
                boot.loader.grub.devices = [ "nodev" ];
                fileSystems."/" = { device = "/dev/vda"; fsType = "ext4"; };
                users.users.david.isNormalUser = true;
                system.stateVersion = lib.trivial.release;
              }
            ];
          };
        in
        {
          # Builds everything and runs the unit tests and fuzz-corpus replays (doCheck).
          package = self.packages.${system}.default;
          # tests/nix with nixpkgs' lib: the JSON of the Quick Start and of the every-option
          # configuration, checked by the built `vmsilo config check` (as tests/integration/test_nix.py).
          module = pkgs.callPackage ./tests/nix/check.nix {
            vmsilo = self.packages.${system}.default;
            nixpkgsLib = "${nixpkgs}/lib";
          };
          nixos-quickstart = pkgs.runCommand "vmsilo-nixos-quickstart-eval" {
            drv = builtins.unsafeDiscardStringContext
              quickstartSystem.config.system.build.toplevel.drvPath;
          } ''echo "$drv" > "$out"'';
        });

      devShells = forSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ];
          packages = with pkgs; [
            clang gdb valgrind python3 python3Packages.pytest qemu_kvm e2fsprogs busybox
            nftables iproute2 shellcheck scdoc nix
          ];
        };
      });
    };
}
