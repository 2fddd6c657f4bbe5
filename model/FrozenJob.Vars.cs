using System.Collections.Immutable;

namespace Gating.Model;

/// <summary>
/// An immutable Ansible variable value (the YAML data of <c>vars</c>, <c>host-vars</c>, secrets...), kept apart from
/// any YAML library so that every component can read a frozen job.
/// </summary>
public abstract record VarValue;

/// <summary>The YAML 1.1 type a scalar had, so it reaches Ansible as the same type.</summary>
public enum VarScalarKind
{
    /// <summary>A string.</summary>
    String,
    /// <summary>Null.</summary>
    Null,
    /// <summary>A boolean; <see cref="VarScalar.Text"/> is <c>true</c> or <c>false</c>.</summary>
    Bool,
    /// <summary>An integer in decimal text.</summary>
    Int,
    /// <summary>A float in Python's <c>str()</c> form.</summary>
    Float,
}

/// <summary>A scalar value.</summary>
/// <param name="Text">The value's text (normalised for bool, int and float).</param>
/// <param name="Kind">Its type.</param>
public sealed record VarScalar(string Text, VarScalarKind Kind = VarScalarKind.String) : VarValue
{
    /// <summary>The null value.</summary>
    public static readonly VarScalar Null = new("", VarScalarKind.Null);

    /// <inheritdoc />
    public override string ToString() => Kind == VarScalarKind.Null ? "null" : Text;
}

/// <summary>A list value.</summary>
/// <param name="Items">The items in order.</param>
public sealed record VarList(ImmutableArray<VarValue> Items) : VarValue
{
    /// <summary>Element-wise equality (ImmutableArray compares by reference).</summary>
    public bool Equals(VarList? other) => other is not null && Items.SequenceEqual(other.Items);

    /// <inheritdoc />
    public override int GetHashCode() => Items.Length;
}

/// <summary>A mapping value with its keys in the order they were written.</summary>
/// <param name="Entries">The entries; keys are unique.</param>
public sealed record VarMap(ImmutableArray<KeyValuePair<string, VarValue>> Entries) : VarValue
{
    /// <summary>The empty mapping.</summary>
    public static readonly VarMap Empty = new(ImmutableArray<KeyValuePair<string, VarValue>>.Empty);

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public VarValue? this[string key]
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (string.Equals(entry.Key, key, StringComparison.Ordinal))
                {
                    return entry.Value;
                }
            }
            return null;
        }
    }

    /// <summary>True with no entries.</summary>
    public bool IsEmpty => Entries.IsEmpty;

    /// <summary>
    /// Zuul's deep merge: keys of <paramref name="over"/> win; where both sides hold a mapping, the mappings are
    /// merged recursively; any other pair is replaced by <paramref name="over"/>'s value. Key order: this map's
    /// keys first, then new keys of <paramref name="over"/>.
    /// </summary>
    public VarMap DeepMerge(VarMap over)
    {
        ArgumentNullException.ThrowIfNull(over);
        if (over.IsEmpty)
        {
            return this;
        }
        if (IsEmpty)
        {
            return over;
        }
        var result = ImmutableArray.CreateBuilder<KeyValuePair<string, VarValue>>(Entries.Length + over.Entries.Length);
        foreach (var entry in Entries)
        {
            var replacement = over[entry.Key];
            result.Add(replacement switch
            {
                null => entry,
                VarMap overMap when entry.Value is VarMap baseMap => new(entry.Key, baseMap.DeepMerge(overMap)),
                _ => new(entry.Key, replacement),
            });
        }
        foreach (var entry in over.Entries)
        {
            if (this[entry.Key] is null)
            {
                result.Add(entry);
            }
        }
        return new VarMap(result.ToImmutable());
    }

    /// <summary>Entry-wise equality in order.</summary>
    public bool Equals(VarMap? other) =>
        other is not null && Entries.Length == other.Entries.Length &&
        Entries.Zip(other.Entries).All(p => p.First.Key == p.Second.Key && Equals(p.First.Value, p.Second.Value));

    /// <inheritdoc />
    public override int GetHashCode() => Entries.Length;
}
