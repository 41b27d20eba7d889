#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-config-cli.sh: `vmsilo config check|show` exit statuses and output formats.
# Usage: test-config-cli.sh VMSILO SOURCE_ROOT
set -u
vmsilo=$1
root=$2
data=$root/tests/unit/data/config
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
n=0

# expect NAME STATUS CMD…: runs CMD, stdout to $tmp/out, stderr to $tmp/err, checks the status.
expect() {
        name=$1 want=$2
        shift 2
        n=$((n + 1))
        "$@" >"$tmp/out" 2>"$tmp/err"
        got=$?
        if [ "$got" -ne "$want" ]; then
                echo "not ok $n - $name: exit $got, expected $want"
                sed 's/^/#   /' "$tmp/out" "$tmp/err"
                failed=1
        else
                echo "ok $n - $name"
        fi
}

# grep_out NAME FILE PATTERN: checks the last command's FILE (out or err) holds PATTERN.
grep_out() {
        n=$((n + 1))
        if grep -qF -- "$3" "$tmp/$2"; then
                echo "ok $n - $1"
        else
                echo "not ok $n - $1: '$3' not in std$2"
                sed 's/^/#   /' "$tmp/$2"
                failed=1
        fi
}

echo "TAP version 13"
expect "check accepts the quickstart example" 0 "$vmsilo" config check "$root/examples/quickstart.json"
grep_out "check prints FILE: OK (N VMs)" out "$root/examples/quickstart.json: OK (3 VMs)"
expect "check accepts the demo example" 0 "$vmsilo" config check "$root/examples/demo.json"
grep_out "check says 1 VM in the singular" out "OK (1 VM)"
expect "check rejects the five-mistakes config" 1 "$vmsilo" config check "$data/five-mistakes.json"
grep_out "check prints FILE: PATH: MESSAGE" err "$data/five-mistakes.json: nixosVms[0].memory: must be between 64 and 1048576 MiB, got 10"
n=$((n + 1))
if [ "$(wc -l <"$tmp/err")" -eq 5 ]; then echo "ok $n - check prints one line per error"
else echo "not ok $n - check prints one line per error"; cat "$tmp/err"; failed=1; fi
expect "check warns about, but passes, a crosvm virtio-fs share" 0 "$vmsilo" config check "$data/crosvm-virtiofs.json"
grep_out "check names the share's type and the ways out" err "$data/crosvm-virtiofs.json: warning: nixosVms[0].sharedDirectories[1].type: crosvm runs its virtio-fs device (type=fs) in a jail of its own that cannot be built inside vmsilo's sandbox; use type = \"p9\" (or leave type out), or serve the directory with virtiofsd and attach it with vhostUser (type = \"fs\")"
expect "check reports syntax errors" 1 "$vmsilo" config check "$data/syntax-error.json"
grep_out "check prints FILE:LINE:COL for syntax errors" err "$data/syntax-error.json:3:"
expect "check reports a missing file" 1 "$vmsilo" config check "$tmp/missing.json"
grep_out "check says why a file cannot be read" err "cannot read file: No such file or directory"
expect "check rejects unknown options" 2 "$vmsilo" config check --frobnicate
grep_out "unknown options are named" err "unknown option '--frobnicate'"
expect "check rejects two files" 2 "$vmsilo" config check a.json b.json
expect "check --help succeeds" 0 "$vmsilo" config check --help
grep_out "check --help shows usage" out "Usage: vmsilo config check"
expect "show --help succeeds" 0 "$vmsilo" config show --help
grep_out "show --help shows usage" out "Usage: vmsilo config show"
expect "config --help succeeds" 0 "$vmsilo" config --help
expect "config without a verb is a usage error" 2 "$vmsilo" config
expect "config with an unknown verb is a usage error" 2 "$vmsilo" config frob
grep_out "the unknown verb is named" err "unknown verb 'frob'"
expect "config with an unknown option is a usage error" 2 "$vmsilo" config --frob
grep_out "the unknown config option is named" err "unknown option '--frob'"
expect "config plan is dispatched to the plan command" 0 "$vmsilo" config plan --help
grep_out "config plan --help shows its usage" out "Usage: vmsilo config plan"
expect "show prints normalised JSON" 0 "$vmsilo" config show "$root/examples/quickstart.json"
grep_out "show fills in derived TAP names" out '"name": "banking-0"'
grep_out "show fills in text colours" out '"textColor": "#000000"'
expect "show fails on an invalid config" 1 "$vmsilo" config show "$data/five-mistakes.json"
echo "1..$n"
exit $failed
