# SPDX-License-Identifier: LGPL-2.1-or-later
# A VM's NixOS root image: the Nix counterpart of `vmsilo image build NAME` (Debian, debootstrap).
# The guest is a NixOS system with the VM's guestPrograms and guestConfig modules and the vmsilo
# agent service; the image is an ext4 file holding that system's closure and /sbin/init, booted
# the way every root disk is (docs/guest-image.md "Root disks"): vmsilo's initramfs mounts it
# read-only under a disposable overlay and switch_roots to /sbin/init, here NixOS's stage 2.
# How it differs from the Debian builder: docs/nixos.md.
{ pkgs, lib, vm, package, kernelPackages, modules }:

let
  # The guest user, as guest/user.conf defines it for every vmsilo guest (its KEY=VALUE lines).
  userConf = lib.listToAttrs (map (line:
    let m = builtins.match "(GUEST_[A-Z]+)=(.*)" line; in
    { name = builtins.elemAt m 0; value = builtins.elemAt m 1; })
    (builtins.filter (line: builtins.match "GUEST_[A-Z]+=.*" line != null)
      (lib.splitString "\n" (builtins.readFile ../guest/user.conf))));
  user = userConf.GUEST_USER;
  uid = lib.toInt userConf.GUEST_UID;
  gid = lib.toInt userConf.GUEST_GID;
  home = userConf.GUEST_HOME;

  # The unit the Debian images carry (guest/vmsilo-agent.service), as a systemd package.
  agentUnit = pkgs.runCommand "vmsilo-agent-unit" { } ''
    mkdir -p "$out/lib/systemd/system"
    cp ${package}/share/vmsilo/vmsilo-agent.service "$out/lib/systemd/system/"
  '';

  guestModule = { lib, ... }: {
    # vmsilo's initramfs (the host's default guest image) boots the VM: no boot loader, no initrd
    # of NixOS's own; the kernel is the one that initramfs was made from, so modules match.
    boot.loader.grub.enable = false;
    boot.initrd.enable = false;
    boot.kernelPackages = kernelPackages;
    # The root is already mounted (the overlay) when NixOS's stage 2 starts.
    fileSystems."/" = { device = "none"; fsType = "overlay"; };
    systemd.services.systemd-remount-fs.enable = false;

    # /init configured the interfaces from the VM's `network` options before switch_root.
    networking.hostName = vm.name;
    networking.useDHCP = false;
    networking.dhcpcd.enable = false;
    networking.nameservers = vm.network.nameservers;

    # The guest user the agent runs commands as (guest/user.conf).
    users.users.${user} = {
      isNormalUser = true;
      inherit uid home;
      group = user;
      shell = userConf.GUEST_SHELL;
    };
    users.groups.${user}.gid = gid;

    systemd.packages = [ agentUnit ];
    systemd.services.vmsilo-agent.wantedBy = [ "multi-user.target" ];
    # Read by the agent for every session (docs/agent.md): NixOS keeps programs in the profile.
    environment.etc."vmsilo/session.env".text = ''
      XDG_RUNTIME_DIR=/run/user/${toString uid}
      PATH=/run/wrappers/bin:/run/current-system/sw/bin
    '';
    systemd.tmpfiles.rules = [ "d /run/user/${toString uid} 0700 ${user} ${user} -" ];

    environment.systemPackages = vm.guestPrograms;

    documentation.enable = lib.mkDefault false;
    nix.enable = lib.mkDefault false;
    system.stateVersion = lib.mkDefault lib.trivial.release;
  };

  guest = pkgs.nixos { imports = [ guestModule ] ++ modules; };
  toplevel = guest.config.system.build.toplevel;
  closure = pkgs.closureInfo { rootPaths = [ toplevel ]; };
in
pkgs.runCommand "vmsilo-nixos-root-${vm.name}.ext4" {
  nativeBuildInputs = [ pkgs.e2fsprogs pkgs.fakeroot ];
  passthru = { inherit guest toplevel; };
} ''
  root=$PWD/root
  mkdir -p "$root/nix/store" "$root/sbin" "$root/usr/libexec/vmsilo" "$root/etc" "$root${home}"
  xargs -r cp -a -t "$root/nix/store" < ${closure}/store-paths
  ln -s ${toplevel}/init "$root/sbin/init"
  # A real file: /init checks for the agent inside the new root before switch_root.
  cp ${package}/libexec/vmsilo/vmsilo-agent "$root/usr/libexec/vmsilo/vmsilo-agent"
  cp ${closure}/registration "$root/nix-path-registration"
  chmod -R u+w "$root"
  # As the Debian builder sizes it: used space + 25 % + 64 MiB, rounded up to 4 MiB.
  kib=$(du -sk "$root" | cut -f1)
  size=$(( (kib * 5 / 4 + 65536 + 4095) / 4096 * 4096 ))
  fakeroot -- sh -c "chown -R 0:0 '$root' && chown ${toString uid}:${toString gid} '$root${home}' && chmod 0700 '$root${home}' \
    && mkfs.ext4 -q -L vmsilo-root -d '$root' '$out' ''${size}K"
''
