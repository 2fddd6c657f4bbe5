using System.Collections.Immutable;
using Gating.Config.Loading;
using Gating.Model;
using Gating.Model.Events;
using Gating.Scheduler.Pipelines;

namespace Gating.Scheduler.Runtime;

public sealed partial class Scheduler
{
    /// <summary>
    /// The job graph of an item: with the tenant's layout, or, when the item's speculative state edits the config
    /// of an untrusted project, with a layout that includes those edits (reference §3.5). Edits of config
    /// projects are checked for errors but not used. Errors caused by the edits fail the item. A cycle item's jobs
    /// are frozen per change, each with its own changed files (reference §2.7 step 8).
    /// </summary>
    private async Task<PipelineEvent> FreezeAsync(string pipeline, FreezeJobGraph freeze, MergeResult? merged, CancellationToken cancellationToken)
    {
        var files = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        foreach (var change in freeze.OwnChanges())
        {
            files.Add(change.IsChange && _options.Sources.TryGetValue(change.Key.Connection, out var source)
                ? await source.GetFilesChangedAsync(change, cancellationToken)
                : ImmutableArray<string>.Empty);
        }
        var layout = Tenant.Layout;
        if (merged is not null && freeze.Changes.Any(c => c.UpdatesConfig))
        {
            var (speculative, errors) = SpeculativeLayout(layout, freeze.Changes, merged);
            if (!errors.IsEmpty)
            {
                return new JobGraphErrorEvent(freeze.BuildSetId, errors);
            }
            layout = speculative;
        }
        return TenantRuntime.Freeze(layout, pipeline, freeze, files.ToImmutable());
    }

    private static (TenantLayout Layout, ImmutableArray<string> Errors) SpeculativeLayout(
        TenantLayout layout, ImmutableArray<Change> changes, MergeResult merged)
    {
        var before = layout.Errors.Where(e => e.IsError).Select(e => e.ToString()).ToHashSet(StringComparer.Ordinal);
        var editing = changes.Where(c => c.UpdatesConfig).Select(c => (c.Key.Project, c.Branch)).ToHashSet();
        var speculative = layout;
        var usable = speculative;
        foreach (var files in merged.Files)
        {
            if (!editing.Contains((files.Project, files.Branch)))
            {
                continue;
            }
            var project = layout.Tenant.ProjectsInLoadOrder.FirstOrDefault(p => p.Name == files.Project);
            if (project is null || !layout.LoadedBranches.Any(b => b.Project.Name == files.Project && b.Branch == files.Branch))
            {
                continue;
            }
            var texts = files.Files.Select(f => new ConfigFileText(f.Key, f.Value)).ToList();
            speculative = TenantLoader.Relayout(speculative, files.Project, files.Branch, texts);
            if (!project.Trusted)
            {
                usable = TenantLoader.Relayout(usable, files.Project, files.Branch, texts);
            }
        }
        var errors = speculative.Errors.Where(e => e.IsError && !before.Contains(e.ToString()))
            .Select(e => $"{e.Project ?? ""} {e.File}:{e.Line}: {e.Message}".Trim())
            .ToImmutableArray();
        return (usable, errors);
    }
}
