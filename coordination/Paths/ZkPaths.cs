using System.Net;

namespace Gating.Coordination;

/// <summary>
/// The one place that names znode paths. The map follows Zuul's (reference/zuul.md sections 1.3 and 1.4) with
/// <c>/gating</c> in place of <c>/zuul</c>; docs/zookeeper-layout.md draws it. Names that may contain '/' (projects,
/// connection names, branches) are quoted with <see cref="Quote"/>, as Zuul's <c>quote_plus</c> does.
/// </summary>
public static class ZkPaths
{
    /// <summary>Every piece of Gating runtime state lives below this node: deleting it resets the system.</summary>
    public const string Root = "/gating";

    /// <summary>Node requests and nodes, in Nodepool's classic map.</summary>
    public const string NodepoolRoot = "/nodepool";

    /// <summary>Quotes a name for use as one path segment: '/' and other reserved characters are %-escaped, spaces become '+'.</summary>
    public static string Quote(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var quoted = WebUtility.UrlEncode(name);
        // "." and ".." are not valid segments in ZooKeeper.
        return quoted is "." or ".." ? quoted.Replace(".", "%2E", StringComparison.Ordinal) : quoted;
    }

    /// <summary>Undoes <see cref="Quote"/>.</summary>
    public static string Unquote(string segment) => WebUtility.UrlDecode(segment);

    /// <summary>Joins a parent path and child name.</summary>
    public static string Join(string parent, string child) => parent == "/" ? "/" + child : parent + "/" + child;

    /// <summary>The parent of a path ("/" for a top-level node).</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>The last segment of a path.</summary>
    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

    // ---- system ----

    /// <summary>An empty node touched to obtain a fresh zxid (<see cref="ZkClock"/>).</summary>
    public static string Ltime => Root + "/ltime";

    /// <summary>The ephemeral component registry of one kind (scheduler, executor, merger, web, launcher).</summary>
    public static string Components(string kind) => $"{Root}/components/{Quote(kind)}";

    /// <summary>The tenant config (unparsed abide) and its lock.</summary>
    public static string SystemConfig => Root + "/system/conf";

    public static string SystemConfigLock => Root + "/system/conf-lock";

    /// <summary>Layout state of a tenant; its mzxid is the layout ltime.</summary>
    public static string LayoutState(string tenant) => $"{Root}/layout/{Quote(tenant)}";

    /// <summary>Sharded extra data of one layout.</summary>
    public static string LayoutData(string layoutUuid) => $"{Root}/layout-data/{Quote(layoutUuid)}";

    /// <summary>A lock so that only one scheduler runs one periodic cleanup.</summary>
    public static string CleanupLock(string kind) => $"{Root}/cleanup/{Quote(kind)}";

    // ---- event queues: each is <root>/queue/q<seq> plus <root>/data/<uuid> side blobs ----

    /// <summary>The raw driver event queue of one connection.</summary>
    public static string ConnectionEvents(string connection) => $"{Root}/events/connection/{Quote(connection)}/events";

    /// <summary>The election that picks the single consumer of a connection's events.</summary>
    public static string ConnectionEventElection(string connection) => ConnectionEvents(connection) + "/election";

    public static string TenantTriggerEvents(string tenant) => $"{TenantEvents(tenant)}/trigger";

    public static string TenantManagementEvents(string tenant) => $"{TenantEvents(tenant)}/management";

    public static string PipelineTriggerEvents(string tenant, string pipeline) => $"{PipelineEvents(tenant, pipeline)}/trigger";

    public static string PipelineManagementEvents(string tenant, string pipeline) => $"{PipelineEvents(tenant, pipeline)}/management";

    public static string PipelineResultEvents(string tenant, string pipeline) => $"{PipelineEvents(tenant, pipeline)}/result";

    /// <summary>Optional tenant event-processing state (paused/discarding queues).</summary>
    public static string TenantEventState(string tenant) => $"{TenantEvents(tenant)}/state";

    /// <summary>Where a management event's result waits for its submitter.</summary>
    public static string ManagementResult(string eventUuid) => $"{Root}/results/management/{Quote(eventUuid)}";

    private static string TenantEvents(string tenant) => $"{Root}/events/tenant/{Quote(tenant)}";

    private static string PipelineEvents(string tenant, string pipeline) => $"{TenantEvents(tenant)}/pipelines/{Quote(pipeline)}";

    // ---- locks ----

    /// <summary>Read/write lock of a tenant's layout: write while creating a layout, read while syncing.</summary>
    public static string TenantLock(string tenant) => $"{Root}/locks/tenant/{Quote(tenant)}";

    /// <summary>Exclusive lock held while processing a pipeline (one writer per pipeline).</summary>
    public static string PipelineLock(string tenant, string pipeline) => $"{Root}/locks/pipeline/{Quote(tenant)}/{Quote(pipeline)}";

    public static string TriggerEventLock(string tenant) => $"{Root}/locks/events/trigger/{Quote(tenant)}";

    public static string ManagementEventLock(string tenant) => $"{Root}/locks/events/management/{Quote(tenant)}";

    public static string ConnectionLock(string connection, string name) => $"{Root}/locks/connection/{Quote(connection)}/{Quote(name)}";

    // ---- pipeline state ----

    public static string Pipeline(string tenant, string pipeline) => $"{Root}/tenant/{Quote(tenant)}/pipeline/{Quote(pipeline)}";

    /// <summary>The "needs a run" flag of a pipeline.</summary>
    public static string PipelineDirty(string tenant, string pipeline) => Pipeline(tenant, pipeline) + "/dirty";

    public static string PipelineChangeList(string tenant, string pipeline) => Pipeline(tenant, pipeline) + "/change_list";

    public static string PipelineStatus(string tenant, string pipeline) => Pipeline(tenant, pipeline) + "/status";

    public static string ChangeQueue(string tenant, string pipeline, string queueUuid) => $"{Pipeline(tenant, pipeline)}/queue/{Quote(queueUuid)}";

    /// <summary>A queue item; items live outside queues because a re-enqueue may move them.</summary>
    public static string QueueItem(string tenant, string pipeline, string itemUuid) => $"{Pipeline(tenant, pipeline)}/item/{Quote(itemUuid)}";

    public static string BuildSet(string tenant, string pipeline, string itemUuid, string buildSetUuid) =>
        $"{QueueItem(tenant, pipeline, itemUuid)}/buildset/{Quote(buildSetUuid)}";

    public static string FrozenJob(string buildSetPath, string jobUuid) => $"{buildSetPath}/job/{Quote(jobUuid)}";

    public static string Build(string frozenJobPath, string buildUuid) => $"{frozenJobPath}/build/{Quote(buildUuid)}";

    // ---- job request queues (executor, merger) ----

    /// <summary>The executor request queue of a zone, or the unzoned one when <paramref name="zone"/> is null.</summary>
    public static string ExecutorQueue(string? zone) => zone is null ? Root + "/executor/unzoned" : $"{Root}/executor/zones/{Quote(zone)}";

    public static string MergerQueue => Root + "/merger";

    // ---- nodes (Nodepool classic map) ----

    /// <summary>Node requests: sequential children named <c>&lt;PPP&gt;-&lt;seq10&gt;</c>.</summary>
    public static string NodeRequests => NodepoolRoot + "/requests";

    /// <summary>The prefix of a node request of this priority (100 high, 200 normal, 300 low, 900 min-ready).</summary>
    public static string NodeRequestPrefix(int priority) => $"{NodeRequests}/{priority:D3}-";

    public static string NodeRequestLock(string requestId) => $"{NodepoolRoot}/requests-lock/{Quote(requestId)}";

    public static string Nodes => NodepoolRoot + "/nodes";

    public static string Node(string nodeId) => $"{Nodes}/{Quote(nodeId)}";

    public static string NodeLock(string nodeId) => Node(nodeId) + "/lock";

    public static string NodepoolComponents(string kind) => $"{NodepoolRoot}/components/{Quote(kind)}";

    /// <summary>Holds the scheduler that turns fulfilled node requests into events.</summary>
    public static string NodepoolEventElection => Root + "/nodepool/election";

    // ---- elections, semaphores, holds ----

    public static string SchedulerElection(string name) => $"{Root}/scheduler/{Quote(name)}-election";

    public static string Semaphore(string tenant, string semaphore) => $"{Root}/semaphores/{Quote(tenant)}/{Quote(semaphore)}";

    public static string GlobalSemaphore(string semaphore) => $"{Root}/global-semaphores/{Quote(semaphore)}";

    public static string HoldRequest(string id) => $"{Root}/hold-requests/{Quote(id)}";

    // ---- caches ----

    public static string BranchCache(string connection) => $"{Root}/cache/connection/{Quote(connection)}/branches/data";

    public static string BranchCacheLock(string connection) => $"{Root}/cache/connection/{Quote(connection)}/branches/lock";

    /// <summary>Content-addressed blob store entry.</summary>
    public static string Blob(string sha256Hex) => $"{Root}/cache/blob/data/{sha256Hex}";

    public static string ConfigCache(string projectCanonicalName, string branch) =>
        $"{Root}/config/cache/{Quote(projectCanonicalName)}/{Quote(branch)}";
}
