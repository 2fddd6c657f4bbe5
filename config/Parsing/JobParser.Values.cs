using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;

namespace Gating.Config.Parsing;

/// <summary>The list-valued job attributes, each of which takes a string, a list, or a list of mappings.</summary>
public static partial class JobParser
{
    private static readonly StanzaSchema PlaybookSchema = new("playbook", ["name", "semaphore", "semaphores", "cleanup"]);
    private static readonly StanzaSchema RoleSchema = new("role", ["zuul", "galaxy", "name"]);
    private static readonly StanzaSchema RequiredProjectSchema = new("required-project", ["name", "override-checkout", "override-branch"]);
    private static readonly StanzaSchema IncludeVarsSchema = new("include-vars", ["name", "project", "zuul-project", "required", "use-ref"]);
    private static readonly StanzaSchema SecretUseSchema = new("job secret", ["name", "secret", "pass-to-parent"]);
    private static readonly StanzaSchema SemaphoreUseSchema = new("job semaphore", ["name", "resources-first"]);
    private static readonly StanzaSchema DependencySchema = new("job dependency", ["name", "soft"]);

    /// <summary>Iterates a value that may be one item or a list of items.</summary>
    private static IEnumerable<YamlNode> Items(YamlNode node) => node is YamlSequence s ? s.Items : [node];

    private static ImmutableArray<PlaybookRef>? Playbooks(StanzaReader r, string key)
    {
        if (r.Node(key) is not { } node || node is YamlScalar { IsNull: true }) return null;
        var b = ImmutableArray.CreateBuilder<PlaybookRef>();
        foreach (var item in Items(node))
        {
            if (item is YamlScalar { Kind: YamlScalarKind.String } s)
            {
                b.Add(new PlaybookRef(s.Text, [], false, s.Location));
            }
            else if (item is YamlMapping m)
            {
                var pr = new StanzaReader(m, $"{key} playbook", r.Errors);
                pr.CheckKeys(PlaybookSchema);
                string? name = pr.String("name", required: true);
                var sems = pr.StringList("semaphores") ?? pr.StringList("semaphore") ?? [];
                bool cleanup = pr.Bool("cleanup") ?? false;
                if (cleanup && key != "post-run")
                {
                    r.Errors.Error(ConfigErrorCodes.InvalidValue, m.Location, "only post-run playbooks may set 'cleanup'");
                }
                if (name is not null) b.Add(new PlaybookRef(name, sems, cleanup, m.Location));
            }
            else
            {
                r.Errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"job attribute '{key}' must list playbook paths or {{name, semaphores}}, not {item.Describe()}");
            }
        }
        return b.ToImmutable();
    }

    private static ImmutableArray<RoleRef>? Roles(StanzaReader r)
    {
        if (r.Node("roles") is not { } node || node is YamlScalar { IsNull: true }) return null;
        var b = ImmutableArray.CreateBuilder<RoleRef>();
        foreach (var item in Items(node))
        {
            if (item is not YamlMapping m)
            {
                r.Errors.Error(ConfigErrorCodes.InvalidValue, item.Location, "each role must be a mapping like {zuul: org/project}");
                continue;
            }
            var rr = new StanzaReader(m, "role", r.Errors);
            rr.CheckKeys(RoleSchema);
            string? zuul = rr.String("zuul");
            string? galaxy = rr.String("galaxy");
            if (zuul is null && galaxy is null)
            {
                r.Errors.Error(ConfigErrorCodes.MissingAttribute, m.Location, "a role needs 'zuul' (a project name)");
                continue;
            }
            b.Add(new RoleRef(zuul, galaxy, rr.String("name"), m.Location));
        }
        return b.ToImmutable();
    }

    private static ImmutableArray<RequiredProjectRef>? RequiredProjects(StanzaReader r)
    {
        if (r.Node("required-projects") is not { } node || node is YamlScalar { IsNull: true }) return null;
        var b = ImmutableArray.CreateBuilder<RequiredProjectRef>();
        foreach (var item in Items(node))
        {
            if (item is YamlScalar { Kind: YamlScalarKind.String } s)
            {
                b.Add(new RequiredProjectRef(s.Text, null, null, s.Location));
            }
            else if (item is YamlMapping m)
            {
                var pr = new StanzaReader(m, "required-project", r.Errors);
                pr.CheckKeys(RequiredProjectSchema);
                if (pr.String("name", required: true) is { } name)
                {
                    b.Add(new RequiredProjectRef(name, pr.Text("override-checkout"), pr.Text("override-branch"), m.Location));
                }
            }
            else
            {
                r.Errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"required-projects entries must be names or {{name, override-checkout}}, not {item.Describe()}");
            }
        }
        return b.ToImmutable();
    }

    private static ImmutableArray<IncludeVarsRef>? IncludeVars(StanzaReader r)
    {
        if (r.Node("include-vars") is not { } node || node is YamlScalar { IsNull: true }) return null;
        var b = ImmutableArray.CreateBuilder<IncludeVarsRef>();
        foreach (var item in Items(node))
        {
            if (item is YamlScalar { Kind: YamlScalarKind.String } s)
            {
                b.Add(new IncludeVarsRef(s.Text, null, false, true, true, s.Location));
            }
            else if (item is YamlMapping m)
            {
                var ir = new StanzaReader(m, "include-vars", r.Errors);
                ir.CheckKeys(IncludeVarsSchema);
                if (ir.String("name", required: true) is { } name)
                {
                    b.Add(new IncludeVarsRef(name, ir.String("project"), ir.Bool("zuul-project") ?? false,
                        ir.Bool("required") ?? true, ir.Bool("use-ref") ?? true, m.Location));
                }
            }
            else
            {
                r.Errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"include-vars entries must be file names or mappings, not {item.Describe()}");
            }
        }
        return b.ToImmutable();
    }

    private static ImmutableArray<SecretUse>? Secrets(StanzaReader r)
    {
        if (r.Node("secrets") is not { } node || node is YamlScalar { IsNull: true }) return null;
        var b = ImmutableArray.CreateBuilder<SecretUse>();
        foreach (var item in Items(node))
        {
            if (item is YamlScalar { Kind: YamlScalarKind.String } s)
            {
                b.Add(new SecretUse(s.Text, s.Text, false, s.Location));
            }
            else if (item is YamlMapping m)
            {
                var sr = new StanzaReader(m, "job secret", r.Errors);
                sr.CheckKeys(SecretUseSchema);
                string? name = sr.String("name", required: true);
                string? secret = sr.String("secret", required: true);
                if (name is not null && secret is not null)
                {
                    b.Add(new SecretUse(name, secret, sr.Bool("pass-to-parent") ?? false, m.Location));
                }
            }
            else
            {
                r.Errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"secrets entries must be names or {{name, secret}}, not {item.Describe()}");
            }
        }
        return b.ToImmutable();
    }

    private static ImmutableArray<SemaphoreUse>? Semaphores(StanzaReader r)
    {
        var node = r.Node("semaphores");
        var old = r.Node("semaphore");
        if (old is not null && old is not YamlScalar { IsNull: true })
        {
            r.Errors.Warning(ConfigErrorCodes.DeprecatedAttribute, old.Location, "job attribute 'semaphore' is deprecated; use 'semaphores'");
            if (node is null) node = old;
            else r.Errors.Error(ConfigErrorCodes.InvalidValue, old.Location, "a job may not set both 'semaphore' and 'semaphores'");
        }
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        var b = ImmutableArray.CreateBuilder<SemaphoreUse>();
        foreach (var item in Items(node))
        {
            if (item is YamlScalar { Kind: YamlScalarKind.String } s)
            {
                b.Add(new SemaphoreUse(s.Text, false, s.Location));
            }
            else if (item is YamlMapping m)
            {
                var sr = new StanzaReader(m, "job semaphore", r.Errors);
                sr.CheckKeys(SemaphoreUseSchema);
                if (sr.String("name", required: true) is { } name) b.Add(new SemaphoreUse(name, sr.Bool("resources-first") ?? false, m.Location));
            }
            else
            {
                r.Errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"semaphores entries must be names or {{name, resources-first}}, not {item.Describe()}");
            }
        }
        return b.ToImmutable();
    }

    private static ImmutableArray<JobDependency>? Dependencies(StanzaReader r)
    {
        if (r.Node("dependencies") is not { } node || node is YamlScalar { IsNull: true }) return null;
        var b = ImmutableArray.CreateBuilder<JobDependency>();
        foreach (var item in Items(node))
        {
            if (item is YamlScalar { Kind: YamlScalarKind.String } s)
            {
                b.Add(new JobDependency(s.Text, false, s.Location));
            }
            else if (item is YamlMapping m)
            {
                var dr = new StanzaReader(m, "job dependency", r.Errors);
                dr.CheckKeys(DependencySchema);
                if (dr.String("name", required: true) is { } name) b.Add(new JobDependency(name, dr.Bool("soft") ?? false, m.Location));
            }
            else
            {
                r.Errors.Error(ConfigErrorCodes.InvalidValue, item.Location, $"dependencies entries must be job names or {{name, soft}}, not {item.Describe()}");
            }
        }
        return b.ToImmutable();
    }
}
