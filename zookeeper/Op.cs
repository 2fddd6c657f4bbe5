namespace Gating.ZooKeeper;

/// <summary>One operation of a multi.</summary>
public abstract record Op(string Path)
{
    public sealed record Create(string Path, ReadOnlyMemory<byte> Data, CreateOptions Options) : Op(Path);

    public sealed record Delete(string Path, int Version) : Op(Path);

    public sealed record SetData(string Path, ReadOnlyMemory<byte> Data, int Version) : Op(Path);

    public sealed record Check(string Path, int Version) : Op(Path);
}

/// <summary>The result of one operation of a multi.</summary>
public abstract record OpResult
{
    public sealed record Create(string Path, Stat Stat) : OpResult;

    public sealed record Delete : OpResult;

    public sealed record SetData(Stat Stat) : OpResult;

    public sealed record Check : OpResult;

    public sealed record Error(ErrorCode Code) : OpResult;
}
