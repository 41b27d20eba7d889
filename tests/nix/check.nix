# SPDX-License-Identifier: LGPL-2.1-or-later
# The flake's `module` check: evaluates the module (eval.nix) for the Quick Start and the
# every-option configuration and runs the built `vmsilo config check` on the generated files
# (the normalised Quick Start is the output). The full comparison with the README's reference is tests/integration/test_nix.py.
{ runCommand, vmsilo, nixpkgsLib }:

let
  # The fake packages' store paths inside the JSON are names only: nothing here builds them.
  generated = configuration: builtins.unsafeDiscardStringContext
    (import ./eval.nix { inherit nixpkgsLib configuration; }).configJSON;
  quickstart = generated ./quickstart.nix;
  full = generated ./full.nix;
in
runCommand "vmsilo-nix-module-check" {
  nativeBuildInputs = [ vmsilo ];
  inherit quickstart full;
  passAsFile = [ "quickstart" "full" ];
} ''
  vmsilo config check "$quickstartPath"
  vmsilo config check "$fullPath"
  vmsilo config show "$quickstartPath" > "$out"
''
