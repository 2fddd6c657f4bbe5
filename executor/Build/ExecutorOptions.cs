using System.Text.Json;

namespace Gating.Executor.Build;

/// <summary>How this executor runs builds.</summary>
public sealed record ExecutorOptions
{
    /// <summary>Where build directories are made (Zuul's job_dir).</summary>
    public required string JobRoot { get; init; }

    /// <summary>Where the executor keeps its state: the git cache and the extracted Ansible plugins.</summary>
    public required string StateRoot { get; init; }

    /// <summary>This executor's host name (<c>zuul.executor.hostname</c>).</summary>
    public string Hostname { get; init; } = Environment.MachineName;

    /// <summary>The ansible-playbook executable.</summary>
    public string AnsiblePlaybook { get; init; } = "/usr/bin/ansible-playbook";

    /// <summary>The bubblewrap executable.</summary>
    public string Bwrap { get; init; } = "/usr/bin/bwrap";

    /// <summary>Run ansible-playbook inside bubblewrap (always in production; tests of the bare path may turn it off).</summary>
    public bool Sandbox { get; init; } = true;

    /// <summary>Where the Ansible Python package lives (sandbox overrides are mounted over files in it).</summary>
    public string AnsiblePackageRoot { get; init; } = "/usr/lib/python3/dist-packages/ansible";

    /// <summary>The private key used to log in to nodes.</summary>
    public string? PrivateKeyFile { get; init; }

    /// <summary>The user for nodes that do not name one.</summary>
    public string DefaultUsername { get; init; } = "zuul";

    /// <summary>The timeout of a post-run playbook when the job sets none.</summary>
    public TimeSpan DefaultPostTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The hard limit of a cleanup playbook.</summary>
    public TimeSpan CleanupTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Site-wide variables (highest precedence), Zuul's executor <c>variables</c> file.</summary>
    public JsonElement? SiteVariables { get; init; }

    /// <summary>Keep build directories after the build (Zuul's <c>keep</c> mode).</summary>
    public bool KeepBuildDirectories { get; init; }

    /// <summary>Where finished builds' logs are kept (work/logs is moved here); null keeps them in the build dir.</summary>
    public string? LogRoot { get; init; }
}
