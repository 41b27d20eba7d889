# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for vmsilo and its multi-call names (vm-run, vm-start, vm-stop, vm-shell,
# vm-start-debug). VM names come from the running daemon (`vmsilo list`), else from the
# configuration file (@configpath@: meson writes the installed default in; the copy in the
# source tree names none).
# COMPREPLY=( $(compgen …) ), bash completion's idiom, splits on purpose: the words are VM names
# ([a-z0-9-]) and fixed option words, never globs.
# shellcheck shell=bash disable=SC2207

_vmsilo_vm_names() {
        local names config=${1:-@configpath@}
        names=$(vmsilo list 2>/dev/null)
        if [[ -z $names && -r $config ]] && command -v python3 >/dev/null; then
                names=$(python3 -c 'import json, sys
for vm in json.load(open(sys.argv[1])).get("nixosVms", []):
    print(vm.get("name", ""))' "$config" 2>/dev/null)
        fi
        # shellcheck disable=SC2086 # one name a word, [a-z0-9-]
        printf '%s\n' $names
}

# Options of each command; those in the second list take a value.
_vmsilo_options() {
        case $1 in
        run) echo "-h --help -t --tty -T --no-tty --raw-terminal -u --user -e --env --cwd
                --runtime-dir" ;;
        start | stop) echo "-h --help --no-wait --runtime-dir" ;;
        status) echo "-h --help --json --runtime-dir" ;;
        list) echo "-h --help --json --runtime-dir" ;;
        reload) echo "-h --help --runtime-dir" ;;
        shell) echo "-h --help --raw-terminal --ssh --root --config --runtime-dir" ;;
        start-debug) echo "-h --help -n --dry-run --vmm --config --state-dir --runtime-dir" ;;
        image-build) echo "-h --help --all --config --suite --mirror --force --state-dir --agent
                --kernel --modules-dir --busybox --init --init-stages --output" ;;
        config-plan) echo "-h --help --vmm --accel" ;;
        clipboard) echo "-h --help --socket --control" ;;
        esac
}

_vmsilo_options_with_value() {
        case $1 in
        -u | --user | -e | --env | --cwd | --runtime-dir | --config | --state-dir | --vmm) return 0 ;;
        --suite | --mirror | --agent | --kernel | --modules-dir | --busybox | --init | --output)
                return 0 ;;
        --init-stages | --accel | --socket | --control) return 0 ;;
        esac
        return 1
}

# Completes the words of one command; $1 is the command, words start at index $2.
_vmsilo_command() {
        local command=$1 first=$2 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
        local i positional=0 config=

        for ((i = first; i < COMP_CWORD; i++)); do
                local w=${COMP_WORDS[i]}
                if [[ $w == --config ]]; then
                        config=${COMP_WORDS[i + 1]}
                fi
                if ((positional == 0)) && [[ $w == -* ]]; then
                        _vmsilo_options_with_value "$w" && ((i++))
                        continue
                fi
                ((positional++))
        done

        if ((positional == 0)) || [[ $command != run ]]; then
                case $prev in
                --runtime-dir | --state-dir | --cwd | --modules-dir | --init-stages | --output)
                        COMPREPLY=($(compgen -d -- "$cur"))
                        return ;;
                --config | --agent | --kernel | --busybox | --init | --socket | --control)
                        COMPREPLY=($(compgen -f -- "$cur"))
                        return ;;
                --vmm)
                        COMPREPLY=($(compgen -W "qemu crosvm" -- "$cur"))
                        return ;;
                --accel)
                        COMPREPLY=($(compgen -W "kvm tcg" -- "$cur"))
                        return ;;
                -u | --user | -e | --env)
                        return ;;
                esac
        fi

        if [[ $cur == -* ]] && ((positional == 0)); then
                COMPREPLY=($(compgen -W "$(_vmsilo_options "$command")" -- "$cur"))
                return
        fi
        case $command in
        run)
                if ((positional == 0)); then
                        COMPREPLY=($(compgen -W "$(_vmsilo_vm_names "$config")" -- "$cur"))
                elif ((positional == 1)); then
                        COMPREPLY=($(compgen -c -- "$cur"))
                else
                        COMPREPLY=($(compgen -f -- "$cur"))
                fi ;;
        start | stop)
                COMPREPLY=($(compgen -W "$(_vmsilo_vm_names "$config")" -- "$cur")) ;;
        status | shell | start-debug | image-build)
                ((positional == 0)) &&
                        COMPREPLY=($(compgen -W "$(_vmsilo_vm_names "$config")" -- "$cur")) ;;
        config-plan)
                # [FILE] VMNAME: a name first, a file for those who give one.
                ((positional <= 1)) &&
                        COMPREPLY=($(compgen -W "$(_vmsilo_vm_names "$config")" -- "$cur") \
                                $(compgen -f -- "$cur")) ;;
        clipboard)
                if ((positional == 0)); then
                        COMPREPLY=($(compgen -W "status clear to-host from-host copy-from paste-to" \
                                -- "$cur"))
                elif ((positional == 1)) && [[ $prev == copy-from || $prev == paste-to ]]; then
                        COMPREPLY=($(compgen -W "$(_vmsilo_vm_names "$config")" -- "$cur"))
                fi ;;
        esac
}

# The verb after a command with verbs (vmsilo config check…); false once the cursor is past it.
_vmsilo_verb() {
        ((COMP_CWORD == 2)) || return 1
        COMPREPLY=($(compgen -W "$1 --help" -- "${COMP_WORDS[2]}"))
}

_vmsilo_files() {
        COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}"))
}

_vmsilo() {
        local program=${COMP_WORDS[0]##*/}

        case $program in
        vm-run) _vmsilo_command run 1 ;;
        vm-start) _vmsilo_command start 1 ;;
        vm-stop) _vmsilo_command stop 1 ;;
        vm-shell) _vmsilo_command shell 1 ;;
        vm-start-debug) _vmsilo_command start-debug 1 ;;
        *)
                if ((COMP_CWORD == 1)); then
                        COMPREPLY=($(compgen -W "config desktop image pci run start stop status list
                                reload clipboard shell start-debug --help --version" -- "${COMP_WORDS[1]}"))
                        return
                fi
                case ${COMP_WORDS[1]} in
                run | start | stop | status | list | reload | shell | start-debug | clipboard)
                        _vmsilo_command "${COMP_WORDS[1]}" 2 ;;
                config)
                        _vmsilo_verb "check show plan" ||
                                if [[ ${COMP_WORDS[2]} == plan ]]; then
                                        _vmsilo_command config-plan 3
                                else
                                        _vmsilo_files
                                fi ;;
                desktop)
                        _vmsilo_verb snippets ||
                                if ((COMP_CWORD == 3)); then
                                        COMPREPLY=($(compgen -W "sway kwin" -- "${COMP_WORDS[3]}"))
                                else
                                        _vmsilo_files
                                fi ;;
                image)
                        _vmsilo_verb build ||
                                if [[ ${COMP_WORDS[2]} == build ]]; then
                                        _vmsilo_command image-build 3
                                fi ;;
                pci)
                        _vmsilo_verb rules || _vmsilo_files ;;
                *)
                        _vmsilo_files ;;
                esac ;;
        esac
}

complete -F _vmsilo vmsilo vm-run vm-start vm-stop vm-shell vm-start-debug
