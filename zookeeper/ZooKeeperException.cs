namespace Gating.ZooKeeper;

/// <summary>ZooKeeper's error codes, with their wire values.</summary>
public enum ErrorCode
{
    Ok = 0,
    SystemError = -1,
    RuntimeInconsistency = -2,
    DataInconsistency = -3,
    ConnectionLoss = -4,
    MarshallingError = -5,
    Unimplemented = -6,
    OperationTimeout = -7,
    BadArguments = -8,
    UnknownSession = -12,
    NewConfigNoQuorum = -13,
    ReconfigInProgress = -14,
    ApiError = -100,
    NoNode = -101,
    NoAuth = -102,
    BadVersion = -103,
    NoChildrenForEphemerals = -108,
    NodeExists = -110,
    NotEmpty = -111,
    SessionExpired = -112,
    InvalidCallback = -113,
    InvalidAcl = -114,
    AuthFailed = -115,
    SessionMoved = -118,
    NotReadOnly = -119,
    EphemeralOnLocalSession = -120,
    NoWatcher = -121,
    RequestTimeout = -122,
    ReconfigDisabled = -123,
    SessionClosedRequireSaslAuth = -124,
    QuotaExceeded = -125,
    Throttled = -127,

    /// <summary>Client side: the client was closed by its owner.</summary>
    ClientClosed = -10001,
}

/// <summary>A ZooKeeper error: the code, the path it concerns, and whether retrying the same call can help.</summary>
public class ZooKeeperException : Exception
{
    public ZooKeeperException(ErrorCode code, string? path, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Path = path;
    }

    public ErrorCode Code { get; }

    public string? Path { get; }

    /// <summary>True when the same call may succeed later (connection loss, timeouts, throttling).</summary>
    public bool IsRetryable => IsRetryableCode(Code);

    public static bool IsRetryableCode(ErrorCode code) => code is ErrorCode.ConnectionLoss
        or ErrorCode.OperationTimeout or ErrorCode.RequestTimeout or ErrorCode.Throttled
        or ErrorCode.SessionMoved or ErrorCode.ReconfigInProgress;

    /// <summary>Builds the exception for a server error code on a path, with ZooKeeper's wording.</summary>
    public static ZooKeeperException From(ErrorCode code, string? path) =>
        code == ErrorCode.Ok
            ? throw new ArgumentException("Ok is not an error", nameof(code))
            : new ZooKeeperException(code, path, path is null ? $"KeeperErrorCode = {code}" : $"KeeperErrorCode = {code} for {path}");
}

/// <summary>A multi that failed: nothing was applied; <see cref="Results"/> says which op failed and why.</summary>
public sealed class ZooKeeperMultiException : ZooKeeperException
{
    public ZooKeeperMultiException(ErrorCode code, string? path, IReadOnlyList<OpResult> results)
        : base(code, path, $"multi failed: KeeperErrorCode = {code}{(path is null ? "" : " for " + path)}")
    {
        Results = results;
    }

    public IReadOnlyList<OpResult> Results { get; }
}
