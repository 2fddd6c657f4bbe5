using System.Text.Json;

namespace Gating.Model;

/// <summary>The executor started a build (Zuul's BuildStartedEvent, as the executor reports it).</summary>
public sealed record ExecutorBuildStarted(string BuildId, DateTimeOffset StartTime, string ExecutorHostname);

/// <summary>The workspace is ready and output can be followed (Zuul's BuildStatusEvent with the stream URL).</summary>
public sealed record ExecutorBuildStatus(string BuildId, string LogDirectory);

/// <summary>The build paused after its run phase (<c>zuul_return</c> pause); children may use its data.</summary>
public sealed record ExecutorBuildPaused(string BuildId, JsonElement? Data, JsonElement? SecretData);
