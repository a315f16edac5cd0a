# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_vault_global_optspecs
    string join \n h/help V/version
end

function __fish_vault_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_vault_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_vault_using_subcommand
    set -l cmd (__fish_vault_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c vault -n "__fish_vault_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_needs_command" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_needs_command" -f -a "init" -d 'Format a drive or a new image file as a vault; prints the recovery key once'
complete -c vault -n "__fish_vault_needs_command" -f -a "info" -d 'Show what a vault\'s plaintext header says (no passphrase needed)'
complete -c vault -n "__fish_vault_needs_command" -f -a "passwd" -d 'Change, add or remove a passphrase'
complete -c vault -n "__fish_vault_needs_command" -f -a "recovery" -d 'Open a vault with its recovery key and set a new passphrase, or make a new recovery key'
complete -c vault -n "__fish_vault_needs_command" -f -a "header" -d 'Back up, restore or repair the vault\'s header'
complete -c vault -n "__fish_vault_needs_command" -f -a "mount" -d 'Unlock a vault and show it as a folder (FUSE), for drag and drop'
complete -c vault -n "__fish_vault_needs_command" -f -a "umount" -d 'Commit everything and unmount a vault\'s folder; the keys are wiped'
complete -c vault -n "__fish_vault_needs_command" -f -a "import" -d 'Copy files and folders into a vault (without mounting it)'
complete -c vault -n "__fish_vault_needs_command" -f -a "export" -d 'Copy a file or folder out of a vault, every byte verified'
complete -c vault -n "__fish_vault_needs_command" -f -a "ls" -d 'List a folder of a vault'
complete -c vault -n "__fish_vault_needs_command" -f -a "fsck" -d 'Check every record and every byte of a vault; --repair sets damaged files aside'
complete -c vault -n "__fish_vault_needs_command" -f -a "log" -d 'Show the vault\'s audit log'
complete -c vault -n "__fish_vault_needs_command" -f -a "status" -d 'Mounted vaults, the age of their backup, files still unchecked, a mirror in progress'
complete -c vault -n "__fish_vault_needs_command" -f -a "eject" -d 'Commit, unmount, wait for work on the vault, power the drive down: then safe to unplug'
complete -c vault -n "__fish_vault_needs_command" -f -a "check" -d 'The gate\'s verdict on files and folders: would they be refused as identifying?'
complete -c vault -n "__fish_vault_needs_command" -f -a "scrub" -d 'De-identify DICOM files into a folder, so that the gate accepts them'
complete -c vault -n "__fish_vault_needs_command" -f -a "policy" -d 'Show or change the gate policy a vault keeps'
complete -c vault -n "__fish_vault_needs_command" -f -a "mirror" -d 'Copy a vault into a backup vault; every copy read back and compared by BLAKE3'
complete -c vault -n "__fish_vault_needs_command" -f -a "receive" -d 'Take DICOM "send to" from a PACS, OsiriX or Horos: a Storage SCP behind the gate'
complete -c vault -n "__fish_vault_needs_command" -f -a "verify" -d 'Read every file of a vault and check every hash; with --budget, a part per run'
complete -c vault -n "__fish_vault_needs_command" -f -a "drives" -d 'The attached drives, each with the drive policy\'s verdict and its evidence'
complete -c vault -n "__fish_vault_needs_command" -f -a "guard" -d 'Make USB storage the drive policy refuses read-only as it is plugged in'
complete -c vault -n "__fish_vault_needs_command" -f -a "bench" -d 'Measure the sector cipher and the key derivation on this machine, beside OpenSSL'
complete -c vault -n "__fish_vault_needs_command" -f -a "completions" -d 'Print the completion script for bash, zsh or fish'
complete -c vault -n "__fish_vault_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand init" -l image -d 'Create the new image file FILE and format it (FILE must not exist)' -r -F
complete -c vault -n "__fish_vault_using_subcommand init" -l size -d 'Size of the new image file: bytes, or a number with K, M, G or T (at least 16M)' -r
complete -c vault -n "__fish_vault_using_subcommand init" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand init" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand init" -l kdf-time -d 'Target time of one Argon2id derivation, in milliseconds' -r
complete -c vault -n "__fish_vault_using_subcommand init" -l kdf-memory -d 'Most memory one Argon2id derivation may use, in MiB (never more than half the RAM)' -r
complete -c vault -n "__fish_vault_using_subcommand init" -l yes -d 'Format even though the device holds data (a filesystem, a partition table, a vault)'
complete -c vault -n "__fish_vault_using_subcommand init" -l accept-drive -d 'Accept a drive the drive policy cannot classify (see vault drives --explain); it is pinned by serial and WWN so that it is accepted from then on'
complete -c vault -n "__fish_vault_using_subcommand init" -l json -d 'Print the result as one JSON object (the recovery key included)'
complete -c vault -n "__fish_vault_using_subcommand init" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand info" -l json -d 'Print the result as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand info" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand passwd" -l remove -d 'Remove keyslot N (the last passphrase slot is kept)' -r
complete -c vault -n "__fish_vault_using_subcommand passwd" -l key-slot -d 'Try only keyslot N when opening' -r
complete -c vault -n "__fish_vault_using_subcommand passwd" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand passwd" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand passwd" -l new-passphrase-file -d 'Read the new passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand passwd" -l new-passphrase-fd -d 'Read the new passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand passwd" -l kdf-time -d 'Target time of one Argon2id derivation, in milliseconds' -r
complete -c vault -n "__fish_vault_using_subcommand passwd" -l kdf-memory -d 'Most memory one Argon2id derivation may use, in MiB (never more than half the RAM)' -r
complete -c vault -n "__fish_vault_using_subcommand passwd" -l add -d 'Add a passphrase in a free slot (the current one keeps working)'
complete -c vault -n "__fish_vault_using_subcommand passwd" -l test -d 'Only check that the passphrase opens the vault (exit 0, or 77 if it does not)'
complete -c vault -n "__fish_vault_using_subcommand passwd" -l json -d 'Print the result as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand passwd" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand recovery" -l recovery-key-file -d 'Read the recovery key from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand recovery" -l recovery-key-fd -d 'Read the recovery key from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand recovery" -l replace -d 'Put the new passphrase in keyslot N instead of a free slot (N must hold a passphrase)' -r
complete -c vault -n "__fish_vault_using_subcommand recovery" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand recovery" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand recovery" -l new-passphrase-file -d 'Read the new passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand recovery" -l new-passphrase-fd -d 'Read the new passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand recovery" -l kdf-time -d 'Target time of one Argon2id derivation, in milliseconds' -r
complete -c vault -n "__fish_vault_using_subcommand recovery" -l kdf-memory -d 'Most memory one Argon2id derivation may use, in MiB (never more than half the RAM)' -r
complete -c vault -n "__fish_vault_using_subcommand recovery" -l new-key -d 'Instead: open with a passphrase and replace the recovery key with a new one, shown once'
complete -c vault -n "__fish_vault_using_subcommand recovery" -l json -d 'Print the result as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand recovery" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand header; and not __fish_seen_subcommand_from backup restore repair help" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand header; and not __fish_seen_subcommand_from backup restore repair help" -f -a "backup" -d 'Write the vault\'s header (4096 bytes) to FILE, which must not exist'
complete -c vault -n "__fish_vault_using_subcommand header; and not __fish_seen_subcommand_from backup restore repair help" -f -a "restore" -d 'Write the header in FILE to both header copies of DEVICE'
complete -c vault -n "__fish_vault_using_subcommand header; and not __fish_seen_subcommand_from backup restore repair help" -f -a "repair" -d 'Rewrite a damaged or stale header copy from the good one'
complete -c vault -n "__fish_vault_using_subcommand header; and not __fish_seen_subcommand_from backup restore repair help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from backup" -l json -d 'Print the result as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from backup" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from restore" -l yes -d 'Restore even though the device holds a different vault\'s header'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from restore" -l json -d 'Print the result as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from repair" -l json -d 'Print the result as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from repair" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from help" -f -a "backup" -d 'Write the vault\'s header (4096 bytes) to FILE, which must not exist'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Write the header in FILE to both header copies of DEVICE'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from help" -f -a "repair" -d 'Rewrite a damaged or stale header copy from the good one'
complete -c vault -n "__fish_vault_using_subcommand header; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand mount" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand mount" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand mount" -l read-only -d 'Mount read-only: nothing can be changed'
complete -c vault -n "__fish_vault_using_subcommand mount" -l foreground -d 'Stay in the foreground until unmounted (for services and debugging)'
complete -c vault -n "__fish_vault_using_subcommand mount" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand umount" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand import" -l retain -d 'Annex E options: keep what the basic profile removes (without this: clean-descriptors and patient-characteristics, where the policy allows them)' -r -f -a "patient-id\t'Patient ID (0010,0020) — only where the vault\'s policy allows it'
accession-number\t'Accession Number (0008,0050) — only where the vault\'s policy allows it'
longitudinal-dates\t'Dates shifted by a per-patient offset that keeps intervals (modified dates)'
patient-characteristics\t'Age, sex, size, weight and the like'
device-identity\t'Device serial numbers, station names and the like'
uids\t'The original UIDs'
clean-descriptors\t'Descriptions and comments, cleaned of the data set\'s identifying values'
safe-private\t'Private elements the policy lists as safe (vault lists none of its own)'"
complete -c vault -n "__fish_vault_using_subcommand import" -l redact -d 'Blank burned-in text: "auto" (every box of text OCR reads, and vault\'s device rules; the output is read again and written only if nothing identifying is legible), "default" (the device rules alone), or the rules in FILE (JSON)' -r
complete -c vault -n "__fish_vault_using_subcommand import" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand import" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand import" -l scrub -d 'De-identify DICOM files on the way in (see vault-scrub(1)), with the vault\'s key'
complete -c vault -n "__fish_vault_using_subcommand import" -l basic -d 'The basic profile alone, no option (descriptions removed, not cleaned)'
complete -c vault -n "__fish_vault_using_subcommand import" -l json -d 'Print the summary as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand export" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand export" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand export" -l json -d 'Print the summary as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand export" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand ls" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand ls" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand ls" -s l -l long -d 'Long listing: mode, size, modification time'
complete -c vault -n "__fish_vault_using_subcommand ls" -l json -d 'One JSON object per entry, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand ls" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand fsck" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand fsck" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand fsck" -l repair -d 'Fix what can be fixed: set damaged files aside in /lost+found, drop bad records'
complete -c vault -n "__fish_vault_using_subcommand fsck" -l json -d 'Print the report as one JSON object'
complete -c vault -n "__fish_vault_using_subcommand fsck" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand log" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand log" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand log" -l json -d 'One JSON object per record, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand log" -s f -l follow -d 'Keep printing new records as they are committed (a mounted vault), until it is unmounted'
complete -c vault -n "__fish_vault_using_subcommand log" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand status" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand status" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand status" -l json -d 'One JSON object per vault, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand status" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand eject" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand check" -l policy -d 'A policy file (JSON, as `vault policy show --json` prints) instead of the default policy' -r -F
complete -c vault -n "__fish_vault_using_subcommand check" -l explain -d 'With each reason, what would let the file in (which scrub option fixes it)'
complete -c vault -n "__fish_vault_using_subcommand check" -l json -d 'One JSON object per file, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand check" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand scrub" -l out -d 'The folder to write into (made if missing)' -r -F
complete -c vault -n "__fish_vault_using_subcommand scrub" -l retain -d 'Annex E options: keep what the basic profile removes (without this: clean-descriptors and patient-characteristics, where the policy allows them)' -r -f -a "patient-id\t'Patient ID (0010,0020) — only where the vault\'s policy allows it'
accession-number\t'Accession Number (0008,0050) — only where the vault\'s policy allows it'
longitudinal-dates\t'Dates shifted by a per-patient offset that keeps intervals (modified dates)'
patient-characteristics\t'Age, sex, size, weight and the like'
device-identity\t'Device serial numbers, station names and the like'
uids\t'The original UIDs'
clean-descriptors\t'Descriptions and comments, cleaned of the data set\'s identifying values'
safe-private\t'Private elements the policy lists as safe (vault lists none of its own)'"
complete -c vault -n "__fish_vault_using_subcommand scrub" -l redact -d 'Blank burned-in text: "auto" (every box of text OCR reads, and vault\'s device rules; the output is read again and written only if nothing identifying is legible), "default" (the device rules alone), or the rules in FILE (JSON)' -r
complete -c vault -n "__fish_vault_using_subcommand scrub" -l vault -d 'Take the key and the gate policy from this vault' -r -F
complete -c vault -n "__fish_vault_using_subcommand scrub" -l key-file -d 'Take the key from FILE (32 bytes; made if missing)' -r -F
complete -c vault -n "__fish_vault_using_subcommand scrub" -l policy -d 'A gate policy file, without --vault' -r -F
complete -c vault -n "__fish_vault_using_subcommand scrub" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand scrub" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand scrub" -l basic -d 'The basic profile alone, no option (descriptions removed, not cleaned)'
complete -c vault -n "__fish_vault_using_subcommand scrub" -l json -d 'One JSON object per file, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand scrub" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -f -a "show" -d 'Show the vault\'s gate policy'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -f -a "set" -d 'Change the vault\'s gate policy (recorded in the audit log)'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from show set help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from show" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from show" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from show" -l json -d 'Print the policy as one JSON object (the format `set --file` reads)'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l file -d 'Replace the whole policy with this file (JSON, as `show --json` prints)' -r -F
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l retain-patient-id -d 'Keep Patient ID (only where the local trust allows it)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l retain-accession-number -d 'Keep Accession Number (only where the local trust allows it)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l allow -d 'Allow an option of the de-identification profile (a file that declares it may keep what it keeps); may be repeated' -r -f -a "patient-id\t'Patient ID (0010,0020) — only where the vault\'s policy allows it'
accession-number\t'Accession Number (0008,0050) — only where the vault\'s policy allows it'
longitudinal-dates\t'Dates shifted by a per-patient offset that keeps intervals (modified dates)'
patient-characteristics\t'Age, sex, size, weight and the like'
device-identity\t'Device serial numbers, station names and the like'
uids\t'The original UIDs'
clean-descriptors\t'Descriptions and comments, cleaned of the data set\'s identifying values'
safe-private\t'Private elements the policy lists as safe (vault lists none of its own)'"
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l disallow -d 'No longer allow an option; may be repeated' -r -f -a "patient-id\t'Patient ID (0010,0020) — only where the vault\'s policy allows it'
accession-number\t'Accession Number (0008,0050) — only where the vault\'s policy allows it'
longitudinal-dates\t'Dates shifted by a per-patient offset that keeps intervals (modified dates)'
patient-characteristics\t'Age, sex, size, weight and the like'
device-identity\t'Device serial numbers, station names and the like'
uids\t'The original UIDs'
clean-descriptors\t'Descriptions and comments, cleaned of the data set\'s identifying values'
safe-private\t'Private elements the policy lists as safe (vault lists none of its own)'"
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l ocr -d 'Read the pixels of images that carry text (ultrasound, NM, captures, colour, image files) with OCR, refusing what shows a patient (default yes); no: decide from the header alone' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l ocr-every-image -d 'Read original grey CT, MR and PET slices with OCR too (default no: they seldom carry text and are most of a study)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l backup-max-age -d 'Warn at mount when the last complete mirror is older than DAYS (default 7; 0: never)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l dummy -d 'Add a dummy value that counts as no identity (may be repeated; not one with five digits or more, or a labelled field\'s shape, which an ID, a date or a label could be)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l sender -d 'Let `vault receive` take associations from this calling AE title (may be repeated)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l not-sender -d 'Stop taking associations from this calling AE title (may be repeated)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l sender-address -d 'Senders must come from this IP address (may be repeated; none listed: any address)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l not-sender-address -d 'Remove an address from the senders\' list' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the vault\'s gate policy'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change the vault\'s gate policy (recorded in the audit log)'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand mirror" -l max-delete -d 'Refuse (change nothing) when more than N entries would be deleted' -r
complete -c vault -n "__fish_vault_using_subcommand mirror" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand mirror" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand mirror" -l dst-passphrase-file -d 'Read DST\'s passphrase from the first line of FILE' -r -F
complete -c vault -n "__fish_vault_using_subcommand mirror" -l dst-passphrase-fd -d 'Read DST\'s passphrase from file descriptor N' -r
complete -c vault -n "__fish_vault_using_subcommand mirror" -l kdf-time -d 'Target time of one Argon2id derivation, in milliseconds' -r
complete -c vault -n "__fish_vault_using_subcommand mirror" -l kdf-memory -d 'Most memory one Argon2id derivation may use, in MiB (never more than half the RAM)' -r
complete -c vault -n "__fish_vault_using_subcommand mirror" -l delete -d 'Delete from DST what SRC no longer has (at the end)'
complete -c vault -n "__fish_vault_using_subcommand mirror" -l dry-run -d 'Say what would be copied, linked, deleted, refused and in conflict (exiting as the run would); change nothing'
complete -c vault -n "__fish_vault_using_subcommand mirror" -l init -d 'Format DST as a new vault first (as vault init DST does: it prints a recovery key)'
complete -c vault -n "__fish_vault_using_subcommand mirror" -l yes -d 'With --init: format DST even though it holds data (a filesystem, a vault)'
complete -c vault -n "__fish_vault_using_subcommand mirror" -l json -d 'One JSON object per event, then a summary, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand mirror" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand receive" -l port -d 'The TCP port to listen on (0: any free port, printed at start)' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l ae-title -d 'The receiver\'s AE title (what senders call)' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l bind -d 'The address to listen on (0.0.0.0: every interface)' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l into -d 'The vault folder instances go into' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l retain -d 'Annex E options: keep what the basic profile removes (without this: clean-descriptors and patient-characteristics, where the policy allows them)' -r -f -a "patient-id\t'Patient ID (0010,0020) — only where the vault\'s policy allows it'
accession-number\t'Accession Number (0008,0050) — only where the vault\'s policy allows it'
longitudinal-dates\t'Dates shifted by a per-patient offset that keeps intervals (modified dates)'
patient-characteristics\t'Age, sex, size, weight and the like'
device-identity\t'Device serial numbers, station names and the like'
uids\t'The original UIDs'
clean-descriptors\t'Descriptions and comments, cleaned of the data set\'s identifying values'
safe-private\t'Private elements the policy lists as safe (vault lists none of its own)'"
complete -c vault -n "__fish_vault_using_subcommand receive" -l redact -d 'Blank burned-in text: "auto" (every box of text OCR reads, and vault\'s device rules; the output is read again and written only if nothing identifying is legible), "default" (the device rules alone), or the rules in FILE (JSON)' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l refuse-status -d 'The status a refused instance is answered with (hexadecimal)' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l max-associations -d 'Associations served at once; one more is rejected' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l timeout -d 'Abort a peer whose next PDU has not come whole in this many seconds (1 to 3600)' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l max-instance -d 'The largest instance taken (a larger one is answered "out of resources", A700)' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l tls-cert -d 'Take TLS connections only, with this certificate (PEM; the chain, the receiver\'s first)' -r -F
complete -c vault -n "__fish_vault_using_subcommand receive" -l tls-key -d 'The private key of --tls-cert (PEM; PKCS#8, PKCS#1 or SEC1)' -r -F
complete -c vault -n "__fish_vault_using_subcommand receive" -l tls-client-ca -d 'With TLS, take only peers showing a certificate this CA (PEM) signed' -r -F
complete -c vault -n "__fish_vault_using_subcommand receive" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand receive" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand receive" -l scrub -d 'De-identify every instance on the way in (see vault-scrub(1)), with the vault\'s key'
complete -c vault -n "__fish_vault_using_subcommand receive" -l basic -d 'The basic profile alone, no option (descriptions removed, not cleaned)'
complete -c vault -n "__fish_vault_using_subcommand receive" -l json -d 'Each event, and the summary at the end, as one JSON object a line (JSON Lines) on standard output'
complete -c vault -n "__fish_vault_using_subcommand receive" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand verify" -l budget -d 'Stop after this long (for example 90s, 20m, 2h; at least one file) and go on from there next time' -r
complete -c vault -n "__fish_vault_using_subcommand verify" -l passphrase-file -d 'Read the passphrase from the first line of FILE instead of the terminal' -r -F
complete -c vault -n "__fish_vault_using_subcommand verify" -l passphrase-fd -d 'Read the passphrase from file descriptor N instead of the terminal' -r
complete -c vault -n "__fish_vault_using_subcommand verify" -l json -d 'One JSON object per damaged file, then a summary, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand verify" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand drives" -l explain -d 'Show every signal, its value and where it came from'
complete -c vault -n "__fish_vault_using_subcommand drives" -l json -d 'One JSON object per drive, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand drives" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand guard" -l device -d 'Handle one device now (as the udev rule does) instead of watching' -r -F
complete -c vault -n "__fish_vault_using_subcommand guard" -l root -d 'The root of the system to install into or remove from' -r -F
complete -c vault -n "__fish_vault_using_subcommand guard" -l once -d 'Stop after the first device handled'
complete -c vault -n "__fish_vault_using_subcommand guard" -l install -d 'Put the udev rule and the systemd unit in place, so the guard runs from boot'
complete -c vault -n "__fish_vault_using_subcommand guard" -l uninstall -d 'Remove the udev rule and the systemd unit'
complete -c vault -n "__fish_vault_using_subcommand guard" -l json -d 'One JSON object per device handled, one per line (JSON Lines)'
complete -c vault -n "__fish_vault_using_subcommand guard" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand bench" -l seconds -d 'Seconds to measure each cipher direction (and OpenSSL)' -r
complete -c vault -n "__fish_vault_using_subcommand bench" -l kdf-time -d 'Target time for the key-derivation calibration, in milliseconds' -r
complete -c vault -n "__fish_vault_using_subcommand bench" -l kdf-memory -d 'Memory ceiling for the key derivation, in MiB' -r
complete -c vault -n "__fish_vault_using_subcommand bench" -l no-peer -d 'Do not run `openssl speed` as the peer'
complete -c vault -n "__fish_vault_using_subcommand bench" -l json -d 'Print the result as one JSON object (key `xts_bytes_per_sec` among others)'
complete -c vault -n "__fish_vault_using_subcommand bench" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand completions" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "init" -d 'Format a drive or a new image file as a vault; prints the recovery key once'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "info" -d 'Show what a vault\'s plaintext header says (no passphrase needed)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "passwd" -d 'Change, add or remove a passphrase'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "recovery" -d 'Open a vault with its recovery key and set a new passphrase, or make a new recovery key'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "header" -d 'Back up, restore or repair the vault\'s header'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "mount" -d 'Unlock a vault and show it as a folder (FUSE), for drag and drop'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "umount" -d 'Commit everything and unmount a vault\'s folder; the keys are wiped'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "import" -d 'Copy files and folders into a vault (without mounting it)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "export" -d 'Copy a file or folder out of a vault, every byte verified'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "ls" -d 'List a folder of a vault'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "fsck" -d 'Check every record and every byte of a vault; --repair sets damaged files aside'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "log" -d 'Show the vault\'s audit log'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "status" -d 'Mounted vaults, the age of their backup, files still unchecked, a mirror in progress'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "eject" -d 'Commit, unmount, wait for work on the vault, power the drive down: then safe to unplug'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "check" -d 'The gate\'s verdict on files and folders: would they be refused as identifying?'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "scrub" -d 'De-identify DICOM files into a folder, so that the gate accepts them'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "policy" -d 'Show or change the gate policy a vault keeps'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "mirror" -d 'Copy a vault into a backup vault; every copy read back and compared by BLAKE3'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "receive" -d 'Take DICOM "send to" from a PACS, OsiriX or Horos: a Storage SCP behind the gate'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "verify" -d 'Read every file of a vault and check every hash; with --budget, a part per run'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "drives" -d 'The attached drives, each with the drive policy\'s verdict and its evidence'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "guard" -d 'Make USB storage the drive policy refuses read-only as it is plugged in'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "bench" -d 'Measure the sector cipher and the key derivation on this machine, beside OpenSSL'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "completions" -d 'Print the completion script for bash, zsh or fish'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init info passwd recovery header mount umount import export ls fsck log status eject check scrub policy mirror receive verify drives guard bench completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from header" -f -a "backup" -d 'Write the vault\'s header (4096 bytes) to FILE, which must not exist'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from header" -f -a "restore" -d 'Write the header in FILE to both header copies of DEVICE'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from header" -f -a "repair" -d 'Rewrite a damaged or stale header copy from the good one'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Show the vault\'s gate policy'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "set" -d 'Change the vault\'s gate policy (recorded in the audit log)'
