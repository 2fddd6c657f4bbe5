namespace Gating.Executor.Build;

public sealed partial class AnsibleRunner
{
    private static readonly string[] EtcFiles =
    [
        "passwd", "group", "nsswitch.conf", "hosts", "resolv.conf", "localtime", "ld.so.cache", "alternatives", "ssl",
        "python3", "python3.11", "ssh/ssh_config", "ssh/ssh_config.d",
    ];

    /// <summary>The bwrap arguments for one playbook run (see the class summary for what is visible).</summary>
    public IReadOnlyList<string> SandboxArguments(BuildDirectory dir, PreparedPlaybook playbook, InventoryWriter.VarsFiles vars)
    {
        var args = new List<string>
        {
            "--unshare-all", "--share-net", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        };
        foreach (var top in new[] { "/bin", "/sbin", "/lib", "/lib64", "/lib32" })
        {
            var info = new FileInfo(top);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, top]);
            }
            else if (Directory.Exists(top))
            {
                args.AddRange(["--ro-bind", top, top]);
            }
        }
        foreach (var file in EtcFiles)
        {
            args.AddRange(["--ro-bind-try", "/etc/" + file, "/etc/" + file]);
        }
        void ReadOnly(string? path)
        {
            if (path is not null)
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }
        ReadOnly(_pluginDir);
        ReadOnly(dir.Inventory);
        ReadOnly(vars.ZuulVars);
        ReadOnly(vars.ExtraVars);
        ReadOnly(vars.SiteVars);
        ReadOnly(vars.StreamConfig);
        // Only this playbook's own directory: other playbooks' secrets stay out of reach.
        ReadOnly(playbook.Directory);
        foreach (var checkout in playbook.Checkouts)
        {
            ReadOnly(checkout);
        }
        args.AddRange(["--bind", dir.Work, dir.Work]);
        if (vars.AgentSocket is not null)
        {
            args.AddRange(["--bind", vars.AgentSocket, vars.AgentSocket]);
        }
        if (!playbook.Playbook.Trusted)
        {
            var sandbox = Path.Combine(_pluginDir, "sandbox");
            var ansible = _options.AnsiblePackageRoot;
            args.AddRange(["--ro-bind", Path.Combine(sandbox, "local.py"), Path.Combine(ansible, "plugins", "connection", "local.py")]);
            args.AddRange(["--ro-bind", Path.Combine(sandbox, "pipe.py"), Path.Combine(ansible, "plugins", "lookup", "pipe.py")]);
            args.AddRange(["--ro-bind", Path.Combine(sandbox, "pipe.py"), Path.Combine(ansible, "plugins", "lookup", "lines.py")]);
        }
        args.AddRange(["--chdir", dir.Work, "--"]);
        return args;
    }
}
