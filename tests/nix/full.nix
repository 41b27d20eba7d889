# SPDX-License-Identifier: LGPL-2.1-or-later
# Every option of programs.vmsilo set, most away from their defaults (test_nix.py has the JSON
# the README's reference gives for these settings).
{ pkgs, ... }: {
  users.users.alice = { uid = 1001; group = "users"; };
  programs.vmsilo = {
    enable = true;
    user = "alice";
    hostNetworking.nat = { enable = true; interface = "enp3s0"; };
    enableBashIntegration = false;
    crosvm = { logLevel = "debug"; extraArgs = [ "--syslog-tag" "vm" ]; extraRunArgs = [ "--no-smt" ]; };
    "vmsilo-balloond" = {
      logLevel = "warn";
      pollInterval = "500ms";
      criticalHostPercent = 10;
      guestAvailableBias = "512m";
      extraArgs = [ "--verbose" ];
    };
    "vmsilo-tray".logLevel = "trace";
    isolatedPciDevices = [ "01:00.0" "0000:02:00.0" ];
    waylandDisplay = "wayland-1";
    vmm = "crosvm";
    acceleration = "tcg";
    frameWidth = 6;
    clipboardCopyKey = "ctrl+Insert";
    clipboardPasteKey = "shift+Insert";
    nixosVms = [
      {
        name = "work";
        memory = 2048;
        cpus = 3;
        color = "#2ecc71";
        frameWidth = 2;
        network = {
          nameservers = [ "9.9.9.9" "2620:fe::fe" ];
          interfaces = {
            wan = {
              type = "tap";
              macAddress = "02:11:22:33:44:55";
              tap = {
                name = "tap-work";
                hostAddress = "10.5.0.254/24";
                allowedHostPorts = [ "tcp/22" "udp/5353" ];
              };
              addresses = [ "10.5.0.1/24" ];
              routes."0.0.0.0/0".via = "10.5.0.254";
              v6Addresses = [ "fd00:5::1/64" ];
              v6Routes."::/0".via = "fd00:5::fe";
            };
            lan = {
              tap.bridge = "br0";
              dhcp = true;
            };
          };
        };
        autoShutdown = { enable = true; after = 300; };
        autoStart = true;
        tray = false;
        dependsOn = [ "net" ];
        additionalDisks = [ { path = "/var/lib/disks/work.qcow2"; ro = false; sparse = true; block-size = 4096; id = "data"; } ];
        kernel = "/opt/vm/vmlinuz";
        initramfs = "/opt/vm/initrd.img";
        sharedHome = "/srv/homes/work";
        kernelParams = [ "quiet" "mitigations=auto" ];
        gpu = { context-types = "cross-domain:virgl2"; width = 1920; height = 1080; };
        sound = false;
        sharedDirectories = [ { path = "/shared/docs"; id = "docs"; uidmap = "0 0 65535"; gidmap = "0 0 65535"; } ];
        vhostUser = [ { type = "net"; socket = "/run/vhost/net.sock"; } ];
        crosvm = { logLevel = "error"; extraArgs = [ "--log-level" "error" ]; extraRunArgs = [ "--disable-sandbox" ]; };
        rootOverlay = { type = "tmpfs"; size = "4G"; };
        waylandProxy = "sommelier";
        vmm = "qemu";
        acceleration = "kvm";
        guestPrograms = with pkgs; [ htop ];
        guestConfig = { users.motd = "work VM"; };
      }
      {
        name = "net";
        memory = 512;
        cpus = 1;
        color = "rgb(52, 152, 219)";
        sharedHome = false;
        gpu = false;
        sound = { backend = "pulse"; capture = true; };
        pciDevices = [ { path = "01:00.0"; iommu = "on"; } ];
        rootDisk = { path = "/var/lib/disks/net.img"; ro = true; };
        rootDiskReadonly = false;
      }
      {
        name = "notes";
        guestConfig = [ ({ pkgs, ... }: { environment.systemPackages = [ pkgs.htop ]; }) ];
      }
    ];
  };
}
