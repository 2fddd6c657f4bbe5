using Gating.Config.Yaml;

namespace Gating.Config.Model;

/// <summary>
/// A <c>secret</c>: its <c>data</c> tree, where encrypted values are <see cref="YamlEncrypted"/> nodes (base64
/// chunks, decrypted later with the project's key), and the optional <c>oidc</c> form.
/// </summary>
public sealed record SecretConfig(string Name, YamlNode? Data, YamlMapping? Oidc, SourceLocation Location, SourceContext Source);

/// <summary>A <c>semaphore</c>: name and <c>max</c> (default 1).</summary>
public sealed record SemaphoreConfig(string Name, int Max, SourceLocation Location, SourceContext Source);

/// <summary>A <c>queue</c>: a shared change queue's settings.</summary>
public sealed record QueueConfig(
    string Name,
    bool PerBranch,
    bool AllowCircularDependencies,
    bool DependenciesByTopic,
    SourceLocation Location,
    SourceContext Source);

/// <summary>A <c>pragma</c>: per-file settings for implied branch matchers.</summary>
public sealed record PragmaConfig(
    bool? ImpliedBranchMatchers,
    System.Collections.Immutable.ImmutableArray<RegexMatcher>? ImpliedBranches,
    SourceLocation Location);

/// <summary>A stanza newer than the reference (<c>image</c>, <c>flavor</c>, <c>label</c>, <c>section</c>,
/// <c>provider</c>): kept as written, not interpreted.</summary>
public sealed record LauncherStanza(string Kind, string? Name, YamlNode Body, SourceLocation Location, SourceContext Source);
