using System.Collections.Immutable;
using System.Text.Json;
using Gating.Model;
using Gating.Model.Events;
using Gating.Model.Json;

namespace Gating.Executor.Server;

/// <summary>Maps the runner's reports and results onto the pipeline's result events (model/Events).</summary>
public static class ResultEvents
{
    /// <summary>The build-completed event of a result: a retry (Zuul's null result) has a null result.</summary>
    public static BuildCompletedEvent Completed(string buildId, BuildResult result, string? eventId) =>
        new(buildId, result.ResultName, ToMap(result.Data), result.ErrorDetail, result.LogUrl)
        {
            EventId = eventId,
            SecretData = ToMap(result.SecretData),
            Warnings = result.Warnings.IsDefault ? [] : result.Warnings,
        };

    /// <summary>A build that ended before the runner ran it (bad parameters, nodes missing).</summary>
    public static BuildCompletedEvent Failed(string buildId, string? result, string detail, string? eventId) =>
        new(buildId, result, null, detail) { EventId = eventId };

    /// <summary>The build-paused event.</summary>
    public static BuildPausedEvent Paused(ExecutorBuildPaused paused, string? eventId) =>
        new(paused.BuildId, ToMap(paused.Data) ?? new VarMap(ImmutableArray<KeyValuePair<string, VarValue>>.Empty))
        {
            EventId = eventId,
            SecretData = ToMap(paused.SecretData),
        };

    /// <summary>A JSON object as variables; null for anything else.</summary>
    public static VarMap? ToMap(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Object } value ? VarValueJsonConverter.FromElement(value) as VarMap : null;
}
