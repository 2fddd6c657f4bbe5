using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using Gating.Executor.Git;
using Gating.Model;

namespace Gating.Executor.Build;

/// <summary>
/// The job's <c>include-vars</c> files (zuul.md 4.2 step 5): each read from a workspace project (the item's project
/// when none is named), at the speculative checkout (<c>use-ref</c>, the default) or at the branch head before the
/// change (<c>origin/&lt;branch&gt;</c>), parsed as YAML or JSON, and merged in order. They rank below the job's vars
/// and above data returned by parent jobs. A missing required file or a project outside the workspace is an ERROR.
/// </summary>
public static class IncludeVarsReader
{
    /// <summary>The merged variables, or null when the job includes none.</summary>
    /// <exception cref="BuildSetupException">A required file is missing or a file is not a mapping.</exception>
    public static async Task<JsonObject?> ReadAsync(BuildParameters parameters, Workspace workspace, GitRunner git, CancellationToken cancellationToken)
    {
        if (parameters.IncludeVars.IsDefaultOrEmpty)
        {
            return null;
        }
        var merged = new JsonObject();
        foreach (var include in parameters.IncludeVars)
        {
            var projectName = include.Project ?? parameters.Project.Name;
            var project = workspace.Projects.Values.FirstOrDefault(p => p.Project.Name == projectName)
                ?? throw new BuildSetupException($"include-vars {include.Name}: project {projectName} is not in the job's workspace (add it to required-projects)");
            string? text;
            if (include.UseRef)
            {
                var file = Path.GetFullPath(Path.Combine(project.Path, include.Name));
                if (!file.StartsWith(Path.GetFullPath(project.Path) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new BuildSetupException($"include-vars {include.Name}: the path leaves the project {projectName}");
                }
                text = File.Exists(file) ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false) : null;
            }
            else
            {
                var branch = project.Project.OverrideCheckout ?? parameters.Branch;
                var shown = await git.RunAsync(project.Path, ["show", $"refs/remotes/origin/{branch}:{include.Name}"], null, check: false, cancellationToken)
                    .ConfigureAwait(false);
                text = shown.ExitCode == 0 ? shown.StandardOutput : null;
            }
            if (text is null)
            {
                if (include.Required)
                {
                    throw new BuildSetupException($"include-vars: required file {include.Name} was not found in {projectName}");
                }
                continue;
            }
            JsonMerge.Into(merged, await ParseAsync(include.Name, projectName, text, cancellationToken).ConfigureAwait(false));
        }
        return merged;
    }

    /// <summary>YAML (or JSON, a subset) as Ansible reads it: PyYAML's safe loader, run outside any playbook.</summary>
    private static async Task<JsonObject> ParseAsync(string name, string project, string text, CancellationToken cancellationToken)
    {
        const string Script = "import json, sys, yaml\nv = yaml.safe_load(sys.stdin)\njson.dump(v if v is not None else {}, sys.stdout, default=str)\n";
        var parsed = await Cli.Wrap("/usr/bin/python3").WithArguments(["-c", Script])
            .WithStandardInputPipe(PipeSource.FromString(text)).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken).ConfigureAwait(false);
        if (parsed.ExitCode != 0)
        {
            throw new BuildSetupException($"include-vars {name} in {project} is not valid YAML: {parsed.StandardError.Trim().Split('\n')[^1]}");
        }
        return JsonNode.Parse(parsed.StandardOutput) as JsonObject
            ?? throw new BuildSetupException($"include-vars {name} in {project} must hold a mapping of variables");
    }
}
