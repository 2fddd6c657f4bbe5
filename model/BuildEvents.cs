using System.Text.Json;

namespace Gating.Model;

/// <summary>A build started running (Zuul's BuildStartedEvent).</summary>
public sealed record BuildStartedEvent(string BuildId, DateTimeOffset StartTime, string ExecutorHostname);

/// <summary>The workspace is ready and output can be followed (Zuul's BuildStatusEvent with the stream URL).</summary>
public sealed record BuildStatusEvent(string BuildId, string LogDirectory);

/// <summary>The build paused after its run phase (<c>zuul_return</c> pause); children may use its data.</summary>
public sealed record BuildPausedEvent(string BuildId, JsonElement? Data, JsonElement? SecretData);
