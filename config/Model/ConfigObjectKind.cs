namespace Gating.Config.Model;

/// <summary>The object kinds of in-repo configuration; a tenant's include/exclude lists name them.</summary>
public enum ConfigObjectKind
{
    /// <summary><c>pipeline</c> (config projects only).</summary>
    Pipeline,
    /// <summary><c>job</c>.</summary>
    Job,
    /// <summary><c>project</c>.</summary>
    Project,
    /// <summary><c>project-template</c>.</summary>
    ProjectTemplate,
    /// <summary><c>nodeset</c>.</summary>
    Nodeset,
    /// <summary><c>secret</c>.</summary>
    Secret,
    /// <summary><c>semaphore</c>.</summary>
    Semaphore,
    /// <summary><c>queue</c>.</summary>
    Queue,
    /// <summary><c>pragma</c> (always loaded; not subject to include/exclude).</summary>
    Pragma,
    /// <summary>zuul-launcher's <c>image</c>, <c>flavor</c>, <c>label</c>, <c>section</c>, <c>provider</c>.</summary>
    Launcher,
}

/// <summary>Names of the object kinds as written in YAML.</summary>
public static class ConfigObjectKinds
{
    /// <summary>Parses a stanza key (<c>project-template</c>) or include/exclude word into a kind.</summary>
    public static ConfigObjectKind? Parse(string word) => word switch
    {
        "pipeline" => ConfigObjectKind.Pipeline,
        "job" => ConfigObjectKind.Job,
        "project" => ConfigObjectKind.Project,
        "project-template" => ConfigObjectKind.ProjectTemplate,
        "nodeset" => ConfigObjectKind.Nodeset,
        "secret" => ConfigObjectKind.Secret,
        "semaphore" => ConfigObjectKind.Semaphore,
        "queue" => ConfigObjectKind.Queue,
        "pragma" => ConfigObjectKind.Pragma,
        "image" or "flavor" or "label" or "section" or "provider" => ConfigObjectKind.Launcher,
        _ => null,
    };
}
