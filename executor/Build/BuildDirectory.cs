namespace Gating.Executor.Build;

/// <summary>
/// The layout of one build's directory (zuul.md 4.2): <c>ansible/</c> (read-only in the sandbox: inventory, vars,
/// one <c>playbook_N/</c> per playbook with its ansible.cfg, secrets and roles), <c>trusted/</c> and
/// <c>untrusted/</c> playbook checkouts (read-only), and <c>work/</c>, the only writable tree.
/// </summary>
public sealed class BuildDirectory
{
    /// <summary>Creates the directories of build <paramref name="buildId"/> under <paramref name="jobRoot"/>.</summary>
    public BuildDirectory(string jobRoot, string buildId)
    {
        Root = Path.Combine(Path.GetFullPath(jobRoot), buildId);
        foreach (var dir in new[] { Ansible, Trusted, Untrusted, Src, Logs, Tmp, FactCache, AnsibleTmp })
        {
            Directory.CreateDirectory(dir);
        }
    }

    /// <summary>The build's directory.</summary>
    public string Root { get; }

    /// <summary>Inventory, vars and per-playbook directories.</summary>
    public string Ansible => Path.Combine(Root, "ansible");

    /// <summary>Checkouts for trusted playbooks (branch tips).</summary>
    public string Trusted => Path.Combine(Root, "trusted");

    /// <summary>Checkouts for untrusted playbooks (speculative state).</summary>
    public string Untrusted => Path.Combine(Root, "untrusted");

    /// <summary>The only writable tree.</summary>
    public string Work => Path.Combine(Root, "work");

    /// <summary>The workspace repositories.</summary>
    public string Src => Path.Combine(Work, "src");

    /// <summary>job-output.txt, job-output.json and other logs.</summary>
    public string Logs => Path.Combine(Work, "logs");

    /// <summary>Scratch space for playbooks.</summary>
    public string Tmp => Path.Combine(Work, "tmp");

    /// <summary>
    /// SSH control sockets (shared by Ansible and the log streamer). A unix socket path must stay under 108 bytes, so
    /// it is a short directory in /tmp (private to each sandbox), not inside the build directory.
    /// </summary>
    public string ControlPath => Path.Combine("/tmp", "gating-cp-" + Path.GetFileName(Root)[..Math.Min(12, Path.GetFileName(Root).Length)]);

    /// <summary>Ansible's fact cache.</summary>
    public string FactCache => Path.Combine(Work, ".ansible", "fact-cache");

    /// <summary>Ansible's local temporary directory.</summary>
    public string AnsibleTmp => Path.Combine(Work, ".ansible", "tmp");

    /// <summary>The <c>zuul_return</c> results file.</summary>
    public string ResultsFile => Path.Combine(Work, "results.json");

    /// <summary>The inventory.</summary>
    public string Inventory => Path.Combine(Ansible, "inventory.json");

    /// <summary>The directory of playbook number <paramref name="index"/>.</summary>
    public string Playbook(int index) => Path.Combine(Ansible, $"playbook_{index}");
}
