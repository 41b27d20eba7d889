# SPDX-License-Identifier: LGPL-2.1-or-later
# The NixOS module: `programs.vmsilo`, the original design's option tree one to one (names, types,
# defaults, descriptions) plus vmsilo's additions. Its whole job is to serialise the options to
# /etc/vmsilo/config.json (`vmsilo config check` validates that file while the system is built:
# one validator, the C one), run vmsilod and vmsilo-balloond, and build what only Nix can build:
# a NixOS root image for VMs whose `guestPrograms` are Nix packages or whose `guestConfig` is
# NixOS modules (./guest-image.nix), and the default guest kernel + initramfs from a NixOS kernel.
# docs/nixos.md explains each piece.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption mkEnableOption types literalExpression;

  cfg = config.programs.vmsilo;
  pkg = cfg.package;

  logLevel = types.enum [ "error" "warn" "info" "debug" "trace" ];
  vmmChoice = types.enum [ "auto" "qemu" "crosvm" ];
  accelChoice = types.enum [ "auto" "kvm" "tcg" ];

  # VMM options: free-form key=value pairs (README "VMM options"); a Nix path becomes its store path.
  scalar = types.oneOf [ types.str types.int types.bool types.path ];
  vmmOptions = types.attrsOf scalar;
  withPath = description: types.submodule {
    freeformType = vmmOptions;
    options.path = mkOption { type = types.either types.str types.path; inherit description; };
  };
  diskType = withPath "Image or block device, passed positionally (`--block PATH,key=value,…`).";

  option = type: default: description: mkOption { inherit type default description; };

  crosvmOptions = perVm: {
    logLevel = if perVm
      then option (types.nullOr logLevel) null "Per-VM log level override (uses global if null)."
      else option logLevel "info" "Log level for crosvm (error, warn, info, debug, trace).";
    extraArgs = option (types.listOf types.str) [ ] (if perVm
      then "Per-VM extra args (appended to global crosvm.extraArgs)."
      else "Extra args passed to crosvm before \"run\" subcommand.");
    extraRunArgs = option (types.listOf types.str) [ ] (if perVm
      then "Per-VM extra run args (appended to global crosvm.extraRunArgs)."
      else "Extra args passed to crosvm after \"run\" subcommand.");
  };

  routeType = types.submodule {
    options.via = mkOption { type = types.str; description = "Gateway address."; };
  };

  interfaceType = types.submodule {
    options = {
      type = option (types.enum [ "tap" ]) "tap" "Interface type.";
      macAddress = option (types.nullOr types.str) null
        "MAC address (auto-generated from vmName-ifName hash if null).";
      tap = {
        name = option (types.nullOr types.str) null
          "TAP interface name on host (default: <vmname>-<ifIndex>).";
        hostAddress = option (types.nullOr types.str) null
          "Host-side IP with prefix (e.g., \"10.0.0.254/24\"). Mutually exclusive with tap.bridge.";
        bridge = option (types.nullOr types.str) null
          "Bridge name to add TAP to. Mutually exclusive with tap.hostAddress.";
        allowedHostPorts = option (types.listOf (types.strMatching "(tcp|udp)/[0-9]+")) [ ]
          "Services on the host itself the guest may reach through this interface (\"tcp/PORT\" or \"udp/PORT\").";
      };
      dhcp = option types.bool false "Enable DHCP for this interface.";
      addresses = option (types.listOf types.str) [ ] "Static IPv4 addresses with prefix.";
      routes = option (types.attrsOf routeType) { } "IPv4 routes (destination -> { via = gateway; }).";
      v6Addresses = option (types.listOf types.str) [ ] "Static IPv6 addresses with prefix.";
      v6Routes = option (types.attrsOf routeType) { } "IPv6 routes.";
    };
  };

  vmType = types.submodule {
    options = {
      name = mkOption { type = types.str; description = "VM name for scripts."; };
      memory = option types.int 1024 "Memory allocation in MB.";
      cpus = option types.int 2 "Number of virtual CPUs.";
      color = option types.str "red" "Window decoration color (named color or hex, e.g., \"#2ecc71\").";
      frameWidth = option (types.ints.between 0 64) cfg.frameWidth
        "Width in pixels of the frame in color around this VM's windows; 0: none (default: the top-level frameWidth). (vmsilo)";
      network = {
        nameservers = option (types.listOf types.str) [ ] "DNS nameservers for this VM.";
        interfaces = option (types.attrsOf interfaceType) { }
          "Network interfaces (keys are guest-visible names).";
      };
      autoShutdown = {
        enable = option types.bool false "Auto-shutdown when idle (after autoShutdown.after seconds).";
        after = option types.int 60 "Seconds to wait before shutdown.";
      };
      autoStart = option types.bool false "Start VM automatically at boot instead of on-demand.";
      tray = option types.bool true
        "Show this VM's tray items in the host's tray; false turns tray forwarding off. (vmsilo)";
      dependsOn = option (types.listOf types.str) [ ] "VM names to also start when this VM starts.";
      additionalDisks = option (types.listOf diskType) [ ]
        "Additional disks to attach (free-form attrsets passed to the VMM's --block).";
      rootDisk = option (types.nullOr diskType) null
        "Custom root disk (defaults to built rootfs).";
      kernel = option (types.nullOr types.path) null "Custom kernel image.";
      initramfs = option (types.nullOr types.path) null "Custom initramfs.";
      rootDiskReadonly = option types.bool true "Whether root disk is read-only.";
      sharedHome = option (types.either types.bool types.str) true
        "Share host dir as /home/user (true=/shared/<vmname>, string=custom path, false=disabled).";
      kernelParams = option (types.listOf types.str) [ ] "Extra kernel command line parameters.";
      gpu = option (types.either types.bool vmmOptions) true
        "GPU config (false=disabled, true=default, attrset=custom).";
      sound = option (types.either types.bool vmmOptions) true
        "Sound config (false=disabled, true=default PulseAudio, attrset=custom).";
      sharedDirectories = option (types.listOf (withPath "Host directory to share.")) [ ]
        "Shared directories with path, tag, and optional kv pairs.";
      pciDevices = option (types.listOf (withPath "PCI address, e.g. \"01:00.0\".")) [ ]
        "PCI devices to passthrough (path + optional kv pairs).";
      guestPrograms = mkOption {
        type = types.listOf types.package;
        default = [ ];
        example = literalExpression "with pkgs; [ firefox konsole ]";
        description = "VM-specific packages (installed in the VM's NixOS root image).";
      };
      guestConfig = mkOption {
        type = types.either types.deferredModule (types.listOf types.deferredModule);
        default = [ ];
        description = "VM-specific NixOS configuration (module, list of modules, or path).";
      };
      vhostUser = option (types.listOf vmmOptions) [ ] "Manual vhost-user devices.";
      crosvm = crosvmOptions true;
      rootOverlay = {
        type = option (types.enum [ "qcow2" "tmpfs" ]) "qcow2"
          "Overlay upper layer: disk-backed (qcow2) or RAM-backed (tmpfs).";
        size = option types.str "10G" "Max ephemeral disk size (qcow2 only).";
      };
      waylandProxy = option (types.enum [ "wayland-proxy-virtwl" "sommelier" "waypipe" ]) "wayland-proxy-virtwl"
        "Wayland proxy in the guest (sommelier is experimental).";
      vmm = option vmmChoice "auto" "This VM's VMM; auto inherits the top-level vmm. (vmsilo)";
      acceleration = option accelChoice "auto"
        "This VM's CPU acceleration; auto inherits the top-level acceleration. (vmsilo)";
    };
  };

  guestConfigModules = vm: lib.toList vm.guestConfig;

  # Nix builds a root image when the VM asks for Nix packages or NixOS modules and brings no
  # root disk of its own.
  wantsNixImage = vm: vm.rootDisk == null && (vm.guestPrograms != [ ] || guestConfigModules vm != [ ]);

  guestImage = vm: import ./guest-image.nix {
    inherit pkgs lib vm;
    package = pkg;
    kernelPackages = cfg.guestKernelPackages;
    modules = guestConfigModules vm;
  };

  # One VM as the JSON reference describes it. guestPrograms and guestConfig are Nix values the
  # image consumed; in the JSON they are Debian package names and image-builder paths, so they
  # are written empty and the image becomes the rootDisk.
  vmSettings = vm: vm // {
    rootDisk = if wantsNixImage vm then { path = "${cfg.guestImages.${vm.name}}"; } else vm.rootDisk;
    guestPrograms = [ ];
    guestConfig = [ ];
  };

  settings = {
    inherit (cfg) enable user hostNetworking enableBashIntegration crosvm isolatedPciDevices vmm
      acceleration waylandDisplay frameWidth clipboardCopyKey clipboardPasteKey;
    "vmsilo-balloond" = cfg."vmsilo-balloond";
    "vmsilo-tray" = cfg."vmsilo-tray";
    nixosVms = map vmSettings cfg.nixosVms;
  };

  settingsJSON = builtins.toJSON settings;

  # Validated while the system is built: a mistake fails nixos-rebuild with vmsilo's own message.
  configFile = pkgs.runCommand "vmsilo-config.json" {
    json = settingsJSON;
    passAsFile = [ "json" ];
    nativeBuildInputs = [ pkg ];
  } ''
    vmsilo config check "$jsonPath"
    cp "$jsonPath" "$out"
  '';

  kernel = cfg.guestKernelPackages.kernel;
  kernelTarget = pkgs.stdenv.hostPlatform.linux-kernel.target;

  # vmsilod builds the default guest image (kernel + initramfs) itself by running
  # `BUILDER image build --state-dir DIR`; NixOS has no /boot/vmlinuz-* and no /lib/modules, so
  # the builder it runs names the kernel, its modules and a static busybox.
  imageBuilder = pkgs.writeShellScript "vmsilo-image-builder" ''
    exec ${pkg}/bin/vmsilo "$@" \
      --kernel ${kernel}/${kernelTarget} \
      --modules-dir ${kernel}/lib/modules/${kernel.modDirVersion} \
      --busybox ${pkgs.pkgsStatic.busybox}/bin/busybox
  '';

  usesCrosvm = cfg.vmm == "crosvm" || lib.any (vm: vm.vmm == "crosvm") cfg.nixosVms;

  # Without completion files, so that enableBashIntegration = false means none.
  commands = pkgs.runCommand "vmsilo-commands" { } ''
    mkdir -p "$out"
    ln -s ${pkg}/bin "$out/bin"
    ln -s ${pkg}/sbin "$out/sbin"
  '';

  userGroup = let g = config.users.users.${cfg.user}.group or ""; in if g == "" then "-" else g;

  # "01:00.0" → "0000:01:00.0", as the JSON normalises it.
  pciLong = a: if builtins.match "[0-9a-fA-F]{4}:.*" a != null then a else "0000:${a}";

  # Paths vmsilod must write besides /shared (its unit is ProtectSystem=strict).
  extraWritable = lib.concatMap (vm:
    map (d: "-${toString d.path}") vm.sharedDirectories
    ++ lib.optional (builtins.isString vm.sharedHome) "-${dirOf vm.sharedHome}"
  ) cfg.nixosVms;
in
{
  options.programs.vmsilo = {
    enable = mkEnableOption "vmsilo VM management";

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = literalExpression "pkgs.callPackage ./nix/package.nix { }";
      description = "The vmsilo package (vmsilod, the CLI, the static guest agent). (vmsilo)";
    };

    guestKernelPackages = mkOption {
      type = types.raw;
      default = pkgs.linuxPackages;
      defaultText = literalExpression "pkgs.linuxPackages";
      description = ''
        Kernel of the default guest image and of the NixOS root images (their modules match it).
        (vmsilo)
      '';
    };

    user = mkOption {
      type = types.str;
      description = "User who owns TAP interfaces and runs VMs (must have explicit UID).";
    };

    hostNetworking.nat = {
      enable = option types.bool false "Enable NAT for VM internet access.";
      interface = option types.str "" "External interface for NAT (required if nat.enable).";
    };

    nixosVms = option (types.listOf vmType) [ ] "List of NixOS-based VMs to create.";

    enableBashIntegration = option types.bool true "Enable bash completion for vm-* commands.";

    crosvm = crosvmOptions false;

    "vmsilo-balloond" = {
      logLevel = option logLevel "info"
        "Log level for vmsilo-balloond daemon (error, warn, info, debug, trace).";
      pollInterval = option types.str "2s" "Policy evaluation interval (e.g. \"2s\", \"1s\", \"500ms\").";
      criticalHostPercent = option types.int 5 "Host critical threshold as percentage of total RAM.";
      guestAvailableBias = option types.str "300m" "Guest bias term (e.g. \"300m\", \"500m\").";
      extraArgs = option (types.listOf types.str) [ ]
        "Extra command line arguments for vmsilo-balloond daemon.";
    };

    "vmsilo-tray".logLevel = option logLevel "info"
      "Log level for tray proxy host and guest daemons (error, warn, info, debug, trace).";

    isolatedPciDevices = option (types.listOf types.str) [ ] "PCI devices to isolate with vfio-pci.";

    waylandDisplay = option (types.nullOr types.str) null
      "The compositor socket GPU VMs' windows go to: a name in the user's runtime dir or an absolute path (null: the one live wayland-N). (vmsilo)";

    frameWidth = option (types.ints.between 0 64) 4
      "Width in pixels of the frame in each VM's color around its windows, for every VM that does not choose its own. (vmsilo)";

    clipboardCopyKey = option types.str "ctrl+shift+c"
      "The key that copies the selection of the VM whose window has the focus into the global clipboard: modifiers (ctrl, shift, alt, logo) and an xkb key name joined by '+'. (vmsilo)";

    clipboardPasteKey = option types.str "ctrl+shift+v"
      "The key that offers the global clipboard, once, to the VM whose window has the focus; spelled as clipboardCopyKey and different from it. (vmsilo)";

    vmm = option vmmChoice "auto"
      "VMM for every VM that does not choose its own (auto: crosvm when installed, else QEMU). (vmsilo)";

    acceleration = option accelChoice "auto"
      "CPU acceleration for every VM that does not choose its own (auto: KVM when usable). (vmsilo)";

    guestImages = mkOption {
      type = types.attrsOf types.package;
      readOnly = true;
      description = ''
        The NixOS root image built for each VM that has Nix guestPrograms or guestConfig and no
        rootDisk, by VM name (`nix build .#nixosConfigurations.HOST.config.programs.vmsilo.guestImages.NAME`).
        (vmsilo)
      '';
    };

    imageBuilder = mkOption {
      type = types.package;
      readOnly = true;
      internal = true;
      description = "What vmsilod runs to build the default guest image (--image-builder).";
    };

    settings = mkOption {
      type = types.raw;
      readOnly = true;
      internal = true;
      description = "The document written to /etc/vmsilo/config.json (before serialisation).";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.vmsilo.settings = settings;
    programs.vmsilo.imageBuilder = imageBuilder;
    programs.vmsilo.guestImages = lib.listToAttrs (map (vm: lib.nameValuePair vm.name (guestImage vm))
      (lib.filter wantsNixImage cfg.nixosVms));

    assertions = [
      {
        assertion = (config.users.users.${cfg.user}.uid or null) != null;
        message = "programs.vmsilo.user '${cfg.user}' must have an explicit uid "
          + "(users.users.${cfg.user}.uid = 1000;).";
      }
    ] ++ map (vm: {
      assertion = vm.rootDiskReadonly || !(wantsNixImage vm);
      message = "programs.vmsilo.nixosVms '${vm.name}': rootDiskReadonly = false needs a rootDisk "
        + "of your own; the NixOS image built from guestPrograms/guestConfig is in the read-only Nix store.";
    }) cfg.nixosVms;

    warnings = lib.concatMap (vm: lib.optional
      (vm.rootDisk != null && (vm.guestPrograms != [ ] || guestConfigModules vm != [ ]))
      "programs.vmsilo.nixosVms '${vm.name}': guestPrograms and guestConfig are ignored because rootDisk is set."
    ) cfg.nixosVms;

    environment.etc."vmsilo/config.json".source = configFile;

    environment.systemPackages = [ commands ];

    programs.bash.interactiveShellInit = lib.mkIf cfg.enableBashIntegration ''
      source ${pkg}/share/bash-completion/completions/vmsilo
    '';

    # The units come from the package (data/*.service: hardening in one place); NixOS adds the
    # command lines, PATH and the install targets.
    systemd.packages = [ pkg ];

    systemd.services.vmsilod = {
      wantedBy = [ "multi-user.target" ];
      # Reloading applies a new file in place (running VMs stay); a changed `user` needs a restart.
      reloadTriggers = [ configFile ];
      path = [ pkgs.qemu_kvm pkgs.e2fsprogs pkgs.xz pkgs.zstd pkgs.gzip ]
        ++ lib.optional usesCrosvm pkgs.crosvm;
      serviceConfig = {
        ExecStart = [ "" "${pkg}/sbin/vmsilod --config /etc/vmsilo/config.json --image-builder ${cfg.imageBuilder}" ];
        ReadWritePaths = extraWritable;
      };
    };

    systemd.services.vmsilo-balloond = {
      wantedBy = [ "vmsilod.service" ];
      restartTriggers = [ configFile ];
      serviceConfig.ExecStart = [ ""
        "${pkg}/sbin/vmsilo-balloond --config /etc/vmsilo/config.json --runtime-dir /run/vmsilo" ];
    };

    # As the original: /shared and the home template belong to the configured user.
    systemd.tmpfiles.rules = [
      "d /shared 0755 ${cfg.user} ${userGroup} -"
      "d /var/lib/vmsilo 0755 root root -"
      "d /var/lib/vmsilo/home-template 0755 ${cfg.user} ${userGroup} -"
    ];

    # isolatedPciDevices: vfio-pci takes them when they appear, and activation rebinds any that a
    # native driver already holds.
    boot.kernelModules = lib.mkIf (cfg.isolatedPciDevices != [ ]) [ "vfio_pci" ];
    services.udev.extraRules = lib.concatMapStrings (a: ''
      ACTION=="add", SUBSYSTEM=="pci", KERNEL=="${pciLong a}", ATTR{driver_override}="vfio-pci"
    '') cfg.isolatedPciDevices;
    system.activationScripts.vmsilo-vfio = lib.mkIf (cfg.isolatedPciDevices != [ ]) ''
      for dev in ${lib.escapeShellArgs (map pciLong cfg.isolatedPciDevices)}; do
        sys=/sys/bus/pci/devices/$dev
        [ -e "$sys" ] || { echo "vmsilo: PCI device $dev not found" >&2; continue; }
        echo vfio-pci > "$sys/driver_override"
        if [ "$(basename "$(readlink -f "$sys/driver" 2>/dev/null)")" != vfio-pci ]; then
          [ -e "$sys/driver" ] && echo "$dev" > "$sys/driver/unbind"
          echo "$dev" > /sys/bus/pci/drivers_probe
        fi
      done
    '';
  };
}
