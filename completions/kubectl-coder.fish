# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_coder_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= request-timeout= s/server= certificate-authority= client-certificate= client-key= insecure-skip-tls-verify= tls-server-name= token= as= as-group= as-uid= o/output= v/verbose h/help V/version
end

function __fish_kubectl_coder_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_coder_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_coder_using_subcommand
    set -l cmd (__fish_kubectl_coder_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -s n -l namespace -d 'Namespace of the Coder deployment (default: the context\'s namespace, else "default")' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l request-timeout -d 'Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -s s -l server -d 'The address of the API server (instead of the kubeconfig cluster\'s)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l certificate-authority -d 'Path to a CA certificate file for the API server' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (a password change then needs --allow-insecure-connection)' -r -f -a "true\t''
false\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l tls-server-name -d 'Server name to check the API server\'s certificate against (instead of its host)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l token -d 'Bearer token for the API server (instead of the kubeconfig user\'s credentials)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l as -d 'User to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l as-group -d 'Group to impersonate (repeat for several)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -l as-uid -d 'UID to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -s o -l output -d 'Output format for data written to stdout' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -s v -l verbose -d 'Explain each step on stderr (never shows a password); kubectl\'s -v=N is accepted too'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -s h -l help -d 'Print help'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -f -a "status" -d 'Show the context, namespace, Coder pod and version, whether you may exec (and port-forward) there, the database and password login; with -A, every Coder deployment in the cluster'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -f -a "reset-admin-password" -d 'Reset the site admin\'s password (Coder v1), or an owner\'s password (Coder v2)'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -f -a "reset-password" -d 'Reset a user\'s password: v2 through `coder reset-password`; v1 as the dashboard does, a temporary one through coderd\'s API'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -f -a "create-admin-user" -d 'Coder v2: create a new owner when nobody can log in (wraps `coder server create-admin-user`)'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -f -a "version" -d 'Print version, commit and target'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -f -a "options" -d 'List the connection flags every command takes (kubectl\'s own)'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -f -a "completion" -d 'Print a shell completion script for kubectl-coder (bash, zsh, fish, powershell)'
complete -c kubectl-coder -n "__fish_kubectl_coder_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l pod -d 'Use this pod instead of searching for the Coder server' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s c -l container -d 'Container to exec in (default: the Coder server container)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s l -l selector -d 'Only consider pods matching this label selector, e.g. app.kubernetes.io/instance=coder' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l generation -d 'Treat the pod as this Coder generation instead of detecting it' -r -f -a "v1\t'Coder v1, server binary `coderd`'
v1-legacy\t'Coder v1 from very old charts, server binary `cemanager`'
v2\t'Coder v2, server binary `coder`'"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l timeout -d 'Give up on the remote command after this long (e.g. 90s, 5m)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s n -l namespace -d 'Namespace of the Coder deployment (default: the context\'s namespace, else "default")' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l request-timeout -d 'Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s s -l server -d 'The address of the API server (instead of the kubeconfig cluster\'s)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l certificate-authority -d 'Path to a CA certificate file for the API server' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (a password change then needs --allow-insecure-connection)' -r -f -a "true\t''
false\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l tls-server-name -d 'Server name to check the API server\'s certificate against (instead of its host)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l token -d 'Bearer token for the API server (instead of the kubeconfig user\'s credentials)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l as -d 'User to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l as-group -d 'Group to impersonate (repeat for several)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -l as-uid -d 'UID to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s o -l output -d 'Output format for data written to stdout' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s A -l all-namespaces -d 'Every Coder deployment in the cluster, one row each, as `kubectl get -A` (-n is ignored)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s v -l verbose -d 'Explain each step on stderr (never shows a password); kubectl\'s -v=N is accepted too'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand status" -s V -l version -d 'Print version'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l owner -d 'Coder v2 only: the owner whose password to reset (asked for on a terminal when omitted)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l pod -d 'Use this pod instead of searching for the Coder server' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s c -l container -d 'Container to exec in (default: the Coder server container)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s l -l selector -d 'Only consider pods matching this label selector, e.g. app.kubernetes.io/instance=coder' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l generation -d 'Treat the pod as this Coder generation instead of detecting it' -r -f -a "v1\t'Coder v1, server binary `coderd`'
v1-legacy\t'Coder v1 from very old charts, server binary `cemanager`'
v2\t'Coder v2, server binary `coder`'"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l timeout -d 'Give up on the remote command after this long (e.g. 90s, 5m)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l kubeconfig -d 'Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s n -l namespace -d 'Namespace of the Coder deployment (default: the context\'s namespace, else "default")' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l request-timeout -d 'Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s s -l server -d 'The address of the API server (instead of the kubeconfig cluster\'s)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l certificate-authority -d 'Path to a CA certificate file for the API server' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (a password change then needs --allow-insecure-connection)' -r -f -a "true\t''
false\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l tls-server-name -d 'Server name to check the API server\'s certificate against (instead of its host)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l token -d 'Bearer token for the API server (instead of the kubeconfig user\'s credentials)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l as -d 'User to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l as-group -d 'Group to impersonate (repeat for several)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l as-uid -d 'UID to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s o -l output -d 'Output format for data written to stdout' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l password-stdin -d 'Read the new password from stdin (one line; typed hidden on a terminal); not for v1 reset-admin-password'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l password-prompt -d 'Type the new password twice, hidden, on the terminal; not for v1 reset-admin-password'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s y -l yes -d 'Do not ask for confirmation (needed when there is no terminal)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l dry-run -d 'Show the pod, container and command that would run, and change nothing'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -l allow-insecure-connection -d 'Send a password even over plain http or with insecure-skip-tls-verify (refused otherwise)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s v -l verbose -d 'Explain each step on stderr (never shows a password); kubectl\'s -v=N is accepted too'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-admin-password" -s V -l version -d 'Print version'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l pod -d 'Use this pod instead of searching for the Coder server' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s c -l container -d 'Container to exec in (default: the Coder server container)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s l -l selector -d 'Only consider pods matching this label selector, e.g. app.kubernetes.io/instance=coder' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l generation -d 'Treat the pod as this Coder generation instead of detecting it' -r -f -a "v1\t'Coder v1, server binary `coderd`'
v1-legacy\t'Coder v1 from very old charts, server binary `cemanager`'
v2\t'Coder v2, server binary `coder`'"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l timeout -d 'Give up on the remote command after this long (e.g. 90s, 5m)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l kubeconfig -d 'Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s n -l namespace -d 'Namespace of the Coder deployment (default: the context\'s namespace, else "default")' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l request-timeout -d 'Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s s -l server -d 'The address of the API server (instead of the kubeconfig cluster\'s)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l certificate-authority -d 'Path to a CA certificate file for the API server' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (a password change then needs --allow-insecure-connection)' -r -f -a "true\t''
false\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l tls-server-name -d 'Server name to check the API server\'s certificate against (instead of its host)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l token -d 'Bearer token for the API server (instead of the kubeconfig user\'s credentials)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l as -d 'User to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l as-group -d 'Group to impersonate (repeat for several)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l as-uid -d 'UID to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s o -l output -d 'Output format for data written to stdout' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l password-stdin -d 'Read the new password from stdin (one line; typed hidden on a terminal); not for v1 reset-admin-password'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l password-prompt -d 'Type the new password twice, hidden, on the terminal; not for v1 reset-admin-password'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s y -l yes -d 'Do not ask for confirmation (needed when there is no terminal)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l dry-run -d 'Show the pod, container and command that would run, and change nothing'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -l allow-insecure-connection -d 'Send a password even over plain http or with insecure-skip-tls-verify (refused otherwise)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s v -l verbose -d 'Explain each step on stderr (never shows a password); kubectl\'s -v=N is accepted too'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand reset-password" -s V -l version -d 'Print version'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l username -d 'Username of the new owner (asked for on a terminal when omitted)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l email -d 'Email of the new owner (asked for on a terminal when omitted)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l pod -d 'Use this pod instead of searching for the Coder server' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s c -l container -d 'Container to exec in (default: the Coder server container)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s l -l selector -d 'Only consider pods matching this label selector, e.g. app.kubernetes.io/instance=coder' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l generation -d 'Treat the pod as this Coder generation instead of detecting it' -r -f -a "v1\t'Coder v1, server binary `coderd`'
v1-legacy\t'Coder v1 from very old charts, server binary `cemanager`'
v2\t'Coder v2, server binary `coder`'"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l timeout -d 'Give up on the remote command after this long (e.g. 90s, 5m)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l kubeconfig -d 'Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s n -l namespace -d 'Namespace of the Coder deployment (default: the context\'s namespace, else "default")' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l request-timeout -d 'Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s s -l server -d 'The address of the API server (instead of the kubeconfig cluster\'s)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l certificate-authority -d 'Path to a CA certificate file for the API server' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (a password change then needs --allow-insecure-connection)' -r -f -a "true\t''
false\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l tls-server-name -d 'Server name to check the API server\'s certificate against (instead of its host)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l token -d 'Bearer token for the API server (instead of the kubeconfig user\'s credentials)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l as -d 'User to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l as-group -d 'Group to impersonate (repeat for several)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l as-uid -d 'UID to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s o -l output -d 'Output format for data written to stdout' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l password-stdin -d 'Read the new password from stdin (one line; typed hidden on a terminal); not for v1 reset-admin-password'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l password-prompt -d 'Type the new password twice, hidden, on the terminal; not for v1 reset-admin-password'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l allow-disabled-password-login -d 'Create the owner even though password login is off (--disable-password-auth, CODER_DISABLE_PASSWORD_AUTH or the config file) and it could not sign in'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s y -l yes -d 'Do not ask for confirmation (needed when there is no terminal)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l dry-run -d 'Show the pod, container and command that would run, and change nothing'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -l allow-insecure-connection -d 'Send a password even over plain http or with insecure-skip-tls-verify (refused otherwise)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s v -l verbose -d 'Explain each step on stderr (never shows a password); kubectl\'s -v=N is accepted too'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand create-admin-user" -s V -l version -d 'Print version'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -s n -l namespace -d 'Namespace of the Coder deployment (default: the context\'s namespace, else "default")' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l request-timeout -d 'Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -s s -l server -d 'The address of the API server (instead of the kubeconfig cluster\'s)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l certificate-authority -d 'Path to a CA certificate file for the API server' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (a password change then needs --allow-insecure-connection)' -r -f -a "true\t''
false\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l tls-server-name -d 'Server name to check the API server\'s certificate against (instead of its host)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l token -d 'Bearer token for the API server (instead of the kubeconfig user\'s credentials)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l as -d 'User to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l as-group -d 'Group to impersonate (repeat for several)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -l as-uid -d 'UID to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -s o -l output -d 'Output format for data written to stdout' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -s v -l verbose -d 'Explain each step on stderr (never shows a password); kubectl\'s -v=N is accepted too'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -s h -l help -d 'Print help'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l kubeconfig -d 'Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -s n -l namespace -d 'Namespace of the Coder deployment (default: the context\'s namespace, else "default")' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l request-timeout -d 'Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -s s -l server -d 'The address of the API server (instead of the kubeconfig cluster\'s)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l certificate-authority -d 'Path to a CA certificate file for the API server' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (a password change then needs --allow-insecure-connection)' -r -f -a "true\t''
false\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l tls-server-name -d 'Server name to check the API server\'s certificate against (instead of its host)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l token -d 'Bearer token for the API server (instead of the kubeconfig user\'s credentials)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l as -d 'User to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l as-group -d 'Group to impersonate (repeat for several)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -l as-uid -d 'UID to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -s o -l output -d 'Output format for data written to stdout' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -s v -l verbose -d 'Explain each step on stderr (never shows a password); kubectl\'s -v=N is accepted too'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -s h -l help -d 'Print help'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand options" -s V -l version -d 'Print version'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (instead of $KUBECONFIG and ~/.kube/config)' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -s n -l namespace -d 'Namespace of the Coder deployment (default: the context\'s namespace, else "default")' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l request-timeout -d 'Timeout for each API request, e.g. 10s, 1m (default 30s; 0 waits forever)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -s s -l server -d 'The address of the API server (instead of the kubeconfig cluster\'s)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l certificate-authority -d 'Path to a CA certificate file for the API server' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l client-certificate -d 'Path to a client certificate file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l client-key -d 'Path to a client key file for TLS' -r -F
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l insecure-skip-tls-verify -d 'Do not verify the API server\'s certificate (a password change then needs --allow-insecure-connection)' -r -f -a "true\t''
false\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l tls-server-name -d 'Server name to check the API server\'s certificate against (instead of its host)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l token -d 'Bearer token for the API server (instead of the kubeconfig user\'s credentials)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l as -d 'User to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l as-group -d 'Group to impersonate (repeat for several)' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -l as-uid -d 'UID to impersonate' -r
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -s o -l output -d 'Output format for data written to stdout' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -s v -l verbose -d 'Explain each step on stderr (never shows a password); kubectl\'s -v=N is accepted too'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -s h -l help -d 'Print help'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand help; and not __fish_seen_subcommand_from status reset-admin-password reset-password create-admin-user version options completion help" -f -a "status" -d 'Show the context, namespace, Coder pod and version, whether you may exec (and port-forward) there, the database and password login; with -A, every Coder deployment in the cluster'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand help; and not __fish_seen_subcommand_from status reset-admin-password reset-password create-admin-user version options completion help" -f -a "reset-admin-password" -d 'Reset the site admin\'s password (Coder v1), or an owner\'s password (Coder v2)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand help; and not __fish_seen_subcommand_from status reset-admin-password reset-password create-admin-user version options completion help" -f -a "reset-password" -d 'Reset a user\'s password: v2 through `coder reset-password`; v1 as the dashboard does, a temporary one through coderd\'s API'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand help; and not __fish_seen_subcommand_from status reset-admin-password reset-password create-admin-user version options completion help" -f -a "create-admin-user" -d 'Coder v2: create a new owner when nobody can log in (wraps `coder server create-admin-user`)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand help; and not __fish_seen_subcommand_from status reset-admin-password reset-password create-admin-user version options completion help" -f -a "version" -d 'Print version, commit and target'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand help; and not __fish_seen_subcommand_from status reset-admin-password reset-password create-admin-user version options completion help" -f -a "options" -d 'List the connection flags every command takes (kubectl\'s own)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand help; and not __fish_seen_subcommand_from status reset-admin-password reset-password create-admin-user version options completion help" -f -a "completion" -d 'Print a shell completion script for kubectl-coder (bash, zsh, fish, powershell)'
complete -c kubectl-coder -n "__fish_kubectl_coder_using_subcommand help; and not __fish_seen_subcommand_from status reset-admin-password reset-password create-admin-user version options completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
