namespace Gating.ZooKeeper.Protocol;

/// <summary>
/// The multi request (opcode 14): each op as a <see cref="MultiHeader"/> (type, done=false, err=-1) and its
/// request body, then a closing header (type -1, done=true, err=-1). The response mirrors it with one result per op.
/// </summary>
internal static class MultiRecords
{
    public static void WriteRequest(JuteWriter writer, IReadOnlyList<Op> ops, Func<string, bool, string> toServerPath)
    {
        foreach (var op in ops)
        {
            switch (op)
            {
                case Op.Create create:
                    new MultiHeader(Requests.CreateOpCode(create.Options.Mode), false, -1).Write(writer);
                    Requests.WriteCreate(writer, toServerPath(create.Path, Requests.IsSequential(create.Options.Mode)), create.Data.Span, create.Options);
                    break;
                case Op.Delete delete:
                    new MultiHeader(OpCode.Delete, false, -1).Write(writer);
                    Requests.WritePathVersion(writer, toServerPath(delete.Path, false), delete.Version);
                    break;
                case Op.SetData setData:
                    new MultiHeader(OpCode.SetData, false, -1).Write(writer);
                    Requests.WriteSetData(writer, toServerPath(setData.Path, false), setData.Data.Span, setData.Version);
                    break;
                case Op.Check check:
                    new MultiHeader(OpCode.Check, false, -1).Write(writer);
                    Requests.WritePathVersion(writer, toServerPath(check.Path, false), check.Version);
                    break;
                default:
                    throw new ArgumentException($"unsupported multi op {op.GetType().Name}", nameof(ops));
            }
        }
        new MultiHeader(OpCode.Error, true, -1).Write(writer);
    }

    /// <summary>Reads the per-op results; an op that failed (or was rolled back) reads as <see cref="OpResult.Error"/>.</summary>
    public static List<OpResult> ReadResponse(ref JuteReader reader, Func<string, string> toClientPath)
    {
        var results = new List<OpResult>();
        while (true)
        {
            var header = MultiHeader.Read(ref reader);
            if (header.Done)
            {
                return results;
            }
            results.Add(header.Type switch
            {
                OpCode.Create => new OpResult.Create(toClientPath(reader.ReadRequiredString()), default),
                OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl =>
                    new OpResult.Create(toClientPath(reader.ReadRequiredString()), reader.ReadStat()),
                OpCode.Delete => new OpResult.Delete(),
                OpCode.SetData => new OpResult.SetData(reader.ReadStat()),
                OpCode.Check => new OpResult.Check(),
                OpCode.Error => new OpResult.Error((ErrorCode)reader.ReadInt()),
                _ => throw new ZooKeeperProtocolException($"unexpected op type {(int)header.Type} in a multi response"),
            });
        }
    }
}
