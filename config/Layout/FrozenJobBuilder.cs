using System.Collections.Immutable;
using Gating.Config.Errors;
using Gating.Config.Model;
using Gating.Config.Yaml;
using Gating.Model;
using ModelDependency = Gating.Model.JobDependency;

namespace Gating.Config.Freezing;

/// <summary>
/// The job being frozen: Zuul's <c>setBase</c> and <c>applyVariant</c> (reference §2.4, §2.7 steps 3 and 4). One
/// builder per job per item; it is mutable while the variants are applied, then <see cref="Build"/> gives the
/// immutable <see cref="FrozenJob"/>. Problems are collected as <see cref="ConfigError"/>s, never thrown.
/// </summary>
internal sealed partial class FrozenJobBuilder
{
    /// <summary>Attributes that describe the context a job runs in; a final or protected job still accepts them.</summary>
    private static readonly ImmutableHashSet<string> ContextAttributes =
    [
        "voting", "hold-following-changes", "failure-message", "success-message", "failure-url", "success-url",
        "branches", "files", "irrelevant-files", "match-on-config-updates", "tags", "provides", "requires",
        "dependencies",
    ];

    /// <summary>Attributes that neither count as an execution change nor are context (identity and flags).</summary>
    private static readonly ImmutableHashSet<string> NeutralAttributes =
    [
        "name", "final", "abstract", "protected", "intermediate", "description", "variant-description",
        "attribute-control",
    ];

    private readonly FreezeLayout _layout;
    private readonly string _jobName;
    private readonly List<ConfigError> _errors = [];
    private readonly List<InheritanceStep> _path = [];
    private string? _currentName;
    private int _level = -1;

    private bool _final;
    private bool _abstract;
    private bool _intermediate;
    private string? _protectedOrigin;
    private readonly HashSet<string> _finalAttributes = new(StringComparer.Ordinal);

    public FrozenJobBuilder(FreezeLayout layout, string jobName)
    {
        _layout = layout;
        _jobName = jobName;
    }

    /// <summary>Errors found so far.</summary>
    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <summary>True once an error stopped the freeze.</summary>
    public bool Failed { get; private set; }

    /// <summary>True when the job is still abstract after every variant.</summary>
    public bool IsAbstract => _abstract;

    /// <summary>
    /// Applies one variant: the first call is Zuul's <c>setBase</c>, later ones <c>applyVariant</c>. A project-pipeline
    /// variant (<paramref name="projectPipeline"/>) gets no implicit role and, from a config project, lifts
    /// <c>allowed-projects</c>. Returns false (and records why) when the variant may not be applied.
    /// </summary>
    public bool Apply(JobConfig variant, bool projectPipeline)
    {
        if (Failed)
        {
            return false;
        }
        var isChild = !string.Equals(variant.Name, _currentName, StringComparison.Ordinal);
        if (!CheckModifiable(variant, isChild))
        {
            Failed = true;
            return false;
        }
        if (isChild)
        {
            _level++;
            _currentName = variant.Name;
        }
        ApplyFlags(variant, isChild);
        if (Failed)
        {
            return false;
        }
        ApplyScalars(variant);
        ApplyRoles(variant, projectPipeline);
        ApplySecretsAndPlaybooks(variant);
        ApplyCollections(variant);
        ApplyContext(variant, projectPipeline);
        _configFiles.Add((variant.Source.Project, variant.Source.Path));
        _path.Add(new InheritanceStep(
            variant.Name, variant.Source.Project, variant.Source.Branch, variant.Source.Path, variant.Location.Line,
            projectPipeline ? "project-pipeline" : "job"));
        return !Failed;
    }

    private bool CheckModifiable(JobConfig variant, bool isChild)
    {
        if (!_final && _protectedOrigin is null && _finalAttributes.Count == 0)
        {
            return true;
        }
        var execution = variant.SetAttributes
            .Where(a => !ContextAttributes.Contains(a) && !NeutralAttributes.Contains(a))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (_final && execution.Count > 0)
        {
            Error(FreezeErrorCodes.FinalJob, variant.Location, variant,
                isChild
                    ? $"job '{variant.Name}' may not inherit from final job '{_currentName}' (it sets {execution[0]})"
                    : $"unable to modify final job '{_currentName}' attribute {execution[0]} with this variant");
            return false;
        }
        if (_protectedOrigin is not null && execution.Count > 0 &&
            !string.Equals(_protectedOrigin, variant.Source.Project, StringComparison.Ordinal))
        {
            Error(FreezeErrorCodes.ProtectedJob, variant.Location, variant,
                $"job '{_currentName}' is protected (defined in {_protectedOrigin}) and cannot be inherited or varied from project {variant.Source.Project}");
            return false;
        }
        foreach (var attribute in variant.SetAttributes.Order(StringComparer.Ordinal))
        {
            if (_finalAttributes.Contains(attribute))
            {
                Error(FreezeErrorCodes.FinalAttribute, variant.Location, variant,
                    $"unable to modify attribute {attribute} of job '{_currentName}': attribute-control makes it final");
                return false;
            }
        }
        return true;
    }

    private void ApplyFlags(JobConfig variant, bool isChild)
    {
        if (variant.Final == true)
        {
            _final = true;
        }
        // Abstract may only be cleared by inheriting, never by a variant of the same job.
        if (isChild)
        {
            _abstract = variant.Abstract == true;
        }
        else if (variant.Abstract == true)
        {
            _abstract = true;
        }
        // An intermediate job may only be inherited by an abstract job; inheriting clears it.
        if (isChild && _intermediate && variant.Abstract != true)
        {
            Error(FreezeErrorCodes.IntermediateJob, variant.Location, variant,
                $"job '{variant.Name}' is not abstract, but its parent is intermediate and may only be inherited by abstract jobs");
            Failed = true;
            return;
        }
        if (isChild)
        {
            _intermediate = variant.Intermediate == true;
        }
        else if (variant.Intermediate == true)
        {
            _intermediate = true;
        }
        if (variant.Protected is { } isProtected)
        {
            if (!isProtected && _protectedOrigin is not null)
            {
                Error(FreezeErrorCodes.ProtectedJob, variant.Location, variant,
                    $"unable to reset the protected attribute of job '{_currentName}'");
                Failed = true;
                return;
            }
            if (isProtected && _protectedOrigin is null)
            {
                _protectedOrigin = variant.Source.Project;
            }
        }
        if (variant.AttributeControl is { } control)
        {
            foreach (var (attribute, final) in control)
            {
                if (final)
                {
                    _finalAttributes.Add(attribute);
                }
            }
        }
    }

    private void Error(string code, SourceLocation at, JobConfig variant, string message) =>
        _errors.Add(ConfigError.At(code, at, message) with { Project = variant.Source.Project, Branch = variant.Source.Branch });

    private void Error(string code, SourceLocation at, SourceContext source, string message) =>
        _errors.Add(ConfigError.At(code, at, message) with { Project = source.Project, Branch = source.Branch });

    private static OverrideControl ControlOf(JobConfig variant, string attribute) =>
        variant.OverrideControls.TryGetValue(attribute, out var control) ? control : OverrideControl.Default;

    private static ModelDependency ToModel(Gating.Config.Model.JobDependency d) => new(d.Name, d.Soft);
}
