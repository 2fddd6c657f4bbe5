using Gating.Model;

namespace Gating.Executor.Git;

/// <summary>Says where a project's upstream repository is (its connection's git URL).</summary>
public interface IRepositoryLocator
{
    /// <summary>The URL git fetches the project from: file://, git://, http(s):// or ssh://.</summary>
    string UrlOf(ProjectRef project);
}

/// <summary>Locates repositories as <c>&lt;base URL of the connection&gt;/&lt;project&gt;&lt;suffix&gt;</c>.</summary>
public sealed class BaseUrlRepositoryLocator : IRepositoryLocator
{
    private readonly IReadOnlyDictionary<string, string> _baseUrls;
    private readonly string _suffix;

    /// <summary>Creates a locator from connection name -> base URL.</summary>
    public BaseUrlRepositoryLocator(IReadOnlyDictionary<string, string> baseUrls, string suffix = "")
    {
        _baseUrls = baseUrls;
        _suffix = suffix;
    }

    /// <inheritdoc />
    public string UrlOf(ProjectRef project) =>
        _baseUrls.TryGetValue(project.Connection, out var baseUrl)
            ? $"{baseUrl.TrimEnd('/')}/{project.Project}{_suffix}"
            : throw new InvalidOperationException($"No git URL is configured for connection '{project.Connection}' (project {project.Project}).");
}
