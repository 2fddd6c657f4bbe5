namespace Gating.Executor.Build;

public sealed partial class PlaybookPreparer
{
    private string AnsibleConfig(IEnumerable<string> rolePaths) => $"""
        # Written by Gating for one playbook run.
        [defaults]
        inventory = {_dir.Inventory}
        stdout_callback = gating_log
        callback_plugins = {Path.Combine(_pluginDir, "callback")}
        action_plugins = {Path.Combine(_pluginDir, "action")}
        library = {Path.Combine(_pluginDir, "library")}
        roles_path = {string.Join(':', rolePaths)}
        gathering = smart
        fact_caching = jsonfile
        fact_caching_connection = {_dir.FactCache}
        host_key_checking = False
        retry_files_enabled = False
        interpreter_python = auto_silent
        local_tmp = {_dir.AnsibleTmp}
        nocows = True
        timeout = 30
        force_handlers = True
        deprecation_warnings = False
        command_warnings = False

        [ssh_connection]
        pipelining = True
        control_path_dir = {_dir.ControlPath}
        control_path = %(directory)s/%%C
        ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=60 -o PermitLocalCommand=no
        ssh_executable = ssh
        """;
}
