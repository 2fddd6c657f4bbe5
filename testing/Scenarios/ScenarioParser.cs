using System.Collections.Immutable;
using Gating.Config.Yaml;

namespace Gating.Testing.Scenarios;

/// <summary>
/// Reads a scenario file (docs/scenarios.md) into a <see cref="Scenario"/>. Every problem is collected with its
/// file:line:column and thrown together as a <see cref="ScenarioFormatException"/>.
/// </summary>
public sealed partial class ScenarioParser
{
    private static readonly string[] TopKeys = ["name", "description", "fixture", "tenant", "repos", "changes", "steps"];

    private readonly string _file;
    private readonly List<ScenarioFormatError> _errors = [];
    private readonly List<string> _changeNames = [];
    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);

    private ScenarioParser(string file) => _file = file;

    /// <summary>Reads a scenario file from disk.</summary>
    public static async Task<Scenario> ParseFileAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (IOException e)
        {
            throw new ScenarioFormatException([new ScenarioFormatError(SourceLocation.OfFile(path), "cannot read the file: " + e.Message)]);
        }
        return Parse(text, path);
    }

    /// <summary>Reads scenario text; <paramref name="file"/> names it in messages.</summary>
    public static Scenario Parse(string text, string file) => new ScenarioParser(file).Read(text);

    private Scenario Read(string text)
    {
        var doc = YamlDocumentReader.Read(text, _file);
        foreach (var e in doc.Errors)
        {
            _errors.Add(new ScenarioFormatError(new SourceLocation(e.File, e.Line, e.Column), e.Message));
        }
        if (doc.Root is not YamlMapping root)
        {
            if (doc.Errors.IsEmpty)
            {
                Error(doc.Root?.Location ?? new SourceLocation(_file, 1, 1), "a scenario file is a mapping with 'changes' and 'steps'");
            }
            throw new ScenarioFormatException([.. _errors]);
        }
        CheckKeys(root, TopKeys);
        string name = Str(root.Get("name")) ?? Path.GetFileNameWithoutExtension(_file);
        var setup = ReadSetup(root);
        // Change names are known before the steps so Depends-On may name a change declared later (cycles).
        var changeNodes = root.Get("changes") is { } cn ? Seq(cn, "changes") : [];
        foreach (var node in changeNodes)
        {
            if (node is YamlMapping m && Str(m.Get("name")) is { } n)
            {
                _changeNames.Add(n);
            }
        }
        var changes = ImmutableArray.CreateBuilder<ChangeSpec>();
        foreach (var node in changeNodes)
        {
            if (ReadChange(node) is { } spec)
            {
                changes.Add(spec);
            }
        }
        var steps = ImmutableArray.CreateBuilder<ScenarioStep>();
        if (root.Get("steps") is { } stepsNode)
        {
            foreach (var node in Seq(stepsNode, "steps"))
            {
                if (ReadStep(node) is { } step)
                {
                    steps.Add(step);
                }
            }
        }
        else
        {
            Error(root.Location, "the scenario has no 'steps'");
        }
        if (_errors.Count > 0)
        {
            throw new ScenarioFormatException([.. _errors.OrderBy(e => e.At.Line).ThenBy(e => e.At.Column)]);
        }
        return new Scenario(_file, name, setup, changes.ToImmutable(), steps.ToImmutable());
    }

    private ClusterSetup ReadSetup(YamlMapping root)
    {
        string fixture = Str(root.Get("fixture")) ?? StandardFixture.Name;
        string? tenant = Str(root.Get("tenant"));
        var repos = new Dictionary<(string Project, string Branch), ImmutableDictionary<string, string?>>();
        if (fixture == StandardFixture.Name)
        {
            foreach (var r in StandardFixture.Repos)
            {
                repos[(r.Project, r.Branch)] = r.Files;
            }
        }
        else if (fixture != "none")
        {
            Error(root.Get("fixture")!.Location, $"unknown fixture '{fixture}': use '{StandardFixture.Name}' or 'none'");
        }
        if (fixture == "none" && tenant is null)
        {
            Error(root.Location, "'fixture: none' needs a 'tenant' file");
        }
        if (root.Get("repos") is { } reposNode)
        {
            foreach (var repo in ReadRepoFiles(reposNode))
            {
                var existing = repos.GetValueOrDefault((repo.Project, repo.Branch), ImmutableDictionary<string, string?>.Empty);
                repos[(repo.Project, repo.Branch)] = existing.SetItems(repo.Files);
            }
        }
        var list = repos.Select(kv => new RepoFiles(kv.Key.Project, kv.Key.Branch,
            kv.Value.Where(f => f.Value is not null).ToImmutableDictionary()));
        return new ClusterSetup(tenant ?? StandardFixture.TenantYaml, [.. list]);
    }

    /// <summary>A mapping "project" or "project@branch" to files.</summary>
    private ImmutableArray<RepoFiles> ReadRepoFiles(YamlNode node)
    {
        if (node is not YamlMapping map)
        {
            Error(node.Location, "expected a mapping of 'project' or 'project@branch' to files");
            return [];
        }
        var result = ImmutableArray.CreateBuilder<RepoFiles>();
        foreach (var entry in map.Entries)
        {
            string key = entry.KeyText;
            int at = key.IndexOf('@', StringComparison.Ordinal);
            string project = at < 0 ? key : key[..at];
            string branch = at < 0 ? "master" : key[(at + 1)..];
            result.Add(new RepoFiles(project, branch, ReadFiles(entry.Value) ?? ImmutableDictionary<string, string?>.Empty));
        }
        return result.ToImmutable();
    }

    private ImmutableDictionary<string, string?>? ReadFiles(YamlNode? node)
    {
        if (node is null or YamlScalar { IsNull: true })
        {
            return null;
        }
        if (node is not YamlMapping map)
        {
            Error(node.Location, "expected a mapping of file path to content (null deletes the file)");
            return null;
        }
        var files = ImmutableDictionary.CreateBuilder<string, string?>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            files[entry.KeyText] = entry.Value switch
            {
                YamlScalar { IsNull: true } => null,
                YamlScalar s => s.Text,
                var other => Fail<string?>(other, "a file's content is a string (use a '|' block)", null),
            };
        }
        return files.ToImmutable();
    }

    private ChangeSpec? ReadChange(YamlNode node)
    {
        if (node is not YamlMapping m)
        {
            Error(node.Location, "a change is a mapping with at least 'name'");
            return null;
        }
        CheckKeys(m, ["name", "project", "branch", "subject", "files", "parent", "depends-on", "topic"]);
        string? name = Str(m.Get("name"));
        if (name is null)
        {
            Error(m.Location, "the change has no 'name'");
            return null;
        }
        if (!_declared.Add(name))
        {
            Error(m.Location, $"change '{name}' is declared twice");
        }
        if (!_changeNames.Contains(name))
        {
            _changeNames.Add(name);
        }
        string? parent = m.Get("parent") is { } pn ? KnownChange(pn, declaredOnly: true) : null;
        var dependsOn = m.Get("depends-on") is { } dn ? Names(dn).Select(n => KnownChange(n, declaredOnly: false) ?? "").ToImmutableArray() : [];
        var change = new NewChange(
            Str(m.Get("project")) ?? "org/project",
            Str(m.Get("branch")) ?? "master",
            Str(m.Get("subject")),
            ReadFiles(m.Get("files")),
            Topic: Str(m.Get("topic")));
        return new ChangeSpec(name, change, parent, dependsOn, m.Location);
    }

    private void CheckKeys(YamlMapping map, string[] allowed)
    {
        foreach (var entry in map.Entries)
        {
            if (Array.IndexOf(allowed, entry.KeyText) < 0)
            {
                Error(entry.Key.Location, $"unknown key '{entry.KeyText}' (allowed here: {string.Join(", ", allowed)})");
            }
        }
    }

    private void Error(SourceLocation at, string message) => _errors.Add(new ScenarioFormatError(at, message));

    private T Fail<T>(YamlNode node, string message, T value)
    {
        Error(node.Location, message);
        return value;
    }

    private string? Str(YamlNode? node) => node switch
    {
        null or YamlScalar { IsNull: true } => null,
        YamlScalar s => s.Text,
        _ => Fail<string?>(node, $"expected a string, found {node.Describe()}", null),
    };

    private ImmutableArray<YamlNode> Seq(YamlNode node, string what) => node switch
    {
        YamlSequence s => s.Items,
        _ => Fail<ImmutableArray<YamlNode>>(node, $"'{what}' is a list", []),
    };

    /// <summary>A scalar name or a list of names, as nodes.</summary>
    private static ImmutableArray<YamlNode> Names(YamlNode node) => node is YamlSequence s ? s.Items : [node];

    /// <summary>Resolves a node naming a change; null (and an error) when it names none.</summary>
    private string? KnownChange(YamlNode node, bool declaredOnly)
    {
        string? name = Str(node);
        if (name is null)
        {
            return null;
        }
        bool known = declaredOnly ? _declared.Contains(name) : _changeNames.Contains(name);
        if (!known)
        {
            Error(node.Location, declaredOnly
                ? $"'{name}' names no change declared before this point"
                : $"'{name}' names no change of this scenario");
            return null;
        }
        return name;
    }
}
